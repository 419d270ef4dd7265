"""The Router's sub-topic task as one fitted model: a classifier over the LAPOR! sub-categories,
each sub-category's main category, and the probability from which a sub-topic is shown (chosen on
validation for 90% precision by :mod:`models.calibration`). A sub-topic is only ever shown under
its own main category."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from core.suggestion import TopicSuggestion
from models.linear import CalibratedLinearClassifier
from models.predictions import TaskPredictions
from models.task_fitting import task_labels


@dataclass(frozen=True)
class SubtopicModel:
    """The fitted sub-topic task: ``classifier``, ``parents`` (sub-topic -> main category) and
    ``threshold`` (0.5 until chosen on validation)."""

    classifier: CalibratedLinearClassifier
    parents: dict[str, str]
    threshold: float = 0.5

    def predictions(self, matrix: Any) -> TaskPredictions:
        """Each row's sub-topic probabilities (``matrix``: the Router's features)."""
        return TaskPredictions(
            self.classifier.classes_, self.classifier.predict_proba_unchecked(matrix)
        )

    def add_to(self, topics: list[TopicSuggestion], predictions: TaskPredictions) -> None:
        """Give each topic answer its sub-topic where the model is sure of it and it belongs to
        the chosen topic."""
        best = predictions.proba.argmax(axis=1)
        for topic, index, row in zip(topics, best, predictions.proba, strict=True):
            label, score = str(predictions.classes[index]), float(row[index])
            if score >= self.threshold and self.parents.get(label) == topic.label:
                topic.subtopic, topic.subtopic_score = label, round(score, 4)


def fit_subtopic(
    params: dict[str, Any], train: pd.DataFrame, matrix: Any, progress: Callable[[str], None]
) -> SubtopicModel | None:
    """The sub-topic model, each sub-topic's topic being its most frequent one; None where the
    training rows name fewer than two sub-topics."""
    labels = task_labels(train, "subtopic")
    topics = task_labels(train, "topic")
    usable = (labels.notna() & topics.notna()).to_numpy()
    if usable.sum() == 0 or labels[usable].nunique() < 2:
        return None
    progress(f"fitting subtopic ({labels[usable].nunique()} labels)")
    parents: dict[str, str] = {}
    pairs = Counter(zip(labels[usable], topics[usable], strict=True))
    for (sub, parent), _ in sorted(pairs.items(), key=lambda item: item[1]):
        parents[sub] = parent  # the most frequent parent wins (sorted last)
    classifier = CalibratedLinearClassifier(**params).fit(
        matrix[usable], labels[usable].to_numpy(dtype=object)
    )
    return SubtopicModel(classifier, parents)
