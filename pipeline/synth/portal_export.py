"""A generated export in the SP4N-LAPOR! admin panel's "Laporan Ringkas" layout (its title
block above the header, its column names, the portal's words for statuses and report types):
what the demo's morning intake reads, and what tests import twice."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from core.schema import PORTAL_CHANNELS, PORTAL_STATUSES
from core.taxonomy import categorize

COLUMNS = (
    "Tracking ID", "Tanggal Laporan Masuk", "Waktu Laporan Masuk", "Klasifikasi Laporan",
    "Kategori", "Judul Laporan", "Isi Laporan Awal", "Tipe Laporan (Anonim/Rahasia)",
    "Sumber Laporan", "Instansi Terdisposisi", "Status Laporan", "Tanggal Disposisi",
    "Tanggal Tindak Lanjut", "Tanggal Ditutup", "Provinsi", "Kota/Kabupaten", "Kecamatan",
    "Kelurahan",
)  # fmt: skip
FORWARDED = ("dispositioned", "responded", "closed")
"""Statuses at which the portal shows the OPD a report went to."""


def _when(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _category(report: dict[str, Any]) -> str:
    """The portal's ``Kategori``: the LAPOR! sub-category where the taxonomy knows it, else the
    main category."""
    subtopic = report.get("subtopic")
    if subtopic:
        try:
            categorize(str(subtopic))
        except ValueError:
            pass
        else:
            return str(subtopic)
    return report.get("topic") or ""


def portal_row(report: dict[str, Any]) -> list[str]:
    """One report (schema-keyed, e.g. a demo corpus row) as the export's cells."""
    created = _when(report.get("created_at"))
    status = report.get("status") or "new"
    stamp = {
        field: f"{moment:%Y-%m-%d %H:%M:%S}" if (moment := _when(report.get(field))) else ""
        for field in ("dispositioned_at", "responded_at", "closed_at")
    }
    return [
        str(report["id"]),
        f"{created:%Y-%m-%d}" if created else "",
        f"{created:%H:%M:%S}" if created else "",
        PORTAL_CHANNELS.get(report.get("channel") or "", ""),
        _category(report),
        report.get("title") or "",
        report["text"],
        "",
        {"web": "Website", "android": "Android", "whatsapp": "WhatsApp"}.get(
            report.get("source") or "", "Website"
        ),
        (report.get("agency") or "") if status in FORWARDED else "",
        PORTAL_STATUSES[status],
        stamp["dispositioned_at"] if status in FORWARDED else "",
        stamp["responded_at"] if status in ("responded", "closed") else "",
        stamp["closed_at"] if status == "closed" else "",
        report.get("province") or "",
        report.get("regency") or "",
        report.get("district") or "",
        report.get("village") or "",
    ]


def write_portal_export(
    reports: Iterable[dict[str, Any]], path: Path, instansi: str, generated: date
) -> int:
    """Write ``reports`` as a Laporan Ringkas export of ``instansi`` (e.g. "Pemerintah
    Kabupaten Kutai Timur") to a .csv or .xlsx ``path``; returns the count of reports."""
    title = [
        ["Judul Laporan", "", "Laporan Ringkas"],
        ["Nama Instansi", "", instansi],
        ["Tanggal Generate", "", f"{generated:%Y-%m-%d}"],
        [],
    ]
    rows = [portal_row(report) for report in reports]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook  # only .xlsx exports

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Laporan")
        for line in (*title, list(COLUMNS), *rows):
            sheet.append(line)
        workbook.save(path)
    else:
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerows([*title, list(COLUMNS), *rows])
    return len(rows)
