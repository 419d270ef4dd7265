"""Fitting one classification task: whose labels count, whether a task can be learned at all,
and the "auto" class weighting judged on the newest training rows, as production predicts
reports newer than its training data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from core.schema import CHANNELS, SUPERVISION_LABELS
from models.linear import CalibratedLinearClassifier

AUTO_CLASS_WEIGHT = "auto"
CLASS_WEIGHTS = (None, "balanced")
"""What "auto" chooses between (ties go to the first)."""
HOLDOUT_SHARE, MIN_HOLDOUT_ROWS = 0.2, 50
"""The newest share of dated training rows that judges an "auto" choice, and the fewest rows
it may have."""
MACRO_F1_TASKS = ("channel", "supervision")
"""Tasks whose rare classes matter as much as the common ones: judged by macro-F1."""
MIN_SUPERVISION_ROWS = 20
"""Rows of the rarer supervision class needed to learn it (Bandung 2021-22 has 8: too few)."""


MIN_REAL_CLASS_ROWS = 30
"""Real channel labels each channel needs before extra (synthetic) rows stop joining the channel
task. The extras fill in what real exports rarely label (aspirasi); beyond that they teach the
demo's wording rather than the region's: on the real newest periods, channel macro-F1 without
vs with 4,000 extras was 0.632 vs 0.607 (Bandung 2023), 0.530 vs 0.520 (Surabaya Nov-Dec).
Urgency keeps its extras whatever the count: without them Bandung's cross-validated flag recall
fell from 0.61 to 0.19 (43 urgent reports are too few to learn the cues alone)."""
SELF_SUFFICIENT_TASKS: dict[str, tuple[str, ...]] = {"channel": CHANNELS}
"""Tasks that stop taking extra rows once every class of theirs has enough real labels."""


def extras_needed(task: str, labels: pd.Series) -> bool:
    """Whether extra rows should join ``task``: always, unless it is one of
    :data:`SELF_SUFFICIENT_TASKS` and each of its classes has :data:`MIN_REAL_CLASS_ROWS` real
    rows in ``labels``."""
    classes = SELF_SUFFICIENT_TASKS.get(task)
    if classes is None:
        return True
    counts = labels.dropna().value_counts()
    return any(counts.get(c, 0) < MIN_REAL_CLASS_ROWS for c in classes)


def task_labels(frame: pd.DataFrame, task: str) -> pd.Series:
    """A task's labels in ``frame`` (None where absent). Supervision is labelled only on a
    pengaduan (the portal marks every other channel "not supervised" by definition), as
    :data:`SUPERVISION_LABELS` names."""
    if task not in frame:
        return pd.Series([None] * len(frame), dtype=object)
    if task == "supervision":
        channels = frame["channel"].tolist() if "channel" in frame else [None] * len(frame)
        return pd.Series(
            [
                SUPERVISION_LABELS[bool(flag)]
                if channel == "pengaduan" and flag is not None and flag == flag
                else None
                for flag, channel in zip(frame[task].tolist(), channels, strict=True)
            ],
            dtype=object,
        )
    return pd.Series(frame[task].tolist(), dtype=object)


def unlearnable(task: str, labels: pd.Series) -> str | None:
    """Why a task cannot be learned from its usable ``labels`` (None when it can)."""
    if labels.empty:
        return "no labels"
    counts = labels.value_counts()
    if len(counts) < 2:
        return "only one label"
    if task == "supervision" and counts.min() < MIN_SUPERVISION_ROWS:
        return (
            f"only {counts.min()} pengaduan labelled {counts.idxmin()} "
            f"(at least {MIN_SUPERVISION_ROWS} needed)"
        )
    return None


def row_seconds(frame: pd.DataFrame) -> np.ndarray:
    """Each row's ``created_at`` in seconds since the epoch (NaN where absent or unreadable)."""
    if "created_at" not in frame:
        return np.full(len(frame), np.nan)
    stamps = pd.to_datetime(frame["created_at"], errors="coerce", utc=True)
    return ((stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)).to_numpy(float)


def newest_rows(times: np.ndarray, share: float) -> np.ndarray | None:
    """Which rows are the newest ``share`` of the dated ones (``times``: seconds, NaN where
    undated); None when fewer than :data:`MIN_HOLDOUT_ROWS` would be."""
    dated = ~np.isnan(times)
    if dated.sum() * share < MIN_HOLDOUT_ROWS:
        return None
    cut = np.quantile(times[dated], 1 - share)
    return dated & (np.nan_to_num(times, nan=-np.inf) >= cut)


def fit_task_classifier(
    task: str, params: dict[str, Any], features: Any, y: np.ndarray, times: np.ndarray
) -> CalibratedLinearClassifier:
    """One task's classifier with ``params``. An "auto" class weighting is settled by top-1
    (macro-F1 for :data:`MACRO_F1_TASKS`) on the newest :data:`HOLDOUT_SHARE` of the rows after
    fitting on the older ones (``times``: NaN for rows without a date, which always train);
    without enough dated rows, on the calibration folds' held-out predictions. The returned
    classifier's ``class_weight`` is the choice."""
    if params.get("class_weight") != AUTO_CLASS_WEIGHT:
        return CalibratedLinearClassifier(**params).fit(features, y)

    def score(truth: np.ndarray, predicted: np.ndarray) -> float:
        if task in MACRO_F1_TASKS:
            return f1_score(truth, predicted, average="macro")
        return (predicted == truth).mean()

    def fitted(weight: str | None, rows: Any = slice(None)) -> CalibratedLinearClassifier:
        return CalibratedLinearClassifier(**{**params, "class_weight": weight}).fit(
            features[rows], y[rows]
        )

    newest = newest_rows(times, HOLDOUT_SHARE)
    if newest is not None and len(np.unique(y[~newest])) > 1:
        scores = {}
        for weight in CLASS_WEIGHTS:
            model = fitted(weight, ~newest)
            proba = model.predict_proba_unchecked(features[newest])
            scores[weight] = score(y[newest], model.classes_[proba.argmax(1)])
        return fitted(max(CLASS_WEIGHTS, key=scores.__getitem__))
    candidates = [fitted(weight) for weight in CLASS_WEIGHTS]
    return max(candidates, key=lambda c: score(y, c.classes_[c.oof_proba_.argmax(1)]))


def tasks_taking_extras(
    train: pd.DataFrame, extra_tasks: tuple[str, ...], progress: Callable[[str], None]
) -> tuple[str, ...]:
    """Those of ``extra_tasks`` whose real labels in ``train`` are too few to do without the
    extra rows (:func:`extras_needed`)."""
    kept = tuple(task for task in extra_tasks if extras_needed(task, task_labels(train, task)))
    if dropped := sorted(set(extra_tasks) - set(kept)):
        progress(f"enough real labels for {', '.join(dropped)}: extra rows left out")
    return kept
