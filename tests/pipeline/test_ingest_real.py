"""The importers on the real exports in ../shared/data (skipped where that folder is absent)."""

from __future__ import annotations

import pytest

from pipeline.ingest.reader import ReportReader
from tests.conftest import shared_file

pytestmark = pytest.mark.slow


def test_surabaya_export_imports_whole() -> None:
    reader = ReportReader(
        shared_file("surabaya_mediacenter_2022.csv"),
        "surabaya",
        labels=shared_file("surabaya_2022_labels.csv"),
        topic_map=shared_file("surabaya_topic_to_lapor.csv"),
    )
    reports = list(reader)
    assert reader.stats.rows_read == 8_690
    assert reader.stats.rows_imported == 8_690
    assert reader.stats.labels_unmatched == 0
    assert reader.stats.labels_joined >= 800
    with_topic = sum(r.topic is not None for r in reports)
    assert with_topic / len(reports) > 0.9
    assert all("\\n" not in r.text for r in reports)
    assert sum(r.channel is not None for r in reports) == reader.stats.labels_joined


def test_lapor_export_imports_whole() -> None:
    reader = ReportReader(shared_file("lapor_2015_kemendikbud.csv"))
    reports = list(reader)
    assert reader.format.name == "lapor-2015"
    assert reader.stats.rows_imported == reader.stats.rows_read == 117
    assert all(r.created_at is not None and r.created_at.year == 2015 for r in reports)


def test_the_official_laporan_ringkas_export_imports_whole() -> None:
    reader = ReportReader(shared_file("lapor_kab_bandung_2021_2023.xlsx"))
    reports = list(reader)
    assert reader.format.name == "lapor"
    assert set(reader.stats.title_block) >= {"Nama Instansi", "Tanggal Generate", "Periode Masuk"}
    assert len(reports) == reader.stats.rows_read == 1_284
    assert reader.stats.rows_skipped == 0
    assert sum(r.channel is not None for r in reports) >= 1_270
    assert sum(r.supervision is True for r in reports) > 1_000
    assert sum(r.subtopic is not None for r in reports) >= 1_250
    assert all(r.created_at is not None for r in reports)
