"""The FastAPI app factory. The Router and the store are opened in the lifespan, never at import."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Match
from starlette.types import ASGIApp, Scope
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from core.config import Settings
from core.errors import LaporError
from models.triage import Triage
from pipeline.deployment import use_deployment_zone
from pipeline.serving import load_triage as registered_triage
from serve.auth import key_cache
from serve.auto_guard import AutoGuard
from serve.check_tier import CheckTier
from serve.deployment import follow_catalogue
from serve.headers import SecurityHeadersMiddleware
from serve.messages import wording
from serve.observability import Metrics, RequestMiddleware
from serve.passwords import PasswordHashing
from serve.policy import ServingPolicy
from serve.predictor import Predictor
from serve.routes import (
    API_PREFIX,
    accounts,
    catalogue,
    classify,
    dashboard,
    health,
    kpi,
    models,
    portal_pages,
    report_forms,
    reports,
    ui,
    users,
)
from serve.schemas import ValidationErrorOut
from serve.store import Store
from serve.store.records import StoreError, StoreUnavailableError
from serve.throttle import LoginThrottle
from serve.workflow import ReportNotFoundError

log = logging.getLogger("lapor.serve")

STATIC = Path(__file__).parent / "static"
DOCS_ASSETS = "/static/docs"
"""Where Swagger UI's own files are served from (no CDN)."""


def server_config(app: ASGIApp, host: str, port: int, **options: object) -> uvicorn.Config:
    """How the service is served: uvicorn without its own logging, and believing forwarded
    headers only through :class:`ProxyHeadersMiddleware` and ``LAPOR_TRUSTED_PROXIES``, never by
    uvicorn's default trust of 127.0.0.1 (a local client could choose its address)."""
    return uvicorn.Config(
        app, host=host, port=port, log_config=None, access_log=False, proxy_headers=False,
        **options,  # type: ignore[arg-type]
    )  # fmt: skip


def _refusal(exc: LaporError, status: int) -> JSONResponse:
    """A refusal as the API answers it: the English sentence, and the code a client can branch
    on (None for a refusal without one)."""
    return JSONResponse({"detail": wording(exc), "code": exc.code}, status_code=status)


def create_app(
    settings: Settings,
    model_uri: str | None = None,
    load_triage: Callable[[], Triage] | None = None,
) -> FastAPI:
    """The service, configured by ``settings`` (the composition root's: the CLI reads them).
    ``load_triage`` (tests, the demo) replaces loading ``model_uri`` (default: the registered
    champion) from MLflow; either way it happens at start-up, and the model serves the
    catalogue the store keeps (where a deployment is set up)."""
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        use_deployment_zone(settings.home, settings.timezone)
        store = Store(
            settings.store_url,
            min_free_bytes=settings.store_min_free_mb * 2**20,
            passwords=PasswordHashing.from_settings(settings),
        )
        await run_in_threadpool(store.migrate, settings.home)
        served_version = await run_in_threadpool(store.catalogue_version)
        catalogue = await run_in_threadpool(store.catalogue)
        triage = await run_in_threadpool(
            load_triage or (lambda: registered_triage(catalogue, model_uri))
        )
        if catalogue is not None:  # the store's catalogue is the one the deployment edits
            triage.catalogue = catalogue
        guard = AutoGuard(triage.router.target_precision_)
        await run_in_threadpool(guard.load, store)
        check_tier = CheckTier(triage.urgency_tiers)
        await run_in_threadpool(check_tier.load, store)
        predictor = Predictor(
            triage, on_batch=metrics.batch_size.observe, policy=ServingPolicy(guard, check_tier)
        )
        if triage.index is not None and len(triage.index) == 0:
            window = triage.index.window_days
            await predictor.index(await run_in_threadpool(store.recent_reports, window))
        metrics.model_info.labels(predictor.version or "unknown").set(1)
        app.state.store, app.state.predictor = store, predictor
        follower = asyncio.create_task(
            follow_catalogue(store, predictor, settings.catalogue_check_seconds, served_version)
        )
        log.info(
            "ready",
            extra={"model_version": predictor.version, "store": store.engine.url.drivername},
        )
        try:
            yield
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
            predictor.close()
            store.close()

    # Swagger UI's assets come with the fastapi-offline package: /docs works with no network
    app = FastAPIOffline(
        title="lapor-router",
        summary="Triage and routing suggestions for SP4N-LAPOR! citizen reports.",
        version="1",
        lifespan=lifespan,
        docs_url="/docs",
        redoc_url=None,
        static_url=DOCS_ASSETS,
    )
    app.state.settings, app.state.metrics = settings, metrics
    app.state.key_cache = key_cache()
    app.state.login_throttle = LoginThrottle.from_settings(settings)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret(),
        session_cookie="lapor_session",
        max_age=settings.session_hours * 3600,
        same_site="strict",
        https_only=settings.session_cookie_secure,
    )
    app.add_middleware(RequestMiddleware, metrics=metrics, server_error=_server_error)
    app.add_middleware(SecurityHeadersMiddleware)  # on the 413s and 500s too
    if settings.trusted_proxies:  # the client's address from these proxies' headers only
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    for module in (classify, reports, kpi, models, users, health):
        app.include_router(module.router)
    app.include_router(ui.router)
    app.include_router(report_forms.router)
    app.include_router(catalogue.router)
    app.include_router(portal_pages.router)
    app.include_router(dashboard.router)
    app.include_router(accounts.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _add_error_handlers(app)
    _document_our_validation_errors(app)
    return app


def _document_our_validation_errors(app: FastAPI) -> None:
    """FastAPI documents its own 422 body; this API answers :class:`ValidationErrorOut` (one
    sentence plus the fields), and the schema says so."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            components = generate()["components"]["schemas"]
            ours = ValidationErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(ours.pop("$defs", {}))
            components["HTTPValidationError"] = ours
            components.pop("ValidationError", None)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _is_api(path: str) -> bool:
    return path.startswith(API_PREFIX) or path in ("/docs", "/openapi.json")


def _server_error(scope: Scope, request_id: str) -> Response:
    """A 500 for a bug: JSON on the API, a page on the UI; both name the request id and
    nothing else (the traceback is in the log)."""
    if not _is_api(scope.get("path", "")):
        return ui.server_error_page(request_id)
    return JSONResponse(
        {"detail": "internal error; quote this request id", "request_id": request_id},
        status_code=500,
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path (Starlette names only the first route's)."""
    return [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL
            for route in request.app.router.routes
        )
    ]


def _add_error_handlers(app: FastAPI) -> None:
    """Every error is a 4xx with a message (a 500 only for a bug, and then without details)."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if not _is_api(request.url.path):
            return ui.refused_form(request, exc.errors())
        errors = [
            {
                "loc": list(error.get("loc", ())),
                "msg": error.get("msg", ""),
                "type": error.get("type"),
            }
            for error in exc.errors()
        ]
        summary = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'] if p != 'body') or 'body'}: {e['msg']}"
            for e in errors[:5]
        )
        return JSONResponse({"detail": summary, "errors": errors}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        if not _is_api(request.url.path):
            response = await ui.error_page(request, exc)
            response.headers.update(headers)
            return response
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(ReportNotFoundError)
    async def not_found(request: Request, exc: ReportNotFoundError) -> Response:
        if not _is_api(request.url.path):
            return await ui.error_page(request, HTTPException(404, wording(exc, "id")))
        return _refusal(exc, 404)

    @app.exception_handler(StoreUnavailableError)
    async def store_unavailable(request: Request, exc: StoreUnavailableError) -> Response:
        if not _is_api(request.url.path):
            return await ui.error_page(request, HTTPException(503, wording(exc, "id")))
        return _refusal(exc, 503)

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        return _refusal(exc, 409)

    @app.exception_handler(LaporError)
    async def lapor_error(request: Request, exc: LaporError) -> Response:
        return _refusal(exc, 422)
