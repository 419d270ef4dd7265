"""The Router's urgency task as one fitted model: the text model and the lexicon scorer stacked
on it give each report a score, the tiers (chosen by cross-validation at fit time,
:mod:`models.urgency_tiers`) name it, and the decision threshold (chosen on validation by
:mod:`models.calibration`) says when the flag's yes/no is automatic."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from models.linear import CalibratedLinearClassifier
from models.urgency import DangerMatch, UrgencyScorer
from models.urgency_tiers import UrgencyTiers


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


@dataclass(frozen=True)
class UrgencyModel:
    """The fitted urgency task: ``text_model`` (None: the lexicon alone), ``scorer``, ``tiers``
    and ``threshold`` (None until chosen on validation: every flag reviewed)."""

    text_model: CalibratedLinearClassifier | None
    scorer: UrgencyScorer
    tiers: UrgencyTiers
    threshold: float | None = None

    def scores(
        self, matrix: Any, texts: list[str], matches: list[list[DangerMatch]] | None = None
    ) -> np.ndarray:
        """Each report's urgency score, from the Router's shared features and its texts."""
        return urgency_scores(self.text_model, self.scorer, matrix, texts, matches)
