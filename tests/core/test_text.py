"""Normalisation, personal-data masking and stemming of Indonesian report text."""

from __future__ import annotations

import pytest

from core.text import (
    MAX_MODEL_CHARACTERS,
    NUMBER_TOKEN,
    URL_TOKEN,
    mask_pii,
    model_text,
    normalize,
    slang_dictionary,
    stem_text,
    stem_word,
    stem_word_uncached,
    stopwords,
)
from tests.core.pii_cases import KEPT, MASKED


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jln RUSAK parah", "jalan rusak parah"),
        ("yg sdh lama gak diperbaiki", "yang sudah lama tidak diperbaiki"),
        ("tolonggg pakkkk", "tolong bapak"),
        ("jalan rusak2 dan anak-anak", "jalan rusak rusak dan anak anak"),
        (
            "mhn tlg dicek kel. sangatta kec. bengalon",
            "mohon tolong diperiksa kelurahan sangatta kecamatan bengalon",
        ),
        ("lihat https://contoh.go.id/berita ya", f"lihat {URL_TOKEN} ya"),
        ("sudah 3 bulan", f"sudah {NUMBER_TOKEN} bulan"),
        ("terima kasih", "terima kasih"),
        ("mati lampu lagi", "listrik padam lagi"),
        ("baris satu\\nbaris dua", "baris satu baris dua"),
        ("ｆｕｌｌｗｉｄｔｈ", "fullwidth"),
        ("", ""),
        ("!!!", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_turns_masks_into_tokens() -> None:
    assert normalize("hubungi [TELEPON] atau [EMAIL], NIK [NIK], nama [NAMA]") == (
        "hubungi _telepon_ atau _email_ nik _nomor_ nama _nama_"
    )


def test_slang_dictionary_is_large_and_real() -> None:
    table = slang_dictionary()
    assert len(table) >= 300
    for slang, standard in [
        ("yg", "yang"),
        ("tdk", "tidak"),
        ("gak", "tidak"),
        ("nggak", "tidak"),
        ("jln", "jalan"),
        ("sdh", "sudah"),
        ("blm", "belum"),
        ("mhn", "mohon"),
        ("tlg", "tolong"),
        ("kel", "kelurahan"),
        ("kec", "kecamatan"),
        ("bpk", "bapak"),
    ]:
        assert table[slang] == standard
    assert all(slang != standard for slang, standard in table.items())


@pytest.mark.parametrize(("raw", "masked"), MASKED)
def test_mask_pii_masks_personal_data(raw: str, masked: str) -> None:
    assert mask_pii(raw) == masked


@pytest.mark.parametrize("kept", KEPT)
def test_mask_pii_leaves_dates_places_coordinates_and_money(kept: str) -> None:
    assert mask_pii(kept) == kept


def test_the_masking_table_is_big_enough_both_ways() -> None:
    assert len(MASKED) >= 40
    assert len(KEPT) >= 40


def test_masking_twice_changes_nothing() -> None:
    for _, masked in MASKED:
        assert mask_pii(masked) == masked


def test_stemming_cached_equals_uncached() -> None:
    words = ["perbaikan", "diperbaiki", "pelayanan", "kebakaran", "ditindaklanjuti", "berlubang"]
    assert [stem_word(w) for w in words] == [stem_word_uncached(w) for w in words]
    assert stem_word("perbaikan") == "baik"
    stem_word.cache_clear()
    stem_word("kebakaran")
    stem_word("kebakaran")
    assert stem_word.cache_info().hits == 1


def test_stopwords_keep_negations() -> None:
    assert "yang" in stopwords()
    assert {"tidak", "belum", "bukan"}.isdisjoint(stopwords())
    assert stem_text("Tidak ada korban dalam kebakaran itu").split() == [
        "tidak",
        "korban",
        "bakar",
    ]


def test_stemming_leaves_tokens_alone() -> None:
    assert stem_word("_angka_") == "_angka_"


def test_the_slang_table_is_read_once_and_report_texts_are_never_kept() -> None:
    from core.text import model_text, slang_dictionary

    assert slang_dictionary() is slang_dictionary()  # read from the package once per process
    assert not hasattr(model_text, "cache_info")  # a service must not keep every text it saw
    assert model_text("Jalan rusak", "di depan pasar") == "Jalan rusak. di depan pasar"
    assert model_text(None, "di depan pasar") == "di depan pasar"


@pytest.mark.parametrize(
    "text", ["a" * 200_000, "7" * 200_000, "a." * 100_000, "a" * 199_998 + "@x"]
)
def test_masking_and_normalising_stay_linear_in_the_length(text: str) -> None:
    """Ten times the text limit: linear work takes milliseconds; the quadratic e-mail pattern
    this replaces took minutes, so the alarm (not a speed measurement) catches a relapse."""
    import signal

    def too_slow(signum: int, frame: object) -> None:
        raise TimeoutError("masking took more than 10 s: quadratic again?")

    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(10)
    try:
        assert len(mask_pii(text)) <= len(text)  # a digit run becomes [NOMOR]
        assert normalize(text)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_the_models_read_a_bounded_part_of_a_long_report() -> None:
    text = "jalan rusak parah " * 2_000
    assert model_text("Judul", text) == f"Judul. {text}"[:MAX_MODEL_CHARACTERS]
    assert model_text(None, "lampu mati") == "lampu mati"
