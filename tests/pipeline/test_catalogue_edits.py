"""An admin's edits of the OPD catalogue, as pure changes: the edited catalogue and what the
history keeps, the catalogue given left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.catalogue import Catalogue
from models.functions import FunctionResolver
from pipeline.catalogue_edits import (
    CatalogueEditError,
    add_opd,
    merge_opds,
    rename_opd,
    retire_opd,
)
from pipeline.deployment import CatalogueRow, init_deployment


@pytest.fixture
def catalogue(lapor_home: Path) -> Catalogue:
    rows = [CatalogueRow("Dinas PUPR"), CatalogueRow("Dinas Perkim"), CatalogueRow("Dinas Sosial")]
    return init_deployment(lapor_home, "Kabupaten Kutai Timur", rows, FunctionResolver())


def test_add_rename_merge_retire_keep_old_names_findable(catalogue: Catalogue) -> None:
    before = catalogue.names()
    added = add_opd(catalogue, "UPT Air Bersih Desa", "air_minum", ("UPT SPAM",))
    assert added.catalogue.opd("upt spam").function == "air_minum"
    renamed = rename_opd(added.catalogue, "Dinas PUPR", "Dinas PU dan Tata Ruang")
    assert renamed.catalogue.canonical("Dinas PUPR") == "Dinas PU dan Tata Ruang"  # old labels
    merged = merge_opds(renamed.catalogue, "Dinas Perkim", "Dinas PU dan Tata Ruang")
    assert "Dinas Perkim" not in merged.catalogue.names()
    assert merged.catalogue.canonical("Dinas Perkim") == "Dinas PU dan Tata Ruang"
    retired = retire_opd(merged.catalogue, "Dinas Sosial")
    assert retired.catalogue.opd("Dinas Sosial") is None
    assert catalogue.names() == before  # every edit made a new catalogue
    assert renamed.catalogue.opd("Dinas Perkim") is not None
    records = [(c.edit, c.name, c.detail) for c in (added, renamed, merged, retired)]
    assert records == [
        ("add", "UPT Air Bersih Desa", {"function": "air_minum"}),
        ("rename", "Dinas PUPR", {"new_name": "Dinas PU dan Tata Ruang"}),
        ("merge", "Dinas Perkim", {"into": "Dinas PU dan Tata Ruang"}),
        ("retire", "Dinas Sosial", {}),
    ]


def test_edits_the_catalogue_cannot_take_are_refused_in_one_sentence(
    catalogue: Catalogue,
) -> None:
    for edit, code, facts in (
        (lambda: add_opd(catalogue, "dinas pupr", None, ()), "catalogue.opd_exists", {}),
        (lambda: add_opd(catalogue, "  ", None, ()), "catalogue.unnamed_opd", {}),
        (
            lambda: add_opd(catalogue, "Dinas Baru", "tidak_ada", ()),
            "catalogue.unknown_function",
            {"function": "tidak_ada"},
        ),
        (
            lambda: rename_opd(catalogue, "Dinas Hilang", "X"),
            "catalogue.unknown_opd",
            {"name": "Dinas Hilang"},
        ),
        (
            lambda: merge_opds(catalogue, "Dinas Sosial", "dinas sosial"),
            "catalogue.merge_into_itself",
            {"name": "Dinas Sosial"},
        ),
    ):
        with pytest.raises(CatalogueEditError) as refused:
            edit()
        assert refused.value.code == code
        assert facts.items() <= refused.value.params.items()
