"""Personal-data masking on the table of tests/core/pii_cases.py: ours against lokal-id's
Samaran detectors, and how long each takes on long texts.

Recall: the share of the MASKED texts whose personal data is gone (every letter or digit run of
the part the table masks). Kept: the share of the KEPT texts left exactly as written. Precision:
caught / (caught + KEPT texts changed). Then the median time of each masker on 20,000
characters of one word, of digits, and of mixed report text. Where ../shared/data is present,
the names it would hide in the real exports: how many, and how many of those are a place (the
Surabaya export's kecamatan/kelurahan, Kabupaten Bandung's from the gazetteer) or a word of an
OPD's name rather than a person (counted, never printed).

    .venv/bin/python benchmarks/masking.py
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

IDENTIFIERS = ("NIK", "KK", "PHONE", "EMAIL", "BANK_ACCOUNT")
_RUN = re.compile(r"[^\W_]{3,}")


def secret_of(raw: str, expected: str) -> list[str]:
    """The letter/digit runs of the part of ``raw`` that the table masks."""
    start = 0
    while start < min(len(raw), len(expected)) and raw[start] == expected[start]:
        start += 1
    end = 0
    while end < min(len(raw), len(expected)) - start and raw[-1 - end] == expected[-1 - end]:
        end += 1
    removed = raw[start : len(raw) - end]
    return [run for run in _RUN.findall(removed) if run not in expected]


def lokal_masker(types: tuple[str, ...] | None) -> Callable[[str], str]:
    from lokal.samaran import detect_pii

    def mask(text: str) -> str:
        for match in sorted(detect_pii(text, types=types), key=lambda m: -m.start):
            text = text[: match.start] + f"[{match.type}]" + text[match.end :]
        return text

    return mask


def score(mask: Callable[[str], str]) -> dict[str, float]:
    from tests.core.pii_cases import KEPT, MASKED

    caught = sum(
        not any(secret in mask(raw) for secret in secret_of(raw, expected))
        for raw, expected in MASKED
    )
    changed = sum(mask(text) != text for text in KEPT)
    return {
        "recall": caught / len(MASKED),
        "kept": 1 - changed / len(KEPT),
        "precision": caught / (caught + changed) if caught + changed else 1.0,
    }


def median_ms(mask: Callable[[str], str], text: str, repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        mask(text)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    from core.text import mask_pii
    from tests.core.pii_cases import KEPT, MASKED

    maskers = {
        "lapor-router mask_pii": mask_pii,
        "lokal-id, identifiers": lokal_masker(IDENTIFIERS),
        "lokal-id, all types": lokal_masker(None),
    }
    print(f"{len(MASKED)} texts to mask, {len(KEPT)} to keep")
    print(f"{'masker':<24} {'recall':>7} {'kept':>7} {'precision':>10}")
    for name, mask in maskers.items():
        found = score(mask)
        print(
            f"{name:<24} {found['recall']:>7.1%} {found['kept']:>7.1%} {found['precision']:>10.1%}"
        )
    mixed = " ".join(raw for raw, _ in MASKED) + " " + " ".join(KEPT)
    long_texts = {
        "one word": "a" * 20_000,
        "digits": "7" * 20_000,
        "mixed text": (mixed * (20_000 // len(mixed) + 1))[:20_000],
    }
    print("\nmedian ms on 20,000 characters")
    print(f"{'masker':<24} " + " ".join(f"{name:>11}" for name in long_texts))
    for name, mask in maskers.items():
        times = " ".join(f"{median_ms(mask, text):>11.1f}" for text in long_texts.values())
        print(f"{name:<24} {times}")
    names_hidden_in_real_reports()


SHARED = REPO.parent / "shared" / "data"


def _real_texts_and_names() -> tuple[list[str], set[str]]:
    """Report texts of both real exports, and the place and OPD-name words they know."""
    import pandas as pd

    from pipeline.deployment import find_region

    surabaya = pd.read_csv(SHARED / "surabaya_mediacenter_2022.csv")
    bandung = pd.read_excel(SHARED / "lapor_kab_bandung_2021_2023.xlsx", header=10)
    texts = surabaya["keluhan"].dropna().astype(str).tolist()
    texts += bandung["Isi Laporan Awal"].dropna().astype(str).tolist()
    region = find_region("Kabupaten Bandung")
    places = {*surabaya["kecamatan"].dropna(), *surabaya["kelurahan"].dropna(), *region.kecamatan}
    places |= {village for villages in region.kecamatan.values() for village, _ in villages}
    opds = {*surabaya["instansi"].dropna(), *bandung["Instansi Terdisposisi"].dropna()}
    words = {w.casefold() for name in opds for w in re.findall(r"[^\W\d_]{3,}", str(name))}
    return texts, {str(p).casefold() for p in places} | words


def names_hidden_in_real_reports() -> None:
    from core.text import MASK_NAME, NAME_RE, mask_pii

    if not SHARED.exists():
        print(f"\n{SHARED} is absent: skipping the names hidden in real reports")
        return
    texts, known = _real_texts_and_names()
    spans = [
        m.group("name") or m.group("capitalised")
        for text in texts
        for m in NAME_RE.finditer(text)
        if MASK_NAME in mask_pii(m.group(0))
    ]
    wrong = [s for s in spans if s.casefold() in known or s.split()[0].casefold() in known]
    print(f"\nnames hidden in {len(texts):,} real reports: {len(spans):,} spans")
    share = len(wrong) / max(len(spans), 1)
    print(f"  of which a place or an OPD-name word: {len(wrong):,} ({share:.1%})")


if __name__ == "__main__":
    main()
