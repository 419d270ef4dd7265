"""The calibrated pair scorer: a cheap first stage, USE embeddings when it is unsure."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from core.text import normalize
from models.duplicates.embeddings import Embeddings
from models.duplicates.features import (
    CHEAP_FEATURES,
    COLUMN,
    FEATURES,
    WINDOW_DAYS,
    Entry,
    address_features,
    signature,
    trigrams,
)
from models.persistence import read_folder, write_folder

TFIDF_CACHE_SIZE = 50_000
"""TF-IDF rows kept for texts seen recently (the rows of one request never leave early)."""


class PairScorer:
    """Calibrated probability that two reports are about the same specific problem."""

    feature_names_: tuple[str, ...]
    """The columns of :data:`FEATURES` the stages learnt from (set by :meth:`fit`)."""

    def __init__(self, unsure: tuple[float, float] = (0.35, 0.65), C: float = 1.0) -> None:
        """``unsure``: stage-1 probabilities between these get the embedding stage. Measured on
        the real pairs (mean cross-validated F1 over eight fold seeds), (0.35, 0.65) scores the
        same as (0.25, 0.75) and (0.1, 0.9), with fewer embedding calls: they are most of a cold
        query's time."""
        self.unsure = unsure
        self.C = C

    @property
    def _cheap_columns(self) -> np.ndarray:
        return np.array([COLUMN[n] for n in self.feature_names_ if n in CHEAP_FEATURES])

    @property
    def _all_columns(self) -> np.ndarray:
        return np.array([COLUMN[n] for n in self.feature_names_])

    def fit(
        self,
        texts: list[str],
        pairs: list[tuple[Entry, Entry]],
        y: np.ndarray,
        embedder: Embeddings | None = None,
    ) -> PairScorer:
        """Fit the TF-IDF space on ``texts``, both stages on labelled pairs, and the threshold
        that maximises out-of-fold F1."""
        self.feature_names_ = FEATURES
        self.tfidf_ = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        self.tfidf_.fit([normalize(t) for t in texts])
        y = np.asarray(y, dtype=int)
        features = self.features(pairs, with_embeddings=True, embedder=embedder)
        out_of_fold = np.zeros(len(y))
        folds = StratifiedKFold(5, shuffle=True, random_state=0)
        for train, test in folds.split(features, y):
            stage_a, stage_b = self._fit_stages(features[train], y[train])
            out_of_fold[test] = self._combine(features[test], stage_a, stage_b)
        self.stage_a_, self.stage_b_ = self._fit_stages(features, y)
        self.threshold_ = best_f1_threshold(out_of_fold, y)
        self.oof_proba_ = out_of_fold
        return self

    def _fit_stages(self, features: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
        cheap = features[:, self._cheap_columns]
        stage_a = LogisticRegression(C=self.C, max_iter=3000).fit(cheap, y)
        # linear over engineered interactions (text x same place, identical but vague): boosted
        # trees gain ~1 point of F1 on the real pairs but over-trust synthetic quirks
        stage_b = LogisticRegression(C=self.C, max_iter=3000).fit(features[:, self._all_columns], y)
        return stage_a, stage_b

    def _combine(self, features: np.ndarray, stage_a: Any, stage_b: Any) -> np.ndarray:
        proba = stage_a.predict_proba(features[:, self._cheap_columns])[:, 1]
        unsure = (proba > self.unsure[0]) & (proba < self.unsure[1])
        if unsure.any():
            proba[unsure] = stage_b.predict_proba(features[unsure][:, self._all_columns])[:, 1]
        return proba

    def features(
        self,
        pairs: list[tuple[Entry, Entry]],
        with_embeddings: bool = False,
        jaccard: np.ndarray | None = None,
        embedder: Embeddings | None = None,
    ) -> np.ndarray:
        """One row of :data:`FEATURES` per pair (embedding columns zero unless requested)."""
        matrix = np.zeros((len(pairs), len(FEATURES)))
        if pairs:
            self._cheap_features(pairs, matrix, jaccard)
            if with_embeddings:
                self._embedding_features(pairs, matrix, np.arange(len(pairs)), embedder)
        return matrix

    def _cheap_features(
        self, pairs: list[tuple[Entry, Entry]], matrix: np.ndarray, jaccard: np.ndarray | None
    ) -> None:
        left = self._tfidf([a.text for a, _ in pairs])
        right = self._tfidf([b.text for _, b in pairs])
        text = np.asarray(left.multiply(right).sum(axis=1)).ravel()
        matrix[:, COLUMN["tfidf_cosine"]] = text
        for row, (a, b) in enumerate(pairs):
            same_village = bool(a.village and a.village == b.village)
            same_district = bool(a.district and a.district == b.district)
            ta, tb = trigrams(a.address), trigrams(b.address)
            gap = abs(a.day - b.day)
            words_a, words_b = len(a.text.split()), len(b.text.split())
            words = min(words_a, words_b)
            numbers_known = bool(a.numbers and b.numbers)
            address = address_features(a, b)
            values = {
                "minhash_jaccard": jaccard[row]
                if jaccard is not None
                else float(np.mean(signature(a.text) == signature(b.text))),
                "same_village": same_village,
                "other_village": bool(a.village and b.village and a.village != b.village),
                "same_district": same_district,
                "other_district": bool(a.district and b.district and a.district != b.district),
                "address_similarity": len(ta & tb) / len(ta | tb) if ta and tb else 0.0,
                "log_days_apart": np.log1p(gap) if gap == gap else np.log1p(WINDOW_DAYS),
                "same_agency": 0.5 if not (a.agency and b.agency) else a.agency == b.agency,
                "same_topic": 0.5 if not (a.topic and b.topic) else a.topic == b.topic,
                "text_x_same_place": text[row] * (same_village or same_district),
                "log_words": np.log1p(words),
                "identical_short": (text[row] > 0.98) / (1.0 + np.log1p(words)),
                "number_overlap": len(a.numbers & b.numbers) / len(a.numbers | b.numbers)
                if numbers_known
                else 0.0,
                "numbers_known": numbers_known,
                "identical_raw_text": a.raw_hash == b.raw_hash,
                **address,
                "length_ratio": words / max(words_a, words_b, 1),
                "text_x_house_number_differs": text[row] * address["house_number_differs"],
                "text_x_same_address": text[row] * address["same_address"],
                "text_x_address_missing": text[row] * address["address_missing"],
            }
            for name, value in values.items():
                matrix[row, COLUMN[name]] = value

    @staticmethod
    def _embedding_features(
        pairs: list[tuple[Entry, Entry]],
        matrix: np.ndarray,
        rows: np.ndarray,
        embedder: Embeddings | None,
    ) -> None:
        cosines = (embedder or Embeddings()).cosines([pairs[i] for i in rows])
        matrix[rows, COLUMN["embedding_cosine"]] = cosines
        same_place = np.maximum(
            matrix[rows, COLUMN["same_village"]], matrix[rows, COLUMN["same_district"]]
        )
        matrix[rows, COLUMN["embedding_x_same_place"]] = cosines * same_place

    def _tfidf(self, texts: list[str]) -> Any:
        """TF-IDF rows of texts, each text analysed once and kept in a bounded cache (the same
        recent reports are candidates again and again)."""
        cache = self.__dict__.setdefault("_tfidf_cache", OrderedDict())
        rows = {t: cache[t] for t in texts if t in cache}
        missing = [t for t in dict.fromkeys(texts) if t not in rows]
        if missing:
            rows.update(zip(missing, self.tfidf_.transform(missing), strict=True))
        for text, row in rows.items():  # least recently used last out
            cache[text] = row
            cache.move_to_end(text)
        while len(cache) > TFIDF_CACHE_SIZE:
            cache.popitem(last=False)
        return sp.vstack([rows[t] for t in texts], format="csr")

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_tfidf_cache"}

    def save(self, folder: Path, config: dict[str, Any]) -> Path:
        """The scorer as a saved folder (skops estimators, config.json with ``config``)."""
        state = {k: v for k, v in self.__getstate__().items() if k.endswith("_")}
        params = {"unsure": list(self.unsure), "C": self.C}
        return write_folder(folder, params, state, {"kind": "pair-scorer", **config})

    @classmethod
    def load(cls, folder: Path) -> PairScorer:
        """A scorer saved by :meth:`save` (ModelFormatError, one sentence, if it cannot be)."""
        params, state, _ = read_folder(folder, frozenset({"models.duplicates.scorer.PairScorer"}))
        scorer = cls(unsure=tuple(params["unsure"]), C=params["C"])
        scorer.__dict__.update(state)
        return scorer

    def score(
        self, pairs: list[tuple[Entry, Entry]], jaccard: np.ndarray | None, embedder: Embeddings
    ) -> tuple[np.ndarray, np.ndarray]:
        """(probabilities, rows of :data:`FEATURES`) of candidate pairs; embeddings only where
        unsure."""
        matrix = np.zeros((len(pairs), len(FEATURES)))
        self._cheap_features(pairs, matrix, jaccard)
        proba = _positive_proba(self.stage_a_, matrix[:, self._cheap_columns])
        unsure = np.flatnonzero((proba > self.unsure[0]) & (proba < self.unsure[1]))
        if len(unsure):
            self._embedding_features(pairs, matrix, unsure, embedder)
            proba[unsure] = _positive_proba(self.stage_b_, matrix[unsure][:, self._all_columns])
        return proba, matrix

    def predict_proba_pairs(
        self, pairs: list[tuple[Entry, Entry]], embedder: Embeddings | None = None
    ) -> np.ndarray:
        return self.score(pairs, None, embedder or Embeddings())[0]


def _positive_proba(model: LogisticRegression, features: np.ndarray) -> np.ndarray:
    """P(duplicate) of a binary logistic regression, as its predict_proba computes it, without
    the input validation that costs more than the arithmetic on a few candidate pairs."""
    return expit(features @ model.coef_[0] + model.intercept_[0])


def best_f1_threshold(proba: np.ndarray, y: np.ndarray) -> float:
    """The probability threshold with the highest F1. Where several give it (pairs that
    separate cleanly, as synthetic chains do), the one nearest half that F1, where the best
    threshold of calibrated probabilities lies (Lipton et al., 2014): not the lowest, which
    would sit right under the weakest positive and link whatever scores a little above it."""
    candidates = np.union1d(np.round(np.arange(0.01, 1.0, 0.01), 2), np.round(proba, 3))
    flagged = proba[None, :] >= candidates[:, None]
    true_positives = (flagged & (y == 1)).sum(axis=1)
    f1 = 2 * true_positives / np.maximum(1, flagged.sum(axis=1) + (y == 1).sum())
    best = candidates[f1 >= f1.max() - 1e-9]
    return float(best[np.argmin(np.abs(best - f1.max() / 2))])
