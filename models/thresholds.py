"""Decision thresholds: how far a score can be trusted for a target precision or recall."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from math import sqrt

import numpy as np
from scipy.special import ndtri
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


def auto_decisions(confidence: np.ndarray, threshold: float | None) -> np.ndarray:
    """A decision is automatic when its confidence (the unrounded score) reaches the
    threshold; without one (None) it is always reviewed."""
    return np.asarray(confidence, dtype=float) >= (np.inf if threshold is None else threshold)


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


TARGET_PRECISION = 0.95
"""The precision "auto" promises, every task's default (``Router(target_precision=...)``)."""
MIN_CLASS_ROWS = 30
"""Validation rows a class must be suggested for before it may get an auto threshold of its own
(ServiceNow-style per-class precision/coverage); rarer classes use the task's."""
CLASS_CONFIDENCE = 0.95
"""A class's own threshold must keep the target precision with this confidence (the lower end
of the Wilson interval of its validation precision): 30 of 30 right is not yet proof of 95%."""


def supported_precision(hits: int, n: int, confidence: float = CLASS_CONFIDENCE) -> float:
    """The lower end of the Wilson interval of ``hits`` right out of ``n`` (``n`` >= 1).

    Newcombe's closed form, computed as scipy's ``binomtest(hits, n).proportion_ci(method=
    "wilson")`` computes it (a test holds the two equal to the bit): building the binomtest
    first searches for its p-value, which this interval never reads and which took most of the
    time of choosing thresholds (one call per candidate threshold)."""
    if hits == 0:
        return 0.0
    z = ndtri(0.5 + 0.5 * confidence)
    p = hits / n
    denom = 2 * (n + z**2)
    center = (2 * n * p + z**2) / denom
    delta = z / denom * sqrt(4 * n * p * (1 - p) + z**2)
    return float(center - delta)


def possible_precision(hits: int, n: int, confidence: float = CLASS_CONFIDENCE) -> float:
    """The upper end of the exact (Clopper-Pearson) interval of ``hits`` right out of ``n``:
    below the target, the precision has fallen short beyond reasonable doubt (1.0 with nothing
    to judge). Exact rather than Wilson: with a handful of decisions Wilson's upper end is too
    low (one wrong out of one would read as "at most 79%")."""
    if n == 0:
        return 1.0
    interval = binomtest(hits, n).proportion_ci(confidence_level=confidence, method="exact")
    return float(interval.high)


def proven_threshold(confidence: np.ndarray, correct: np.ndarray, target: float) -> float | None:
    """The lowest confidence from which the suggestions at or above it keep ``target``
    precision beyond reasonable doubt (:func:`supported_precision` of their hits); None where
    no share proves it."""
    order = np.argsort(-np.asarray(confidence, dtype=float), kind="stable")
    ranked = np.asarray(confidence, dtype=float)[order]
    hits = np.cumsum(np.asarray(correct, dtype=bool)[order])
    # only where a run of equal confidences ends: ties are routed together
    ends = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])
    proven = [k for k in ends if supported_precision(int(hits[k]), int(k) + 1) >= target]
    return float(ranked[max(proven)]) if proven else None


def class_thresholds(
    predictions: TaskPredictions, truth: np.ndarray, target: float, min_rows: int = MIN_CLASS_ROWS
) -> dict[str, float]:
    """For every class suggested on at least ``min_rows`` labelled rows of ``truth``, the lowest
    confidence from which its suggestions keep ``target`` precision beyond reasonable doubt
    (:func:`proven_threshold`); classes without such proof use the task's threshold."""
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
        threshold = proven_threshold(confidence[rows], correct[rows], target)
        if threshold is not None:
            out[str(name)] = threshold
    return out


@dataclass
class RegionThresholds:
    """One task's auto-routing thresholds, region by region: a region's (a deployment's, a
    source's) own validation reports choose its thresholds, never another region's, and a region
    whose reports cannot prove the target precision gets no auto-routing (:attr:`withheld` says
    why). A report whose region cannot be told is always reviewed."""

    task: dict[str, float] = field(default_factory=dict)
    """region -> the confidence from which its suggestions are routed automatically"""
    classes: dict[str, dict[str, float]] = field(default_factory=dict)
    """region -> class -> that class's own threshold (:func:`class_thresholds`)"""
    withheld: dict[str, str] = field(default_factory=dict)
    """region -> why it gets no auto-routing"""

    @classmethod
    def choose(
        cls,
        predictions: TaskPredictions,
        truth: np.ndarray,
        regions: Sequence[str | None],
        target: float,
    ) -> RegionThresholds:
        chosen = cls()
        regions = np.asarray(regions, dtype=object)
        mask = labelled(truth)
        for region in sorted({r for r in regions[mask] if isinstance(r, str)}):
            rows = mask & (regions == region)
            subset = predictions.subset(rows)
            correct = subset.top_labels(1)[:, 0] == truth[rows]
            threshold = proven_threshold(subset.confidence(), correct, target)
            if threshold is None:
                chosen.withheld[region] = (
                    f"no share of its {int(rows.sum())} validation reports proves precision "
                    f"{target:.2f} (lower end of the 95% Wilson interval; "
                    f"{correct.mean():.2f} right overall)"
                )
                continue
            chosen.task[region] = threshold
            chosen.classes[region] = class_thresholds(subset, truth[rows], target)
        return chosen

    def auto(
        self,
        confidence: np.ndarray,
        suggested: np.ndarray,
        regions: Sequence[str | None],
    ) -> np.ndarray:
        """Which suggestions are routed automatically: a row's confidence reaches its region's
        threshold for the suggested class (its own, else the task's); no region, no auto."""
        limits = [
            self.classes.get(region, {}).get(label, self.task.get(region, np.inf))
            if isinstance(region, str)
            else np.inf
            for region, label in zip(
                regions, np.asarray(suggested).astype(str).tolist(), strict=True
            )
        ]
        return np.asarray(confidence, dtype=float) >= np.array(limits, dtype=float)

    def describe(self) -> dict[str, object]:
        """What the model card and ``models list`` show: each region's threshold or why none."""
        return {
            region: (
                {"auto_from": round(threshold, 4), "classes_with_own": len(self.classes[region])}
                if (threshold := self.task.get(region)) is not None
                else {"no_auto": self.withheld[region]}
            )
            for region in sorted({*self.task, *self.withheld})
        }


def urgency_decision_threshold(
    scores: np.ndarray, truth: np.ndarray, flag_threshold: float, target_precision: float
) -> float | None:
    """The confidence at which the urgent flag's yes/no (flag at ``flag_threshold``) keeps
    ``target_precision``: above it the decision is automatic, below it staff review it."""
    flags = scores >= flag_threshold
    confidence = np.where(flags, scores, 1 - scores)
    return coverage_at_precision(confidence, flags == truth, target_precision)[1]
