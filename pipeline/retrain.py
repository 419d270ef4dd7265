"""Retraining from staff decisions: base data plus every report a person has decided (their
decision overrides the base label of the same report), a challenger trained on all but the
newest slice, champion and challenger compared on that same slice, promotion only if the
challenger is not worse. A challenger that passes is then refitted on every row, the newest
slice (the latest staff decisions) included, keeping the thresholds and metrics it earned on
that slice; the refit is the champion. Everything is recorded in MLflow."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import mlflow
import pandas as pd

from core.schema import DATASET, Report
from models.catalogue import Catalogue
from pipeline.ingest.reader import reports_frame
from pipeline.registry.client import champion_family, configure, set_champion
from pipeline.registry.promotion import PromotionOutcome, RouterGate, promote
from pipeline.sources import DataSpec, load_sources
from pipeline.train import TrainingSetup, TrainResult, train_frame

DECISIONS_SOURCE = "staff_decisions"
"""The source name of the decided reports: the deployment's own history, spelled with its
catalogue's names (what the deployment-level agency model learns from)."""


@dataclass
class RetrainOutcome:
    result: TrainResult
    """The champion now: the refit where the challenger passed the gate, else the challenger."""
    decisions: int
    overridden: int
    promotion: PromotionOutcome | None
    gated: TrainResult | None = None
    """The challenger the gate judged, where it passed and was refitted."""


def training_frame(base: pd.DataFrame, decided: list[Report]) -> tuple[pd.DataFrame, int]:
    """Base rows plus decided reports; a decided report replaces the base row with its id.
    Returns the frame and how many base rows were overridden."""
    if not decided:
        return base, 0
    decisions = reports_frame(decided).assign(**{DATASET: DECISIONS_SOURCE})
    overridden = int(base["id"].isin(set(decisions["id"])).sum())
    combined = pd.concat([base, decisions], ignore_index=True)
    combined = combined.drop_duplicates(subset="id", keep="last").reset_index(drop=True)
    return combined, overridden


def retrain(
    sources: DataSpec | list[DataSpec],
    decided: list[Report],
    setup: TrainingSetup,
    validation_from: datetime | None = None,
    synthetic: int = 0,
    promote_if_better: bool = True,
    progress: Callable[[str], None] = lambda step: None,
    family: str | None = None,
    by_source: dict[str, int] | None = None,
    catalogue: Catalogue | None = None,
) -> RetrainOutcome:
    """Train a challenger on ``spec``'s data plus the decided reports and, unless told not to,
    promote it if it is not worse than the champion on the newest slice (the validation split
    it was evaluated on, where the champion is evaluated too). ``family`` defaults to the
    champion's (linear without one); ``by_source``: how many of ``decided`` staff decided here
    and how many the portal did (for the record); ``catalogue``: the deployment's."""
    family = family or champion_family() or "linear"

    specs = sources if isinstance(sources, list) else [sources]
    progress(f"loading {', '.join(str(spec.path) for spec in specs)}")
    base, described = load_sources(specs)
    frame, overridden = training_frame(base, decided)
    progress(
        f"{len(base):,} base reports + {len(decided):,} staff decisions "
        f"({overridden:,} of them override a base label)"
    )
    data = {
        **described,
        "staff_decisions": len(decided),
        "decisions_by_source": by_source or {},
        "overridden_base_rows": overridden,
    }
    progress(f"family: {family}")
    options = {"family": family, "validation_from": validation_from, "synthetic": synthetic,
               "catalogue": catalogue}  # fmt: skip
    result = train_frame(frame, data, setup, progress=progress, **options)
    promotion, gated = None, None
    if promote_if_better:
        progress("comparing champion and challenger on the newest slice")
        promotion = promote(
            RouterGate(setup.model_name),
            result.model_uri.rsplit("/", 1)[1],
            tolerance=setup.promote_tolerance,
        )
        if promotion.promoted:
            progress("the challenger passed: refitting it on every row, the newest slice too")
            gated = result
            result = train_frame(frame, data, setup, progress=progress, refit_of=gated, **options)
            name, version = result.model_uri.removeprefix("models:/").rsplit("/", 1)
            set_champion(name, version)
            promotion.message += (
                f"; refitted on every row (the newest slice included) as {result.model_uri}, "
                "now champion, with the thresholds and metrics it earned on that slice"
            )
    _record(result, data, promotion)
    return RetrainOutcome(result, len(decided), overridden, promotion, gated)


def _record(result: TrainResult, data: dict[str, Any], promotion: PromotionOutcome | None) -> None:
    """One MLflow run for the retraining: where the data came from, the challenger, and the
    comparison that decided the promotion."""
    configure()
    with mlflow.start_run(run_name="retrain"):
        mlflow.log_params(
            {
                "challenger": result.model_uri,
                "base_data": data.get("path") or ", ".join(s["path"] for s in data["sources"]),
                "staff_decisions": data["staff_decisions"],
                "portal_decisions": data["decisions_by_source"].get("portal", 0),
                "overridden_base_rows": data["overridden_base_rows"],
                "promoted": promotion.promoted if promotion else "not asked",
            }
        )
        if promotion is not None:
            mlflow.set_tag("outcome", promotion.message)
            if promotion.comparison is not None:
                for task, metric, old, new, _ok in promotion.comparison.rows:
                    if old is not None:
                        mlflow.log_metric(f"champion.{task}.{metric}", old)
                    if new is not None:
                        mlflow.log_metric(f"challenger.{task}.{metric}", new)
