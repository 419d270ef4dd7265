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
    assert reader.format.name == "lapor"
    assert reader.stats.rows_imported == reader.stats.rows_read == 117
    assert all(r.created_at is not None and r.created_at.year == 2015 for r in reports)
