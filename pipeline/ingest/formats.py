"""Export formats: the columns each source names its fields by, and how a header is
recognised."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.schema import REPORT_FIELDS, supervision_of
from core.taxonomy import categorize

RowIssues = list[tuple[str, str]]
"""(reason, message) of problems with one row that do not stop its import."""


@dataclass(frozen=True)
class SourceFormat:
    """How one kind of export maps onto the canonical Report fields."""

    name: str
    columns: dict[str, str]
    """source column -> canonical field"""
    required: tuple[str, ...]
    """canonical fields whose source column must exist"""
    constants: dict[str, str] = field(default_factory=dict)
    dayfirst: bool = False
    escaped_newlines: bool = False
    """The export wrote line breaks as the two characters backslash-n."""
    signature: tuple[str, ...] = ()
    """Columns that identify this format when ``--format auto``."""
    derive: Callable[[dict[str, Any]], RowIssues] | None = None
    """Fills fields that come from several columns or need a lookup; returns the row's
    non-fatal problems (the row still imports with that label empty)."""


def _lapor_ringkas(values: dict[str, Any]) -> RowIssues:
    """The date and time columns as one moment; channel, supervision from "Klasifikasi
    Laporan"; topic and sub-topic from "Kategori" through the LAPOR! taxonomy."""
    issues: RowIssues = []
    day, clock = values.pop("created_date", None), values.pop("created_time", None)
    if day is not None:
        values["created_at"] = f"{day} {clock}" if clock else day
    classification = values.get("channel")
    values["supervision"] = supervision_of(classification)
    category = values.pop("lapor_category", None)
    if category is not None:
        try:
            values["topic"], values["subtopic"] = categorize(str(category))
        except ValueError as exc:
            issues.append(("unknown LAPOR! category", str(exc)))
    return issues


LAPOR_RINGKAS_FORMAT = SourceFormat(
    name="lapor",
    columns={
        "Tracking ID": "id",
        "Tanggal Laporan Masuk": "created_date",
        "Waktu Laporan Masuk": "created_time",
        "Klasifikasi Laporan": "channel",
        "Kategori": "lapor_category",
        "Judul Laporan": "title",
        "Isi Laporan": "text",
        "Isi Laporan Awal": "text",  # what the citizen wrote: after "Isi Laporan", so it wins
        "Isi Laporan Akhir": "text_final",
        "Tipe Laporan (Anonim/Rahasia)": "confidentiality",
        "Sumber Laporan": "source",
        "Instansi Terdisposisi": "agency",
        "Status Laporan": "status",
        # stage dates, where the export has them (the admin panel's fuller layouts do): what
        # the disposition and follow-up KPIs measure
        "Tanggal Disposisi": "dispositioned_at",
        "Tanggal Tindak Lanjut": "responded_at",
        "Tanggal Ditutup": "closed_at",
        "Alasan Tunda/Arsip": "archive_reason",
        "Provinsi": "province",
        "Kota/Kabupaten": "regency",
        "Kecamatan": "district",
        "Kelurahan": "village",
    },
    required=("text",),
    dayfirst=True,
    signature=("Tracking ID", "Judul Laporan"),
    derive=_lapor_ringkas,
)
"""The "Laporan Ringkas" export of the SP4N-LAPOR! admin panel (``Nama Pelapor``, personal
data, is never read)."""
LAPOR_2015_FORMAT = SourceFormat(
    name="lapor-2015",
    columns={
        "id": "id",
        "JudulLaporan": "title",
        "IsiLaporan": "text",
        "DisposisiInstansi": "agency",
        "Kategori": "source_topic",
        "Status": "status",
        "Area": "district",
        "TanggalLaporanMasuk": "created_at",
        "TanggalDisposisi": "dispositioned_at",
        "TanggalLaporanDitutup": "closed_at",
    },
    required=("text", "created_at"),
    dayfirst=True,
    signature=("IsiLaporan", "TanggalLaporanMasuk"),
)
SURABAYA_FORMAT = SourceFormat(
    name="surabaya",
    columns={
        "id": "id",
        "keluhan": "text",
        "alamat": "address",
        "tanggal_keluhan": "created_at",
        "tanggal_ditanggapi": "responded_at",
        "topik": "source_topic",
        "instansi": "agency",
        "kecamatan": "district",
        "kelurahan": "village",
    },
    required=("id", "text", "created_at"),
    constants={"province": "Jawa Timur", "regency": "Kota Surabaya", "source": "web"},
    escaped_newlines=True,
    signature=("keluhan", "instansi"),
)
GENERIC_FORMAT = SourceFormat(
    name="generic",
    columns={name: name for name in REPORT_FIELDS},
    required=("text",),
    dayfirst=True,
)
FORMATS: dict[str, SourceFormat] = {
    **{
        f.name: f
        for f in (LAPOR_RINGKAS_FORMAT, LAPOR_2015_FORMAT, SURABAYA_FORMAT, GENERIC_FORMAT)
    },
    "csv": GENERIC_FORMAT,  # the issue's name for the generic format, whatever the container
}
FORMAT_NAMES = ("auto", *FORMATS)


LAPOR_FORMATS = (LAPOR_RINGKAS_FORMAT, LAPOR_2015_FORMAT)
KNOWN_FORMATS = (*LAPOR_FORMATS, SURABAYA_FORMAT)


def detect_format(
    header: list[str], among: tuple[SourceFormat, ...] = KNOWN_FORMATS
) -> SourceFormat:
    """The export format whose signature columns the header carries, else generic."""
    present = set(header)
    for source_format in among:
        if set(source_format.signature) <= present:
            return source_format
    return GENERIC_FORMAT


def is_header(row: list[str]) -> bool:
    """Whether a row names the columns of a known export (the rows above it are a title
    block, as in SP4N-LAPOR!'s exports)."""
    return detect_format(row) is not GENERIC_FORMAT
