"""The Router: every task together (channel, topic + sub-topic, agency, urgency), one
Suggestion per report, saved to and loaded from a folder of its own.

The Router owns the preprocessing every caller shares: the text is featurised once per report by
the family's vectorizer, and each task's classifier reads the same matrix. Reports arrive masked
(``Report.masked()`` at the system's boundary). Agency labels that name the office of the report's
own kelurahan or kecamatan are learned as one "own office" class and resolved back to the
specific office from the report's place (:mod:`models.places`). With a deployment's catalogue,
agency is also learned at the level of OPD functions and spread over the catalogue's names
(:mod:`models.opd_routing`). Saving and loading live in :mod:`models.router_folder`, the
encoder and ensemble families' fitting in :mod:`models.router_encoder`.

It follows scikit-learn's estimator contract: ``__init__`` stores hyperparameters verbatim,
``fit`` rebuilds every fitted attribute (names ending in ``_``) and returns self.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from core.schema import (
    DATASET,
    SUGGESTED_TASKS,
    Report,
    Suggestion,
    TaskSuggestion,
    TopicSuggestion,
)
from core.taxonomy import category_descriptions
from models.answers import add_subtopics, task_answers, urgency_answers
from models.catalogue import Catalogue
from models.channel import intent_features
from models.duplicates.embeddings import Embeddings
from models.encoder.config import EncoderConfig
from models.frames import MODEL_INPUT_FIELDS, fingerprints, prepare_frame, row_hashes
from models.linear import CalibratedLinearClassifier, ReportVectorizer, model_texts
from models.opd_routing import (
    FUNCTION_COLUMN,
    FUNCTION_TASK,
    MIN_BLEND_ROWS,
    agency_functions,
    blend,
    choose_blend_weight,
    deployment_labels,
    fit_function_classifier,
    function_descriptions,
    onto_catalogue,
)
from models.places import PlaceOffices
from models.predictions import TaskPredictions
from models.regions import UNNAMED_SOURCE, SourceAgencies, SourceRegions
from models.router_encoder import EncoderFitting
from models.router_folder import RouterFolder
from models.task_fitting import (
    AUTO_CLASS_WEIGHT,
    extras_needed,
    fit_task_classifier,
    row_seconds,
    task_labels,
    unlearnable,
)
from models.thresholds import (
    RegionThresholds,
    labelled,
    precision_threshold,
    urgency_decision_threshold,
)
from models.urgency import DangerMatch, UrgencyScorer, find_dangers
from models.urgency_fitting import fit_urgency_models, out_of_fold_urgency, urgency_scores
from models.urgency_tiers import MIN_POSITIVES, UrgencyTiers, choose_tiers, fallback_tiers

FAMILIES = ("linear", "encoder", "ensemble")
"""linear: TF-IDF + linear SVMs; encoder: fine-tuned e5 for agency/topic/channel; ensemble: the
two mixed with per-task weights tuned on validation."""
SENTENCE_FEATURE_WEIGHTS = {"agency": 0.5}
"""Tasks whose linear features gain multilingual USE sentence embeddings, when asked for: on the
real split's tuning month agency top-1 rose 0.761 -> 0.771 at weight 0.5 (1.0: 0.763); topic did
not move (0.807 either way), so it does without (benchmarks/encoder.py)."""
DEFAULT_TARGET_PRECISION = {
    "agency": 0.95, "topic": 0.95, "channel": 0.95, "supervision": 0.95, "urgent": 0.95,
}  # fmt: skip
DEFAULT_TASK_PARAMS: dict[str, dict[str, Any]] = {
    # "auto": unweighted or balanced, whichever predicts the training rows' held-out folds
    # better (Surabaya's ~35 reports per OPD: unweighted; Bandung's ~13: balanced, +4 points
    # of agency top-1 on its 2023 reports)
    "agency": {"C": 0.3, "class_weight": AUTO_CLASS_WEIGHT},
    "topic": {"C": 0.3, "class_weight": AUTO_CLASS_WEIGHT},
    "subtopic": {"C": 0.3, "class_weight": None},
    # by held-out macro-F1: Surabaya's hand labels balanced (0.58 vs 0.51 on cross-validation),
    # Bandung's portal labels unweighted (0.41 vs 0.38 on its 2023 reports)
    "channel": {"C": 0.5, "class_weight": AUTO_CLASS_WEIGHT},
    "function": {"C": 0.3, "class_weight": AUTO_CLASS_WEIGHT},
    # balanced: the rare class matters as much as the common one
    "supervision": {"C": 0.5, "class_weight": "balanced"},
    "urgent": {"C": 0.5, "class_weight": "balanced"},
}
INTENT_WEIGHT = 0.5
"""Scale of the intent cues appended to the channel task's text features."""


class Router(BaseEstimator, EncoderFitting, RouterFolder):
    """All tasks together: channel, topic (+ sub-topic), agency and urgency -> Suggestions."""

    def __init__(
        self,
        vectorizer_params: dict[str, Any] | None = None,
        task_params: dict[str, dict[str, Any]] | None = None,
        target_precision: dict[str, float] | None = None,
        urgent_target_recall: float = 0.9,
        urgent_target_precision: float = 0.6,
        family: str = "linear",
        encoder_config: EncoderConfig | None = None,
        encoder_dir: Path | None = None,
        sentence_features: bool = False,
        topic_descriptions: bool = True,
    ) -> None:
        self.vectorizer_params = vectorizer_params
        self.task_params = task_params
        self.target_precision = target_precision
        self.urgent_target_recall = urgent_target_recall
        """Flag + check together reach this recall (within the attention cap)."""
        self.urgent_target_precision = urgent_target_precision
        """The urgent flag's precision (chosen by cross-validation on real labels)."""
        self.family = family
        self.encoder_config = encoder_config
        self.encoder_dir = encoder_dir
        """A prepared e5 directory (:func:`models.encoder.e5.prepare_encoder`): families
        encoder and ensemble."""
        self.sentence_features = sentence_features
        self.topic_descriptions = topic_descriptions
        """Whether the topic task also learns from the LAPOR! taxonomy's sub-category names
        (:func:`core.taxonomy.category_descriptions`)."""
        self._embedder: Embeddings | None = None
        """USE sentence embeddings, created on first use (a run-time cache, never saved)."""

    # --- training ---------------------------------------------------------------------------

    def fit(
        self,
        train: pd.DataFrame,
        validation: pd.DataFrame | None = None,
        extra: pd.DataFrame | None = None,
        extra_tasks: tuple[str, ...] = ("channel", "urgent"),
        progress: Callable[[str], None] = lambda step: None,
        catalogue: Catalogue | None = None,
    ) -> Router:
        """Fit every task that has labels in ``train``; tasks without labels are skipped (and
        a refit drops what an earlier fit learned for them).

        Agency is learned at two levels: the function of every row's agency (any source's
        names), and, with the deployment's ``catalogue``, a model over its own names from the
        rows labelled with them, blended with the function level by out-of-fold top-1
        (:mod:`models.opd_routing`). Without a catalogue the agency model learns every name.

        ``extra`` rows (e.g. the synthetic corpus) join the training rows of those
        ``extra_tasks`` whose real labels are too few (:func:`models.task_fitting.extras_needed`);
        thresholds are chosen on ``validation`` for the target precision of each task.
        """
        if self.family not in FAMILIES:
            raise ValueError(f"unknown family {self.family!r}; available: {', '.join(FAMILIES)}")
        self._reset()
        self.catalogue_ = catalogue
        train = train.reset_index(drop=True)
        extra = extra.reset_index(drop=True) if extra is not None else train.iloc[:0]
        if len(extra):
            kept = tuple(t for t in extra_tasks if extras_needed(t, task_labels(train, t)))
            if dropped := sorted(set(extra_tasks) - set(kept)):
                progress(f"enough real labels for {', '.join(dropped)}: extra rows left out")
            extra_tasks = kept
        descriptions = self._descriptions(train)
        if task_labels(train, "agency").notna().any():
            descriptions = pd.concat([descriptions, function_descriptions()], ignore_index=True)
        combined = pd.concat([train, extra, descriptions], ignore_index=True)
        describes = np.arange(len(combined)) >= len(train) + len(extra)
        progress("featurising text")
        prepared = prepare_frame(combined)
        self.vectorizer_ = ReportVectorizer(**(self.vectorizer_params or {})).fit(prepared)
        matrix = self.vectorizer_.transform(prepared)
        texts = model_texts(prepared)
        sentences = self._sentences(texts, progress)
        in_train = np.arange(len(combined)) < len(train)
        times = np.where(in_train, row_seconds(combined), np.nan)  # extra rows always train
        self.training_fingerprints_ = fingerprints(prepared[in_train])
        encoder_labels: dict[str, np.ndarray] = {}
        agency_rows = np.zeros(0, dtype=int)
        sources = [s if isinstance(s, str) else UNNAMED_SOURCE for s in prepared[DATASET]]
        deployment_sources: list[str] = []
        for task in SUGGESTED_TASKS:
            labels = task_labels(combined, task)
            if task == "agency" and catalogue is not None:
                labels = deployment_labels(labels, catalogue, combined.get(DATASET))
                own = labels[in_train].dropna()
                deployment_sources = [sources[i] for i in own.index]
                self.opd_history_ = {k: int(n) for k, n in own.value_counts().items()}
                if len(own) < MIN_BLEND_ROWS:
                    self.skipped_[task] = (
                        f"{len(own)} reports carry the deployment's own OPD names (its own "
                        f"model needs {MIN_BLEND_ROWS}): the function level routes alone"
                    )
                    progress(f"skipping the deployment-level agency model: {len(own)} reports")
                    continue
            if task == "agency":
                self.places_ = PlaceOffices().fit(labels[in_train], combined[in_train])
                labels = self.places_.encode(labels, combined)
                if catalogue is None:
                    self.agency_sources_ = SourceAgencies.fit(
                        labels[in_train].tolist(),
                        [s for s, t in zip(sources, in_train, strict=True) if t],
                    )
            usable = labels.notna().to_numpy() & (in_train | (task in extra_tasks) | describes)
            if reason := unlearnable(task, labels[usable]):
                self.skipped_[task] = reason
                progress(f"skipping {task}: {reason}")
                continue
            progress(f"fitting {task} ({labels[usable].nunique()} labels, {usable.sum()} rows)")
            features = self._task_matrix(
                task,
                matrix[usable],
                [texts[i] for i in np.flatnonzero(usable)],
                sentences[usable] if sentences is not None else None,
            )
            self.classifiers_[task] = fit_task_classifier(
                task,
                self.task_params_[task],
                features,
                labels[usable].to_numpy(dtype=object),
                times[usable],
            )
            chosen = self.classifiers_[task].class_weight
            self.task_params_[task] = {**self.task_params_[task], "class_weight": chosen}
            encoder_labels[task] = np.where(usable, labels.to_numpy(dtype=object), None)
            if task == "agency":
                agency_rows = np.flatnonzero(usable)
        self.regions_ = SourceRegions.fit(
            [s for s, keep in zip(sources, in_train & ~describes, strict=True) if keep],
            prepared["regency"][in_train & ~describes].tolist(),
            catalogue.region if catalogue is not None else None,
            deployment_sources,
        )
        self._fit_functions(combined, prepared, matrix, in_train, times, agency_rows, progress)
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

    def _descriptions(self, train: pd.DataFrame) -> pd.DataFrame:
        """The taxonomy's rows for the topic task, when asked for and ``train`` has topics."""
        if not self.topic_descriptions or task_labels(train, "topic").isna().all():
            return train.iloc[:0]
        topics, texts = zip(*category_descriptions(), strict=True)
        return pd.DataFrame({"text": texts, "topic": topics})

    def _reset(self) -> None:
        """Every fitted attribute, as before the first fit."""
        self.task_params_ = {
            task: {**params, **(self.task_params or {}).get(task, {})}
            for task, params in DEFAULT_TASK_PARAMS.items()
        }
        self.target_precision_ = {**DEFAULT_TARGET_PRECISION, **(self.target_precision or {})}
        self.sentence_weights_ = dict(SENTENCE_FEATURE_WEIGHTS) if self.sentence_features else {}
        """Per task, the weight of the USE sentence embeddings appended to its linear features."""
        self.vectorizer_: ReportVectorizer | None = None
        self.classifiers_: dict[str, CalibratedLinearClassifier] = {}
        self.auto_thresholds_: dict[str, RegionThresholds] = {}
        """Per task, region by region, from which confidence a suggestion is auto-routed."""
        self.urgent_threshold_: float | None = None
        """From which confidence the urgent flag's yes/no is automatic (all regions' labels:
        hand labels are too few to split)."""
        self.regions_ = SourceRegions()
        self.skipped_: dict[str, str] = {}
        self.places_ = PlaceOffices()
        self.catalogue_: Catalogue | None = None
        """The deployment's OPD catalogue the Router was fitted with (None: names as labelled)."""
        self.blend_weight_ = 0.0
        """The deployment-level agency model's share beside the function level."""
        self.blend_scores_: dict[str, float] = {}
        self.agency_sources_ = SourceAgencies()
        """Without a catalogue: each source's agency classes; a suggestion names only those of
        the report's own source (:mod:`models.regions`)."""
        self.opd_history_: dict[str, int] = {}
        """The deployment's labelled reports per OPD: how a function's share is split between
        the OPDs serving it."""
        """Out-of-fold top-1 of the deployment's own rows for each candidate share."""
        self.subtopic_parent_: dict[str, str] = {}
        self.subtopic_threshold_ = 0.5
        self.urgency_tiers_: UrgencyTiers | None = None
        self.urgency_: UrgencyScorer | None = None
        self.urgent_text_: CalibratedLinearClassifier | None = None
        self.encoder_: Any = None
        """The fine-tuned transformer (families encoder and ensemble): an EncoderClassifier,
        typed loosely because its module needs torch."""
        self.ensemble_weights_: dict[str, float] = {}
        """Per task, the linear probabilities' share (1 - the encoder's)."""
        self.training_fingerprints_ = np.zeros(0, dtype=np.uint64)
        """Sorted 64-bit hashes of the training rows' ids and texts (never the texts): what
        :meth:`seen_in_training` compares evaluation rows with."""
        self.version_: str | None = None
        """The registered version this Router was saved as (set by save/load, not by fit)."""

    def _fit_functions(
        self,
        combined: pd.DataFrame,
        prepared: pd.DataFrame,
        matrix: Any,
        in_train: np.ndarray,
        times: np.ndarray,
        agency_rows: np.ndarray,
        progress: Callable[[str], None],
    ) -> None:
        """The function model on every training row whose agency resolves to a function (and
        the taxonomy's own rows); then the deployment-level share of the blend."""
        agency = task_labels(combined, "agency").where(pd.Series(in_train), None)
        allowed = agency_functions(agency, self.catalogue_)
        if FUNCTION_COLUMN in combined:
            described = combined[FUNCTION_COLUMN].tolist()
            allowed = [(d,) if isinstance(d, str) else a for a, d in zip(allowed, described,
                                                                         strict=True)]  # fmt: skip
        rows = np.flatnonzero([bool(options) for options in allowed])
        if len({allowed[i][0] for i in rows if in_train[i]}) < 2:
            return  # fewer than two functions among the real agency labels: nothing to learn
        progress(f"fitting agency functions ({len(rows)} rows)")
        classifier = fit_function_classifier(
            self.task_params_[FUNCTION_TASK],
            matrix[rows],
            [allowed[i] for i in rows],
            times[rows],
        )
        self.classifiers_[FUNCTION_TASK] = classifier
        chosen = {**self.task_params_[FUNCTION_TASK], "class_weight": classifier.class_weight}
        self.task_params_[FUNCTION_TASK] = chosen
        if self.catalogue_ is None or "agency" not in self.classifiers_:
            return
        labels = self.catalogue_.canonical_series(task_labels(combined, "agency"))
        position = {row: i for i, row in enumerate(rows)}
        both = [i for i, row in enumerate(agency_rows) if row in position]
        deployment_rows = agency_rows[both]
        spread = self.catalogue_.spread(
            classifier.classes_,
            classifier.oof_proba_[[position[row] for row in deployment_rows]],
            prepared.iloc[deployment_rows].to_dict("records"),
            self.opd_history_,
        )
        agency = self.classifiers_["agency"]
        own = self._resolve_offices(
            TaskPredictions(agency.classes_, agency.oof_proba_[both]),
            prepared.iloc[deployment_rows].reset_index(drop=True),
        )
        names = self.catalogue_.names()
        truth = np.array([names.index(label) for label in labels.iloc[deployment_rows]])
        self.blend_weight_, self.blend_scores_ = choose_blend_weight(
            spread, onto_catalogue(self.catalogue_, own), truth
        )
        progress(
            f"agency blend: {self.blend_weight_:.1f} deployment-level over "
            f"{len(deployment_rows)} of the deployment's own reports"
        )

    def _fit_subtopic(
        self, train: pd.DataFrame, matrix: Any, progress: Callable[[str], None]
    ) -> None:
        labels = task_labels(train, "subtopic")
        topics = task_labels(train, "topic")
        usable = (labels.notna() & topics.notna()).to_numpy()
        if usable.sum() == 0 or labels[usable].nunique() < 2:
            return
        progress(f"fitting subtopic ({labels[usable].nunique()} labels)")
        pairs = Counter(zip(labels[usable], topics[usable], strict=True))
        for (sub, parent), _ in sorted(pairs.items(), key=lambda item: item[1]):
            self.subtopic_parent_[sub] = parent  # the most frequent parent wins (sorted last)
        self.classifiers_["subtopic"] = CalibratedLinearClassifier(
            **self.task_params_["subtopic"]
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
        """The urgency scorer on every usable row, and its two tiers' thresholds from grouped
        cross-validation on the real (not extra) labelled rows (:mod:`models.urgency_tiers`)."""
        labels = task_labels(combined, "urgent")
        usable = labels.notna().to_numpy() & (in_train | ("urgent" in extra_tasks))
        texts = model_texts(prepared)
        y = labels.to_numpy(dtype=object)
        real = np.flatnonzero(usable & in_train)
        positives = int(y[real].astype(bool).sum())
        if usable.sum() == 0 or labels[usable].nunique() < 2:
            progress("urgency: no labels, using the lexicon's default weighting")
            self.skipped_["urgent"] = "no labels: lexicon only"
            self.urgency_ = UrgencyScorer.lexicon_only()
            why = "no urgency labels"
        else:
            progress(f"fitting urgency ({int(labels[usable].astype(bool).sum())} urgent rows)")
            self.urgent_text_, self.urgency_ = fit_urgency_models(
                self.task_params_["urgent"],
                matrix[usable],
                [texts[i] for i in np.flatnonzero(usable)],
                y[usable].astype(bool),
            )
            why = (
                None
                if positives >= MIN_POSITIVES
                else f"{positives} real labelled urgent reports (cross-validation needs "
                f"{MIN_POSITIVES}; extra rows never choose a threshold)"
            )
        if why is None:
            progress(f"choosing urgency tiers by cross-validation on {len(real)} real labels")
            scores = out_of_fold_urgency(
                self.task_params_["urgent"], matrix, texts, y, real, np.flatnonzero(usable)
            )
            self.urgency_tiers_ = choose_tiers(
                scores,
                y[real].astype(bool),
                self.urgent_target_precision,
                self.urgent_target_recall,
            )
        else:  # the conservative rule, its shares read off the real training rows' scores
            rows = np.flatnonzero(in_train)
            scores = urgency_scores(
                self.urgent_text_, self.urgency_, matrix[rows], [texts[i] for i in rows]
            )
            self.urgency_tiers_ = fallback_tiers(scores, None, self.urgent_target_recall, why)
        progress(f"urgency tiers: {self.urgency_tiers_.reason}")

    def _sentences(
        self, texts: list[str], progress: Callable[[str], None] = lambda step: None
    ) -> np.ndarray | None:
        """Multilingual USE sentence embeddings of the texts, when a task uses them."""
        if not self.sentence_weights_:
            return None
        if self._embedder is None:
            self._embedder = Embeddings(cache_size=1_000)
        progress(f"embedding {len(texts):,} texts with multilingual USE")
        return self._embedder.vectors(texts)

    def _task_matrix(
        self, task: str, matrix: Any, texts: list[str], sentences: np.ndarray | None = None
    ) -> Any:
        """The shared text features, plus intent cues for the channel task and the weighted
        sentence embeddings for the tasks that use them."""
        blocks = [matrix]
        if task == "channel":
            blocks.append(intent_features(texts) * INTENT_WEIGHT)
        weight = self.sentence_weights_.get(task)
        if weight:
            blocks.append(sp.csr_matrix(sentences * weight))
        return matrix if len(blocks) == 1 else sp.hstack(blocks, format="csr")

    def choose_thresholds(self, validation: pd.DataFrame) -> dict[str, RegionThresholds]:
        """Per task and region, the lowest score from which auto-routing provably keeps the
        target precision on that region's own validation reports (and the same per class where
        a class is suggested often enough to judge it alone; :class:`RegionThresholds`); for
        urgency the flag's yes/no decision (its tiers come from cross-validation at fit time);
        the sub-topic shown above 90% precision."""
        validation = validation.reset_index(drop=True)
        predictions = self.predict_tasks(validation)
        regions = self.row_regions(validation)
        for task in SUGGESTED_TASKS:
            if task in predictions:
                self.auto_thresholds_[task] = RegionThresholds.choose(
                    predictions[task],
                    self._suggested_truth(validation, task),
                    regions,
                    self.target_precision_[task],
                )
        truth = task_labels(validation, "urgent").to_numpy(dtype=object)
        mask = labelled(truth)
        if mask.any() and "urgent" in predictions:
            self.urgent_threshold_ = urgency_decision_threshold(
                predictions["urgent"].proba[mask, 1],
                truth[mask].astype(bool),
                self.urgency_tiers_.flag,
                self.target_precision_["urgent"],
            )
        subtopics = task_labels(validation, "subtopic").to_numpy(dtype=object)
        if "subtopic" in predictions and labelled(subtopics).any():
            threshold = precision_threshold(predictions["subtopic"], subtopics, 0.9)
            self.subtopic_threshold_ = threshold if threshold is not None else 1.01
        return self.auto_thresholds_

    def adopt_thresholds(self, tuned: Router) -> Router:
        """Take ``tuned``'s thresholds: a Router refitted on every row, the slice ``tuned``
        chose them on included, has no unseen rows left to choose its own on."""
        self.auto_thresholds_ = dict(tuned.auto_thresholds_)
        self.urgent_threshold_ = tuned.urgent_threshold_
        self.subtopic_threshold_ = tuned.subtopic_threshold_
        return self

    def row_regions(
        self, frame: pd.DataFrame, catalogue: Catalogue | None = None
    ) -> list[str | None]:
        """Each row's region, whose thresholds judge it (:class:`models.regions.SourceRegions`);
        None for every row served with a catalogue of a region the model was not fitted with,
        whose suggestions no validation report has judged."""
        if self.reviews_every_agency(catalogue):
            return [None] * len(frame)
        blank = [None] * len(frame)
        return self.regions_.regions(
            frame[DATASET].tolist() if DATASET in frame else blank,
            frame["regency"].tolist() if "regency" in frame else blank,
        )

    def auto_routed(
        self, task: str, predictions: TaskPredictions, regions: list[str | None]
    ) -> np.ndarray:
        """Which rows' top suggestions for ``task`` are routed automatically."""
        thresholds = self.auto_thresholds_.get(task)
        if thresholds is None:
            return np.zeros(len(predictions.proba), dtype=bool)
        suggested = predictions.classes[predictions.proba.argmax(axis=1)]
        return thresholds.auto(predictions.confidence(), suggested, regions)

    def _suggested_truth(self, frame: pd.DataFrame, task: str) -> np.ndarray:
        """A task's labels as Suggestions name them (agency: the catalogue's names)."""
        labels = task_labels(frame, task)
        if task == "agency" and self.catalogue_ is not None:
            labels = self.catalogue_.canonical_series(labels)
        return labels.to_numpy(dtype=object)

    # --- prediction -------------------------------------------------------------------------

    def predict_tasks(
        self, frame: pd.DataFrame, catalogue: Catalogue | None = None
    ) -> dict[str, TaskPredictions]:
        """Class probabilities of every trained task (own-place offices resolved per row;
        agency over a catalogue's names where there is one, see :meth:`predict_frame`)."""
        return self._predict(prepare_frame(frame.reset_index(drop=True)), catalogue)[0]

    def _predict(
        self, prepared: pd.DataFrame, catalogue: Catalogue | None = None
    ) -> tuple[dict[str, TaskPredictions], list[list[DangerMatch]]]:
        matrix = self.vectorizer_.transform(prepared)
        texts = model_texts(prepared)
        sentences = self._sentences(texts)
        out: dict[str, TaskPredictions] = {}
        for task, classifier in self.classifiers_.items():
            features = self._task_matrix(task, matrix, texts, sentences)
            out[task] = TaskPredictions(
                classifier.classes_, classifier.predict_proba_unchecked(features)
            )
        if self.encoder_ is not None:
            for task, proba in self.encoder_.predict_proba(texts).items():
                weight = self.ensemble_weights_[task]
                mixed = proba if weight == 0 else weight * out[task].proba + (1 - weight) * proba
                out[task] = TaskPredictions(out[task].classes, mixed)
        if "agency" in out and self.places_.prefixes:
            out["agency"] = self._resolve_offices(out["agency"], prepared)
        catalogue = catalogue or self.catalogue_
        if catalogue is not None and FUNCTION_TASK in out:
            out["agency"] = self._catalogue_agency(catalogue, out, prepared)
        elif catalogue is None and "agency" in out:
            out["agency"] = self.agency_sources_.restrict(out["agency"], self.row_regions(prepared))
        matches = [find_dangers(t) for t in texts] if self.urgency_ is not None else []
        if self.urgency_ is not None:
            scores = urgency_scores(self.urgent_text_, self.urgency_, matrix, texts, matches)
            out["urgent"] = TaskPredictions(
                np.array([False, True]), np.column_stack([1 - scores, scores])
            )
        return out, matches

    def _catalogue_agency(
        self, catalogue: Catalogue, out: dict[str, TaskPredictions], prepared: pd.DataFrame
    ) -> TaskPredictions:
        """Agency over the catalogue's names: the function level spread over its OPDs, blended
        with the deployment-level model where the catalogue is the deployment's own (the one
        fitted with, or an edited version of it: the same region)."""
        function = out[FUNCTION_TASK]
        own = self.catalogue_ is not None and catalogue.region == self.catalogue_.region
        history = self.opd_history_ if own else None
        rows = prepared.to_dict("records")
        spread = catalogue.spread(function.classes, function.proba, rows, history)
        deployment = onto_catalogue(catalogue, out["agency"]) if own and "agency" in out else None
        mixed = blend(spread, deployment, self.blend_weight_)
        return TaskPredictions(np.array(catalogue.names(), dtype=object), mixed)

    def _resolve_offices(self, agency: TaskPredictions, prepared: pd.DataFrame) -> TaskPredictions:
        own_office = self.places_.generic_labels()
        generic = [i for i, c in enumerate(agency.classes) if c in own_office]
        labels = np.tile(agency.classes.astype(object), (len(prepared), 1))
        rows = prepared[["district", "village"]].to_dict("records")
        for column in generic:
            label = agency.classes[column]
            labels[:, column] = [self.places_.decode(label, row) for row in rows]
        return TaskPredictions(agency.classes, agency.proba, labels)

    def predict_frame(
        self, frame: pd.DataFrame, catalogue: Catalogue | None = None
    ) -> list[Suggestion]:
        """One Suggestion per row of a report frame. Agency names come from ``catalogue`` (a
        deployment's, e.g. one the model never saw: the function level alone), else from the
        catalogue fitted with, else from the training labels."""
        prepared = prepare_frame(frame.reset_index(drop=True))
        catalogue = catalogue or self.catalogue_
        predictions, matches = self._predict(prepared, catalogue)
        regions = self.row_regions(prepared, catalogue)
        answers = {
            task: task_answers(
                predictions[task],
                self.auto_routed(task, predictions[task], regions),
                TopicSuggestion if task == "topic" else TaskSuggestion,
            )
            for task in SUGGESTED_TASKS
            if task in predictions
        }
        if "topic" in answers and "subtopic" in predictions:
            add_subtopics(
                answers["topic"],
                predictions["subtopic"],
                self.subtopic_threshold_,
                self.subtopic_parent_,
            )
        urgent = (
            urgency_answers(
                predictions["urgent"], matches, self.urgency_tiers_, self.urgent_threshold_
            )
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
                supervision=answers["supervision"][row] if "supervision" in answers else None,
                urgent=urgent[row] if urgent is not None else None,
                duplicates=[],
                model_version=self.version_,
            )
            for row in range(len(prepared))
        ]

    def predict(
        self, reports: list[Report], catalogue: Catalogue | None = None
    ) -> list[Suggestion]:
        """One Suggestion per (masked) Report (``catalogue``: see :meth:`predict_frame`)."""
        frame = pd.DataFrame([r.model_dump(include=set(MODEL_INPUT_FIELDS)) for r in reports])
        return self.predict_frame(frame, catalogue)

    def seen_in_training(self, frame: pd.DataFrame) -> np.ndarray:
        """Which rows of ``frame`` the model was trained on: the same id or the same text."""
        self._check_fitted()
        prepared = prepare_frame(frame.reset_index(drop=True))
        ids, texts = row_hashes(prepared)
        known = self.training_fingerprints_
        return np.isin(ids, known) | np.isin(texts, known)

    def reviews_every_agency(self, catalogue: Catalogue | None) -> bool:
        """Whether every suggestion over ``catalogue`` is reviewed: a catalogue of another
        region than the one fitted with, whose reports and names no threshold was chosen on
        (cold start)."""
        return catalogue is not None and (
            self.catalogue_ is None or catalogue.region != self.catalogue_.region
        )

    def known_agencies(self, catalogue: Catalogue | None = None) -> list[str]:
        """Every concrete agency the model can suggest (own-place offices spelled out): the list
        staff pick an override from (the names of ``catalogue``, else of the catalogue fitted
        with, where there is one)."""
        if (catalogue := catalogue or self.catalogue_) is not None:
            return sorted(catalogue.names())
        generic = self.places_.generic_labels()
        classes = self.labels.get("agency", [])
        return sorted({c for c in classes if c not in generic} | self.places_.office_names())

    @property
    def labels(self) -> dict[str, list[str]]:
        """Every task's label set (generic own-office classes included)."""
        out = {task: [str(c) for c in clf.classes_] for task, clf in self.classifiers_.items()}
        if self.urgency_ is not None:
            out["urgent"] = ["False", "True"]
        return out
