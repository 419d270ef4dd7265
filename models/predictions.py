"""Predictions of the Router: per-task class probabilities, and Suggestions as flat rows."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from core.schema import SUGGESTED_TASKS
from core.suggestion import Suggestion


@dataclass
class TaskPredictions:
    """Class probabilities of one task for a batch of reports."""

    classes: np.ndarray
    proba: np.ndarray
    labels: np.ndarray | None = None
    """Per-row display labels for each class column (own-place offices resolved), if they vary."""

    def subset(self, mask: np.ndarray) -> TaskPredictions:
        return TaskPredictions(
            self.classes, self.proba[mask], None if self.labels is None else self.labels[mask]
        )

    def top_indices(self, k: int) -> np.ndarray:
        return np.argsort(-self.proba, axis=1, kind="stable")[:, :k]

    def top_labels(self, k: int) -> np.ndarray:
        index = self.top_indices(k)
        if self.labels is None:
            return self.classes[index]
        return np.take_along_axis(self.labels, index, axis=1)

    def confidence(self) -> np.ndarray:
        return self.proba.max(axis=1)


SUGGESTION_COLUMNS = (
    "report_id",
    "channel",
    "channel_score",
    "channel_decision",
    "channel_top3",
    "topic",
    "topic_score",
    "topic_decision",
    "topic_top3",
    "subtopic",
    "agency",
    "agency_score",
    "agency_decision",
    "agency_top3",
    "supervision",
    "supervision_score",
    "supervision_decision",
    "supervision_top3",
    "urgent",
    "urgency_tier",
    "urgent_score",
    "urgent_decision",
    "urgent_reasons",
    "duplicates",
    "model_version",
)
"""Flat columns of a Suggestion, for tables, Parquet and Spark."""


def flatten(suggestion: Suggestion) -> dict[str, Any]:
    """A Suggestion as one flat row (lists as JSON strings)."""
    row: dict[str, Any] = dict.fromkeys(SUGGESTION_COLUMNS)
    row["report_id"] = suggestion.report_id
    row["model_version"] = suggestion.model_version
    for task in SUGGESTED_TASKS:
        answer = getattr(suggestion, task)
        if answer is not None:
            row[task], row[f"{task}_score"], row[f"{task}_decision"] = (
                answer.label,
                answer.score,
                answer.decision,
            )
            row[f"{task}_top3"] = json.dumps(
                [c.model_dump() for c in answer.candidates], ensure_ascii=False
            )
    if suggestion.topic is not None:
        row["subtopic"] = suggestion.topic.subtopic
    if suggestion.urgent is not None:
        row["urgent"] = suggestion.urgent.flag
        row["urgency_tier"] = suggestion.urgent.tier
        row["urgent_score"] = suggestion.urgent.score
        row["urgent_decision"] = suggestion.urgent.decision
        row["urgent_reasons"] = json.dumps(
            [r.model_dump() for r in suggestion.urgent.reasons], ensure_ascii=False
        )
    row["duplicates"] = json.dumps(
        [d.model_dump() for d in suggestion.duplicates], ensure_ascii=False
    )
    return row
