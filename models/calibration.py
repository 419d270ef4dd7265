"""Choosing the Router's thresholds: a step of its own after fitting (as scikit-learn's
``TunedThresholdClassifierCV`` separates it), on reports the models never learned from. Per task
and region, the lowest score from which auto-routing provably keeps the target precision on that
region's own validation reports (and the same per class where a class is suggested often enough
to judge it alone; :class:`models.thresholds.RegionThresholds`); for urgency the flag's yes/no
decision (its tiers come from cross-validation at fit time); the sub-topic shown above 90%
precision."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from core.schema import DATASET, SUGGESTED_TASKS
from models.catalogue import Catalogue
from models.predictions import TaskPredictions
from models.task_fitting import task_labels
from models.thresholds import (
    RegionThresholds,
    labelled,
    precision_threshold,
    urgency_decision_threshold,
)

if TYPE_CHECKING:
    from models.router import Router

SUBTOPIC_PRECISION = 0.9
NEVER = 1.01
"""A threshold no probability reaches: the sub-topic is never shown."""


def calibrate(router: Router, validation: pd.DataFrame) -> Router:
    """Choose every threshold of a fitted ``router`` on ``validation``; returns the router."""
    validation = validation.reset_index(drop=True)
    predictions = router.predict_tasks(validation)
    regions = row_regions(router, validation)
    for task in SUGGESTED_TASKS:
        if task in predictions:
            router.auto_thresholds_[task] = RegionThresholds.choose(
                predictions[task],
                suggested_truth(router, validation, task),
                regions,
                router.target_precision_[task],
            )
    truth = task_labels(validation, "urgent").to_numpy(dtype=object)
    mask = labelled(truth)
    if mask.any() and "urgent" in predictions and router.urgency_ is not None:
        threshold = urgency_decision_threshold(
            predictions["urgent"].proba[mask, 1],
            truth[mask].astype(bool),
            router.urgency_.tiers.flag,
            router.target_precision_["urgent"],
        )
        router.urgency_ = replace(router.urgency_, threshold=threshold)
    subtopics = task_labels(validation, "subtopic").to_numpy(dtype=object)
    if router.subtopic_ is not None and labelled(subtopics).any():
        threshold = precision_threshold(predictions["subtopic"], subtopics, SUBTOPIC_PRECISION)
        router.subtopic_ = replace(
            router.subtopic_, threshold=threshold if threshold is not None else NEVER
        )
    return router


def adopt_thresholds(router: Router, tuned: Router) -> Router:
    """Give ``router`` the thresholds of ``tuned``: a Router refitted on every row, the slice
    ``tuned`` chose them on included, has no unseen rows left to choose its own on."""
    router.auto_thresholds_ = dict(tuned.auto_thresholds_)
    if router.urgency_ is not None:
        threshold = tuned.urgency_.threshold if tuned.urgency_ is not None else None
        router.urgency_ = replace(router.urgency_, threshold=threshold)
    if router.subtopic_ is not None and tuned.subtopic_ is not None:
        router.subtopic_ = replace(router.subtopic_, threshold=tuned.subtopic_.threshold)
    return router


def suggested_truth(router: Router, frame: pd.DataFrame, task: str) -> np.ndarray:
    """A task's labels as the router's Suggestions name them (agency: its catalogue's names)."""
    labels = task_labels(frame, task)
    if task == "agency" and router.catalogue_ is not None:
        labels = router.catalogue_.canonical_series(labels)
    return labels.to_numpy(dtype=object)


def reviews_every_agency(router: Router, catalogue: Catalogue | None) -> bool:
    """Whether every suggestion over ``catalogue`` is reviewed: a catalogue of another region
    than the one ``router`` was fitted with, whose reports and names no threshold was chosen on
    (cold start)."""
    fitted_with = router.catalogue_
    return catalogue is not None and (fitted_with is None or catalogue.region != fitted_with.region)


def row_regions(
    router: Router, frame: pd.DataFrame, catalogue: Catalogue | None = None
) -> list[str | None]:
    """Each row's region, whose thresholds judge it (:class:`models.regions.SourceRegions`);
    None for every row served with a catalogue of a region the model was not fitted with,
    whose suggestions no validation report has judged."""
    blank = [None] * len(frame)
    if reviews_every_agency(router, catalogue):
        return blank
    return router.regions_.regions(
        frame[DATASET].tolist() if DATASET in frame else blank,
        frame["regency"].tolist() if "regency" in frame else blank,
    )


def auto_routed(
    router: Router, task: str, predictions: TaskPredictions, regions: list[str | None]
) -> np.ndarray:
    """Which rows' top suggestions for ``task`` are routed automatically."""
    thresholds = router.auto_thresholds_.get(task)
    if thresholds is None:
        return np.zeros(len(predictions.proba), dtype=bool)
    suggested = predictions.classes[predictions.proba.argmax(axis=1)]
    return thresholds.auto(predictions.confidence(), suggested, regions)
