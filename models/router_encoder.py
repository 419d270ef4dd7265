"""The Router's transformer part (families encoder and ensemble): fine-tuning the e5 encoder
on the rows the linear tasks used, and weighing the two families per task on validation."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from models.calibration import suggested_truth
from models.encoder.config import ENCODER_TASKS, EncoderConfig
from models.frames import prepare_frame
from models.linear import model_texts
from models.predictions import TaskPredictions
from models.router_training import task_features

if TYPE_CHECKING:  # the Router imports this module; the encoder's module needs torch
    from models.encoder.classifier import EncoderClassifier
    from models.router import Router

MIN_TUNING_ROWS = 100
"""Labelled validation rows a task needs before the families are weighed on them."""


@dataclass(frozen=True)
class EncoderPart:
    """The encoder head of the families encoder and ensemble: a fitted encoder and, per task,
    the linear probabilities' share beside it (0: the encoder alone)."""

    encoder: EncoderClassifier
    ensemble_weights: dict[str, float]

    def mixed(
        self, linear: dict[str, TaskPredictions], texts: list[str]
    ) -> dict[str, TaskPredictions]:
        """The encoder's tasks' probabilities, mixed with the ``linear`` ones by weight."""
        out = {}
        for task, proba in self.encoder.predict_proba(texts).items():
            weight = self.ensemble_weights[task]
            mixed = proba if weight == 0 else weight * linear[task].proba + (1 - weight) * proba
            out[task] = TaskPredictions(linear[task].classes, mixed)
        return out


def fit_encoder(
    router: Router,
    texts: list[str],
    labels: dict[str, np.ndarray],
    validation: pd.DataFrame | None,
    progress: Callable[[str], None],
) -> EncoderPart:
    """Fine-tune the transformer on the rows the fitted linear tasks of ``router`` used, then
    weigh the two families per task on validation (the encoder family alone: weight 0)."""
    from models.encoder.classifier import EncoderClassifier  # torch: heavy and optional

    if router.encoder_dir is None:
        raise ValueError(f"family {router.family!r} needs encoder_dir (models.encoder.e5)")
    tasks = [t for t in ENCODER_TASKS if t in router.classifiers_]
    classes = {t: router.classifiers_[t].classes_ for t in tasks}
    encoder = EncoderClassifier(
        Path(router.encoder_dir), classes, router.encoder_config or EncoderConfig()
    )
    validation_texts, validation_labels = None, None
    if validation is not None and len(validation):
        validation = validation.reset_index(drop=True)
        validation_texts = model_texts(prepare_frame(validation))
        validation_labels = {t: encoder_truth(router, validation, t) for t in tasks}
    encoder.fit(
        texts,
        {t: labels[t] for t in tasks},
        validation_texts,
        validation_labels,
        progress=progress,
    )
    weights = dict.fromkeys(tasks, 0.0 if router.family == "encoder" else 0.5)
    if router.family == "ensemble" and validation_texts:
        progress("weighing linear and encoder probabilities on validation")
        weights = ensemble_weights(router, encoder, validation, validation_texts, validation_labels)
    return EncoderPart(encoder, weights)


def encoder_truth(router: Router, frame: pd.DataFrame, task: str) -> np.ndarray:
    """A task's labels as the router's classifiers know them (own-place offices generic)."""
    labels = pd.Series(suggested_truth(router, frame, task), dtype=object)
    if task == "agency" and router.agency_.places.prefixes:
        labels = router.agency_.places.encode(labels, frame)
    return labels.to_numpy(dtype=object)


def ensemble_weights(
    router: Router,
    encoder: EncoderClassifier,
    validation: pd.DataFrame,
    texts: list[str],
    truth: dict[str, np.ndarray],
) -> dict[str, float]:
    """Per task, the linear share (0, 0.1, ..., 1) with the best validation score (top-1
    accuracy; macro-F1 for the channel, whose rare classes matter); ties go to the lower
    log-loss. With fewer than MIN_TUNING_ROWS labelled validation rows a task stays linear:
    a weight chosen on a handful of reports is noise."""
    prepared = prepare_frame(validation)
    matrix = router.vectorizer_.transform(prepared)
    sentences = router.sentence_vectors(texts)
    weights: dict[str, float] = {}
    for task, encoder_proba in encoder.predict_proba(texts).items():
        classifier = router.classifiers_[task]
        linear_proba = classifier.predict_proba_unchecked(
            task_features(task, matrix, texts, sentences, router.sentence_weights_)
        )
        column = {c: i for i, c in enumerate(classifier.classes_)}
        rows = np.array([c in column for c in truth[task]])
        if rows.sum() < MIN_TUNING_ROWS:
            weights[task] = 1.0
            continue
        y = np.array([column[c] for c in truth[task][rows]])
        best = None
        for weight in np.round(np.linspace(0, 1, 11), 2):
            proba = weight * linear_proba[rows] + (1 - weight) * encoder_proba[rows]
            predicted = proba.argmax(axis=1)
            score = (
                f1_score(y, predicted, average="macro")
                if task == "channel"
                else float((predicted == y).mean())
            )
            loss = float(-np.log(np.clip(proba[np.arange(len(y)), y], 1e-12, None)).mean())
            if best is None or (score, -loss) > best[:2]:
                best = (score, -loss, float(weight))
        weights[task] = best[2]
    return weights
