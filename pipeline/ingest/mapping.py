"""Column mapping: which source column holds which report field, and parsing cell values."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from core.errors import IngestError
from core.schema import (
    REPORT_FIELDS,
)
from pipeline.ingest.formats import GENERIC_FORMAT, SourceFormat

_DATE_FORMATS_DAYFIRST = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %B %Y %H:%M:%S",  # SP4N-LAPOR!'s "29 May 2023" (+ its time column)
    "%d %B %Y %H:%M",
    "%d %B %Y",
    "%d %b %Y %H:%M:%S",
    "%d %b %Y",
)
INDONESIAN_MONTHS = {
    "januari": "January", "februari": "February", "maret": "March", "april": "April",
    "mei": "May", "juni": "June", "juli": "July", "agustus": "August",
    "september": "September", "oktober": "October", "november": "November",
    "desember": "December",
}  # fmt: skip
_MONTH_RE = re.compile(r"\b(" + "|".join(INDONESIAN_MONTHS) + r")\b", re.IGNORECASE)


# --- values -------------------------------------------------------------------------------


def parse_datetime(value: Any, dayfirst: bool) -> datetime | None:
    """A datetime from ISO text, day-first text (when ``dayfirst``) or a native value."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    text = str(value).strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text)
        return parsed.replace(tzinfo=None) if parsed.tzinfo else parsed
    except ValueError:
        pass
    if dayfirst:
        text = _MONTH_RE.sub(lambda m: INDONESIAN_MONTHS[m.group(1).casefold()], text)
        for fmt in _DATE_FORMATS_DAYFIRST:
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
    raise ValueError(f"unparseable date {text!r}")


def cell_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN from parquet/pandas
        return None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


# --- mapping ------------------------------------------------------------------------------


def parse_mapping(options: Iterable[str] = (), mapping_file: Path | None = None) -> dict[str, str]:
    """``source_column=field`` options and/or a JSON or two-column CSV file -> {column: field}."""
    mapping: dict[str, str] = {}
    if mapping_file is not None:
        if not mapping_file.is_file():
            raise IngestError(f"{mapping_file}: mapping file not found")
        if mapping_file.suffix.lower() == ".json":
            try:
                loaded = json.loads(mapping_file.read_text("utf-8"))
            except json.JSONDecodeError as exc:
                raise IngestError(f"{mapping_file}: not valid JSON: {exc}") from exc
            if not isinstance(loaded, dict):
                raise IngestError(f"{mapping_file}: expected a JSON object of column: field")
            mapping.update({str(k): str(v) for k, v in loaded.items()})
        else:
            with mapping_file.open(encoding="utf-8-sig", newline="") as handle:
                for number, row in enumerate(csv.reader(handle), start=1):
                    if not row or row[0].startswith("#"):
                        continue
                    if len(row) != 2:
                        raise IngestError(
                            f"{mapping_file}: row {number} must be 'source_column,field'"
                        )
                    if (row[0].strip(), row[1].strip()) != ("source_column", "field"):
                        mapping[row[0].strip()] = row[1].strip()
    for option in options:
        column, sep, target = option.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise IngestError(f"--map {option!r}: expected SOURCE_COLUMN=FIELD")
        mapping[column.strip()] = target.strip()
    unknown = sorted({f for f in mapping.values() if f not in REPORT_FIELDS})
    if unknown:
        raise IngestError(
            f"unknown field(s) in mapping: {', '.join(unknown)}; "
            f"fields are {', '.join(REPORT_FIELDS)}"
        )
    return mapping


def resolve_columns(
    header: list[str], source_format: SourceFormat, mapping: dict[str, str], path: Path
) -> dict[str, str]:
    """source column -> field for this file; IngestError naming a missing required column."""
    if source_format is GENERIC_FORMAT:
        by_lower = {h.casefold(): h for h in header}
        resolved = {
            by_lower[name]: name
            for name in REPORT_FIELDS
            if name in by_lower and by_lower[name] not in mapping
        }
    else:
        resolved = {c: f for c, f in source_format.columns.items() if c in header}
    missing_mapped = [c for c in mapping if c not in header]
    if missing_mapped:
        raise IngestError(
            f"{path}: mapped column(s) {', '.join(map(repr, missing_mapped))} not in the file; "
            f"its columns are: {', '.join(header)}"
        )
    resolved = {c: f for c, f in resolved.items() if f not in mapping.values()}
    resolved.update(mapping)
    present_fields = set(resolved.values())
    for required in source_format.required:
        if required not in present_fields:
            expected = " or ".join(
                repr(c) for c, f in source_format.columns.items() if f == required
            )
            raise IngestError(
                f"{path}: required column {expected} (field {required!r}) not found; "
                f"its columns are: {', '.join(header)}"
                + (
                    "; map one with --map COLUMN=" + required
                    if source_format is GENERIC_FORMAT
                    else ""
                )
            )
    return resolved
