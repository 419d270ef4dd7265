"""Coverage at a target precision and the evaluation JSON."""

from __future__ import annotations

import numpy as np

from models.card import model_card
from models.thresholds import coverage_at_precision
from pipeline.evaluate import most_confused


def test_coverage_at_precision_most_confident_first() -> None:
    confidence = np.array([0.99, 0.95, 0.9, 0.8, 0.7, 0.6])
    correct = np.array([1, 1, 1, 0, 1, 0])
    assert coverage_at_precision(confidence, correct, 1.0) == (3 / 6, 0.9)
    coverage, threshold = coverage_at_precision(confidence, correct, 0.8)
    assert (coverage, threshold) == (5 / 6, 0.7)  # 4 of 5 right


def test_coverage_routes_ties_together() -> None:
    confidence = np.array([0.9, 0.9, 0.9, 0.5])
    correct = np.array([1, 1, 0, 1])
    assert coverage_at_precision(confidence, correct, 0.95) == (0.0, None)
    assert coverage_at_precision(confidence, correct, 0.6) == (1.0, 0.5)


def test_coverage_of_nothing() -> None:
    assert coverage_at_precision(np.array([]), np.array([]), 0.95) == (0.0, None)
    assert coverage_at_precision(np.array([0.9]), np.array([0]), 0.95) == (0.0, None)


def test_model_card_says_where_each_region_is_auto_routed_and_where_not() -> None:
    routing = {
        "agency": {
            "Kab. Bandung": {"auto_from": 0.91, "classes_with_own": 2},
            "surabaya": {"no_auto": "no share of its 40 validation reports ..."},
        }
    }
    card = model_card(
        {"labels": {"agency": ["A", "B"], "topic": ["T"]}, "auto_routing": routing,
         "skipped_tasks": {"channel": "no labels"}},
        {"n": 3},
    )  # fmt: skip
    assert "Kab. Bandung: auto at score ≥ 0.910, 2 classes with their own threshold" in card
    assert "surabaya: never auto (no share of its 40 validation reports ...)" in card
    assert "**topic**: 1 labels; never auto" in card
    assert "channel**: not trained (no labels)" in card


def test_most_confused_labels_come_first() -> None:
    truth = np.array(["a", "a", "b", "b", "c", "c", "d"], dtype=object)
    predicted = np.array(["a", "b", "c", "c", "c", "c", "d"], dtype=object)
    assert most_confused(truth, predicted, 2) == ["b", "c"]  # b: 3 errors, c: 2, a: 1
    assert most_confused(truth, truth, 2) == ["a", "b"]  # no errors: the most frequent
