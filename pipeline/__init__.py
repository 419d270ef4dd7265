"""lapor-router pipeline: ingest, normalise, train, evaluate and serve SP4N-LAPOR! reports."""

__version__ = "0.1.0"
