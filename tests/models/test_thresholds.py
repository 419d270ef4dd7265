"""Thresholds chosen on validation: precision for auto-routing, recall for the urgent flag."""

from __future__ import annotations

import numpy as np
import pytest

from models.predictions import TaskPredictions
from models.thresholds import labelled, precision_threshold, urgency_thresholds


def predictions() -> TaskPredictions:
    proba = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55], [0.6, 0.4]])
    return TaskPredictions(np.array(["a", "b"], dtype=object), proba)


def test_labelled_rows() -> None:
    assert labelled(np.array(["a", None, float("nan"), "b"], dtype=object)).tolist() == [
        True, False, False, True,
    ]  # fmt: skip


def test_precision_threshold_on_the_labelled_rows_only() -> None:
    truth = np.array(["a", "a", "b", "a", None], dtype=object)  # the 0.55 guess is wrong
    assert precision_threshold(predictions(), truth, 1.0) == pytest.approx(0.7)
    assert precision_threshold(predictions(), truth, 0.75) == pytest.approx(0.55)
    assert precision_threshold(predictions(), np.array([None] * 5, dtype=object), 0.9) is None


def test_the_urgent_flag_moves_only_with_enough_urgent_rows() -> None:
    scores = np.array([0.9, 0.8, 0.3, 0.2, 0.1, 0.05])
    few = np.array([True, True, False, False, False, False])
    assert urgency_thresholds(scores, few, 0.5, 0.9, 0.95)[0] == 0.5
    many_scores = np.linspace(0.05, 0.95, 20)
    many = many_scores > 0.6
    flag, auto = urgency_thresholds(many_scores, many, 0.5, 0.9, 0.95)
    assert flag == pytest.approx(
        np.sort(many_scores[many])[::-1][int(np.ceil(0.9 * many.sum())) - 1]
    )
    assert auto is not None
