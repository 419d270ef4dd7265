"""``python -m cli``: the same app as the ``lapor`` script."""

from cli.main import app

app()
