"""The one ``lapor`` command-line app: the composition root. Every command is a thin call into
the layers below; nothing imports this package."""

from __future__ import annotations

import os

import typer

from cli import (
    batch,
    data,
    deployment,
    duplicates,
    models,
    monitoring,
    portal,
    service,
    training,
    users,
)
from core.config import PRIVATE_UMASK

app = typer.Typer(
    name="lapor",
    help="lapor-router: triage and routing of SP4N-LAPOR! citizen reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def private_files() -> None:
    """Every file a command writes (the store and its WAL, MLflow's database and artifacts,
    exports) is readable by its owner only."""
    os.umask(PRIVATE_UMASK)


app.add_typer(data.app, name="data")
app.add_typer(models.app, name="models")
app.add_typer(duplicates.app, name="duplicates")
app.add_typer(users.app, name="users")
app.add_typer(deployment.app, name="deployment")
app.add_typer(portal.export_app, name="export")
app.command("train")(training.train_command)
app.command("evaluate")(training.evaluate_command)
app.command("promote")(training.promote_command)
app.command("retrain")(training.retrain_command)
app.command("serve")(service.serve_command)
app.command("demo")(service.demo_command)
app.command("kpi")(monitoring.kpi_command)
app.command("drift")(monitoring.drift_command)
app.command("reclassify")(batch.reclassify_command)
app.command("intake")(portal.intake_command)
