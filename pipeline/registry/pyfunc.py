"""Routers and pair scorers as MLflow pyfunc models: log and register them, load them back.

A Router (a pair scorer) is logged as the folder :meth:`models.router.Router.save`
(:meth:`PairScorer.save`) writes: config.json with its format and library versions, the
estimators in skops format, the model card; so it loads with or without MLflow. The pyfunc
wrappers are logged as code ("models from code": ``router_model.py``, ``duplicates_model.py``),
so no registered model holds a pickle.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mlflow
import mlflow.pyfunc
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.models import ModelSignature, infer_signature
from mlflow.pyfunc import PythonModelContext
from mlflow.types import ColSpec, Schema

from core.provenance import library_versions
from core.schema import Report, mask_record
from models.duplicates.scorer import PairScorer
from models.frames import MODEL_INPUT_FIELDS
from models.persistence import ModelFormatError
from models.predictions import SUGGESTION_COLUMNS, flatten
from models.router import Router
from models.router_folder import read_router, write_router
from pipeline.dedupe import find_links
from pipeline.ingest.reader import reports_frame
from pipeline.registry.client import (
    CHAMPION,
    DUPLICATES_MODEL,
    RegistryError,
    alias_version,
    as_challenger,
    champion_uri,
    configure,
    flat_metrics,
    flat_params,
    registered_versions,
    resolve,
)

CODE = Path(__file__).parent
"""Where the "models from code" files of the two wrappers are."""


class RouterModel(mlflow.pyfunc.PythonModel):
    """MLflow pyfunc wrapper: a DataFrame of reports in, flat Suggestion columns out. It is a
    boundary of the system (anyone may call a served pyfunc), so it masks personal data."""

    def load_context(self, context: PythonModelContext) -> None:
        self.router = read_router(Path(context.artifacts["router"]))

    def predict(
        self, context: PythonModelContext, model_input: pd.DataFrame, params: Any = None
    ) -> pd.DataFrame:
        masked = pd.DataFrame([mask_record(row) for row in model_input.to_dict("records")])
        suggestions = self.router.predict_frame(masked)
        return pd.DataFrame([flatten(s) for s in suggestions], columns=list(SUGGESTION_COLUMNS))


class DuplicatesModel(mlflow.pyfunc.PythonModel):
    """MLflow pyfunc wrapper: a DataFrame of reports in, each one's earlier duplicate out."""

    def load_context(self, context: PythonModelContext) -> None:
        self.scorer = PairScorer.load(Path(context.artifacts["scorer"]))

    def predict(
        self, context: PythonModelContext, model_input: pd.DataFrame, params: Any = None
    ) -> pd.DataFrame:
        reports = [
            Report.model_validate({k: v for k, v in row.items() if v == v and v is not None})
            for row in model_input.to_dict("records")
        ]
        return find_links(self.scorer, [r.masked() for r in reports])


def log_router(
    router: Router,
    training: dict[str, Any],
    metrics: dict[str, Any],
    extra_files: dict[str, Path],
    input_example: pd.DataFrame,
    model_name: str,
) -> str:
    """Save the Router and log that folder as a pyfunc model with its metrics and files;
    register it with alias ``challenger``; return ``models:/NAME/VERSION`` (the version the
    registry gave it, which :func:`load_router` attaches)."""
    client = configure()
    with (
        mlflow.start_run(run_name=f"train-{router.family}") as run,
        tempfile.TemporaryDirectory() as tmp,
    ):
        folder = write_router(router, Path(tmp) / "router", training, metrics)
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        mlflow.log_params(flat_params(config))
        mlflow.log_metrics(flat_metrics(metrics))
        (Path(tmp) / "metrics.json").write_text(json.dumps(metrics, indent=2))
        for path in (folder / "config.json", folder / "README.md", Path(tmp) / "metrics.json"):
            mlflow.log_artifact(str(path))
        for path in extra_files.values():
            mlflow.log_artifact(str(path))
        inputs = Schema(
            [ColSpec("string", field, required=field == "text") for field in MODEL_INPUT_FIELDS]
        )
        example_output = pd.DataFrame([flatten(s) for s in router.predict_frame(input_example)])
        outputs = infer_signature(input_example, example_output).outputs
        info = mlflow.pyfunc.log_model(
            name="router",
            python_model=private_copy(CODE / "router_model.py", Path(tmp)),
            artifacts={"router": str(folder)},
            signature=ModelSignature(inputs=inputs, outputs=outputs),
            input_example=input_example,
            pip_requirements=[f"{k}=={v}" for k, v in library_versions().items()],
            registered_model_name=model_name,
        )
    return as_challenger(client, model_name, info, run.info.run_id)


def private_copy(code: Path, folder: Path) -> str:
    """The wrapper's code copied into ``folder``, readable by its owner alone: MLflow copies a
    logged file with its permission bits, and the registry's files are all 0600."""
    copy = folder / code.name
    copy.write_bytes(code.read_bytes())
    copy.chmod(0o600)
    return str(copy)


@dataclass
class LabelledPairs:
    """The (masked) reports and labelled pairs a scorer was trained on: logged beside it, so a
    later promotion can compare scorers on them."""

    reports: list[Report]
    pairs: pd.DataFrame

    def write(self, folder: Path) -> list[Path]:
        reports_path, pairs_path = folder / "pair_reports.parquet", folder / "pairs.csv"
        reports_frame(self.reports).to_parquet(reports_path, index=False)
        self.pairs.to_csv(pairs_path, index=False)
        return [reports_path, pairs_path]


def log_duplicates(
    scorer: PairScorer,
    config: dict[str, Any],
    metrics: dict[str, Any],
    labelled: LabelledPairs | None = None,
) -> str:
    """Log and register a pair scorer as ``lapor-duplicates`` (alias challenger), with the
    labelled pairs it learned from; its URI."""
    client = configure()
    with mlflow.start_run(run_name="train-duplicates") as run:
        mlflow.log_params({k: v for k, v in config.items() if not isinstance(v, dict)})
        mlflow.log_metrics(flat_metrics(metrics))
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            saved = scorer.save(folder / "scorer", config)
            (folder / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False))
            (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False))
            for name in ("config.json", "metrics.json"):
                mlflow.log_artifact(str(folder / name))
            for path in labelled.write(folder) if labelled is not None else []:
                mlflow.log_artifact(str(path))
            example = pd.DataFrame(
                {"id": ["a", "b"], "text": ["jalan rusak di gang mawar", "jalan rusak gang mawar"],
                 "created_at": ["2024-01-01", "2024-01-02"], "village": ["x", "x"]}
            )  # fmt: skip
            info = mlflow.pyfunc.log_model(
                name="duplicates",
                python_model=private_copy(CODE / "duplicates_model.py", folder),
                artifacts={"scorer": str(saved)},
                input_example=example,
                pip_requirements=[f"{k}=={v}" for k, v in library_versions().items()],
                registered_model_name=DUPLICATES_MODEL,
            )
    return as_challenger(client, DUPLICATES_MODEL, info, run.info.run_id)


def _python_model(name: str, version: str) -> mlflow.pyfunc.PythonModel:
    """The pyfunc object of a registered version; RegistryError in one sentence if this code
    cannot load it (a model saved by an older lapor-router, say)."""
    try:
        # MLflow's own pip-requirements comparison (0.8 s a load) is left out: the folder's
        # format check compares the library versions that matter and refuses in one sentence
        loaded = mlflow.pyfunc.load_model(f"models:/{name}/{version}", suppress_warnings=True)
        return loaded.unwrap_python_model()
    except ModelFormatError as exc:
        raise RegistryError(f"{name}/{version}: {exc}") from None
    except (MlflowException, OSError, ImportError, AttributeError, KeyError, ValueError) as exc:
        raise RegistryError(
            f"{name}/{version} cannot be loaded by this version of lapor-router "
            f"({type(exc).__name__}: {exc}); retrain and register it again"
        ) from None


def load_scorer(uri: str | None = None) -> PairScorer:
    """A registered pair scorer (default: the latest version of lapor-duplicates)."""
    if uri is None:
        versions = registered_versions(DUPLICATES_MODEL)
        if not versions:
            raise RegistryError("no duplicate scorer registered; run `lapor duplicates train`")
        uri = f"models:/{DUPLICATES_MODEL}/{versions[-1].version}"
    return _python_model(*resolve(uri)).scorer


def champion_scorer() -> PairScorer | None:
    """The champion pair scorer, if one was promoted."""
    if alias_version(DUPLICATES_MODEL, CHAMPION) is None:
        return None
    return load_scorer(champion_uri(DUPLICATES_MODEL))


def load_router(uri: str) -> Router:
    """The Router behind a registered model URI, as that registered version."""
    name, version = resolve(uri)
    router = _python_model(name, version).router
    router.version_ = f"{name}/{version}"
    return router
