"""Training: load, split (by time by default), fit the Router, evaluate, log and register."""

from __future__ import annotations

import hashlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.errors import LaporError
from pipeline.ingest import ImportStats, read_reports, reports_frame
from pipeline.schema import TASKS


@dataclass
class DataSpec:
    """Where training or evaluation data comes from and how to read it."""

    path: Path
    fmt: str = "auto"
    labels: Path | None = None
    topic_map: Path | None = None
    mapping: dict[str, str] = field(default_factory=dict)

    def describe(self, stats: ImportStats | None = None) -> dict[str, Any]:
        """Where the data came from (and, after an import, how it went): for the run's record."""
        described = {
            "path": str(self.path),
            "format": self.fmt,
            "labels": str(self.labels) if self.labels else None,
            "topic_map": str(self.topic_map) if self.topic_map else None,
            "sha256": file_sha256(self.path),
        }
        if stats is not None:
            described.update(rows_imported=stats.rows_imported, rows_skipped=stats.rows_skipped)
        return described


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_frame(spec: DataSpec) -> tuple[pd.DataFrame, ImportStats]:
    """Import a file into a report frame; LaporError if it is empty or carries no labels."""
    reports, stats = read_reports(
        spec.path, spec.fmt, mapping=spec.mapping, labels=spec.labels, topic_map=spec.topic_map
    )
    if not reports:
        raise LaporError(f"{spec.path}: no usable reports ({stats.rows_skipped} rows skipped)")
    frame = reports_frame(reports)
    if not any(frame[task].notna().any() for task in TASKS):
        raise LaporError(
            f"{spec.path}: no usable labels; expected some of {', '.join(TASKS)} "
            "(join them with --labels FILE or map them with --map COLUMN=FIELD)"
        )
    return frame, stats


def split_frame(
    frame: pd.DataFrame,
    how: str = "time",
    validation_from: datetime | None = None,
    validation_share: float = 0.2,
    seed: int = 42,
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(train, validation, description). Time split: the newest reports validate, because the
    model will always predict reports newer than its training data."""
    if how == "random":
        validation = frame.sample(frac=validation_share, random_state=seed)
        train = frame.drop(validation.index)
        return train, validation, f"random {validation_share:.0%} (seed {seed})"
    if how != "time":
        raise LaporError(f"unknown split {how!r}; use time or random")
    created = frame["created_at"]
    if created.isna().all():
        raise LaporError("a time split needs created_at dates; use --split random")
    if validation_from is None:
        validation_from = created.quantile(1 - validation_share).to_pydatetime()
    later = (created >= validation_from).to_numpy()
    train, validation = frame[~later], frame[later]
    if train.empty or validation.empty:
        raise LaporError(
            f"--validation-from {validation_from:%Y-%m-%d} leaves "
            f"{len(train)} training and {len(validation)} validation rows; choose another date"
        )
    return train, validation, f"time: validation from {validation_from:%Y-%m-%d}"


@dataclass
class TrainResult:
    router: Any
    metrics: dict[str, Any]
    config: dict[str, Any]
    model_uri: str | None = None


def synthetic_frame(n: int, seed: int) -> pd.DataFrame:
    """``n`` rows of the synthetic demo corpus (extra channel/urgency examples)."""
    from pipeline.synth import generate

    return pd.DataFrame(list(generate(n, seed=seed)))


def train(
    spec: DataSpec, progress: Callable[[str], None] = lambda step: None, **options: Any
) -> TrainResult:
    """Load ``spec``'s data, then :func:`train_frame` with ``options`` (family, split,
    validation_from, synthetic, register, encoder_config, sentence_features)."""
    check_family(options.get("family", "linear"))
    progress(f"loading {spec.path}")
    frame, stats = load_frame(spec)
    return train_frame(frame, spec.describe(stats), progress=progress, **options)


def check_family(family: str) -> None:
    """LaporError naming the known families, before any data is read."""
    from models.router import FAMILIES

    if family not in FAMILIES:
        raise LaporError(f"unknown family {family!r}; available: {', '.join(FAMILIES)}")


def train_frame(
    frame: pd.DataFrame,
    data: dict[str, Any],
    family: str = "linear",
    split: str = "time",
    validation_from: datetime | None = None,
    synthetic: int = 0,
    register: bool = True,
    progress: Callable[[str], None] = lambda step: None,
    encoder_config: Any = None,
    sentence_features: bool = False,
) -> TrainResult:
    """Fit a Router on a report frame (``data`` describes where it came from, for the run's
    record), evaluate it on the validation split, log and register it. ``encoder_config`` (an
    EncoderConfig) sets the transformer's options for the encoder and ensemble families;
    ``sentence_features`` adds USE embeddings to the linear agency features."""
    from models.router import MODEL_INPUT_FIELDS, Router, prepare_frame
    from pipeline.config import get_settings
    from pipeline.evaluate import evaluate, per_class_report, save_plots
    from pipeline.registry import git_commit, library_versions, log_router

    check_family(family)
    train_rows, validation, split_description = split_frame(
        frame, split, validation_from, seed=get_settings().random_seed
    )
    extra = synthetic_frame(synthetic, get_settings().random_seed) if synthetic else None
    router = Router(
        family=family, encoder_config=encoder_config, sentence_features=sentence_features
    )
    started = time.perf_counter()
    router.fit(train_rows, validation, extra=extra, progress=progress)
    train_seconds = time.perf_counter() - started
    for task, reason in router.skipped.items():
        progress(f"task {task} skipped: {reason}")
    progress("evaluating on validation")
    metrics = evaluate(router, validation)
    config = {
        "family": family,
        "created_at": datetime.now().isoformat(timespec="seconds"),
        "data": data,
        "split": split_description,
        "rows": {"train": len(train_rows), "validation": len(validation), "synthetic": synthetic},
        "labels": router.labels,
        "thresholds": router.thresholds,
        "urgent_flag_threshold": router.urgent_flag_threshold,
        "target_precision": router.target_precision,
        "skipped_tasks": router.skipped,
        "train_seconds": round(train_seconds, 1),
        "encoder": router.encoder.describe() if router.encoder is not None else None,
        "ensemble_weights": router.ensemble_weights,
        "sentence_weights": router.sentence_weights,
        "library_versions": library_versions(),
        "git_commit": git_commit(),
    }
    result = TrainResult(router, metrics, config)
    if not register:
        return result
    progress("logging to MLflow and registering")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        masked = prepare_frame(validation)
        stored = validation.reset_index(drop=True).assign(
            text=masked["text"], title=masked["title"]
        )
        stored.to_parquet(folder / "validation.parquet", index=False)
        (folder / "per_class_report.txt").write_text(per_class_report(router, validation))
        files = {p.name: p for p in save_plots(router, validation, folder)}
        files["validation.parquet"] = folder / "validation.parquet"
        files["per_class_report.txt"] = folder / "per_class_report.txt"
        example = masked.head(3)[list(MODEL_INPUT_FIELDS)].fillna("")
        result.model_uri = log_router(router, config, metrics, files, example)
    return result


def ensure_champion(demo_data: Path, progress: Callable[[str], None] = lambda step: None) -> str:
    """The champion's URI; if no model is registered yet, train one on ``demo_data`` and promote
    it (the embedded default that ``make run`` serves)."""
    from pipeline.config import get_settings
    from pipeline.registry import CHAMPION, alias_version, champion_uri, promote

    name = get_settings().registered_model_name
    if alias_version(name, CHAMPION) is None:
        progress(f"no champion registered: training on the demo corpus {demo_data}")
        result = train(DataSpec(demo_data, "auto"), progress=progress)
        progress(f"registered {result.model_uri}")
        promote(result.model_uri.rsplit("/", 1)[1])
    return champion_uri(name)
