"""The Router's transformer part (families encoder and ensemble): fine-tuning the e5 encoder
on the rows the linear tasks used, and weighing the two families per task on validation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score

from models.calibration import suggested_truth
from models.encoder.config import ENCODER_TASKS, EncoderConfig
from models.frames import prepare_frame
from models.linear import model_texts
from models.router_training import task_features

MIN_TUNING_ROWS = 100
"""Labelled validation rows a task needs before the families are weighed on them."""


class EncoderFitting:
    """Mixed into the Router: its encoder and ensemble fitting."""

    encoder_dir: Path | None
    encoder_config: EncoderConfig | None
    family: str

    def _fit_encoder(
        self,
        texts: list[str],
        labels: dict[str, np.ndarray],
        validation: pd.DataFrame | None,
        progress: Callable[[str], None],
    ) -> None:
        """Fine-tune the transformer on the rows the linear tasks used, then weigh the two
        families per task on validation (the encoder family alone: weight 0)."""
        from models.encoder.classifier import EncoderClassifier  # torch: heavy and optional

        if self.encoder_dir is None:
            raise ValueError(f"family {self.family!r} needs encoder_dir (models.encoder.e5)")
        tasks = [t for t in ENCODER_TASKS if t in self.classifiers_]
        classes = {t: self.classifiers_[t].classes_ for t in tasks}
        self.encoder_ = EncoderClassifier(
            Path(self.encoder_dir), classes, self.encoder_config or EncoderConfig()
        )
        validation_texts, validation_labels = None, None
        if validation is not None and len(validation):
            validation = validation.reset_index(drop=True)
            validation_texts = model_texts(prepare_frame(validation))
            validation_labels = {t: self._truth(validation, t) for t in tasks}
        self.encoder_.fit(
            texts,
            {t: labels[t] for t in tasks},
            validation_texts,
            validation_labels,
            progress=progress,
        )
        self.ensemble_weights_ = dict.fromkeys(tasks, 0.0 if self.family == "encoder" else 0.5)
        if self.family == "ensemble" and validation_texts:
            progress("weighing linear and encoder probabilities on validation")
            self._tune_ensemble(validation, validation_texts, validation_labels)

    def _truth(self, frame: pd.DataFrame, task: str) -> np.ndarray:
        """A task's labels as the classifiers know them (own-place offices generic)."""
        labels = pd.Series(suggested_truth(self, frame, task), dtype=object)
        if task == "agency" and self.places_.prefixes:
            labels = self.places_.encode(labels, frame)
        return labels.to_numpy(dtype=object)

    def _tune_ensemble(
        self, validation: pd.DataFrame, texts: list[str], truth: dict[str, np.ndarray]
    ) -> None:
        """Per task, the linear share (0, 0.1, ..., 1) with the best validation score (top-1
        accuracy; macro-F1 for the channel, whose rare classes matter); ties go to the lower
        log-loss. With fewer than MIN_TUNING_ROWS labelled validation rows a task stays linear:
        a weight chosen on a handful of reports is noise."""
        prepared = prepare_frame(validation)
        matrix = self.vectorizer_.transform(prepared)
        sentences = self.sentence_vectors(texts)
        encoded = self.encoder_.predict_proba(texts)
        for task, encoder_proba in encoded.items():
            classifier = self.classifiers_[task]
            linear_proba = classifier.predict_proba_unchecked(
                task_features(task, matrix, texts, sentences, self.sentence_weights_)
            )
            column = {c: i for i, c in enumerate(classifier.classes_)}
            rows = np.array([c in column for c in truth[task]])
            if rows.sum() < MIN_TUNING_ROWS:
                self.ensemble_weights_[task] = 1.0
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
            self.ensemble_weights_[task] = best[2]
