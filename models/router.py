"""The Router: every task together (channel, topic + sub-topic, agency, urgency), one
Suggestion per report.

It owns the preprocessing every caller shares: the text of each (masked) report is featurised
once, and each task's classifier reads the same matrix. Own-place offices are learned as one
class and resolved from the report's place (:mod:`models.places`); with a deployment's
catalogue, agency is also learned at the level of OPD functions (:mod:`models.opd_routing`).
Each part has a module: text tasks (``router_training``), agency levels (``router_agency``),
urgency (``urgency_fitting``), the encoder families (``router_encoder``), thresholds
(``calibration``), prediction (``router_prediction``), saving and loading (``router_folder``).
The deployment's catalogue is passed at prediction time. It follows scikit-learn's estimator
contract: ``__init__`` stores hyperparameters verbatim, ``fit`` rebuilds every fitted attribute
(names ending in ``_``) and returns self.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from core.schema import Report
from core.suggestion import Suggestion
from models.calibration import calibrate
from models.catalogue import Catalogue
from models.duplicates.embeddings import Embeddings
from models.encoder.config import EncoderConfig
from models.frames import fingerprints, prepare_frame, prepare_reports, row_hashes
from models.linear import CalibratedLinearClassifier, ReportVectorizer
from models.opd_routing import FUNCTION_TASK
from models.predictions import TaskPredictions
from models.regions import SourceRegions
from models.router_agency import AgencyRouting, fit_function_level
from models.router_defaults import (
    DEFAULT_TARGET_PRECISION,
    DEFAULT_TASK_PARAMS,
    FAMILIES,
    SENTENCE_FEATURE_WEIGHTS,
)
from models.router_encoder import EncoderPart, fit_encoder
from models.router_prediction import suggestions, task_probabilities
from models.router_training import fit_text_tasks, training_rows
from models.subtopic_model import SubtopicModel, fit_subtopic
from models.task_fitting import task_labels, tasks_taking_extras
from models.thresholds import RegionThresholds
from models.urgency_fitting import fit_urgency
from models.urgency_model import UrgencyModel


class Router(BaseEstimator):
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
            extra_tasks = tasks_taking_extras(train, extra_tasks, progress)
        progress("featurising text")
        rows = training_rows(
            train,
            extra,
            self.vectorizer_params or {},
            self.topic_descriptions,
            lambda texts: self.sentence_vectors(texts, progress),
        )
        self.vectorizer_ = rows.vectorizer
        self.training_fingerprints_ = fingerprints(rows.prepared[rows.in_train])
        tasks = fit_text_tasks(
            rows, self.task_params_, extra_tasks, self.sentence_weights_, catalogue, progress
        )
        self.classifiers_, self.skipped_, agency = tasks.classifiers, tasks.skipped, tasks.agency
        self.agency_ = AgencyRouting(agency.places, agency.sources, agency.opd_history)
        real = rows.in_train & ~rows.describes
        self.regions_ = SourceRegions.fit(
            [source for source, keep in zip(rows.sources, real, strict=True) if keep],
            rows.prepared["regency"][real].tolist(),
            catalogue.region if catalogue is not None else None,
            agency.deployment_sources,
        )
        agency_model = self.classifiers_.get("agency")
        level = fit_function_level(
            self.task_params_[FUNCTION_TASK], rows, agency, catalogue,
            (agency_model, tasks.agency_rows) if agency_model is not None else None, progress,
        )  # fmt: skip
        if level is not None:
            self.classifiers_[FUNCTION_TASK] = level.classifier
            tasks.class_weights[FUNCTION_TASK] = level.classifier.class_weight
            self.agency_ = replace(
                self.agency_, blend_weight=level.blend_weight, blend_scores=level.blend_scores
            )
        for task, weight in tasks.class_weights.items():
            self.task_params_[task] = {**self.task_params_[task], "class_weight": weight}
        self.subtopic_ = fit_subtopic(
            self.task_params_["subtopic"], train, rows.matrix[rows.in_train], progress
        )
        urgency = fit_urgency(
            self.task_params_["urgent"], task_labels(rows.combined, "urgent"), rows.texts,
            rows.matrix, rows.in_train, "urgent" in extra_tasks, self.urgent_target_precision,
            self.urgent_target_recall, progress,
        )  # fmt: skip
        self.urgency_ = urgency.model
        if urgency.skipped:
            self.skipped_["urgent"] = urgency.skipped
        if self.family != "linear":
            # the encoder learns from the real rows only: at ~0.1 s a text per epoch on two
            # cores, the synthetic extras (channel/urgency cues the linear family already
            # takes) would more than double its training time
            self.encoder_ = fit_encoder(
                self,
                [t for t, keep in zip(rows.texts, rows.in_train, strict=True) if keep],
                {task: labels[rows.in_train] for task, labels in tasks.encoder_labels.items()},
                validation,
                progress,
            )
        if validation is not None and len(validation):
            progress("choosing thresholds on validation")
            calibrate(self, validation)
        return self

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
        self.regions_ = SourceRegions()
        self.skipped_: dict[str, str] = {}
        self.catalogue_: Catalogue | None = None
        """The deployment's OPD catalogue the Router was fitted with (None: names as labelled)."""
        self.agency_ = AgencyRouting()
        """The agency task's own-place offices, sources, OPD history and blend."""
        self.subtopic_: SubtopicModel | None = None
        """The sub-topic task: its classifier, each sub-topic's topic and the threshold."""
        self.urgency_: UrgencyModel | None = None
        """The urgency task: its score, tiers and decision threshold."""
        self.encoder_: EncoderPart | None = None
        """The fine-tuned transformer and its share per task (families encoder and ensemble)."""
        self.training_fingerprints_ = np.zeros(0, dtype=np.uint64)
        """Sorted 64-bit hashes of the training rows' ids and texts (never the texts): what
        :meth:`seen_in_training` compares evaluation rows with."""
        self.version_: str | None = None
        """The registered version (attached by :meth:`load`, never by fit or save)."""

    def sentence_vectors(
        self, texts: list[str], progress: Callable[[str], None] = lambda step: None
    ) -> np.ndarray | None:
        """Multilingual USE sentence embeddings of the texts, when a task uses them."""
        if not self.sentence_weights_:
            return None
        if self._embedder is None:
            self._embedder = Embeddings(cache_size=1_000)
        progress(f"embedding {len(texts):,} texts with multilingual USE")
        return self._embedder.vectors(texts)

    # --- prediction -------------------------------------------------------------------------

    def predict_tasks(
        self, frame: pd.DataFrame, catalogue: Catalogue | None = None
    ) -> dict[str, TaskPredictions]:
        """Class probabilities of every trained task (own-place offices resolved per row;
        agency over a catalogue's names where there is one, see :meth:`predict_frame`)."""
        return task_probabilities(self, prepare_frame(frame.reset_index(drop=True)), catalogue)[0]

    def predict_frame(
        self, frame: pd.DataFrame, catalogue: Catalogue | None = None
    ) -> list[Suggestion]:
        """One Suggestion per row of a report frame. Agency names come from ``catalogue`` (a
        deployment's, e.g. one the model never saw: the function level alone), else from the
        catalogue fitted with, else from the training labels."""
        return suggestions(self, prepare_frame(frame.reset_index(drop=True)), catalogue)

    def predict(
        self, reports: list[Report], catalogue: Catalogue | None = None
    ) -> list[Suggestion]:
        """One Suggestion per (masked) Report (``catalogue``: see :meth:`predict_frame`)."""
        return suggestions(self, prepare_reports(reports), catalogue)

    def seen_in_training(self, frame: pd.DataFrame) -> np.ndarray:
        """Which rows of ``frame`` the model was trained on: the same id or the same text."""
        self.check_fitted()
        prepared = prepare_frame(frame.reset_index(drop=True))
        ids, texts = row_hashes(prepared)
        known = self.training_fingerprints_
        return np.isin(ids, known) | np.isin(texts, known)

    def serving_catalogue(self, catalogue: Catalogue | None = None) -> Catalogue | None:
        """The catalogue suggestions name agencies from: ``catalogue`` (the deployment's, as
        edited since training, or one the model never saw), else the one fitted with."""
        return catalogue or self.catalogue_

    def known_agencies(self, catalogue: Catalogue | None = None) -> list[str]:
        """Every concrete agency the model can suggest (own-place offices spelled out): the list
        staff pick an override from (the names of the serving catalogue, where there is one)."""
        if (catalogue := self.serving_catalogue(catalogue)) is not None:
            return sorted(catalogue.names())
        places = self.agency_.places
        classes = self.labels.get("agency", [])
        return sorted({c for c in classes if c not in places.generic_labels()}
                      | places.office_names())  # fmt: skip

    def check_fitted(self) -> None:
        """NotFittedError unless ``fit`` has run (saving and comparing need a fitted Router)."""
        if self.__dict__.get("vectorizer_") is None:
            raise NotFittedError("this Router is not fitted yet: call fit first")

    @property
    def labels(self) -> dict[str, list[str]]:
        """Every task's label set (generic own-office classes included)."""
        out = {task: [str(c) for c in clf.classes_] for task, clf in self.classifiers_.items()}
        if self.subtopic_ is not None:
            out["subtopic"] = [str(c) for c in self.subtopic_.classifier.classes_]
        if self.urgency_ is not None:
            out["urgent"] = ["False", "True"]
        return out
