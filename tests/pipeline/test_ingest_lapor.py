"""The SP4N-LAPOR! admin panel's "Laporan Ringkas" export, in synthetic files written in its
real layout: a title block with merged cells above the header, optional columns, xlsx and csv."""

from __future__ import annotations

import csv
import json
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

from core.errors import IngestError
from pipeline.ingest.reader import ReportReader, read_reports

TITLE_BLOCK = [
    ("Judul Laporan", "Laporan Ringkas"),
    ("Nama Instansi", "Pemerintah Kabupaten Kutai Timur"),
    ("Tanggal Generate", "2026-11-30"),
    ("Periode Masuk", "(2026-01-01) - (2026-06-30)"),
    ("Pengelola", None),
]
COLUMNS = [
    "Tracking ID", "Tanggal Laporan Masuk", "Waktu Laporan Masuk", "Nama Pelapor",
    "Klasifikasi Laporan", "ID Kategori", "Kategori", "Judul Laporan", "Isi Laporan Awal",
    "Isi Laporan Akhir", "Tipe Laporan (Anonim/Rahasia)", "Sumber Laporan", "Instansi Induk",
    "ID Instansi Terdisposisi", "Instansi Terdisposisi", "Status Laporan", "Alasan Tunda/Arsip",
    "Provinsi", "Kota/Kabupaten", "Kecamatan", "Kelurahan",
]  # fmt: skip
REPORTER = "Wahyu Pratamaningsih"  # a made-up name: it must never come out of the import
ROWS = [
    ["LPR-1", "29 May 2026", "04:05:34", REPORTER, "Pengaduan Berkadar Pengawasan", "101",
     "JALAN BERLUBANG", "Jalan rusak", "Jalan poros desa berlubang dalam, hubungi 081234567890",
     "Jalan poros desa berlubang dalam.", "Anonim|Rahasia", "Website - pemerintah-kabupaten-x",
     "Pemerintah Kabupaten Kutai Timur", "7", "Dinas Pekerjaan Umum dan Penataan Ruang",
     "Ditutup oleh Sistem", None, "Kalimantan Timur", "Kab. Kutai Timur", "Sangatta Utara",
     "Singa Gembara"],
    ["LPR-2", "2 Juni 2026", "10:00:00", REPORTER, "Permintaan Informasi", "102",
     "administrasi kependudukan  dan pencatatan sipil",
     "Jadwal KTP", "Kapan jadwal perekaman KTP di kecamatan?", None, "Anonim", "Android",
     "Pemerintah Kabupaten Kutai Timur", "8", "Dinas Kependudukan dan Pencatatan Sipil",
     "Diarsipkan oleh Admin", "Laporan ini diarsipkan karena tidak jelas", "Kalimantan Timur",
     "Kutai Timur", None, None],
    ["LPR-3", "3 June 2026", "11:30:00", None, "Curhat Pribadi", "103", "KATEGORI KARANGAN",
     "Lain", "Mohon perhatian untuk taman kota yang kotor", None, None, "ios",
     "Pemerintah Kabupaten Kutai Timur", "9", "Dinas Lingkungan Hidup",
     "Menunggu Kelengkapan Informasi", None, "Kalimantan Timur", "Kabupaten Kutai Timur",
     None, None],
]  # fmt: skip


def xlsx_export(path: Path, columns: list[str] = COLUMNS, title: bool = True) -> Path:
    """A workbook laid out as the admin panel writes it: each title row spans two rows, its
    label merged over two columns, the header on row 11."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Laporan Ringkas"
    if title:
        for block, (label, value) in enumerate(TITLE_BLOCK):
            row = 1 + 2 * block
            sheet.cell(row, 1, label)
            sheet.cell(row, 3, value)
            sheet.merge_cells(start_row=row, start_column=1, end_row=row + 1, end_column=2)
            sheet.merge_cells(start_row=row, start_column=3, end_row=row + 1, end_column=3)
    start = 11 if title else 1
    keep = [COLUMNS.index(c) for c in columns]
    for offset, values in enumerate([COLUMNS, *ROWS]):
        for column, index in enumerate(keep, start=1):
            sheet.cell(start + offset, column, values[index])
    book.save(path)
    return path


def csv_export(path: Path, columns: list[str], title: bool) -> Path:
    keep = [COLUMNS.index(c) for c in columns]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if title:
            for label, value in TITLE_BLOCK:
                writer.writerow([label, "", value or ""])
            writer.writerow([])
        for values in [COLUMNS, *ROWS]:
            writer.writerow(["" if values[i] is None else values[i] for i in keep])
    return path


def test_the_xlsx_export_with_its_title_block(tmp_path: Path) -> None:
    reader = ReportReader(xlsx_export(tmp_path / "ringkas.xlsx"))
    reports = list(reader)
    assert reader.format.name == "lapor"
    assert reader.stats.title_block == {
        "Judul Laporan": "Laporan Ringkas",
        "Nama Instansi": "Pemerintah Kabupaten Kutai Timur",
        "Tanggal Generate": "2026-11-30",
        "Periode Masuk": "(2026-01-01) - (2026-06-30)",
    }
    assert [r.id for r in reports] == ["LPR-1", "LPR-2", "LPR-3"]
    first, second, third = reports
    assert first.created_at == datetime(2026, 5, 29, 4, 5, 34)
    assert second.created_at == datetime(2026, 6, 2, 10, 0)  # Indonesian month name
    assert (first.channel, first.supervision) == ("pengaduan", True)
    assert (second.channel, second.supervision) == ("permintaan_informasi", False)
    assert (first.topic, first.subtopic) == ("PEKERJAAN UMUM DAN PENATAAN RUANG", "JALAN BERLUBANG")
    assert second.subtopic == "ADMINISTRASI KEPENDUDUKAN DAN PENCATATAN SIPIL"  # case, spacing
    assert first.text.startswith("Jalan poros desa berlubang dalam, hubungi [TELEPON]")
    assert first.text_final == "Jalan poros desa berlubang dalam."
    assert first.title == "Jalan rusak"
    assert first.agency == "Dinas Pekerjaan Umum dan Penataan Ruang"
    assert [r.source for r in reports] == ["web", "android", "android"]
    assert [r.status for r in reports] == ["closed", "archived", "new"]
    assert second.archive_reason == "Laporan ini diarsipkan karena tidak jelas"
    assert [r.confidentiality for r in reports] == ["anonim_rahasia", "anonim", None]
    assert first.regency == third.regency == "Kabupaten Kutai Timur"
    assert (first.district, first.village) == ("Sangatta Utara", "Singa Gembara")


def test_unknown_classification_and_category_are_reported_by_row(tmp_path: Path) -> None:
    reports, stats = read_reports(xlsx_export(tmp_path / "ringkas.xlsx"))
    third = reports[2]
    assert third.channel is None
    assert third.supervision is None
    assert third.topic is None
    assert third.subtopic is None
    assert third.agency == "Dinas Lingkungan Hidup"  # the row still imports
    assert stats.dropped_labels == {"invalid channel": 1, "unknown LAPOR! category": 1}
    reasons = [issue.reason for issue in stats.issues]
    assert any(r.startswith("row 3: unknown channel 'Curhat Pribadi'") for r in reasons)
    assert any(r.startswith("row 3: 'KATEGORI KARANGAN' is not a LAPOR! category") for r in reasons)


@pytest.mark.parametrize("title", [True, False])
def test_csv_exports_with_or_without_title_block_and_optional_columns(
    tmp_path: Path, title: bool
) -> None:
    optional = {"Nama Pelapor", "ID Instansi Terdisposisi", "Kecamatan", "Kelurahan"}
    columns = [c for c in COLUMNS if c not in optional]
    reader = ReportReader(csv_export(tmp_path / "ringkas.csv", columns, title))
    reports = list(reader)
    assert reader.format.name == "lapor"
    assert len(reports) == 3
    assert bool(reader.stats.title_block) is title
    assert reports[0].district is None
    assert reports[0].subtopic == "JALAN BERLUBANG"


def test_xlsx_without_title_block(tmp_path: Path) -> None:
    reports, stats = read_reports(xlsx_export(tmp_path / "plain.xlsx", title=False), "lapor")
    assert len(reports) == 3
    assert stats.title_block == {}


def test_the_reporters_name_is_never_read(tmp_path: Path) -> None:
    reports, stats = read_reports(xlsx_export(tmp_path / "ringkas.xlsx"))
    dumped = json.dumps([r.model_dump(mode="json") for r in reports] + [stats.as_dict()])
    assert REPORTER not in dumped
    assert "Nama Pelapor" in stats.unused_columns  # named as ignored, its values never kept


def test_a_sheet_without_the_report_text_names_what_is_missing(tmp_path: Path) -> None:
    columns = [c for c in COLUMNS if c not in ("Isi Laporan Awal", "Isi Laporan Akhir")]
    with pytest.raises(IngestError, match="'Isi Laporan' or 'Isi Laporan Awal'"):
        ReportReader(xlsx_export(tmp_path / "no-text.xlsx", columns))
