"""The MLflow tracking store and model registry: one cached client, names, aliases, versions."""

from __future__ import annotations

import functools
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow import MlflowClient
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException

from core.config import get_settings
from core.errors import LaporError

CHALLENGER = "challenger"
CHAMPION = "champion"
EXPERIMENT = "lapor-router"


DUPLICATES_MODEL = "lapor-duplicates"


class RegistryError(LaporError):
    """A model URI that does not resolve, or a registry in an unexpected state."""


@functools.cache
def _experiment_ready(tracking_uri: str, artifact_location: str) -> None:
    """Create the experiment once per tracking store (a round trip the hot paths skip)."""
    if mlflow.get_experiment_by_name(EXPERIMENT) is None:
        mlflow.create_experiment(EXPERIMENT, artifact_location=artifact_location)


def configure() -> MlflowClient:
    """Point MLflow at the configured tracking store and return a client."""
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    settings = get_settings()
    settings.ensure_dirs()
    mlflow.set_tracking_uri(settings.tracking_uri)
    mlflow.set_registry_uri(settings.tracking_uri)
    _experiment_ready(settings.tracking_uri, settings.artifact_location)
    mlflow.set_experiment(EXPERIMENT)
    return _client(settings.tracking_uri)


@functools.cache
def _client(tracking_uri: str) -> MlflowClient:
    return MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)


def champion_uri(name: str | None = None) -> str:
    """``models:/NAME@champion`` (default: the Router's registered name)."""
    return f"models:/{name or get_settings().registered_model_name}@{CHAMPION}"


def flat_params(config: dict[str, Any]) -> dict[str, Any]:
    """The run parameters worth searching by, from a saved Router's config."""
    training = config.get("training", {})
    sources = training.get("data", {}).get("sources", [training.get("data", {})])
    params = {
        "family": config.get("family"),
        "split": training.get("split"),
        "data_path": ", ".join(str(source.get("path")) for source in sources),
        "data_format": ", ".join(str(source.get("format")) for source in sources),
        "data_sha256": ", ".join(str(source.get("sha256")) for source in sources),
        "rows_train": training.get("rows", {}).get("train"),
        "rows_validation": training.get("rows", {}).get("validation"),
        "validation_set": training.get("validation_set"),
        "synthetic_rows": training.get("rows", {}).get("synthetic"),
        "git_commit": training.get("git_commit"),
        "train_seconds": training.get("train_seconds"),
    }
    for task, regions in (config.get("auto_routing") or {}).items():
        for region, chosen in regions.items():
            key = re.sub(r"[^\w\-. /]", "_", f"threshold_{task}_{region}")  # MLflow's key rule
            params[key] = chosen.get("auto_from", "none")
    for task, weight in (config.get("ensemble_weights") or {}).items():
        params[f"ensemble_linear_weight_{task}"] = weight
    encoder = config.get("encoder") or {}
    for option in ("layers", "max_length", "epochs", "max_steps", "vocabulary", "quantize"):
        params[f"encoder_{option}"] = encoder.get(option)
    for task, weight in (config.get("sentence_weights") or {}).items():
        params[f"sentence_weight_{task}"] = weight
    return {k: v for k, v in params.items() if v is not None}


def flat_metrics(metrics: dict[str, Any], prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat_metrics(value, f"{name}."))
        elif isinstance(value, int | float):
            out[name] = float(value)
    return out


def resolve(uri: str) -> tuple[str, str]:
    """``models:/NAME/VERSION`` or ``models:/NAME@ALIAS`` -> (name, version); RegistryError if
    it does not exist."""

    client = configure()
    if not uri.startswith("models:/"):
        raise RegistryError(f"model URI {uri!r} must look like models:/NAME/VERSION or @ALIAS")
    body = uri.removeprefix("models:/")
    try:
        if "@" in body:
            name, alias = body.split("@", 1)
            return name, str(client.get_model_version_by_alias(name, alias).version)
        name, _, version = body.partition("/")
        return name, str(client.get_model_version(name, version).version)
    except MlflowException:
        hint = (
            " (train one with `lapor train`, promote it with `lapor promote`)" if "@" in uri else ""
        )
        raise RegistryError(
            f"model {uri} not found in {get_settings().tracking_uri}{hint}"
        ) from None


def load_validation(name: str, version: str) -> pd.DataFrame:
    """The (masked) validation rows logged with a model version, as a DataFrame."""
    client = configure()
    run_id = client.get_model_version(name, version).run_id
    with tempfile.TemporaryDirectory() as tmp:
        try:
            path = mlflow.artifacts.download_artifacts(
                run_id=run_id, artifact_path="validation.parquet", dst_path=tmp
            )
        except (MlflowException, OSError) as exc:
            raise RegistryError(f"{name}/{version} has no logged validation data") from exc
        return pd.read_parquet(path)


def alias_version(name: str, alias: str) -> str | None:

    try:
        return str(configure().get_model_version_by_alias(name, alias).version)
    except MlflowException:
        return None


def version_metrics(version: ModelVersion) -> dict[str, float]:
    """The metrics logged by the run that produced a model version."""
    return dict(configure().get_run(version.run_id).data.metrics) if version.run_id else {}


def version_params(version: ModelVersion) -> dict[str, str]:
    """The parameters logged by the run that produced a model version (:func:`flat_params`)."""
    return dict(configure().get_run(version.run_id).data.params) if version.run_id else {}


def champion_family(name: str | None = None) -> str | None:
    """The model family of the champion (as its training run logged it), if there is one."""
    client = configure()
    version = alias_version(name or get_settings().registered_model_name, CHAMPION)
    if version is None:
        return None
    run_id = client.get_model_version(name or get_settings().registered_model_name, version).run_id
    return client.get_run(run_id).data.params.get("family") if run_id else None


def set_champion(name: str, version: str) -> None:
    configure().set_registered_model_alias(name, CHAMPION, version)


def registered_versions(name: str) -> list[ModelVersion]:

    client = configure()
    try:
        found = client.search_model_versions(f"name='{name}'")
    except MlflowException:
        return []
    # search results leave aliases out; fetch each version whole
    return [client.get_model_version(name, v) for v in sorted({int(v.version) for v in found})]


def as_challenger(client: MlflowClient, name: str, info: Any, run_id: str) -> str:
    """Point alias ``challenger`` at a newly registered version; its ``models:/`` URI."""
    version = str(info.registered_model_version)
    client.set_registered_model_alias(name, CHALLENGER, version)
    client.set_model_version_tag(name, version, "run_id", run_id)
    return f"models:/{name}/{version}"


def log_evaluation(uri: str, data: str, metrics: dict[str, Any], files: list[Path]) -> None:
    """Record an evaluation run (metrics and files) against a model in MLflow."""
    name, version = resolve(uri)
    with mlflow.start_run(run_name=f"evaluate-{name}-{version}"):
        mlflow.log_params({"model": f"{name}/{version}", "data": data})
        mlflow.log_metrics(flat_metrics(metrics))
        for path in files:
            mlflow.log_artifact(str(path))
