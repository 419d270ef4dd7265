"""MLflow helpers: configure the store, log and register a Router, load by URI, gated promotion."""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import get_settings
from pipeline.errors import LaporError

CHALLENGER = "challenger"
CHAMPION = "champion"
EXPERIMENT = "lapor-router"


class RegistryError(LaporError):
    """A model URI that does not resolve, or a registry in an unexpected state."""


def configure() -> Any:
    """Point MLflow at the configured tracking store and return a client."""
    import os

    import mlflow
    from mlflow import MlflowClient

    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    settings = get_settings()
    settings.ensure_dirs()
    mlflow.set_tracking_uri(settings.tracking_uri)
    mlflow.set_registry_uri(settings.tracking_uri)
    if mlflow.get_experiment_by_name(EXPERIMENT) is None:
        mlflow.create_experiment(EXPERIMENT, artifact_location=settings.artifact_location)
    mlflow.set_experiment(EXPERIMENT)
    return MlflowClient()


def git_commit() -> str | None:
    """The working tree's commit, if it is a git checkout."""
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("lapor-router", "scikit-learn", "numpy", "pandas", "mlflow", "PySastrawi"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def log_router(
    router: Any,
    config: dict[str, Any],
    metrics: dict[str, Any],
    extra_files: dict[str, Path],
    input_example: Any,
    model_name: str | None = None,
) -> str:
    """Log the Router as a pyfunc model with its config, model card and files; register a new
    version with alias ``challenger``; return ``models:/NAME/VERSION``."""
    import joblib
    import mlflow
    import pandas as pd
    from mlflow.models import ModelSignature, infer_signature
    from mlflow.types import ColSpec, Schema

    from models.router import MODEL_INPUT_FIELDS, RouterModel, flatten
    from pipeline.evaluate import model_card

    client = configure()
    name = model_name or get_settings().registered_model_name
    with mlflow.start_run(run_name=f"train-{config.get('family', 'linear')}") as run:
        mlflow.log_params(_flat_params(config))
        mlflow.log_metrics(_flat_metrics(metrics))
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            joblib.dump(router, folder / "router.joblib", compress=3)
            (folder / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False))
            (folder / "model_card.md").write_text(model_card(config, metrics), encoding="utf-8")
            (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False))
            for artifact in ("config.json", "model_card.md", "metrics.json"):
                mlflow.log_artifact(str(folder / artifact))
            for path in extra_files.values():
                mlflow.log_artifact(str(path))
            inputs = Schema(
                [ColSpec("string", name, required=name == "text") for name in MODEL_INPUT_FIELDS]
            )
            example_output = pd.DataFrame([flatten(s) for s in router.predict_frame(input_example)])
            outputs = infer_signature(input_example, example_output).outputs
            signature = ModelSignature(inputs=inputs, outputs=outputs)
            info = mlflow.pyfunc.log_model(
                name="router",
                python_model=RouterModel(),
                artifacts={
                    "router": str(folder / "router.joblib"),
                    "config": str(folder / "config.json"),
                },
                signature=signature,
                input_example=input_example,
                pip_requirements=[f"{k}=={v}" for k, v in library_versions().items()],
                registered_model_name=name,
            )
    return _as_challenger(client, name, info, run.info.run_id)


def _as_challenger(client: Any, name: str, info: Any, run_id: str) -> str:
    """Point alias ``challenger`` at a newly registered version; its ``models:/`` URI."""
    version = str(info.registered_model_version)
    client.set_registered_model_alias(name, CHALLENGER, version)
    client.set_model_version_tag(name, version, "run_id", run_id)
    return f"models:/{name}/{version}"


DUPLICATES_MODEL = "lapor-duplicates"


def log_duplicates(
    scorer: Any, config: dict[str, Any], metrics: dict[str, Any], files: list[Path]
) -> str:
    """Log and register a pair scorer as ``lapor-duplicates`` (alias challenger); its URI."""
    import joblib
    import mlflow
    import pandas as pd

    from models.duplicates import DuplicatesModel

    client = configure()
    with mlflow.start_run(run_name="train-duplicates") as run:
        mlflow.log_params({k: v for k, v in config.items() if not isinstance(v, dict)})
        mlflow.log_metrics(_flat_metrics(metrics))
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            joblib.dump(scorer, folder / "scorer.joblib", compress=3)
            (folder / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False))
            (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False))
            for name in ("config.json", "metrics.json"):
                mlflow.log_artifact(str(folder / name))
            for path in files:
                mlflow.log_artifact(str(path))
            example = pd.DataFrame(
                {"id": ["a", "b"], "text": ["jalan rusak di gang mawar", "jalan rusak gang mawar"],
                 "created_at": ["2024-01-01", "2024-01-02"], "village": ["x", "x"]}
            )  # fmt: skip
            info = mlflow.pyfunc.log_model(
                name="duplicates",
                python_model=DuplicatesModel(),
                artifacts={"scorer": str(folder / "scorer.joblib")},
                input_example=example,
                pip_requirements=[f"{k}=={v}" for k, v in library_versions().items()],
                registered_model_name=DUPLICATES_MODEL,
            )
    return _as_challenger(client, DUPLICATES_MODEL, info, run.info.run_id)


def load_scorer(uri: str | None = None) -> Any:
    """A registered pair scorer (default: the latest version of lapor-duplicates)."""
    import mlflow.pyfunc

    if uri is None:
        versions = registered_versions(DUPLICATES_MODEL)
        if not versions:
            raise RegistryError("no duplicate scorer registered; run `lapor duplicates train`")
        uri = f"models:/{DUPLICATES_MODEL}/{versions[-1].version}"
    name, version = resolve(uri)
    return mlflow.pyfunc.load_model(f"models:/{name}/{version}").unwrap_python_model().scorer


def champion_uri(name: str | None = None) -> str:
    """``models:/NAME@champion`` (default: the Router's registered name)."""
    return f"models:/{name or get_settings().registered_model_name}@{CHAMPION}"


def champion_scorer() -> Any | None:
    """The champion pair scorer, if one was promoted."""
    if alias_version(DUPLICATES_MODEL, CHAMPION) is None:
        return None
    return load_scorer(champion_uri(DUPLICATES_MODEL))


def _flat_params(config: dict[str, Any]) -> dict[str, Any]:
    params = {
        "family": config.get("family"),
        "split": config.get("split"),
        "data_path": config.get("data", {}).get("path"),
        "data_format": config.get("data", {}).get("format"),
        "data_sha256": config.get("data", {}).get("sha256"),
        "rows_train": config.get("rows", {}).get("train"),
        "rows_validation": config.get("rows", {}).get("validation"),
        "synthetic_rows": config.get("rows", {}).get("synthetic"),
        "git_commit": config.get("git_commit"),
    }
    for task, threshold in config.get("thresholds", {}).items():
        params[f"threshold_{task}"] = threshold
    for task, weight in (config.get("ensemble_weights") or {}).items():
        params[f"ensemble_linear_weight_{task}"] = weight
    encoder = config.get("encoder") or {}
    for option in ("layers", "max_length", "epochs", "max_steps", "vocabulary", "quantize"):
        params[f"encoder_{option}"] = encoder.get(option)
    params["train_seconds"] = config.get("train_seconds")
    for task, weight in (config.get("sentence_weights") or {}).items():
        params[f"sentence_weight_{task}"] = weight
    return {k: v for k, v in params.items() if v is not None}


def _flat_metrics(metrics: dict[str, Any], prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    for key, value in metrics.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat_metrics(value, f"{name}."))
        elif isinstance(value, int | float):
            out[name] = float(value)
    return out


def resolve(uri: str) -> tuple[str, str]:
    """``models:/NAME/VERSION`` or ``models:/NAME@ALIAS`` -> (name, version); RegistryError if
    it does not exist."""
    from mlflow.exceptions import MlflowException

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


def load_router(uri: str) -> Any:
    """The Router behind a registered model URI (its version recorded on it)."""
    import mlflow.pyfunc

    name, version = resolve(uri)
    model = mlflow.pyfunc.load_model(f"models:/{name}/{version}")
    router = model.unwrap_python_model().router
    router.version = f"{name}/{version}"
    scorer = champion_scorer()
    if scorer is not None:
        from models.duplicates import DuplicateIndex

        router.duplicates = DuplicateIndex(scorer)
    return router


def load_validation(name: str, version: str) -> Any:
    """The (masked) validation rows logged with a model version, as a DataFrame."""
    import mlflow
    import pandas as pd

    client = configure()
    run_id = client.get_model_version(name, version).run_id
    with tempfile.TemporaryDirectory() as tmp:
        try:
            path = mlflow.artifacts.download_artifacts(
                run_id=run_id, artifact_path="validation.parquet", dst_path=tmp
            )
        except Exception as exc:
            raise RegistryError(f"{name}/{version} has no logged validation data") from exc
        return pd.read_parquet(path)


def alias_version(name: str, alias: str) -> str | None:
    from mlflow.exceptions import MlflowException

    try:
        return str(configure().get_model_version_by_alias(name, alias).version)
    except MlflowException:
        return None


KEY_METRICS = {
    "agency": ("top1", "coverage_at_precision.0.95"),
    "topic": ("accuracy",),
    "channel": ("macro_f1",),
    "urgent": ("recall", "f1"),
    "duplicates": ("f1",),
}
"""What "not worse" compares, task by task."""


@dataclass
class Comparison:
    """Champion vs challenger on the same data, task by task."""

    rows: list[tuple[str, str, float | None, float | None, bool]]
    """(task, metric, champion, challenger, challenger not worse)"""

    @property
    def not_worse(self) -> bool:
        return all(ok for *_, ok in self.rows)


def _metric(metrics: dict[str, Any], task: str, key: str) -> float | None:
    value: Any = metrics.get(task)
    for part in key.split(".", 1) if key.startswith("coverage") else [key]:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def compare(champion: dict[str, Any], challenger: dict[str, Any], tolerance: float) -> Comparison:
    rows = []
    for task, keys in KEY_METRICS.items():
        if task not in champion and task not in challenger:
            continue
        for key in keys:
            old, new = _metric(champion, task, key), _metric(challenger, task, key)
            ok = old is None or (new is not None and new >= old - tolerance)
            rows.append((task, key, old, new, ok))
    return Comparison(rows)


def version_metrics(version: Any) -> dict[str, float]:
    """The metrics logged by the run that produced a model version."""
    return dict(configure().get_run(version.run_id).data.metrics) if version.run_id else {}


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


def registered_versions(name: str) -> list[Any]:
    from mlflow.exceptions import MlflowException

    client = configure()
    try:
        found = client.search_model_versions(f"name='{name}'")
    except MlflowException:
        return []
    # search results leave aliases out; fetch each version whole
    return [client.get_model_version(name, v) for v in sorted({int(v.version) for v in found})]


@dataclass
class PromotionOutcome:
    promoted: bool
    message: str
    comparison: Comparison | None = None


def _duplicate_metrics(name: str, versions: list[str], data: Any) -> list[dict[str, Any]]:
    """Pair metrics of each scorer version on the same labelled pairs: ``data`` as
    (reports, pairs), else the pairs logged with the last version."""
    import mlflow
    import pandas as pd

    from pipeline.dedupe import evaluate_pairs
    from pipeline.schema import Report

    if data is None:
        run_id = configure().get_model_version(name, versions[-1]).run_id
        with tempfile.TemporaryDirectory() as tmp:
            try:
                reports_path = mlflow.artifacts.download_artifacts(
                    run_id=run_id, artifact_path="pair_reports.parquet", dst_path=tmp
                )
                pairs_path = mlflow.artifacts.download_artifacts(
                    run_id=run_id, artifact_path="pairs.csv", dst_path=tmp
                )
            except Exception as exc:
                raise RegistryError(f"{name}/{versions[-1]} has no logged pairs") from exc
            frame = pd.read_parquet(reports_path)
            reports = [
                Report.model_validate({k: v for k, v in row.items() if v is not None and v == v})
                for row in frame.to_dict("records")
            ]
            pairs = pd.read_csv(pairs_path, dtype=str, keep_default_na=False)
            pairs["duplicate"] = pairs["duplicate"].astype(int)
    else:
        reports, pairs = data
    return [
        {"duplicates": evaluate_pairs(load_scorer(f"models:/{name}/{v}"), reports, pairs)}
        for v in versions
    ]


def promote(
    version: str | None = None,
    force: bool = False,
    data: Any = None,
    model_name: str | None = None,
) -> PromotionOutcome:
    """Gated promotion: champion moves to ``version`` (default: the challenger) only if it is
    not worse than the current champion on the same data; ``force`` overrides, and says so."""
    from pipeline.evaluate import evaluate
    from pipeline.train import load_frame

    settings = get_settings()
    name = model_name or settings.registered_model_name
    candidate = version or alias_version(name, CHALLENGER)
    if candidate is None:
        raise RegistryError(f"no challenger of {name} to promote; train one first")
    candidate = resolve(f"models:/{name}/{candidate}")[1]
    champion = alias_version(name, CHAMPION)
    if champion is None:
        set_champion(name, candidate)
        return PromotionOutcome(True, f"no champion yet: {name}/{candidate} is now champion")
    if champion == candidate:
        return PromotionOutcome(True, f"{name}/{candidate} already is the champion")
    if name == DUPLICATES_MODEL:
        old, new = _duplicate_metrics(name, [champion, candidate], data)
    else:
        frame = load_frame(data)[0] if data is not None else load_validation(name, candidate)
        old = evaluate(load_router(f"models:/{name}/{champion}"), frame)
        new = evaluate(load_router(f"models:/{name}/{candidate}"), frame)
    comparison = compare(old, new, settings.promote_tolerance)
    if comparison.not_worse:
        set_champion(name, candidate)
        message = f"promoted {name}/{candidate} to champion (was {champion})"
        return PromotionOutcome(True, message, comparison)
    if force:
        set_champion(name, candidate)
        message = (
            f"FORCED: promoted {name}/{candidate} to champion although it is worse than "
            f"{champion} on the tasks marked 'no'"
        )
        return PromotionOutcome(True, message, comparison)
    worse = sorted({task for task, _, _, _, ok in comparison.rows if not ok})
    message = (
        f"refused: {name}/{candidate} is worse than champion {name}/{champion} on "
        f"{', '.join(worse)}; use --force to override"
    )
    return PromotionOutcome(False, message, comparison)


def log_evaluation(uri: str, data: str, metrics: dict[str, Any], files: list[Path]) -> None:
    """Record an evaluation run (metrics and files) against a model in MLflow."""
    import mlflow

    name, version = resolve(uri)
    with mlflow.start_run(run_name=f"evaluate-{name}-{version}"):
        mlflow.log_params({"model": f"{name}/{version}", "data": data})
        mlflow.log_metrics(_flat_metrics(metrics))
        for path in files:
            mlflow.log_artifact(str(path))
