"""The linear family: TF-IDF word and character n-grams plus location -> calibrated linear SVM.

``ReportVectorizer`` owns the text preprocessing (normalise, stem, n-grams), so training, the
service and batch jobs featurise reports identically. ``CalibratedLinearClassifier`` is a
class-weighted LinearSVC whose scores become probabilities by temperature scaling fitted on
out-of-fold scores: one parameter, so it works with classes seen only once or twice (where
``CalibratedClassifierCV`` cannot split them).
"""

from __future__ import annotations

import copy
import json
import re

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils import Tags, murmurhash3_32
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2
from sklearn.utils.validation import check_is_fitted, validate_data

from core.text import model_text, normalize, stem_tokens

LOCATION_COLUMNS = ("district", "village")
"""Place columns that help routing (kecamatan and kelurahan offices depend on them)."""
PLACE_BUCKETS = 4_096
"""Hashed columns per place field: a kabupaten has a few hundred kelurahan/desa, so two places
rarely share one."""
_FITTED_VECTORIZERS = ("word_", "char_")
"""The fitted TF-IDF vectorizers a ReportVectorizer keeps (their vocabularies are saved as text)."""
_WORD_COLUMNS_CACHE = "_char_columns_of_word"
"""Where a ReportVectorizer caches each word's character n-gram columns (never saved)."""
MAX_CACHED_WORDS = 200_000
"""Words whose n-gram columns a vectorizer keeps (a city's reports use far fewer): a bound on the
memory of a long-running service."""
_PLACE_PREFIX_RE = re.compile(r"^(?:kec(?:amatan)?|kel(?:urahan)?|desa|ds)\b\.?\s*")
_NOT_ALPHANUMERIC_RE = re.compile(r"[^0-9a-z]+")


def place_key(name: str) -> str:
    """A place name in the form two spellings of one kecamatan or kelurahan share: no case,
    no administrative prefix, letters and digits only ("Kel. Swarga-Bara" -> "swargabara")."""
    name = _PLACE_PREFIX_RE.sub("", name.strip().casefold())
    return _NOT_ALPHANUMERIC_RE.sub("", name)


def model_texts(frame: pd.DataFrame) -> list[str]:
    """Title and text of each row as one string (what the models read)."""
    texts = [_as_text(x) for x in frame["text"].tolist()]
    titles = (
        [_as_text(t) for t in frame["title"].tolist()] if "title" in frame else [""] * len(texts)
    )
    return [model_text(t, x) for t, x in zip(titles, texts, strict=True)]


def _as_text(value: object) -> str:
    """Missing values (None, NaN) as "", anything else as its string (plain lists: pandas'
    fillna/astype cost milliseconds on the service's one-row frames)."""
    return "" if value is None or value != value else str(value)


class ReportVectorizer(TransformerMixin, BaseEstimator):
    """Report rows (a DataFrame with ``text`` and optionally ``title``, ``district``, ``village``)
    -> a sparse matrix of word TF-IDF (stemmed), char TF-IDF (normalised) and hashed one-hot
    places. What it keeps after ``fit`` holds no text that occurs in only one report: terms
    below ``min_df`` are dropped, places are hashed."""

    def __init__(
        self,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] = (2, 5),
        max_word_features: int | None = 200_000,
        max_char_features: int | None = 300_000,
        min_df: int = 2,
        location: bool = True,
        location_weight: float = 0.5,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.max_word_features = max_word_features
        self.max_char_features = max_char_features
        self.min_df = min_df
        self.location = location
        self.location_weight = location_weight

    def _texts(self, frame: pd.DataFrame) -> tuple[list[str], list[str]]:
        normalized = [normalize(t) for t in model_texts(frame)]
        stemmed = [" ".join(stem_tokens(t.split())) for t in normalized]
        return normalized, stemmed

    @staticmethod
    def _place_columns(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Each row's column of its kecamatan and of its kelurahan/desa among the hashed place
        buckets (-1 where the field is blank): the place's name in a canonical form (no case,
        no "Kec."/"Kel."/"Desa" prefix, letters and digits only), hashed, so the model file
        never holds a place field's text."""
        rows, columns = [], []
        for block, field in enumerate(LOCATION_COLUMNS):
            values = frame[field].tolist() if field in frame else [None] * len(frame)
            for row, value in enumerate(values):
                key = place_key(_as_text(value))
                if key:
                    rows.append(row)
                    columns.append(
                        block * PLACE_BUCKETS + murmurhash3_32(key, positive=True) % PLACE_BUCKETS
                    )
        return np.array(rows, dtype=np.int64), np.array(columns, dtype=np.int64)

    def fit(self, X: pd.DataFrame, y: object = None) -> ReportVectorizer:
        normalized, stemmed = self._texts(X)
        min_df = self.min_df if len(X) >= 10 * self.min_df else 1
        self.word_ = TfidfVectorizer(
            ngram_range=self.word_ngram_range,
            min_df=min_df,
            max_features=self.max_word_features,
            sublinear_tf=True,
            lowercase=False,
            token_pattern=r"(?u)\b\w+\b",
            dtype=np.float32,
        ).fit(stemmed)
        self.char_ = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=self.char_ngram_range,
            min_df=min_df,
            max_features=self.max_char_features,
            sublinear_tf=True,
            lowercase=False,
            dtype=np.float32,
        ).fit(normalized)
        for vectorizer in (self.word_, self.char_):
            # max_features leaves numpy integers as the columns; plain ints are the same
            vectorizer.vocabulary_ = {
                term: int(column) for term, column in vectorizer.vocabulary_.items()
            }
        return self

    def __getstate__(self) -> dict[str, object]:
        """The fitted state with each vocabulary as one JSON string of its terms in column
        order: skops writes a dict as one node per term (a real city's 500,000 terms: a schema
        of millions of lines, seconds to save and to load), a string as one node."""
        state = dict(super().__getstate__())  # a copy: the live __dict__ stays whole
        state.pop(_WORD_COLUMNS_CACHE, None)
        for name in _FITTED_VECTORIZERS:
            if name in state:
                vectorizer = copy.copy(state[name])
                vocabulary: dict[str, int] = vectorizer.__dict__.pop("vocabulary_")
                state[name] = vectorizer
                terms = sorted(vocabulary, key=vocabulary.__getitem__)
                state[f"{name}terms"] = json.dumps(terms, ensure_ascii=False)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        for name in _FITTED_VECTORIZERS:
            terms, vectorizer = state.pop(f"{name}terms", None), state.get(name)
            if isinstance(terms, str) and isinstance(vectorizer, TfidfVectorizer):
                vectorizer.vocabulary_ = {term: i for i, term in enumerate(json.loads(terms))}
        super().__setstate__(state)

    def transform(self, X: pd.DataFrame) -> sp.csr_matrix:
        check_is_fitted(self, ["word_", "char_"])
        normalized, stemmed = self._texts(X)
        word_columns = self.__dict__.setdefault(_WORD_COLUMNS_CACHE, {})
        if len(word_columns) > MAX_CACHED_WORDS:
            word_columns.clear()
        blocks = [tfidf(self.word_, stemmed), tfidf(self.char_, normalized, word_columns)]
        if self.location:
            rows, columns = self._place_columns(X)
            places = sp.csr_matrix(
                (np.full(len(rows), self.location_weight, dtype=np.float32), (rows, columns)),
                shape=(len(X), PLACE_BUCKETS * len(LOCATION_COLUMNS)),
            )
            blocks.append(places)
        return sp.hstack(blocks, format="csr", dtype=np.float32)


def tfidf(
    vectorizer: TfidfVectorizer,
    texts: list[str],
    word_columns: dict[str, tuple[int, ...]] | None = None,
) -> sp.csr_matrix:
    """``vectorizer.transform(texts)`` for a vectorizer fitted here (sublinear tf, idf, l2 norm),
    computed as scikit-learn computes it (tests hold the two equal) without validating the
    matrix it has just built: its checks took 0.5 ms of a one-report prediction. Given
    ``word_columns``, a character n-gram vectorizer counts through that cache of each word's
    columns (see :func:`char_wb_counts`)."""
    if not vectorizer.sublinear_tf or vectorizer.norm != "l2":
        return vectorizer.transform(texts)
    if word_columns is not None and _counts_word_by_word(vectorizer):
        counts = char_wb_counts(vectorizer, texts, word_columns)
    else:
        counts = CountVectorizer.transform(vectorizer, texts)  # of the vectorizer's float dtype
    np.log(counts.data, counts.data)
    counts.data += 1.0
    if vectorizer.use_idf:
        counts.data *= vectorizer.idf_[counts.indices]
    inplace_csr_row_normalize_l2(counts)
    return counts


def _counts_word_by_word(vectorizer: TfidfVectorizer) -> bool:
    """Whether a document's n-grams are its words' n-grams put together: character n-grams
    within word boundaries, with no preprocessing that reads across words."""
    return (
        vectorizer.analyzer == "char_wb"
        and vectorizer.input == "content"
        and vectorizer.preprocessor is None
        and not vectorizer.lowercase
        and vectorizer.strip_accents is None
        and not vectorizer.binary
    )


def char_wb_counts(
    vectorizer: TfidfVectorizer, texts: list[str], word_columns: dict[str, tuple[int, ...]]
) -> sp.csr_matrix:
    """``CountVectorizer.transform`` of a ``char_wb`` vectorizer, counted word by word.

    scikit-learn pads each whitespace-separated word and cuts its n-grams alone, so a text's
    counts are the sum of its words' counts. Reports repeat a small vocabulary: each word's
    columns are looked up once (and kept in ``word_columns``) instead of slicing and hashing
    its n-grams in every report, which was most of a batch's featurising time."""
    vocabulary = vectorizer.vocabulary_
    analyze = vectorizer.build_analyzer()
    indices: list[int] = []
    indptr = [0]
    for text in texts:
        for word in text.split():
            columns = word_columns.get(word)
            if columns is None:
                grams = analyze(word)
                columns = tuple(vocabulary[g] for g in grams if g in vocabulary)
                word_columns[word] = columns
            indices.extend(columns)
        indptr.append(len(indices))
    index_dtype = np.int32 if len(indices) <= np.iinfo(np.int32).max else np.int64
    counts = sp.csr_matrix(
        (
            np.ones(len(indices), dtype=vectorizer.dtype),
            np.asarray(indices, dtype=index_dtype),
            np.asarray(indptr, dtype=index_dtype),
        ),
        shape=(len(texts), len(vocabulary)),
    )
    counts.sum_duplicates()
    return counts


def fit_temperature(scores: np.ndarray, y_index: np.ndarray) -> float:
    """The softmax temperature minimising the negative log-likelihood of the true classes."""

    def nll(log_t: float) -> float:
        logp = log_softmax(scores / np.exp(log_t), axis=1)
        return -float(logp[np.arange(len(y_index)), y_index].mean())

    result = minimize_scalar(nll, bounds=(-5.0, 5.0), method="bounded")
    return float(np.exp(result.x))


class CalibratedLinearClassifier(ClassifierMixin, BaseEstimator):
    """Class-weighted LinearSVC with temperature-scaled softmax probabilities.

    The public methods validate their input as scikit-learn's do. The Router, which builds the
    feature matrices itself, calls :meth:`predict_proba_unchecked`: the same numbers without
    the validation (~0.1-0.2 ms a call, most of the cost of a one-report prediction).
    """

    def __init__(
        self,
        C: float = 0.5,
        class_weight: str | None = "balanced",
        calibration_folds: int = 3,
        random_state: int = 0,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.calibration_folds = calibration_folds
        self.random_state = random_state

    def __sklearn_tags__(self) -> Tags:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _svm(self) -> LinearSVC:
        return LinearSVC(C=self.C, class_weight=self.class_weight, random_state=self.random_state)

    def _scores(
        self, svm: LinearSVC, X: sp.spmatrix | np.ndarray, classes: np.ndarray
    ) -> np.ndarray:
        """Decision scores, one column per class of ``classes`` (absent classes get a low score):
        X @ coef.T + b, as LinearSVC.decision_function computes it, without its validation."""
        raw = np.asarray(X @ svm.coef_.T) + svm.intercept_
        if raw.shape[1] == 1:
            raw = raw[:, 0]
        if raw.ndim == 1:
            raw = np.column_stack([-raw / 2, raw / 2])
        scores = np.full((X.shape[0], len(classes)), raw.min() - 1.0 if raw.size else -1.0)
        columns = np.searchsorted(classes, svm.classes_)
        scores[:, columns] = raw
        return scores

    def fit(self, X: sp.spmatrix | np.ndarray, y: np.ndarray) -> CalibratedLinearClassifier:
        X, y = validate_data(self, X, y, accept_sparse="csr")
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"need at least two classes to train, got one class: {self.classes_}")
        self.svm_ = self._svm().fit(X, y)
        y_index = np.searchsorted(self.classes_, y)
        folds = min(self.calibration_folds, len(y))
        oof = np.zeros((len(y), len(self.classes_)))
        splitter = KFold(n_splits=folds, shuffle=True, random_state=self.random_state)
        for train, test in splitter.split(X):
            if len(np.unique(y[train])) < 2:
                oof[test] = self._scores(self.svm_, X[test], self.classes_)
                continue
            fold_svm = self._svm().fit(X[train], y[train])
            oof[test] = self._scores(fold_svm, X[test], self.classes_)
        self.temperature_ = fit_temperature(oof, y_index)
        self.oof_proba_ = softmax(oof / self.temperature_, axis=1)
        return self

    def _checked(self, X: sp.spmatrix | np.ndarray) -> sp.spmatrix | np.ndarray:
        check_is_fitted(self, "svm_")
        return validate_data(self, X, accept_sparse="csr", reset=False)

    def decision_function(self, X: sp.spmatrix | np.ndarray) -> np.ndarray:
        """One score per class; for two classes one column, positive for ``classes_[1]``."""
        X = self._checked(X)
        scores = self._scores(self.svm_, X, self.classes_)
        return scores[:, 1] - scores[:, 0] if len(self.classes_) == 2 else scores

    def predict_proba(self, X: sp.spmatrix | np.ndarray) -> np.ndarray:
        return self.predict_proba_unchecked(self._checked(X))

    def predict_proba_unchecked(self, X: sp.spmatrix | np.ndarray) -> np.ndarray:
        """:meth:`predict_proba` for a matrix built from this estimator's own features."""
        return softmax(self._scores(self.svm_, X, self.classes_) / self.temperature_, axis=1)

    def predict(self, X: sp.spmatrix | np.ndarray) -> np.ndarray:
        X = self._checked(X)
        return self.classes_[np.argmax(self._scores(self.svm_, X, self.classes_), axis=1)]


def make_linear_classifier(**params: object) -> Pipeline:
    """One task's text classifier: ``vectorizer__*`` and ``classifier__*`` parameters."""
    pipeline = Pipeline(
        [("vectorizer", ReportVectorizer()), ("classifier", CalibratedLinearClassifier())]
    )
    return pipeline.set_params(**params)
