"""Gated promotion: the champion alias moves only to a challenger that is not worse."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import Any, Protocol

import mlflow
import numpy as np
import pandas as pd
from mlflow.exceptions import MlflowException

from core.schema import Report
from models.thresholds import TARGET_PRECISION
from pipeline.dedupe import evaluate_pairs
from pipeline.evaluate import evaluate
from pipeline.registry.client import (
    CHALLENGER,
    CHAMPION,
    DUPLICATES_MODEL,
    RegistryError,
    alias_version,
    configure,
    load_validation,
    resolve,
    set_champion,
)
from pipeline.registry.pyfunc import load_router, load_scorer

KEY_METRICS = {
    "agency": ("top1", f"coverage_at_precision.{TARGET_PRECISION}"),
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


@dataclass
class PromotionOutcome:
    promoted: bool
    message: str
    comparison: Comparison | None = None


class PromotionGate(Protocol):
    """How one kind of registered model is compared: its registered name, and the metrics of
    each version on the same data (champion first, then challenger)."""

    model_name: str

    def metrics(self, versions: list[str]) -> list[dict[str, Any]]: ...


MIN_COMPARED_ROWS = 30
"""Fewer reports new to both models than this, and the gate refuses to decide."""


class TooFewRowsError(RegistryError):
    """Too few of the comparison's reports are new to both models for a fair comparison."""


@dataclass
class RouterGate:
    """Routers compared on a labelled frame, else on the challenger's logged validation rows:
    only on the reports neither model was trained on (a model scores well on what it learned)."""

    model_name: str
    frame: pd.DataFrame | None = None
    left_out: int = 0
    """Comparison reports left out because one of the models had trained on them."""

    def metrics(self, versions: list[str]) -> list[dict[str, Any]]:
        frame = (
            self.frame if self.frame is not None else load_validation(self.model_name, versions[-1])
        )
        routers = [load_router(f"models:/{self.model_name}/{v}") for v in versions]
        seen = np.zeros(len(frame), dtype=bool)
        for router in routers:
            seen |= router.seen_in_training(frame)
        fresh = frame[~seen].reset_index(drop=True)
        if len(fresh) < MIN_COMPARED_ROWS:
            raise TooFewRowsError(
                f"only {len(fresh)} of the {len(frame)} comparison reports are new to both "
                f"{self.model_name}/{versions[0]} and /{versions[-1]} (at least "
                f"{MIN_COMPARED_ROWS} needed): too few to decide fairly; compare on newer "
                "labelled reports (--data)"
            )
        self.left_out = int(seen.sum())
        return [evaluate(router, fresh) for router in routers]


@dataclass
class DuplicatesGate:
    """Pair scorers compared on labelled pairs of some reports, else on the pairs logged with
    the challenger."""

    reports: list[Report] | None = None
    pairs: pd.DataFrame | None = None
    model_name: str = DUPLICATES_MODEL

    def metrics(self, versions: list[str]) -> list[dict[str, Any]]:
        reports, pairs = (
            (self.reports, self.pairs) if self.reports is not None else self._logged(versions[-1])
        )
        return [
            {
                "duplicates": evaluate_pairs(
                    load_scorer(f"models:/{self.model_name}/{v}"), reports, pairs
                )
            }
            for v in versions
        ]

    def _logged(self, version: str) -> tuple[list[Report], pd.DataFrame]:
        run_id = configure().get_model_version(self.model_name, version).run_id
        with tempfile.TemporaryDirectory() as tmp:
            try:
                reports_path = mlflow.artifacts.download_artifacts(
                    run_id=run_id, artifact_path="pair_reports.parquet", dst_path=tmp
                )
                pairs_path = mlflow.artifacts.download_artifacts(
                    run_id=run_id, artifact_path="pairs.csv", dst_path=tmp
                )
            except (MlflowException, OSError) as exc:
                raise RegistryError(f"{self.model_name}/{version} has no logged pairs") from exc
            frame = pd.read_parquet(reports_path)
            pairs = pd.read_csv(pairs_path, dtype=str, keep_default_na=False)
        reports = [
            Report.model_validate({k: v for k, v in row.items() if v is not None and v == v})
            for row in frame.to_dict("records")
        ]
        pairs["duplicate"] = pairs["duplicate"].astype(int)
        return reports, pairs


def _basis(metrics: dict[str, Any], left_out: int) -> str:
    """What a Router comparison was made on, for the message ('' for other models)."""
    if "n" not in metrics:
        return ""
    basis = f"; compared on {metrics['n']:,} reports neither model trained on"
    return basis + (f", {left_out:,} that one of them had seen left out" if left_out else "")


def promote(
    gate: PromotionGate, version: str | None = None, force: bool = False, *, tolerance: float
) -> PromotionOutcome:
    """Gated promotion: champion moves to ``version`` (default: the challenger) only if it is
    not worse than the current champion on the gate's data, trailing it by at most
    ``tolerance`` (the deployment's setting); ``force`` overrides, and says so."""
    name = gate.model_name
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
    try:
        old, new = gate.metrics([champion, candidate])
    except TooFewRowsError as exc:
        if force:
            set_champion(name, candidate)
            return PromotionOutcome(True, f"FORCED: promoted {name}/{candidate} uncompared: {exc}")
        return PromotionOutcome(False, f"not decided: {exc}")
    comparison = compare(old, new, tolerance)
    basis = _basis(old, getattr(gate, "left_out", 0))
    if comparison.not_worse:
        set_champion(name, candidate)
        message = f"promoted {name}/{candidate} to champion (was {champion}{basis})"
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
        f"{', '.join(worse)}{basis}; use --force to override"
    )
    return PromotionOutcome(False, message, comparison)
