"""The Router's prediction: every task's probabilities for a batch of prepared reports, and
the Suggestions built from them (auto or review per task and region, sub-topic, urgency tier).
Functions of a fitted Router, which keeps no state of a prediction."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn import config_context

from core.schema import SUGGESTED_TASKS
from core.suggestion import Suggestion, TaskSuggestion, TopicSuggestion
from models.answers import task_answers, urgency_answers
from models.calibration import auto_routed, row_regions
from models.catalogue import Catalogue
from models.linear import model_texts
from models.opd_routing import FUNCTION_TASK
from models.predictions import TaskPredictions
from models.router_agency import catalogue_agency, resolve_offices
from models.router_training import task_features
from models.urgency import DangerMatch, find_dangers

if TYPE_CHECKING:
    from models.router import Router


def task_probabilities(
    router: Router, prepared: pd.DataFrame, catalogue: Catalogue | None = None
) -> tuple[dict[str, TaskPredictions], list[list[DangerMatch]]]:
    """Every trained task's class probabilities for the prepared rows (the linear and encoder
    families mixed; agency resolved to concrete OPDs of the catalogue, or of the row's own
    source), and the danger phrases found in each text. Skips scikit-learn's checks of
    parameters and finiteness: the estimators and their inputs are the Router's own, and the
    checks cost a millisecond of a one-report request."""
    with config_context(assume_finite=True, skip_parameter_validation=True):
        return _task_probabilities(router, prepared, catalogue)


def _task_probabilities(
    router: Router, prepared: pd.DataFrame, catalogue: Catalogue | None
) -> tuple[dict[str, TaskPredictions], list[list[DangerMatch]]]:
    matrix = router.vectorizer_.transform(prepared)
    texts = model_texts(prepared)
    sentences = router.sentence_vectors(texts)
    out: dict[str, TaskPredictions] = {}
    for task, classifier in router.classifiers_.items():
        features = task_features(task, matrix, texts, sentences, router.sentence_weights_)
        out[task] = TaskPredictions(
            classifier.classes_, classifier.predict_proba_unchecked(features)
        )
    if router.subtopic_ is not None:
        out["subtopic"] = router.subtopic_.predictions(matrix)
    if router.encoder_ is not None:
        out |= router.encoder_.mixed(out, texts)
    agency = router.agency_
    if "agency" in out and agency.places.prefixes:
        out["agency"] = resolve_offices(agency.places, out["agency"], prepared)
    catalogue = router.serving_catalogue(catalogue)
    if catalogue is not None and FUNCTION_TASK in out:
        out["agency"] = catalogue_agency(
            catalogue, router.catalogue_, out, prepared, agency.opd_history, agency.blend_weight
        )
    elif catalogue is None and "agency" in out:
        out["agency"] = agency.sources.restrict(out["agency"], row_regions(router, prepared))
    matches = [find_dangers(t) for t in texts] if router.urgency_ is not None else []
    if router.urgency_ is not None:
        scores = router.urgency_.scores(matrix, texts, matches)
        out["urgent"] = TaskPredictions(
            np.array([False, True]), np.column_stack([1 - scores, scores])
        )
    return out, matches


def suggestions(
    router: Router, prepared: pd.DataFrame, catalogue: Catalogue | None = None
) -> list[Suggestion]:
    """One Suggestion per prepared row (``catalogue``: see :meth:`Router.predict_frame`)."""
    catalogue = router.serving_catalogue(catalogue)
    predictions, matches = task_probabilities(router, prepared, catalogue)
    regions = row_regions(router, prepared, catalogue)
    answers = {
        task: task_answers(
            predictions[task],
            auto_routed(router, task, predictions[task], regions),
            TopicSuggestion if task == "topic" else TaskSuggestion,
        )
        for task in SUGGESTED_TASKS
        if task in predictions
    }
    if "topic" in answers and router.subtopic_ is not None:
        router.subtopic_.add_to(answers["topic"], predictions["subtopic"])
    urgent = (
        urgency_answers(predictions["urgent"], matches, router.urgency_)
        if "urgent" in predictions and router.urgency_ is not None
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
            model_version=router.version_,
        )
        for row in range(len(prepared))
    ]
