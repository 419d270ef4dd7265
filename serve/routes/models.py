"""Registered model versions, their aliases and validation metrics (admins)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from pipeline.registry.client import DUPLICATES_MODEL, registered_versions, version_metrics
from serve.auth import AdminCaller
from serve.deps import PredictorDep, SettingsDep
from serve.routes import API_PREFIX, KEYED
from serve.schemas import ModelsOut, ModelVersionOut

router = APIRouter(prefix=API_PREFIX, tags=["models"], responses=KEYED)


def model_versions(name: str) -> list[ModelVersionOut]:
    return [
        ModelVersionOut(
            name=name,
            version=str(v.version),
            aliases=list(v.aliases),
            created_at=datetime.fromtimestamp(v.creation_timestamp / 1000)
            if v.creation_timestamp
            else None,
            run_id=v.run_id,
            metrics=version_metrics(v),
        )
        for v in registered_versions(name)
    ]


@router.get("/models", response_model=ModelsOut)
async def models(predictor: PredictorDep, settings: SettingsDep, _: AdminCaller) -> ModelsOut:
    """Every registered version of the Router and of the duplicate scorer, and which one this
    server is serving."""
    names = (settings.registered_model_name, DUPLICATES_MODEL)
    versions = [v for name in names for v in await run_in_threadpool(model_versions, name)]
    return ModelsOut(serving=predictor.version, versions=versions)
