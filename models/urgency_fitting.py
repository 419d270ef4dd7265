"""Fitting the urgency score: a text model and the lexicon scorer stacked on its out-of-fold
probability, and the out-of-fold scores of the real labelled reports that choose the tiers
(:mod:`models.urgency_tiers`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedGroupKFold

from models.linear import CalibratedLinearClassifier
from models.urgency import DangerMatch, UrgencyScorer

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


def urgency_scores(
    text_model: CalibratedLinearClassifier | None,
    scorer: UrgencyScorer,
    matrix: Any,
    texts: list[str],
    matches: list[list[DangerMatch]] | None = None,
) -> np.ndarray:
    """The urgency score of each text (``matches``: its danger phrases, if already found)."""
    text_proba = text_model.predict_proba_unchecked(matrix)[:, 1] if text_model else None
    return scorer.predict_proba_unchecked(UrgencyScorer.features(texts, text_proba, matches))[:, 1]


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
