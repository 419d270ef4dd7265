"""Urgency: danger to life, health or safety now, with the phrases that show it.

A lexicon of Indonesian danger phrases (with reason codes from the annotation guide) is matched on
the lower-cased original text, so every reason points at a span a person can see highlighted.
A match is discounted when a negation precedes it ("tidak ada korban"), when the sentence says the
danger is over or past ("sudah padam", "minggu lalu"), or when it is a proposal ("usul", "rawan").
The lexicon features, plus an optional text-model probability, feed a logistic regression fitted
on labelled rows; with no labels a fixed, documented weighting is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

DANGER_PATTERNS: dict[str, tuple[str, ...]] = {
    "fire": (
        r"kebakar\w*",
        r"terbakar",
        r"dilalap api",
        r"api (?:makin |semakin )?(?:besar|membesar|merambat|menjalar)",
        r"asap tebal",
        r"karhutla",
    ),
    "flood": (
        r"banjir\w*",
        r"air (?:sungai )?(?:naik|meluap)",
        r"tergenang (?:setinggi|sampai)",
        r"setinggi (?:lutut|pinggang|dada|leher)",
        r"tanggul jebol",
        r"terjebak banjir",
    ),
    "tree": (
        r"pohon\w* (?:\w+ )?(?:tumbang|roboh|patah|ambruk|menjuntai|hampir (?:roboh|tumbang))",
        r"tumbang menimpa",
        r"(?:ranting|dahan)\w* (?:\w+ )?(?:lapuk|patah|berjatuhan|jatuh|menjuntai)",
    ),
    "electric": (
        r"kabel\w* (?:\w+ ){0,2}(?:putus|menjuntai|terkelupas|terbakar|jatuh|kendor|terjuntai)",
        r"tiang listrik (?:roboh|miring|tumbang)",
        r"korslet\w*|konslet\w*|korsleting",
        r"percikan api",
        r"tersengat listrik|kesetrum",
        r"trafo (?:meledak|terbakar)",
    ),
    "accident": (
        r"kecelakaan",
        r"laka(?:lantas)?",
        r"tertabrak|ditabrak|tabrakan",
        r"luka (?:parah|berat)",
        r"korban (?:jiwa|luka|meninggal)",
        r"meninggal dunia|tewas",
        r"(?:terjatuh|jatuh) (?:dan |hingga |sampai )?(?:luka|terluka|cedera)",
    ),
    "missing_person": (r"hilang sejak", r"belum ditemukan", r"diculik|penculikan", r"orang hilang"),
    "violence": (
        r"kekerasan",
        r"dipukuli?|memukuli|dianiaya|penganiayaan",
        r"pelecehan|pencabulan|dicabuli|pemerkosaan|diperkosa",
        r"kdrt",
        r"diancam (?:dibunuh|pelaku)|ancaman pembunuhan",
        r"tawuran|pembacokan|dibacok",
    ),
    "medical": (
        r"gawat darurat",
        r"kritis",
        r"pendarahan|perdarahan",
        r"sesak napas|sesak nafas",
        r"pingsan|tidak sadarkan diri",
        r"ditolak (?:di )?(?:igd|ugd|rumah sakit|rs)",
        r"butuh ambulans|ambulans tidak",
        r"keracunan",
    ),
    "structure": (
        r"(?:ambruk|roboh|runtuh|jebol|ambrol)\w*",
        r"hampir (?:ambruk|roboh|runtuh)",
        r"retak besar",
        r"longsor\w*",
        r"amblas\w*|ambles\w*",
    ),
    "animal": (
        r"buaya",
        r"ular (?:piton|kobra|berbisa|besar)|ular masuk",
        r"sarang (?:tawon|lebah)",
        r"anjing (?:gila|rabies)",
        r"beruang",
    ),
    "gas": (r"gas bocor|kebocoran gas|bau gas", r"tabung gas meledak|ledakan"),
    "road_hazard": (
        r"lubang (?:besar|dalam) (?:di )?tengah jalan",
        r"terperosok|kejeblos|kejeglong|terjerumus|terjungkal",
        r"(?:kedalaman|sedalam|dalamnya) (?:_?angka_?|\d+[.,]?\d*) ?(?:m|meter)\b",
        r"(?:lubang|got|saluran)\w* (?:\w+ ){0,2}(?:tidak|belum) (?:di)?tutup",
        r"tanpa (?:tanda|rambu) (?:peringatan)?",
        r"manhole terbuka|gorong-gorong terbuka|saluran terbuka",
        r"jurang",
    ),
    "person_in_crisis": (
        r"bunuh diri",
        r"mengamuk",
        r"odgj",
        r"gangguan jiwa",
        r"lansia terlantar",
        r"membawa (?:parang|senjata tajam|sajam)",
    ),
}
"""Reason code -> regular expressions over lower-cased text (word boundaries added)."""

IMMEDIACY_PATTERN = re.compile(
    r"\b(?:sekarang|saat ini|sedang|darurat|segera|tolong|cepat|terjebak|evakuasi|"
    r"dievakuasi|panik|menjerit)\b|!{2,}"
)
HAZARD_PATTERN = re.compile(r"\b(?:bahaya|berbahaya|membahayakan|mengancam|nyawa)\b")
NEGATION_PATTERN = re.compile(
    r"\b(?:tidak|tdk|tak|gak|ga|nggak|ngga|enggak|bukan|belum|blm|tanpa|kada|ndak)"
    r"(?:\s+(?:ada|terjadi|sampai|pernah|menimbulkan|ditemukan))?\s+(?:\w+\s+)?$"
)
OVER_PATTERN = re.compile(
    r"\b(?:sudah|telah|sdh|udah)\s+(?:padam|surut|aman|ditangani|dievakuasi|diperbaiki|"
    r"ditemukan|dipadamkan|selesai|normal|dibersihkan|ditimbun)"
    r"|(?<!sejak )(?<!dari )\b(?:kemarin|minggu lalu|bulan lalu|tahun lalu|tahun kemarin)\b"
    r"|\b(?:dulu|pernah|bekas)\b"
)
PROPOSAL_PATTERN = re.compile(
    r"\b(?:usul\w*|saran\w*|sosialisasi|pencegahan|antisipasi|rawan|berpotensi|"
    r"hidran|papan peringatan|dipangkas|mohon didata|bagaimana|apakah)\b"
    # recurring rather than happening now: "setiap hujan banjir", "sering banjir"
    r"|\b(?:setiap|tiap|kalau|kalo|klo|jika|bila|apabila) (?:hari )?(?:hujan|musim)"
    r"|\b(?:sering|selalu|langganan)\b"
    # paperwork about an event, not the event: "akta kematian", "santunan"
    r"|\b(?:akta|akte|surat keterangan|santunan|ahli waris|klaim|asuransi)\b"
)

_COMPILED = {
    code: re.compile(r"\b(?:" + "|".join(patterns) + r")\b")
    for code, patterns in DANGER_PATTERNS.items()
}
_SENTENCE_END = re.compile(r"[.!?\n]")

FEATURE_NAMES = (
    "danger_hits",
    "danger_reasons",
    "negated_hits",
    "immediacy_cues",
    "hazard_cues",
    "over_cues",
    "proposal_cues",
    "hits_in_clean_sentences",
    "exclamations",
)


@dataclass(frozen=True)
class DangerMatch:
    """One danger phrase found in a text."""

    code: str
    phrase: str
    start: int
    end: int
    negated: bool
    over: bool


def _sentence(text: str, start: int, end: int) -> str:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    right_match = _SENTENCE_END.search(text, end)
    return text[left : right_match.start() if right_match else len(text)]


def find_dangers(text: str) -> list[DangerMatch]:
    """Every danger phrase in ``text`` with its span, and whether it is negated or over."""
    lowered = text.lower()
    matches = []
    for code, pattern in _COMPILED.items():
        for match in pattern.finditer(lowered):
            before = lowered[max(0, match.start() - 40) : match.start()]
            sentence = _sentence(lowered, match.start(), match.end())
            matches.append(
                DangerMatch(
                    code=code,
                    phrase=text[match.start() : match.end()],
                    start=match.start(),
                    end=match.end(),
                    negated=bool(NEGATION_PATTERN.search(before)),
                    over=bool(OVER_PATTERN.search(sentence) or PROPOSAL_PATTERN.search(sentence)),
                )
            )
    return sorted(matches, key=lambda m: m.start)


def danger_features(text: str, matches: list[DangerMatch] | None = None) -> np.ndarray:
    """The lexicon features of one text, in :data:`FEATURE_NAMES` order."""
    lowered = text.lower()
    matches = find_dangers(text) if matches is None else matches
    live = [m for m in matches if not m.negated]
    clean = [m for m in live if not m.over]
    return np.array(
        [
            len(live),
            len({m.code for m in live}),
            len(matches) - len(live),
            len(IMMEDIACY_PATTERN.findall(lowered)),
            len(HAZARD_PATTERN.findall(lowered)),
            len(OVER_PATTERN.findall(lowered)),
            len(PROPOSAL_PATTERN.findall(lowered)),
            len(clean),
            lowered.count("!"),
        ],
        dtype=np.float64,
    )


# Used only when no labelled rows exist: clean hits dominate, negation and "over" cues subtract.
_DEFAULT_WEIGHTS = np.array([0.6, 0.4, -0.8, 0.5, 0.8, -0.9, -0.9, 1.6, 0.1])
_DEFAULT_BIAS = -2.6


class UrgencyScorer(ClassifierMixin, BaseEstimator):
    """Probability that a report is urgent, from lexicon features (and optionally a text-model
    probability passed as an extra column), with the reasons behind it."""

    def __init__(self, C: float = 1.0, class_weight: str | None = "balanced") -> None:
        self.C = C
        self.class_weight = class_weight

    @staticmethod
    def features(
        texts: list[str],
        text_proba: np.ndarray | None = None,
        matches: list[list[DangerMatch]] | None = None,
    ) -> np.ndarray:
        """Log lexicon counts per text (``matches`` reuses :func:`find_dangers` results), plus
        the text model's probability as a last column when given."""
        if not texts:
            return np.empty((0, len(FEATURE_NAMES) + (text_proba is not None)))
        found = matches if matches is not None else [None] * len(texts)
        matrix = np.log1p(
            np.vstack([danger_features(t, m) for t, m in zip(texts, found, strict=True)])
        )
        if text_proba is not None:
            matrix = np.column_stack([matrix, text_proba])
        return matrix

    @classmethod
    def lexicon_only(cls) -> UrgencyScorer:
        """A scorer for a deployment without urgency labels: the lexicon's default weighting
        (clean hits dominate, negation and "over" cues subtract)."""
        scorer = cls()
        scorer.classes_ = np.array([False, True])
        scorer.model_ = None
        scorer.n_features_in_ = len(FEATURE_NAMES)
        return scorer

    def fit(self, X: np.ndarray, y: np.ndarray) -> UrgencyScorer:
        """Fit on :meth:`features` rows and urgency labels (no labels: :meth:`lexicon_only`)."""
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        self.model_ = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=1000)
        self.model_.fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "classes_")
        return self.predict_proba_unchecked(validate_data(self, X, reset=False))

    def predict_proba_unchecked(self, X: np.ndarray) -> np.ndarray:
        """:meth:`predict_proba` for rows of :meth:`features` the caller built itself, without
        the validation (a one-report prediction would spend a tenth of its time on it)."""
        if self.model_ is not None and len(self.classes_) > 2:
            return self.model_.predict_proba(X)
        if self.model_ is not None:  # binary: the logistic of X @ coef + b, as sklearn computes
            positive = 1.0 / (1.0 + np.exp(-(X @ self.model_.coef_[0] + self.model_.intercept_[0])))
            return np.column_stack([1.0 - positive, positive])
        logits = X[:, : len(FEATURE_NAMES)] @ _DEFAULT_WEIGHTS + _DEFAULT_BIAS
        positive = 1.0 / (1.0 + np.exp(-logits))
        return np.column_stack([1.0 - positive, positive])

    def predict(self, X: np.ndarray) -> np.ndarray:
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


def reasons(text: str) -> list[DangerMatch]:
    """The phrases that make ``text`` look urgent (negated and past/resolved ones left out)."""
    return [m for m in find_dangers(text) if not m.negated and not m.over]
