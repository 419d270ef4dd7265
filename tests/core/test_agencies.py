"""Finding an OPD by what staff type: full names, acronyms, short forms, partial words."""

from __future__ import annotations

import pytest

from core.agencies import acronym, agency_hint, canonical_agency, search_agencies

AGENCIES = [
    "Dinas Pekerjaan Umum dan Penataan Ruang",
    "Dinas Perhubungan",
    "Dinas Kependudukan dan Pencatatan Sipil",
    "Satuan Polisi Pamong Praja",
    "Dinas Perumahan dan Kawasan Permukiman",
    "Dinas Lingkungan Hidup",
    "Kecamatan Sangatta Utara",
]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang"),
        ("dpupr", "Dinas Pekerjaan Umum dan Penataan Ruang"),
        ("Dishub", "Dinas Perhubungan"),
        ("Disdukcapil", "Dinas Kependudukan dan Pencatatan Sipil"),
        ("satpol pp", "Satuan Polisi Pamong Praja"),
        ("pekerjaan", "Dinas Pekerjaan Umum dan Penataan Ruang"),
        ("sangatta", "Kecamatan Sangatta Utara"),
        ("dinas perhubungan", "Dinas Perhubungan"),
    ],
)
def test_search_finds_by_abbreviation_and_partial_name(query: str, first: str) -> None:
    assert search_agencies(query, AGENCIES)[0] == first


def test_nothing_matches_a_typo_and_only_exact_names_are_canonical() -> None:
    assert search_agencies("Dinas Pekerjan Umum", AGENCIES) == []
    assert canonical_agency("  dinas   PERHUBUNGAN ", AGENCIES) == "Dinas Perhubungan"
    assert canonical_agency("Dishub", AGENCIES) is None


def test_acronym_and_hint() -> None:
    assert acronym("Dinas Pekerjaan Umum dan Penataan Ruang") == "dpupr"
    assert "PUPR" in agency_hint("Dinas Pekerjaan Umum dan Penataan Ruang")
    assert "DISHUB" in agency_hint("Dinas Perhubungan")
