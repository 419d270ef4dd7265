"""Turning a batch's class probabilities into the answers of a Suggestion: top-3 candidates
with the auto/review decision per task, and the urgency tier with the phrases behind it. Built
with ``model_construct``: the values are the model's own, so re-validating them would only cost
time."""

from __future__ import annotations

import numpy as np

from core.suggestion import (
    Candidate,
    TaskSuggestion,
    UrgencyReason,
    UrgencySuggestion,
)
from models.predictions import TaskPredictions
from models.thresholds import auto_decisions
from models.urgency import DangerMatch
from models.urgency_model import UrgencyModel


def task_answers(
    predictions: TaskPredictions,
    auto: np.ndarray,
    cls: type[TaskSuggestion] = TaskSuggestion,
) -> list[TaskSuggestion]:
    """Every row's answer for one task: top 3, and whether it is routed automatically (``auto``,
    the Router's decision per row)."""
    top = predictions.top_indices(3)
    raw_scores = np.take_along_axis(predictions.proba, top, axis=1)
    auto = np.asarray(auto, dtype=bool).tolist()
    scores = np.round(raw_scores, 4).tolist()
    labels = predictions.top_labels(3).tolist()
    return [
        cls.model_construct(
            label=str(row_labels[0]),
            score=row_scores[0],
            decision="auto" if is_auto else "review",
            candidates=[
                Candidate.model_construct(label=str(label), score=score)
                for label, score in zip(row_labels, row_scores, strict=True)
            ],
        )
        for row_labels, row_scores, is_auto in zip(labels, scores, auto, strict=True)
    ]


def urgency_answers(
    predictions: TaskPredictions, matches: list[list[DangerMatch]], urgency: UrgencyModel
) -> list[UrgencySuggestion]:
    """Every row's urgency: its tier, score, whether the flag's yes/no is automatic (the
    model's threshold) and the live danger phrases (negated and past ones left out)."""
    scores = predictions.proba[:, 1]
    named = urgency.tiers.tiers(scores)
    flags = named == "urgent"
    auto = auto_decisions(np.where(flags, scores, 1 - scores), urgency.threshold)
    return [
        UrgencySuggestion.model_construct(
            flag=tier == "urgent",
            tier=tier,
            score=round(score, 4),
            decision="auto" if is_auto else "review",
            reasons=[
                UrgencyReason.model_construct(
                    code=m.code, phrase=m.phrase, start=m.start, end=m.end
                )
                for m in found
                if not m.negated and not m.over
            ],
        )
        for score, tier, is_auto, found in zip(
            scores.tolist(), named.tolist(), auto.tolist(), matches, strict=True
        )
    ]
