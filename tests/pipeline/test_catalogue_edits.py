"""An admin's edits of the OPD catalogue, each in its history."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.functions import FunctionResolver
from pipeline.catalogue_edits import (
    CatalogueEditError,
    add_opd,
    catalogue_history,
    merge_opds,
    rename_opd,
    retire_opd,
)
from pipeline.deployment import CatalogueRow, init_deployment, load_catalogue


@pytest.fixture
def home(lapor_home: Path) -> Path:
    rows = [CatalogueRow("Dinas PUPR"), CatalogueRow("Dinas Perkim"), CatalogueRow("Dinas Sosial")]
    init_deployment(lapor_home, "Kabupaten Kutai Timur", rows, FunctionResolver())
    return lapor_home


def test_add_rename_merge_retire_keep_old_names_findable(home: Path) -> None:
    added = add_opd(home, "UPT Air Bersih Desa", "air_minum", ("UPT SPAM",), "budi")
    assert added.opd("upt spam").function == "air_minum"
    renamed = rename_opd(home, "Dinas PUPR", "Dinas PU dan Tata Ruang", "budi")
    assert renamed.canonical("Dinas PUPR") == "Dinas PU dan Tata Ruang"  # old labels still map
    merged = merge_opds(home, "Dinas Perkim", "Dinas PU dan Tata Ruang", "budi")
    assert "Dinas Perkim" not in merged.names()
    assert merged.canonical("Dinas Perkim") == "Dinas PU dan Tata Ruang"
    retired = retire_opd(home, "Dinas Sosial", "siti")
    assert retired.opd("Dinas Sosial") is None
    assert load_catalogue(home).names() == retired.names()  # saved
    edits = [(h["edit"], h["by"], h["name"]) for h in catalogue_history(home)]
    assert edits == [
        ("retire", "siti", "Dinas Sosial"),
        ("merge", "budi", "Dinas Perkim"),
        ("rename", "budi", "Dinas PUPR"),
        ("add", "budi", "UPT Air Bersih Desa"),
    ]


def test_edits_the_catalogue_cannot_take_are_refused_in_one_sentence(home: Path) -> None:
    for edit, code, facts in (
        (lambda: add_opd(home, "dinas pupr", None, (), "budi"), "catalogue.opd_exists", {}),
        (lambda: add_opd(home, "  ", None, (), "budi"), "catalogue.unnamed_opd", {}),
        (
            lambda: add_opd(home, "Dinas Baru", "tidak_ada", (), "budi"),
            "catalogue.unknown_function",
            {"function": "tidak_ada"},
        ),
        (
            lambda: rename_opd(home, "Dinas Hilang", "X", "budi"),
            "catalogue.unknown_opd",
            {"name": "Dinas Hilang"},
        ),
        (
            lambda: merge_opds(home, "Dinas Sosial", "dinas sosial", "budi"),
            "catalogue.merge_into_itself",
            {"name": "Dinas Sosial"},
        ),
    ):
        with pytest.raises(CatalogueEditError) as refused:
            edit()
        assert refused.value.code == code
        assert facts.items() <= refused.value.params.items()
    assert catalogue_history(home) == []


def test_editing_without_a_deployment_says_how_to_set_one_up(lapor_home: Path) -> None:
    with pytest.raises(CatalogueEditError, match="catalogue.no_deployment"):
        retire_opd(lapor_home, "Dinas Sosial", "budi")
