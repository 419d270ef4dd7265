"""What a route needs, as ``Annotated`` dependencies: the app's state is read here and nowhere
else (the store, the predictor, the metrics, the settings, the API-key cache, the login throttle).

The getters are ``async``: FastAPI runs a plain ``def`` dependency in its thread pool, and a
thread hop per attribute read cost the service ~10% of its throughput under load."""

from __future__ import annotations

from typing import Annotated

from cachetools import TTLCache
from fastapi import Depends, Request

from core.config import Settings
from serve.observability import Metrics
from serve.predictor import Predictor
from serve.store import Store
from serve.throttle import LoginThrottle


def store_of(request: Request) -> Store:
    """The store, for code that runs outside dependency injection (page rendering)."""
    return request.app.state.store


async def get_store(request: Request) -> Store:
    return store_of(request)


async def get_predictor(request: Request) -> Predictor:
    return request.app.state.predictor


async def get_metrics(request: Request) -> Metrics:
    return request.app.state.metrics


async def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_key_cache(request: Request) -> TTLCache:
    return request.app.state.key_cache


async def get_login_throttle(request: Request) -> LoginThrottle:
    return request.app.state.login_throttle


async def get_loaded_predictor(request: Request) -> Predictor | None:
    """The predictor, or None before start-up finished (what readiness reports)."""
    return getattr(request.app.state, "predictor", None)


async def get_loaded_store(request: Request) -> Store | None:
    return getattr(request.app.state, "store", None)


StoreDep = Annotated[Store, Depends(get_store)]
PredictorDep = Annotated[Predictor, Depends(get_predictor)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]
SettingsDep = Annotated[Settings, Depends(get_app_settings)]
KeyCacheDep = Annotated[TTLCache, Depends(get_key_cache)]
LoginThrottleDep = Annotated[LoginThrottle, Depends(get_login_throttle)]
LoadedPredictorDep = Annotated[Predictor | None, Depends(get_loaded_predictor)]
LoadedStoreDep = Annotated[Store | None, Depends(get_loaded_store)]
