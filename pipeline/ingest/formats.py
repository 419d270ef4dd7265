"""Export formats: the columns each source names its fields by, and how a header is
recognised."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.schema import (
    REPORT_FIELDS,
)


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


LAPOR_FORMAT = SourceFormat(
    name="lapor",
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
    **{f.name: f for f in (LAPOR_FORMAT, SURABAYA_FORMAT, GENERIC_FORMAT)},
    "csv": GENERIC_FORMAT,  # the name for the generic format, whatever the container
}
FORMAT_NAMES = ("auto", *FORMATS)


def detect_format(header: list[str]) -> SourceFormat:
    """The export format whose signature columns the header carries, else generic."""
    present = set(header)
    for source_format in (LAPOR_FORMAT, SURABAYA_FORMAT):
        if set(source_format.signature) <= present:
            return source_format
    return GENERIC_FORMAT
