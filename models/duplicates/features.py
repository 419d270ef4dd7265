"""What a pair of reports is compared by: MinHash signatures of the text, place and address
features, and the entry the index keeps of each report; and the reason a link is shown with."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import numpy as np

from core.formats import persen
from core.schema import Report
from core.text import normalize, stopwords

if TYPE_CHECKING:
    from datasketch import MinHash

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
"""Whether two reports name one spot (see :func:`address_features`)."""
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
    from datasketch import MinHash  # 0.45 s to import: only signatures need it

    return MinHash(num_perm=NUM_PERM, seed=1)


def signature(normalized: str) -> np.ndarray:
    """The MinHash signature (uint32[NUM_PERM]) of a normalised text."""
    from datasketch import MinHash  # imported once by _template

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


def trigrams(text: str) -> set[str]:
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


def address_features(a: Entry, b: Entry) -> dict[str, float]:
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


def reason(features: np.ndarray, days: float) -> str:
    """A sentence staff can check, in Indonesian: place, time gap and text similarity
    ("alamat sama, 20 hari sebelumnya, teks 70% mirip"). ``features``: a row of
    :data:`FEATURES`; ``days``: how long after the earlier report this one came (negative:
    before it)."""
    if features[COLUMN["same_address"]]:
        place = "alamat sama"
    elif features[COLUMN["same_village"]]:
        place = "kelurahan sama"
    elif features[COLUMN["same_district"]]:
        place = "kecamatan sama"
    elif features[COLUMN["other_village"]] or features[COLUMN["other_district"]]:
        place = "tempat lain"
    else:
        place = "tempat tidak diketahui"
    if features[COLUMN["house_number_differs"]]:
        place += ", nomor rumah lain"
    if days != days:
        when = "tanggal tidak diketahui"
    elif abs(days) < 1:
        when = "hari yang sama"
    else:
        when = f"{abs(days):.0f} hari {'sebelumnya' if days > 0 else 'sesudahnya'}"
    return f"{place}, {when}, teks {persen(text_similarity(features), 0)} mirip"


def text_similarity(features: np.ndarray) -> float:
    """How alike two reports' texts are alone: the larger of their TF-IDF and sentence
    embedding cosines (``features``: a row of :data:`FEATURES`)."""
    similar = max(features[COLUMN["tfidf_cosine"]], features[COLUMN["embedding_cosine"]])
    return min(max(float(similar), 0.0), 1.0)
