"""Fitting the urgency task (:class:`models.urgency_model.UrgencyModel`): a text model and the
lexicon scorer stacked on its out-of-fold probability, and the out-of-fold scores of the real
labelled reports that choose the tiers (:mod:`models.urgency_tiers`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold

from models.linear import CalibratedLinearClassifier
from models.urgency import UrgencyScorer
from models.urgency_model import UrgencyModel, urgency_scores
from models.urgency_tiers import MIN_POSITIVES, choose_tiers, fallback_tiers

URGENCY_FOLDS, URGENCY_FOLD_SEED = 5, 0
"""Cross-validation that chooses the urgency tiers (grouped by text, stratified)."""


def fit_urgency_models(
    params: dict[str, Any], matrix: Any, texts: list[str], y: np.ndarray
) -> tuple[CalibratedLinearClassifier, UrgencyScorer]:
    """The text model (``params``) and the lexicon scorer stacked on its out-of-fold
    probability."""
    text_model = CalibratedLinearClassifier(**params).fit(matrix, y)
    features = UrgencyScorer.features(texts, text_model.oof_proba_[:, 1])
    return text_model, UrgencyScorer(class_weight=None).fit(features, y)


def out_of_fold_urgency(
    params: dict[str, Any],
    matrix: Any,
    texts: list[str],
    y: np.ndarray,
    real: np.ndarray,
    usable: np.ndarray,
) -> np.ndarray:
    """Out-of-fold urgency scores of the ``real`` rows: each fold trains on every other
    ``usable`` row (extra rows always train, never score); repeats of one text share a fold."""
    truth = y[real].astype(bool)
    folds = min(URGENCY_FOLDS, int(truth.sum()), int((~truth).sum()))
    if folds < 2:
        return np.zeros(len(real))
    groups = pd.factorize(pd.Series([" ".join(texts[i].lower().split()) for i in real]))[0]
    splitter = StratifiedGroupKFold(folds, shuffle=True, random_state=URGENCY_FOLD_SEED)
    scores = np.zeros(len(real))
    for _, held_out in splitter.split(real, truth, groups):
        held = real[held_out]
        fit_rows = np.setdiff1d(usable, held)
        text_model, scorer = fit_urgency_models(
            params, matrix[fit_rows], [texts[i] for i in fit_rows], y[fit_rows].astype(bool)
        )
        scores[held_out] = urgency_scores(
            text_model, scorer, matrix[held], [texts[i] for i in held]
        )
    return scores


@dataclass
class UrgencyFit:
    """The fitted urgency task, and why a task-level fit was skipped (None: it was not)."""

    model: UrgencyModel
    skipped: str | None = None


def fit_urgency(
    params: dict[str, Any],
    labels: pd.Series,
    texts: list[str],
    matrix: Any,
    in_train: np.ndarray,
    with_extra: bool,
    target_precision: float,
    target_recall: float,
    progress: Callable[[str], None],
) -> UrgencyFit:
    """The urgency scorer on every usable row (the extra rows too when ``with_extra``), and its
    two tiers' thresholds from grouped cross-validation on the real labelled rows
    (:mod:`models.urgency_tiers`); with too few real urgent reports, the conservative rule."""
    usable = labels.notna().to_numpy() & (in_train | with_extra)
    y = labels.to_numpy(dtype=object)
    real = np.flatnonzero(usable & in_train)
    positives = int(y[real].astype(bool).sum())
    skipped = None
    if usable.sum() == 0 or labels[usable].nunique() < 2:
        progress("urgency: no labels, using the lexicon's default weighting")
        text_model, scorer = None, UrgencyScorer.lexicon_only()
        skipped, why = "no labels: lexicon only", "no urgency labels"
    else:
        progress(f"fitting urgency ({int(labels[usable].astype(bool).sum())} urgent rows)")
        text_model, scorer = fit_urgency_models(
            params, matrix[usable], [texts[i] for i in np.flatnonzero(usable)],
            y[usable].astype(bool),
        )  # fmt: skip
        why = (
            None
            if positives >= MIN_POSITIVES
            else f"{positives} real labelled urgent reports (cross-validation needs "
            f"{MIN_POSITIVES}; extra rows never choose a threshold)"
        )
    if why is None:
        progress(f"choosing urgency tiers by cross-validation on {len(real)} real labels")
        scores = out_of_fold_urgency(params, matrix, texts, y, real, np.flatnonzero(usable))
        tiers = choose_tiers(scores, y[real].astype(bool), target_precision, target_recall)
    else:  # the conservative rule, its shares read off the real training rows' scores
        rows = np.flatnonzero(in_train)
        scores = urgency_scores(text_model, scorer, matrix[rows], [texts[i] for i in rows])
        tiers = fallback_tiers(scores, None, target_recall, why)
    progress(f"urgency tiers: {tiers.reason}")
    return UrgencyFit(UrgencyModel(text_model, scorer, tiers), skipped)
