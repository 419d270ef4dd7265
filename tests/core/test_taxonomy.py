"""The LAPOR! taxonomy shipped with the package: sub-category -> main category."""

from __future__ import annotations

import pytest

from core.schema import LAPOR_CATEGORIES
from core.taxonomy import categorize, lapor_taxonomy


def test_the_taxonomy_has_the_38_main_categories_of_the_schema() -> None:
    assert sorted(lapor_taxonomy()) == sorted(LAPOR_CATEGORIES)


def test_a_subcategory_resolves_case_and_spacing_insensitively() -> None:
    assert categorize("  jalan   berlubang ") == (
        "PEKERJAAN UMUM DAN PENATAAN RUANG",
        "JALAN BERLUBANG",
    )
    assert categorize("kesehatan") == ("KESEHATAN", "KESEHATAN")  # a main category itself


def test_a_name_under_several_mains_prefers_one_other_than_the_pandemic() -> None:
    main, _ = categorize("BANTUAN SOSIAL TUNAI (BST)")
    assert main == "SOSIAL DAN KESEJAHTERAAN"


def test_an_unknown_name_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="not a LAPOR! category"):
        categorize("KATEGORI KARANGAN")
