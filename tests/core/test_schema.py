"""The canonical Report record and its label sets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from pydantic import ValidationError

from core.schema import (
    CHANNELS,
    LAPOR_CATEGORIES,
    MAX_TEXT_CHARS,
    REPORT_FIELDS,
    Report,
    arrow_schema,
    normalize_regency,
    parse_channel,
    parse_confidentiality,
    parse_flag,
    parse_source,
    parse_status,
    parse_topic,
    supervision_of,
)


def test_label_sets() -> None:
    assert len(LAPOR_CATEGORIES) == 38
    assert len(set(LAPOR_CATEGORIES)) == 38
    assert CHANNELS == ("pengaduan", "aspirasi", "permintaan_informasi")
    assert set(Report.model_fields) == set(REPORT_FIELDS)
    assert arrow_schema().names == list(REPORT_FIELDS)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Pengaduan", "pengaduan"),
        ("ASPIRASI", "aspirasi"),
        ("Permintaan Informasi", "permintaan_informasi"),
        ("permintaan_informasi", "permintaan_informasi"),
        ("", None),
        (None, None),
    ],
)
def test_parse_channel(value: str | None, expected: str | None) -> None:
    assert parse_channel(value) == expected


def test_parse_channel_rejects_unknown() -> None:
    with pytest.raises(ValueError, match="unknown channel"):
        parse_channel("keluhan berat")


def test_parse_topic_forgives_case_and_spacing() -> None:
    assert parse_topic("kesehatan") == "KESEHATAN"
    assert (
        parse_topic("  Pekerjaan  Umum dan Penataan Ruang ") == "PEKERJAAN UMUM DAN PENATAAN RUANG"
    )
    with pytest.raises(ValueError, match="not a LAPOR! main category"):
        parse_topic("Jalan Rusak")


def test_parse_flag_status_source() -> None:
    assert parse_flag("1") is True
    assert parse_flag("ya") is True
    assert parse_flag(0) is False
    assert parse_flag("") is None
    with pytest.raises(ValueError, match="flag"):
        parse_flag("mungkin")
    assert parse_status("Selesai") == "closed"
    assert parse_status("Belum Diverifikasi") == "new"
    assert parse_source("WA") == "whatsapp"
    assert parse_source("telepati") == "other"


def test_report_validates_and_derives_status() -> None:
    report = Report(id=12, text=" Jalan rusak ", created_at="2024-05-01T08:00:00", urgent="0")
    assert report.id == "12"
    assert report.text == "Jalan rusak"
    assert report.urgent is False
    assert report.derived_status() == "new"
    report.responded_at = datetime(2024, 5, 3)
    assert report.derived_status() == "responded"
    titled = Report(id="a", title="Judul", text="isi")
    assert titled.model_input() == "Judul. isi"


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "1", "text": "   "},
        {"id": "1", "text": "x" * (MAX_TEXT_CHARS + 1)},
        {"id": "1", "text": "ok", "channel": "lainnya"},
        {"id": "1", "text": "ok", "unknown_column": 1},
    ],
)
def test_report_rejects_bad_values(bad: dict) -> None:
    with pytest.raises(ValidationError):
        Report(**bad)


@pytest.mark.parametrize(
    ("parser", "value", "expected"),
    [
        (parse_confidentiality, "Anonim|Rahasia", "anonim_rahasia"),
        (parse_confidentiality, "Anonim | Rahasia", "anonim_rahasia"),
        (parse_confidentiality, "Rahasia", "rahasia"),
        (parse_confidentiality, "", None),
        (normalize_regency, "Kab. Bandung", "Kabupaten Bandung"),
        (normalize_regency, "kab  Kutai Timur", "Kabupaten Kutai Timur"),
        (normalize_regency, "Kota Bandung", "Kota Bandung"),
        (parse_status, "Ditutup oleh Pelapor", "closed"),
        (parse_status, "Diarsipkan oleh Sistem", "archived"),
        (parse_status, "Konten Terblokir", "archived"),
        (parse_status, "Belum Terverifikasi", "new"),
        (parse_source, "Website - pemerintah-provinsi-jawa-barat", "web"),
        (parse_source, "Hotline", "hotline"),
        (parse_source, "Instagram", "social"),
        (parse_channel, "Pengaduan Tidak Berkadar Pengawasan", "pengaduan"),
        (supervision_of, "Pengaduan Berkadar Pengawasan", True),
        (supervision_of, "Pengaduan Tidak Berkadar Pengawasan", False),
        (supervision_of, "Aspirasi", False),
        (supervision_of, None, None),
    ],
)
def test_lapor_export_values(
    parser: Callable[[object], object], value: str, expected: object
) -> None:
    assert parser(value) == expected


def test_an_unknown_report_type_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown report type"):
        parse_confidentiality("Terbuka sekali")
