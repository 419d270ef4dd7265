"""lapor-router pipeline: ingest, normalise, train, evaluate, register, reclassify and monitor
SP4N-LAPOR! reports (serving is the ``serve`` layer's)."""

__version__ = "0.1.0"
