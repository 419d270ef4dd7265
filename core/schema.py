"""The canonical Report record and every label set. Nothing else in the project defines columns."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Annotated, Any, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)

from core.clock import local_now
from core.lifecycle import STATUSES
from core.text import mask_pii, model_text

CHANNELS: Final = ("pengaduan", "aspirasi", "permintaan_informasi")
"""SP4N-LAPOR! report types."""
PORTAL_STATUSES: Final = {
    "new": "Belum Terverifikasi",
    "verified": "Terverifikasi",
    "dispositioned": "Belum Ditindaklanjuti",
    "responded": "Sudah Ditindaklanjuti",
    "closed": "Ditutup oleh Sistem",
    "archived": "Diarsipkan oleh Admin",
}
"""Each status as the portal's ``Status Laporan`` says it (read back by :func:`parse_status`)."""
PORTAL_CHANNELS: Final = {
    "pengaduan": "Pengaduan",
    "aspirasi": "Aspirasi",
    "permintaan_informasi": "Permintaan Informasi",
}
"""Each channel as the portal's ``Klasifikasi Laporan`` spells it."""

SOURCES: Final = ("web", "android", "whatsapp", "sms", "hotline", "social", "other")
"""Intake channels a report can arrive through."""


LAPOR_CATEGORIES: Final = (
    "AGAMA",
    "CORONA VIRUS",
    "EKONOMI DAN KEUANGAN",
    "KESEHATAN",
    "KESETARAAN GENDER DAN SOSIAL INKLUSIF",
    "KETENTERAMAN, KETERTIBAN UMUM, DAN PELINDUNGAN MASYARAKAT",
    "LINGKUNGAN HIDUP DAN KEHUTANAN",
    "PEKERJAAN UMUM DAN PENATAAN RUANG",
    "PEMBANGUNAN DESA, DAERAH TERTINGGAL, DAN TRANSMIGRASI",
    "PENDIDIKAN DAN KEBUDAYAAN",
    "PERTANIAN DAN PETERNAKAN",
    "POLITIK DAN HUKUM",
    "POLITISASI ASN",
    "SOSIAL DAN KESEJAHTERAAN",
    "SP4N-LAPOR!",
    "ENERGI DAN SUMBER DAYA ALAM",
    "EVAKUASI HEWAN LIAR",
    "FASILITAS DIPLOMATIK",
    "KEKERASAN DI SATUAN PENDIDIKAN (SEKOLAH, KAMPUS, LEMBAGA KURSUS)",
    "KEPENDUDUKAN",
    "KERJASAMA BILATERAL",
    "KERJASAMA MULTILATERAL",
    "KETENAGAKERJAAN",
    "LEGALISASI KONSULER",
    "NETRALITAS ASN",
    "PELINDUNGAN WNI",
    "PEMULIHAN EKONOMI NASIONAL",
    "PENCEGAHAN DAN PEMBERANTASAN PENYALAHGUNAAN DAN PEREDARAN GELAP NARKOTIKA DAN PREKURSOR "
    "NARKOTIKA (P4GN)",
    "PENIADAAN MUDIK",
    "PERAIRAN",
    "PERHUBUNGAN",
    "PERLINDUNGAN KONSUMEN",
    "PROGRAM MAKAN BERGIZI GRATIS (MBG)",
    "SELEKSI CALON HAKIM AGUNG RI",
    "SRGI",
    "TEKNOLOGI INFORMASI DAN KOMUNIKASI",
    "TOPIK KHUSUS",
    "TOPIK LAINNYA",
)
"""The 38 LAPOR! main categories, spelt as in the national taxonomy."""

URGENT_REASONS: Final = (
    "fire",
    "flood",
    "tree",
    "electric",
    "accident",
    "missing_person",
    "violence",
    "medical",
    "structure",
    "animal",
    "gas",
    "road_hazard",
    "person_in_crisis",
    "other",
)
"""Reason codes for an urgent report (danger to life, health or safety now)."""

PLACE_FIELDS: Final = ("province", "regency", "district", "village", "address")
LABEL_FIELDS: Final = (
    "channel",
    "supervision",
    "topic",
    "subtopic",
    "agency",
    "urgent",
    "urgent_reason",
    "duplicate_of",
)
HISTORY_FIELDS: Final = (
    "dispositioned_at", "responded_at", "closed_at", "status", "archive_reason",
)  # fmt: skip
DATETIME_FIELDS: Final = ("created_at", "dispositioned_at", "responded_at", "closed_at")
CONFIDENTIALITY: Final = ("anonim", "rahasia", "anonim_rahasia")
"""How a reporter filed: anonymous (no name), confidential (*rahasia*: the identity is hidden
from the OPD), or both."""
REPORT_FIELDS: Final = (
    "id",
    "title",
    "text",
    "text_final",
    "created_at",
    "source",
    "confidentiality",
    *PLACE_FIELDS,
    "source_topic",
    *LABEL_FIELDS,
    *HISTORY_FIELDS,
)
"""Every column of a Report, in the order files are written."""

URGENCY_TIERS: Final = ("urgent", "check", "none")
"""The urgency tiers, most pressing first: the queue sorts by them before the SLA clock."""
UrgencyTier = Literal["urgent", "check", "none"]

DATASET: Final = "dataset"
"""The column of a training frame naming the source each row came from."""
CLASSIFICATION_TASKS: Final = ("channel", "topic", "agency")
"""Tasks answered by a classifier with top-3 candidates; ``urgent`` is scored separately."""
TASKS: Final = (*CLASSIFICATION_TASKS, "urgent")

SUPERVISION_LABELS: Final = {True: "berkadar_pengawasan", False: "tidak_berkadar_pengawasan"}
"""A pengaduan's LAPOR! supervision class (``Report.supervision``) as the Router suggests it."""
SUGGESTED_TASKS: Final = (*CLASSIFICATION_TASKS, "supervision")
"""The classification tasks a Suggestion answers (supervision: for a pengaduan, where an export's
labels taught it)."""

MAX_TEXT_CHARS: Final = 20_000

_CATEGORY_BY_KEY: Final = {re.sub(r"\s+", " ", c).casefold(): c for c in LAPOR_CATEGORIES}
_CHANNEL_ALIASES: Final = {
    "pengaduan": "pengaduan",
    "aduan": "pengaduan",
    "keluhan": "pengaduan",
    "complaint": "pengaduan",
    "aspirasi": "aspirasi",
    "saran": "aspirasi",
    "usulan": "aspirasi",
    "permintaan informasi": "permintaan_informasi",
    "pengaduan berkadar pengawasan": "pengaduan",
    "pengaduan tidak berkadar pengawasan": "pengaduan",
    "permintaan_informasi": "permintaan_informasi",
    "informasi": "permintaan_informasi",
    "pertanyaan": "permintaan_informasi",
}
_SOURCE_ALIASES: Final = {
    "website": "web",
    "situs": "web",
    "android": "android",
    "ios": "android",
    "aplikasi": "android",
    "mobile": "android",
    "wa": "whatsapp",
    "whatsapp": "whatsapp",
    "sms": "sms",
    "sms 1708": "sms",
    "1708": "sms",
    "twitter": "social",
    "x": "social",
    "facebook": "social",
    "instagram": "social",
    "social": "social",
    "media sosial": "social",
    "hotline": "hotline",
    "telepon": "hotline",
}
_STATUS_ALIASES: Final = {
    "belum diverifikasi": "new",
    "baru": "new",
    "terverifikasi": "verified",
    "diverifikasi": "verified",
    "didisposisikan": "dispositioned",
    "disposisi": "dispositioned",
    "belum ditindaklanjuti": "dispositioned",
    "proses": "dispositioned",
    "diproses": "dispositioned",
    "sedang diproses": "dispositioned",
    "ditindaklanjuti": "responded",
    "sudah ditindaklanjuti": "responded",
    "ditanggapi": "responded",
    "selesai": "closed",
    "ditutup": "closed",
    "diarsipkan": "archived",
    "arsip": "archived",
    "belum terverifikasi": "new",
    "menunggu kelengkapan informasi": "new",
    "konten terblokir": "archived",
    "terdisposisi": "dispositioned",
}
_STATUS_PREFIXES: Final = {"ditutup oleh": "closed", "diarsipkan oleh": "archived"}
"""SP4N-LAPOR! says who closed or archived a report: "Ditutup oleh Sistem/Admin/Pelapor"."""
_CONFIDENTIALITY_ALIASES: Final = {
    "anonim": "anonim",
    "rahasia": "rahasia",
    "anonim|rahasia": "anonim_rahasia",
    "anonim rahasia": "anonim_rahasia",
    "anonim_rahasia": "anonim_rahasia",
}
_REGENCY_PREFIX_RE = re.compile(r"^(?:kab(?:upaten)?\.?|kabupaten)\s+", re.IGNORECASE)
_TRUE_WORDS: Final = {"1", "true", "ya", "y", "yes", "t", "urgent", "darurat", "1.0"}
_FALSE_WORDS: Final = {"0", "false", "tidak", "n", "no", "f", "0.0"}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _key(value: Any) -> str:
    return re.sub(r"[\s_]+", " ", str(value)).strip().casefold()


def parse_channel(value: Any) -> str | None:
    """Canonical channel name, accepting common Indonesian spellings; ValueError if unknown."""
    if _blank(value):
        return None
    key = _key(value)
    if key in _CHANNEL_ALIASES:
        return _CHANNEL_ALIASES[key]
    raise ValueError(f"unknown channel {value!r} (expected one of {', '.join(CHANNELS)})")


def parse_topic(value: Any) -> str | None:
    """The LAPOR! main category spelt canonically (case and spacing forgiven); ValueError if not."""
    if _blank(value):
        return None
    key = re.sub(r"\s+", " ", str(value)).strip().casefold()
    if key in _CATEGORY_BY_KEY:
        return _CATEGORY_BY_KEY[key]
    raise ValueError(f"{value!r} is not a LAPOR! main category")


def supervision_of(classification: Any) -> bool | None:
    """Whether a LAPOR! ``Klasifikasi Laporan`` is a pengaduan *berkadar pengawasan* (None when
    the classification says nothing about it)."""
    key = "" if _blank(classification) else _key(classification)
    if key == "pengaduan berkadar pengawasan":
        return True
    if key == "pengaduan tidak berkadar pengawasan" or _CHANNEL_ALIASES.get(key) in CHANNELS:
        return False
    return None


def parse_source(value: Any) -> str:
    """Canonical intake channel; anything unrecognised is ``other``. LAPOR!'s "Website - <the
    portal of another agency>" is still the web."""
    if _blank(value):
        return "other"
    key = _key(value)
    if key in SOURCES:
        return key
    return _SOURCE_ALIASES.get(key.split(" - ", 1)[0].strip(), "other")


def parse_confidentiality(value: Any) -> str | None:
    """``anonim``, ``rahasia`` or ``anonim_rahasia`` from LAPOR!'s "Tipe Laporan"; ValueError
    if unknown."""
    if _blank(value):
        return None
    key = re.sub(r"\s*\|\s*", "|", str(value)).strip().casefold()
    if key in _CONFIDENTIALITY_ALIASES:
        return _CONFIDENTIALITY_ALIASES[key]
    raise ValueError(f"unknown report type {value!r} (expected Anonim, Rahasia or both)")


def normalize_regency(value: Any) -> str | None:
    """ "Kab. X", "Kab X" and "Kabupaten X" as "Kabupaten X"; "Kota X" unchanged."""
    if _blank(value):
        return None
    name = re.sub(r"\s+", " ", str(value)).strip()
    if _REGENCY_PREFIX_RE.match(name):
        return "Kabupaten " + _REGENCY_PREFIX_RE.sub("", name)
    return name


def parse_status(value: Any) -> str | None:
    """Canonical status from English or Indonesian wording; ValueError if unknown."""
    if _blank(value):
        return None
    key = _key(value)
    if key in STATUSES:
        return key
    if key in _STATUS_ALIASES:
        return _STATUS_ALIASES[key]
    for prefix, status in _STATUS_PREFIXES.items():
        if key.startswith(prefix):
            return status
    raise ValueError(f"unknown status {value!r} (expected one of {', '.join(STATUSES)})")


def parse_flag(value: Any) -> bool | None:
    """A yes/no label from 1/0, true/false, ya/tidak; ValueError for anything else."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        if value in (0, 1):
            return bool(value)
        raise ValueError(f"flag must be 0 or 1, got {value!r}")
    key = _key(value)
    if key in _TRUE_WORDS:
        return True
    if key in _FALSE_WORDS:
        return False
    raise ValueError(f"flag must be 0/1, true/false or ya/tidak, got {value!r}")


def _optional_text(value: Any) -> str | None:
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


OptionalText = Annotated[str | None, BeforeValidator(_optional_text)]

EARLIEST_REPORT_TIME: Final = datetime(2000, 1, 1)
"""No report is older (SP4N-LAPOR! dates from 2011): an earlier time is a typo or an attack,
and a year-1 date breaks every working-day sum it enters."""


def check_report_id(value: str) -> str:
    """A report id must not be personal data: one that the masker would change (a NIK, a phone
    number, an e-mail) is refused, since ids are stored, shown and exported unmasked."""
    if mask_pii(value) != value:
        raise ValueError(
            "looks like personal data (a NIK, phone number or e-mail): use the report's "
            "tracking number"
        )
    return value


def check_report_time(value: datetime | None) -> datetime | None:
    """A filing time between :data:`EARLIEST_REPORT_TIME` and tomorrow (the deployment's local
    clock, naive), else ValueError naming the window."""
    if value is None:
        return None
    naive = value.replace(tzinfo=None)
    latest = local_now() + timedelta(days=1)
    if not EARLIEST_REPORT_TIME <= naive <= latest:
        raise ValueError(
            f"must lie between {EARLIEST_REPORT_TIME:%Y-%m-%d} and {latest:%Y-%m-%d %H:%M} "
            "(the deployment's local time)"
        )
    return value


ReportId = Annotated[str, BeforeValidator(_optional_text), AfterValidator(check_report_id)]
ReportTime = Annotated[datetime | None, AfterValidator(check_report_time)]


MASKED_FIELDS = (
    "title", "text", "text_final", "address", "village", "district", "regency", "province",
    "urgent_reason", "archive_reason",
)  # fmt: skip
"""The free-text fields of a report, where a citizen may have written personal data."""


def mask_record(record: dict[str, Any]) -> dict[str, Any]:
    """A raw report row (a dict) with personal data masked in its free-text fields."""
    return {
        name: mask_pii(value) if name in MASKED_FIELDS and isinstance(value, str) else value
        for name, value in record.items()
    }


class Report(BaseModel):
    """One citizen report: identity, text, place, labels (when known) and disposition history."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=False)

    id: ReportId
    title: OptionalText = None
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    text_final: OptionalText = Field(
        default=None, description="The text after the admin's edits (LAPOR! 'Isi Laporan Akhir')."
    )
    created_at: ReportTime = None
    source: Annotated[str, BeforeValidator(parse_source)] = "other"
    confidentiality: Annotated[str | None, BeforeValidator(parse_confidentiality)] = None
    province: OptionalText = None
    regency: Annotated[str | None, BeforeValidator(normalize_regency)] = Field(
        default=None, description="kabupaten/kota"
    )
    district: OptionalText = Field(default=None, description="kecamatan")
    village: OptionalText = Field(default=None, description="kelurahan/desa")
    address: OptionalText = None
    source_topic: OptionalText = Field(
        default=None, description="The exporting system's own topic name, before mapping."
    )
    channel: Annotated[str | None, BeforeValidator(parse_channel)] = None
    supervision: Annotated[bool | None, BeforeValidator(parse_flag)] = Field(
        default=None,
        description="A pengaduan berkadar pengawasan (alleging maladministration): the "
        "workflow routes it to the inspectorate.",
    )
    topic: Annotated[str | None, BeforeValidator(parse_topic)] = None
    subtopic: OptionalText = None
    agency: OptionalText = Field(default=None, description="responsible OPD")
    urgent: Annotated[bool | None, BeforeValidator(parse_flag)] = None
    urgent_reason: OptionalText = None
    duplicate_of: OptionalText = None
    dispositioned_at: datetime | None = None
    responded_at: datetime | None = None
    closed_at: datetime | None = None
    status: Annotated[str | None, BeforeValidator(parse_status)] = None
    archive_reason: OptionalText = None

    @field_validator("text")
    @classmethod
    def _text_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty")
        return value

    def model_input(self) -> str:
        """Title and text as one string: what every model reads."""
        return model_text(self.title, self.text)

    def masked(self) -> Report:
        """This report with personal data masked in every free-text field: called once, where
        a report enters the system (importers, API intake, the UI), so nothing downstream can
        store, log or learn from it unmasked."""
        return self.model_copy(update=mask_record(self.model_dump(include=set(MASKED_FIELDS))))

    def derived_status(self) -> str:
        """The stored status, else the furthest stage the timestamps show."""
        if self.status:
            return self.status
        if self.closed_at:
            return "closed"
        if self.responded_at:
            return "responded"
        if self.dispositioned_at:
            return "dispositioned"
        return "new"


def arrow_schema():  # -> pyarrow.Schema (imported lazily: pyarrow is heavy)
    """The Parquet/Arrow schema of a Report table, in :data:`REPORT_FIELDS` order."""
    import pyarrow as pa  # heavy: only Parquet needs it

    types = {name: pa.string() for name in REPORT_FIELDS}
    types.update({name: pa.timestamp("s") for name in DATETIME_FIELDS})
    types["urgent"] = types["supervision"] = pa.bool_()
    return pa.schema([(name, types[name]) for name in REPORT_FIELDS])
