"""Indonesian text processing: normalisation, personal-data masking, cached Sastrawi stemming.

Every model reads text through these functions, so training, serving and batch jobs see the
same tokens.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib import resources

# --- personal data --------------------------------------------------------------------------

# Every pattern below is linear in the text: each starts where a token starts (a look-behind that
# fails at once inside a long word or digit run), its repetitions are bounded, and where a piece
# is optional the next character decides which way the match goes.

_FOLD = {
    **{ord(c): None for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"},  # zero-width, soft hyphen
    **{code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)},  # full-width ASCII: ＠, ６, ...
    **{ord(c): " " for c in "\u00a0\u2007\u2009\u200a\u202f\u3000"},  # no-break, thin, wide
    **{ord(c): "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2212"},  # dashes and minus
}
"""What hides a number or an address from a pattern and is folded first."""

# Between two digits of a number: up to three spaces or line breaks, a dash, dot, slash or
# underscore (with up to three spaces around it), a bare comma, or nothing.
_GAP = r"(?:[ \t\n]{1,3}(?:[-./_][ \t\n]{0,3})?|[-./_][ \t\n]{0,3}|,)?"

# An e-mail address, also written "x @ host.net", "x @ host . net", "x [at] host [dot] net",
# "x(at)host.net", "x{at}host", "x[@]host", "x at host dot net". Its local part has at most 64
# characters and its labels 63 (RFC 5321); it ends in two letters.
_AT = r"(?:[ \t]?@[ \t]?|[ \t]?[\[({][ \t]?(?:at|@)[ \t]?[\])}][ \t]?)"
_DOT = r"(?:[ \t]?\.[ \t]?|[ \t]?[\[({][ \t]?dot[ \t]?[\])}][ \t]?)"
EMAIL_RE = re.compile(
    rf"(?<![\w.+-])[\w.+-]{{1,64}}(?:{_AT}[\w-]{{1,63}}(?:{_DOT}[\w-]{{1,63}})+"
    rf"|[ \t]at[ \t][\w-]{{1,63}}(?:[ \t]dot[ \t][\w-]{{1,63}})+)(?<=[^\W\d_]{{2}})",
    re.IGNORECASE,
)
# 16-digit NIK / KK numbers, also written in groups.
NIK_RE = re.compile(rf"(?<!\d)(?<!\d[.,])\d(?:{_GAP}\d){{15}}(?!\d|[.,]\d)")
_BANKS = (
    r"bri|bca|bni|mandiri|bsi|btn|bpd|jatim|kaltim|danamon|cimb(?: niaga)?|permata|ocbc|panin"
    r"|mega|muamalat|bjb"
)
# A bank account: a keyword ("rekening", "norek", "transfer ke", ...), maybe a bank, then 6-20
# digits (groups allowed).
ACCOUNT_RE = re.compile(
    r"(?P<key>\b(?:(?:no(?:mor)?\.?\s{0,2})?(?:rek(?:ening)?\.?|norek|acc(?:ount)?|va"
    r"|virtual account)|transfer\s{1,2}ke(?:\s{1,2}rek(?:ening)?\.?)?"
    rf"|transfer(?=\s{{1,2}}(?:bank\s{{0,2}})?(?:{_BANKS})\b))"
    rf"(?:\s{{0,2}}(?:bank\s{{0,2}})?(?:{_BANKS})\b)?\s{{0,2}}[:.]?\s{{0,2}})"
    r"(?P<num>\d(?:[ .-]?\d){5,19})(?!\d)",
    re.IGNORECASE,
)
# Indonesian mobile numbers: 08…, +62 8…, 62 8…, (+62) 8…, +62 (0)8…, +62 (812)…, (0812)…,
# 0 8 1 2 …, 10 to 14 digits in all.
PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\(\s?\+?62\s?\)|\+?62)[ \t.-]{0,2}(?:\(0\)[ \t]?|\()?|\(?0[ \t]?)"
    rf"(?P<number>8(?:\)?{_GAP}\d){{8,12}})(?!\d)"
)
# Landlines with an area code: (031) 123…, 0549-21234, 0549 21234, +62 549 21234.
LANDLINE_RE = re.compile(
    r"(?<![\w+])(?:\(0[2-79]\d{1,2}\)[ \t.-]?|0[2-79]\d{1,2}[ \t-]|\+62[ \t.-]?[2-79]\d{1,2}"
    r"[ \t.-]?)(?P<number>\d{5,8})(?!\d)"
)
_DIGIT_RE = re.compile(r"\d")
LONG_NUMBER_RE = re.compile(r"(?<!\d)(?<!\d[.,])\d{10,}(?!\d|[.,]\d)")

_MONEY_BEFORE_RE = re.compile(
    r"\b(?:rp|idr|anggaran|dana(?:\s\w+)?|biaya|nilai(?:\s\w+)?|sebesar|senilai|harga|total"
    r"|pagu|apbd|apbn)\.?\s{0,2}$",
    re.IGNORECASE,
)
_MONEY_AFTER_RE = re.compile(r"^(?:,\d{1,2})?\s{0,2}(?:rupiah|juta|miliar|milyar|triliun|ribu)\b")
_THOUSANDS_RE = re.compile(r"[1-9]\d{0,2}(?:([.,])\d{3})(?:\1\d{3})+")
_SEPARATOR_RE = re.compile(r"\D+")
_DATE_RE = re.compile(
    r"(?<!\d)(?:\d{1,2}[-/.]\d{1,2}[-/.](?:19|20)\d\d|(?:19|20)\d\d[-/.]\d{1,2}[-/.]\d{1,2})(?!\d)"
)
_TIMESTAMP_RE = re.compile(
    r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d)?"
)

MASK_NIK = "[NIK]"
MASK_PHONE = "[TELEPON]"
MASK_EMAIL = "[EMAIL]"
MASK_ACCOUNT = "[REKENING]"
MASK_NUMBER = "[NOMOR]"


def _not_an_identifier(match: re.Match[str], money_words: bool = True) -> bool:
    """An amount of money (a keyword before or a unit after, where ``money_words``; thousands
    grouping), a time stamp (YYYYMMDDhhmm[ss]), or dates side by side ("21/01/2022
    12/03/2023")."""
    found, text = match.group(0), match.string
    if money_words and _MONEY_BEFORE_RE.search(text[max(0, match.start() - 30) : match.start()]):
        return True
    if money_words and _MONEY_AFTER_RE.match(text[match.end() : match.end() + 12]):
        return True
    if _THOUSANDS_RE.fullmatch(found) or _TIMESTAMP_RE.fullmatch(found):
        return True
    return _DATE_RE.search(found) is not None


def _masked_as(mask: str, money_words: bool = True):
    def replace(match: re.Match[str]) -> str:
        return match.group(0) if _not_an_identifier(match, money_words) else mask

    return replace


# A name the text introduces: "nama saya …" (one or two words, any case), "Nama: …", "atas
# nama …", "a.n. …", "Bapak/Ibu … selaku pelapor" (one to three capitalised words); never an
# institution, a place word or the next verb.
_NOT_A_NAME = (
    r"(?:dinas|badan|kantor|kepala|pemerintah|pemkab|pemkot|pemda|desa|kelurahan|kecamatan"
    r"|kabupaten|kota|provinsi|rt|rw|jalan|jl|pt|cv|ud|bank|bupati|walikota|camat|lurah"
    r"|sekolah|rumah|puskesmas|rsud|polres|polsek|satpol|bpbd|dprd|yayasan|koperasi|saya|kami"
    r"|tinggal|warga|dari|di|yang|dan|ingin|mau|mohon|adalah|beralamat|alamat|selaku|sebagai"
    r"|pelapor|umur|usia|no|nomor|nik|hp|telp|dengan|untuk|ini|itu|rupiah|salah|tetangga)\b"
)
_ANY_WORD = rf"(?!{_NOT_A_NAME})[^\W\d_][\w'.-]{{0,30}}"
_CAPITALISED_WORD = rf"(?!{_NOT_A_NAME})(?-i:[A-Z])[\w'.-]{{0,30}}"
NAME_RE = re.compile(
    r"(?P<intro>\bnama\s{1,2}(?:saya|aku|sy|pelapor)\s{0,2}(?:adalah\s{1,2})?:?\s{0,2})"
    rf"(?P<name>{_ANY_WORD}(?:[ \t]{_ANY_WORD})?)"
    r"|(?P<label>\bnama\s{0,2}(?:lengkap\s{0,2})?:\s{0,2}|\batas\s{1,2}nama\s{1,2}"
    r"|\ba\.\s?n\.?\s{1,2}|\b(?:bapak|bpk|pak|ibu|bu|sdr|sdri|saudara|saudari)\.?\s{1,2}"
    rf"(?=(?:{_CAPITALISED_WORD}[ \t]?){{1,3}}\s{{1,2}}selaku\s{{1,2}}pelapor))"
    rf"(?P<capitalised>{_CAPITALISED_WORD}(?:[ \t]{_CAPITALISED_WORD}){{0,2}})",
    re.IGNORECASE,
)
MASK_NAME = "[NAMA]"


def _a_common_word(word: str) -> bool:
    """A lower-case word after "nama saya" that is Indonesian rather than a name: a stop word
    or negation ("nama saya tidak ada"), slang ("yg"), or an affixed word ("tercantum")."""
    word = word.rstrip(".").casefold()
    return (
        word in stopwords()
        or word in NEGATIONS
        or word in slang_dictionary()
        or stem_word(word) != word
    )


def _name_masked(match: re.Match[str]) -> str:
    if match.group("label"):
        return match.group("label") + MASK_NAME
    name = match.group("name")
    words = name.split(" ")
    person = 0
    while person < len(words) and not (
        words[person][:1].islower() and _a_common_word(words[person])
    ):
        person += 1
    if person == 0:
        return match.group(0)
    return match.group("intro") + MASK_NAME + name[len(" ".join(words[:person])) :]


def mask_pii(text: str) -> str:
    """Mask NIK/KK numbers, phone numbers, e-mails, bank accounts and names the text
    introduces ("nama saya …", "a.n. …").

    Zero-width characters are dropped and full-width forms folded first (they hide a number
    from a pattern). Dates, times, years, RT/RW, house numbers, coordinates and money amounts
    are left alone; any other run of ten or more digits is masked as ``[NOMOR]`` because it
    can only be an identifier.
    """
    if not text:
        return text
    text = text.translate(_FOLD)
    text = EMAIL_RE.sub(MASK_EMAIL, text)
    if _DIGIT_RE.search(text) is None:  # every other pattern but names needs a digit
        return NAME_RE.sub(_name_masked, text)
    text = ACCOUNT_RE.sub(lambda m: m.group("key") + MASK_ACCOUNT, text)
    text = NAME_RE.sub(_name_masked, text)
    text = NIK_RE.sub(_masked_as(MASK_NIK, money_words=False), text)
    text = PHONE_RE.sub(_masked_as(MASK_PHONE), text)
    text = LANDLINE_RE.sub(_masked_as(MASK_PHONE), text)
    return LONG_NUMBER_RE.sub(_masked_as(MASK_NUMBER), text)


# --- normalisation --------------------------------------------------------------------------

URL_TOKEN = "_url_"
EMAIL_TOKEN = "_email_"
PHONE_TOKEN = "_telepon_"
NUMBER_TOKEN = "_angka_"
ID_TOKEN = "_nomor_"
NAME_TOKEN = "_nama_"

_ESCAPED_WHITESPACE_RE = re.compile(r"\\[nrt]")
_URL_RE = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|id|net|org|go\.id)(?:/\S*)?\b")
_MASK_TOKENS = {
    "[nik]": ID_TOKEN,
    "[nomor]": ID_TOKEN,
    "[rekening]": ID_TOKEN,
    "[telepon]": PHONE_TOKEN,
    "[email]": EMAIL_TOKEN,
    "[nama]": NAME_TOKEN,
}
_MASK_RE = re.compile(r"\[(?:nik|nomor|rekening|telepon|email|nama)\]")
_REDUPLICATION_RE = re.compile(r"\b([a-z]{2,})2\b")
_HYPHEN_REDUPLICATION_RE = re.compile(r"\b([a-z]{2,})-\1\b")
_ELONGATION_RE = re.compile(r"([a-z])\1{2,}")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_NON_WORD_RE = re.compile(r"[^a-z_\s]+")
_SPACE_RE = re.compile(r"\s+")


MAX_MODEL_CHARACTERS = 3_000
"""What the models read of a report: its first 3,000 characters, as many as SP4N-LAPOR! itself
takes (99.7% of Surabaya's reports are shorter). A bound on each report's cost keeps one client's
batch of long reports from slowing everyone else's (benchmarks/batch_fairness.py)."""


def model_text(title: str | None, text: str) -> str:
    """A report's title and text as the one string every model reads (at most
    :data:`MAX_MODEL_CHARACTERS`)."""
    return (f"{title}. {text}" if title else text)[:MAX_MODEL_CHARACTERS]


@cache
def slang_dictionary() -> dict[str, str]:
    """Informal spelling -> standard Indonesian, from ``resources/slang_id.tsv``."""
    table: dict[str, str] = {}
    content = resources.files("core.resources").joinpath("slang_id.tsv").read_text("utf-8")
    for line in content.splitlines():
        if line and not line.startswith("#"):
            slang, standard = line.split("\t")
            table[slang] = standard
    return table


@cache
def _slang_bigrams() -> dict[tuple[str, str], str]:
    return {tuple(k.split(" ")): v for k, v in slang_dictionary().items() if " " in k}


def _expand_slang(tokens: list[str]) -> list[str]:
    words = slang_dictionary()
    bigrams = _slang_bigrams()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        if i + 1 < len(tokens) and (tokens[i], tokens[i + 1]) in bigrams:
            out.append(bigrams[(tokens[i], tokens[i + 1])])
            i += 2
            continue
        out.append(words.get(tokens[i], tokens[i]))
        i += 1
    return out


def normalize(text: str) -> str:
    """Canonical lower-case form of informal Indonesian text.

    NFKC; escaped newlines; URLs, e-mails, masked identifiers and numbers become tokens;
    elongations ("pakkkk") shrink; reduplication ("rusak2", "anak-anak") is spelt out;
    slang and abbreviations are expanded from the dictionary.
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _ESCAPED_WHITESPACE_RE.sub(" ", text).lower()
    text = _URL_RE.sub(f" {URL_TOKEN} ", text)
    text = EMAIL_RE.sub(f" {EMAIL_TOKEN} ", text)
    text = _MASK_RE.sub(lambda m: f" {_MASK_TOKENS[m.group(0)]} ", text)
    text = _ELONGATION_RE.sub(r"\1", text)
    text = _REDUPLICATION_RE.sub(r"\1 \1", text)
    text = _HYPHEN_REDUPLICATION_RE.sub(r"\1 \1", text)
    text = _NUMBER_RE.sub(f" {NUMBER_TOKEN} ", text)
    text = _NON_WORD_RE.sub(" ", text)
    tokens = _SPACE_RE.split(text.strip())
    return " ".join(_expand_slang(tokens)) if tokens != [""] else ""


# --- stemming and stop words ----------------------------------------------------------------

NEGATIONS = frozenset({"tidak", "bukan", "belum", "jangan", "tanpa", "tak"})
"""Words that flip meaning ("tidak ada korban"); never removed as stop words."""


@cache
def _sastrawi():
    """Sastrawi's stemmer without its unbounded cache (we keep our own, bounded one)."""
    # optional at import: only stemming needs it
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer().delegatedStemmer


@cache
def stopwords() -> frozenset[str]:
    """Sastrawi's Indonesian stop words, minus negations."""
    # optional at import: only stemming needs it
    from Sastrawi.StopWordRemover.StopWordRemoverFactory import StopWordRemoverFactory

    return frozenset(StopWordRemoverFactory().get_stop_words()) - NEGATIONS


def stem_word_uncached(word: str) -> str:
    """Sastrawi's stem of one word, computed afresh (slow: tens of µs to ms per word)."""
    return _sastrawi().stem(word)


@lru_cache(maxsize=200_000)
def stem_word(word: str) -> str:
    """Sastrawi's stem of one word, cached: reports repeat a small vocabulary."""
    if word.startswith("_") or not word.isalpha():
        return word
    return _sastrawi().stem(word)


def stem_tokens(tokens: Iterable[str], drop_stopwords: bool = True) -> list[str]:
    """Stem tokens, optionally dropping stop words (negations are always kept)."""
    stop = stopwords() if drop_stopwords else frozenset()
    return [stem_word(t) for t in tokens if t not in stop]


def stem_text(text: str, drop_stopwords: bool = True) -> str:
    """Normalise, then stem; the input form of word-level features."""
    return " ".join(stem_tokens(normalize(text).split(), drop_stopwords))
