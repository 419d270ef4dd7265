"""A deployment: its region from the Kemendagri gazetteer, the admin's catalogue file, and the
kecamatan and kelurahan/desa offices added to it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.functions import FunctionResolver
from pipeline.deployment import (
    CatalogueRow,
    DeploymentError,
    build_catalogue,
    catalogue_file,
    deployment_dir,
    find_region,
    init_deployment,
    read_catalogue_file,
)


def test_the_region_comes_from_the_gazetteer() -> None:
    region = find_region("Kabupaten Kutai Timur")
    assert (region.code, region.province) == ("64.08", "Kalimantan Timur")
    assert len(region.kecamatan) == 18
    assert any(village == "Sepaso Barat" for village, _ in region.kecamatan["Bengalon"])
    with pytest.raises(DeploymentError, match="nearest: Kabupaten Kutai Timur"):
        find_region("Kabupaten Kutai Timurr")


def test_the_catalogue_file_names_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "opd.csv"
    path.write_text("nama,fungsi\nDinas Sosial,sosial\n", encoding="utf-8")
    with pytest.raises(DeploymentError, match="needs a 'name' column \\(found: nama, fungsi\\)"):
        read_catalogue_file(path)


def test_bad_rows_are_reported_by_number_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "opd.csv"
    path.write_text(
        "name,aliases,function,description\n"
        "DPUPR,Dinas PU; Dinas Pekerjaan Umum,,jalan dan drainase\n"
        ",,,\n"
        "Dinas Sosial,,sosialisasi,\n"
        "Bagian Kesra,,sosial,bantuan sosial lewat setda\n"
        "dpupr,,,\n",
        encoding="utf-8",
    )
    rows, problems = read_catalogue_file(path)
    assert [r.name for r in rows] == ["DPUPR", "Bagian Kesra"]
    assert rows[0].aliases == ("Dinas PU", "Dinas Pekerjaan Umum")
    assert problems == [
        "row 3: empty name",
        "row 4: Dinas Sosial: unknown function 'sosialisasi'",
        "row 6: dpupr is listed twice",
    ]


def test_offices_come_from_the_gazetteer_unless_listed() -> None:
    region = find_region("Kabupaten Kutai Timur")
    rows = [CatalogueRow("Kantor Camat Bengalon"), CatalogueRow("Bagian Kesra", function="sosial")]
    catalogue = build_catalogue(region, rows, FunctionResolver())
    names = catalogue.names()
    assert "Kecamatan Bengalon" not in names  # the file's own spelling serves that place
    assert "Kecamatan Busang" in names
    assert "Desa Sepaso Barat" in names
    kesra = catalogue.opd("Bagian Kesra")
    assert (kesra.function, kesra.how) == ("sosial", "explicit")
    village = catalogue.opd("Desa Sepaso Barat")
    assert (village.place, village.district, village.how) == (
        "Sepaso Barat",
        "Bengalon",
        "gazetteer",
    )
    assert not village.suggested  # a desa is its own government: not an OPD until routed to
    total = len(region.kecamatan) - 1 + sum(len(v) for v in region.kecamatan.values()) + 2
    assert len(names) == total


def test_init_keeps_the_region_and_returns_the_resolved_catalogue(lapor_home: Path) -> None:
    rows = [CatalogueRow("Dinas Sosial"), CatalogueRow("Dinas Sosial Kab. Kutai Timur")]
    catalogue = init_deployment(lapor_home, "Kabupaten Kutai Timur", rows, FunctionResolver())
    assert catalogue.opd("Dinas Sosial").aliases == ("Dinas Sosial Kab. Kutai Timur",)
    region = json.loads((deployment_dir(lapor_home) / "deployment.json").read_text())
    assert (region["code"], region["province"]) == ("64.08", "Kalimantan Timur")  # the clock's
    assert not (deployment_dir(lapor_home) / "catalogue.json").exists()  # the store keeps it


def test_a_catalogue_file_alone_is_a_region_of_its_own(tmp_path: Path) -> None:
    path = tmp_path / "bandung.csv"
    path.write_text("name\nDinas Sosial\nKecamatan Baleendah\n", encoding="utf-8")
    catalogue, problems = catalogue_file(path)
    assert (catalogue.region, catalogue.names(), problems) == (
        "bandung",
        ["Dinas Sosial", "Kecamatan Baleendah"],
        [],
    )
    assert catalogue.opd("Kecamatan Baleendah").place == "Baleendah"
