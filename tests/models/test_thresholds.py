"""Thresholds chosen on validation: precision for auto-routing, per task and per class, and the
urgent decision's."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from models.predictions import TaskPredictions
from models.thresholds import (
    RegionThresholds,
    class_thresholds,
    labelled,
    precision_threshold,
    supported_precision,
    urgency_decision_threshold,
)


def predictions() -> TaskPredictions:
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55], [0.6, 0.4]])
    return TaskPredictions(np.array(["a", "b"], dtype=object), proba)


def test_supported_precision_is_scipys_wilson_interval_to_the_bit() -> None:
    small = [(hits, n) for n in range(1, 31) for hits in range(n + 1)]
    large = [(hits, n) for n in (97, 500, 4_001) for hits in (0, 1, n // 2, n - 3, n - 1, n)]
    for confidence in (0.95, 0.9):
        for hits, n in small + large:
            expected = binomtest(hits, n).proportion_ci(confidence, method="wilson").low
            assert supported_precision(hits, n, confidence) == expected, (hits, n, confidence)


def test_labelled_rows() -> None:
    assert labelled(np.array(["a", None, float("nan"), "b"], dtype=object)).tolist() == [
        True, False, False, True,
    ]  # fmt: skip


def test_precision_threshold_on_the_labelled_rows_only() -> None:
    truth = np.array(["a", "a", "b", "a", None], dtype=object)  # the 0.55 guess is wrong
    assert precision_threshold(predictions(), truth, 1.0) == pytest.approx(0.7)
    assert precision_threshold(predictions(), truth, 0.75) == pytest.approx(0.55)
    assert precision_threshold(predictions(), np.array([None] * 5, dtype=object), 0.9) is None


def test_the_urgent_decision_is_automatic_only_where_it_keeps_its_precision() -> None:
    scores = np.linspace(0.05, 0.95, 20)
    truth = scores > 0.6
    threshold = urgency_decision_threshold(scores, truth, 0.6, 0.95)
    assert threshold is not None
    noisy = truth.copy()
    noisy[[0, 19]] = ~noisy[[0, 19]]  # the most confident yes and no are both wrong
    assert urgency_decision_threshold(scores, noisy, 0.6, 0.99) is None


def test_a_class_proven_reliable_gets_its_own_threshold() -> None:
    """Class "a" is right whenever suggested; "b" only above 0.8: "a" routes from 0.5 on while
    "b" waits for 0.8; class "c", rarely suggested, keeps the task's threshold."""
    classes = np.array(["a", "b", "c"])
    confidence = np.r_[np.linspace(0.5, 0.9, 100), np.linspace(0.5, 0.99, 200), [0.9, 0.9]]
    top = np.r_[np.zeros(100, int), np.ones(200, int), [2, 2]]
    rows = len(top)
    proba = np.zeros((rows, 3))
    proba[np.arange(rows), top] = confidence
    proba[np.arange(rows), (top + 1) % 3] = 1 - confidence
    truth = classes[top].astype(object)
    truth[(top == 1) & (confidence < 0.8)] = "a"
    own = class_thresholds(TaskPredictions(classes, proba), truth, 0.95, min_rows=30)
    assert set(own) == {"a", "b"}
    assert own["a"] == pytest.approx(0.5)
    assert own["b"] >= 0.8
    chosen = RegionThresholds(task={"x": 0.7}, classes={"x": own})
    auto = chosen.auto(np.array([0.6, 0.6, 0.99, 0.6]), np.array(["a", "b", "b", "c"]), ["x"] * 4)
    assert auto.tolist() == [True, False, True, False]


def test_thirty_right_out_of_thirty_is_not_yet_proof_of_95_percent() -> None:
    assert supported_precision(30, 30) < 0.95 < supported_precision(80, 80)
    classes = np.array(["a", "b"])
    proba = np.column_stack([np.linspace(0.6, 0.9, 30), 1 - np.linspace(0.6, 0.9, 30)])
    truth = np.array(["a"] * 30, dtype=object)
    assert class_thresholds(TaskPredictions(classes, proba), truth, 0.95) == {}


def test_each_region_gets_thresholds_from_its_own_reports_only() -> None:
    """Region "good" is right on every confident suggestion; "poor" on 70% at every score:
    pooled, "poor" would ride on "good"'s proof; region by region it gets no auto-routing and
    says why, and a row of an unknown region is always reviewed."""
    rng = np.random.default_rng(3)
    confidence = np.r_[np.linspace(0.5, 1.0, 400), np.linspace(0.5, 1.0, 200)]
    proba = np.column_stack([confidence, 1 - confidence])
    truth = np.array(["a"] * 600, dtype=object)
    truth[:400][confidence[:400] < 0.7] = "b"  # "good": wrong only below 0.7
    truth[400:][rng.random(200) < 0.3] = "b"  # "poor": wrong 30% of the time, at any score
    regions = ["good"] * 400 + ["poor"] * 200
    predictions = TaskPredictions(np.array(["a", "b"]), proba)
    chosen = RegionThresholds.choose(predictions, truth, regions, 0.95)
    assert set(chosen.task) == {"good"}
    assert chosen.task["good"] >= 0.65  # a wrong one or two at the edge: still proven
    assert "200 validation reports" in chosen.withheld["poor"]
    auto = chosen.auto(np.full(3, 0.99), np.array(["a"] * 3), ["good", "poor", None])
    assert auto.tolist() == [True, False, False]
    described = chosen.describe()
    assert "no_auto" in described["poor"]
    assert described["good"]["auto_from"] == round(chosen.task["good"], 4)
    pooled = precision_threshold(predictions, truth, 0.95)
    assert pooled is not None  # the pooled rule would have auto-routed "poor" too
