"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pipeline.drift import ready_warnings
from serve.auth import MetricsReader
from serve.deps import LoadedPredictorDep, LoadedStoreDep, MetricsDep, SettingsDep
from serve.routes import API_PREFIX, KEYED
from serve.schemas import Health, Ready

router = APIRouter(prefix=API_PREFIX, tags=["health"])


@router.get("/health", response_model=Health)
def alive() -> Health:
    """The process answers."""
    return Health(status="ok")


@router.get("/ready", response_model=Ready, responses={503: {"model": Ready}})
def ready(predictor: LoadedPredictorDep, store: LoadedStoreDep, settings: SettingsDep) -> Response:
    """A model is loaded and the store answers and can write (503 otherwise, with the reasons:
    a write failed for lack of disk space, or SQLite's disk is nearly full); the last drift
    check's warnings for this model and the live guard's suspensions of auto-routing (task, or
    task:OPD, in ``auto_routing_suspended``) are listed in ``details``."""
    details = []
    if predictor is None:
        details.append("no model loaded")
    if store is None:
        details.append("no store")
    else:
        try:
            store.ping()
        except Exception as exc:
            details.append(f"store unreachable: {type(exc).__name__}")
        else:
            if problem := store.write_problem():
                details.append(f"store cannot write: {problem}")
    problems = list(details)
    suspended: dict[str, str] = {}
    if predictor is not None:  # drift and the guard do not make the service unready; they say so
        details += ready_warnings(settings.drift_report, predictor.version)
        if predictor.guard is not None:
            suspended = predictor.guard.suspended()
            details += [f"auto-routing {reason}" for reason in suspended.values()]
    body = Ready(
        ready=not problems,
        model_version=predictor.version if predictor else None,
        duplicates=bool(predictor and predictor.duplicates is not None),
        auto_routing_suspended=sorted(suspended),
        details=details,
    )
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}, 401: KEYED[401]},
)
def metrics(metrics: MetricsDep, _: MetricsReader) -> Response:
    """Prometheus text format: requests, latency, suggestions by decision, batch sizes. Needs
    an API key unless the deployment opened it (``LAPOR_METRICS_OPEN``)."""
    return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)
