"""How citizens write: greetings and closings, durations, Banjar/Kutai words, slang spellings
and typos."""

from __future__ import annotations

import random
from functools import cache

from core.text import slang_dictionary

DURATIONS = (
    "sudah 2 minggu",
    "sudah sebulan lebih",
    "sejak 3 bulan lalu",
    "dari awal tahun",
    "sudah berhari-hari",
    "sejak lebaran kemarin",
    "sudah hampir setahun",
    "dari minggu lalu",
)
GREETINGS = (
    "Assalamualaikum wr wb.",
    "Selamat pagi pak/bu.",
    "Selamat siang admin.",
    "Yth. Bapak Bupati Kutai Timur,",
    "Permisi min,",
    "Mohon maaf mengganggu.",
    "Salam sejahtera.",
    "Halo admin LAPOR,",
)
CLOSINGS = (
    "Terima kasih.",
    "Mohon segera ditindaklanjuti.",
    "Atas perhatiannya diucapkan terima kasih.",
    "Tolong diperhatikan pak.",
    "Kami tunggu responnya.",
    "Wassalam.",
    "Semoga cepat ditangani.",
    "Mohon perhatian pemerintah daerah.",
)
REGIONAL_WORDS = {"tidak": "kada", "saya": "ulun", "lama": "lawas", "bapak": "pian", "air": "banyu"}
"""Banjar/Kutai words Kutai Timur residents mix into Indonesian."""


@cache
def _slang_variants() -> dict[str, tuple[str, ...]]:
    """Standard word -> informal spellings, the inverse of the normaliser's dictionary."""
    variants: dict[str, list[str]] = {}
    for slang, standard in slang_dictionary().items():
        if " " not in slang and " " not in standard and slang.isalpha():
            variants.setdefault(standard, []).append(slang)
    return {k: tuple(v) for k, v in variants.items()}


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.7:
        return word[:i] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def informal(text: str, rng: random.Random, regional: bool) -> str:
    """Rewrite a clean sentence the way many citizens type: slang, typos, lower case."""
    variants = _slang_variants()
    slang_rate = rng.choice((0.0, 0.15, 0.35, 0.6))
    typo_rate = rng.choice((0.0, 0.01, 0.03))
    words = []
    for word in text.split(" "):
        core = word.strip(".,!?").lower()
        tail = word[len(word.rstrip(".,!?")) :]
        if regional and core in REGIONAL_WORDS and rng.random() < 0.5:
            word = REGIONAL_WORDS[core] + tail
        elif core in variants and rng.random() < slang_rate:
            word = rng.choice(variants[core]) + tail
        elif rng.random() < typo_rate:
            word = _typo(word, rng)
        words.append(word)
    text = " ".join(words)
    style = rng.random()
    if style < 0.45:
        text = text.lower()
    elif style < 0.5:
        text = text.upper()
    if rng.random() < 0.25:
        text = text.replace(".", "").replace(",", "")
    if rng.random() < 0.1:
        text = text.rstrip("!.") + rng.choice(("!!!", " pakkk", " tolonggg", "??"))
    return text
