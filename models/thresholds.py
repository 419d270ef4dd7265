"""Decision thresholds: how far a score can be trusted for a target precision or recall."""

from __future__ import annotations

import numpy as np
from scipy.stats import binomtest

from models.predictions import TaskPredictions


def coverage_at_precision(
    confidence: np.ndarray, correct: np.ndarray, target: float
) -> tuple[float, float | None]:
    """The largest share of items that can be decided automatically, most confident first, while
    their precision stays at or above ``target``; and the confidence threshold that achieves it
    (``None`` when no share reaches the target)."""
    if len(confidence) == 0:
        return 0.0, None
    order = np.argsort(-confidence, kind="stable")
    ranked = np.asarray(confidence)[order]
    hits = np.cumsum(np.asarray(correct, dtype=float)[order])
    # precision only where a run of equal confidences ends: ties are routed together
    ends = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])
    reachable = ends[hits[ends] / (ends + 1) >= target]
    if len(reachable) == 0:
        return 0.0, None
    k = int(reachable.max())
    return (k + 1) / len(ranked), float(ranked[k])


def threshold_for_recall(scores: np.ndarray, truth: np.ndarray, target: float) -> float:
    """The highest score threshold that still flags ``target`` of the true positives."""
    positive_scores = np.sort(scores[truth])[::-1]
    needed = max(1, int(np.ceil(target * len(positive_scores))))
    return float(positive_scores[needed - 1])


def auto_decisions(
    confidence: np.ndarray,
    threshold: float | None,
    suggested: np.ndarray | None = None,
    per_class: dict[str, float] | None = None,
) -> np.ndarray:
    """The one auto/review rule: a suggestion is routed automatically when its confidence (the
    unrounded score) reaches its class's threshold where ``per_class`` has one for the
    ``suggested`` class, else the task's; a task without one (None) is always reviewed."""
    confidence = np.asarray(confidence, dtype=float)
    default = np.inf if threshold is None else threshold
    if not per_class or suggested is None:
        return confidence >= default
    limits = [per_class.get(c, default) for c in np.asarray(suggested).astype(str).tolist()]
    return confidence >= np.array(limits, dtype=float)


def labelled(truth: np.ndarray) -> np.ndarray:
    """Which rows of a label column carry a label."""
    return np.array([value is not None and value == value for value in truth], dtype=bool)


def precision_threshold(
    predictions: TaskPredictions, truth: np.ndarray, target: float
) -> float | None:
    """The lowest confidence at which the top suggestion keeps ``target`` precision on the
    labelled rows of ``truth`` (None when no share reaches it, or no row is labelled)."""
    mask = labelled(truth)
    if not mask.any():
        return None
    subset = predictions.subset(mask)
    correct = subset.top_labels(1)[:, 0] == truth[mask]
    return coverage_at_precision(subset.confidence(), correct, target)[1]


MIN_CLASS_ROWS = 30
"""Validation rows a class must be suggested for before it may get an auto threshold of its own
(ServiceNow-style per-class precision/coverage); rarer classes use the task's."""
CLASS_CONFIDENCE = 0.95
"""A class's own threshold must keep the target precision with this confidence (the lower end
of the Wilson interval of its validation precision): 30 of 30 right is not yet proof of 95%."""


def supported_precision(hits: int, n: int, confidence: float = CLASS_CONFIDENCE) -> float:
    """The lower end of the Wilson interval of ``hits`` right out of ``n``."""
    interval = binomtest(hits, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(interval.low)


def class_thresholds(
    predictions: TaskPredictions, truth: np.ndarray, target: float, min_rows: int = MIN_CLASS_ROWS
) -> dict[str, float]:
    """For every class suggested on at least ``min_rows`` labelled rows of ``truth``, the lowest
    confidence from which its suggestions keep ``target`` precision beyond reasonable doubt
    (:func:`supported_precision`); classes without such proof use the task's threshold."""
    mask = labelled(truth)
    if not mask.any():
        return {}
    subset = predictions.subset(mask)
    suggested = subset.classes[subset.proba.argmax(axis=1)].astype(str)
    correct = subset.top_labels(1)[:, 0] == truth[mask]
    confidence = subset.confidence()
    out: dict[str, float] = {}
    for name in np.unique(suggested):
        rows = suggested == name
        if rows.sum() < min_rows:
            continue
        order = np.argsort(-confidence[rows], kind="stable")
        ranked, hits = confidence[rows][order], np.cumsum(correct[rows][order])
        ends = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])
        proven = [k for k in ends if supported_precision(int(hits[k]), k + 1) >= target]
        if proven:
            out[str(name)] = float(ranked[max(proven)])
    return out


def urgency_decision_threshold(
    scores: np.ndarray, truth: np.ndarray, flag_threshold: float, target_precision: float
) -> float | None:
    """The confidence at which the urgent flag's yes/no (flag at ``flag_threshold``) keeps
    ``target_precision``: above it the decision is automatic, below it staff review it."""
    flags = scores >= flag_threshold
    confidence = np.where(flags, scores, 1 - scores)
    return coverage_at_precision(confidence, flags == truth, target_precision)[1]
