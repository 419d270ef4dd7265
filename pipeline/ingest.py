"""Importers: official LAPOR! exports, Surabaya-style exports and generic tables -> Reports.

Files are streamed: CSV/TSV with the standard library's csv reader (so a malformed record is
reported by its number and skipped), Parquet and JSONL through ``datasets`` in streaming mode, XLSX
through openpyxl's read-only mode. A bad row is reported and skipped while the rest imports; only
an unreadable file, an unknown format or a missing required column stops an import.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from core.config import get_settings
from core.errors import IngestError
from core.schema import (
    DATETIME_FIELDS,
    LABEL_FIELDS,
    REPORT_FIELDS,
    Report,
    arrow_schema,
    mask_record,
    parse_channel,
    parse_flag,
    parse_status,
    parse_topic,
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
    "csv": GENERIC_FORMAT,  # the issue's name for the generic format, whatever the container
}
FORMAT_NAMES = ("auto", *FORMATS)

CONTAINERS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
"""File extension -> container type, for reading and writing."""

_DATE_FORMATS_DAYFIRST = (
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d.%m.%Y",
)


@dataclass
class RowIssue:
    """A row that was skipped or partly dropped, with the 1-based data row number."""

    row: int
    reason: str
    id: str | None = None


@dataclass
class ImportStats:
    """What happened to every row of an import."""

    format: str = ""
    mapping: dict[str, str] = field(default_factory=dict)
    unused_columns: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_imported: int = 0
    skipped: Counter = field(default_factory=Counter)
    dropped_labels: Counter = field(default_factory=Counter)
    issues: list[RowIssue] = field(default_factory=list)
    replaced_characters: int = 0
    labels_joined: int = 0
    labels_unmatched: int = 0
    issue_limit: int = 1_000

    @property
    def rows_skipped(self) -> int:
        return sum(self.skipped.values())

    def record(self, row: int, kind: str, detail: str, *, skipped: bool) -> None:
        (self.skipped if skipped else self.dropped_labels)[kind] += 1
        if len(self.issues) < self.issue_limit:
            self.issues.append(RowIssue(row, detail))

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "mapping": self.mapping,
            "unused_columns": self.unused_columns,
            "rows_read": self.rows_read,
            "rows_imported": self.rows_imported,
            "rows_skipped": self.rows_skipped,
            "skipped": dict(self.skipped),
            "dropped_labels": dict(self.dropped_labels),
            "replaced_characters": self.replaced_characters,
            "labels_joined": self.labels_joined,
            "labels_unmatched": self.labels_unmatched,
            "issues": [{"row": i.row, "reason": i.reason} for i in self.issues],
        }


class RowError(Exception):
    """Why one row cannot be imported: a kind (for counting) and a detail (for people)."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


# --- reading containers -------------------------------------------------------------------


def container_of(path: Path) -> str:
    """The container type of ``path`` from its extension; IngestError if unsupported."""
    suffix = path.suffix.lower()
    if suffix not in CONTAINERS:
        raise IngestError(
            f"{path}: unsupported file type {suffix or '(none)'!r}; "
            f"use one of {', '.join(sorted(CONTAINERS))}"
        )
    return CONTAINERS[suffix]


def sniff_delimiter(path: Path) -> str:
    """The delimiter of a CSV file (comma, semicolon, tab or pipe), comma when unsure."""
    if container_of(path) == "tsv":
        return "\t"
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        sample = handle.read(65_536)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _csv_records(path: Path) -> tuple[list[str], Iterator[list[str]]]:
    delimiter = sniff_delimiter(path)
    handle = path.open("r", encoding="utf-8-sig", errors="replace", newline="")
    csv.field_size_limit(sys.maxsize)
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        handle.close()
        raise IngestError(f"{path}: the file is empty (no header row)") from None

    def records() -> Iterator[list[str]]:
        with handle:
            yield from reader

    return [h.strip() for h in header], records()


def _table_rows(path: Path) -> tuple[list[str], Iterator[dict[str, Any] | list[str]]]:
    """Header and a lazy stream of raw rows (lists for CSV, dicts otherwise)."""
    container = container_of(path)
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    try:
        if container in ("csv", "tsv"):
            return _csv_records(path)
        if container == "xlsx":
            return _xlsx_rows(path)
        return _datasets_rows(path, container)
    except IngestError:
        raise
    except Exception as exc:  # any parser's failure on an unreadable file: one clear line
        raise IngestError(f"{path}: cannot read as {container}: {exc}") from exc


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[list[Any]]]:
    from openpyxl import load_workbook  # only .xlsx inputs

    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = workbook.active.iter_rows(values_only=True)
    try:
        header = [str(h).strip() if h is not None else "" for h in next(rows)]
    except StopIteration:
        workbook.close()
        raise IngestError(f"{path}: the workbook's first sheet is empty") from None

    def records() -> Iterator[list[Any]]:
        try:
            for values in rows:
                if any(v is not None and str(v).strip() for v in values):
                    yield list(values)
        finally:
            workbook.close()

    return header, records()


def _datasets_rows(path: Path, container: str) -> tuple[list[str], Iterator[dict[str, Any]]]:
    from datasets import load_dataset  # heavy: only the encoder family and Hugging Face inputs

    builder = "parquet" if container == "parquet" else "json"
    stream = load_dataset(builder, data_files=str(path), split="train", streaming=True)
    iterator = iter(stream)
    try:
        first = next(iterator)
    except StopIteration:
        raise IngestError(f"{path}: the file has no rows") from None
    header = list(stream.features) if stream.features else list(first.keys())

    def records() -> Iterator[dict[str, Any]]:
        yield first
        yield from iterator

    return header, records()


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
        for fmt in _DATE_FORMATS_DAYFIRST:
            try:
                return datetime.strptime(text, fmt)
            except ValueError:
                continue
    raise ValueError(f"unparseable date {text!r}")


def _cell(value: Any) -> Any:
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


def detect_format(header: list[str]) -> SourceFormat:
    """The export format whose signature columns the header carries, else generic."""
    present = set(header)
    for source_format in (LAPOR_FORMAT, SURABAYA_FORMAT):
        if set(source_format.signature) <= present:
            return source_format
    return GENERIC_FORMAT


def _resolve_columns(
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
            expected = [c for c, f in source_format.columns.items() if f == required]
            raise IngestError(
                f"{path}: required column {expected[0]!r} (field {required!r}) not found; "
                f"its columns are: {', '.join(header)}"
                + (
                    "; map one with --map COLUMN=" + required
                    if source_format is GENERIC_FORMAT
                    else ""
                )
            )
    return resolved


# --- joins --------------------------------------------------------------------------------


def read_topic_map(path: Path) -> dict[str, str]:
    """A two-column CSV (source topic, LAPOR! category) -> {source topic: category}."""
    header, rows = _table_rows(path)
    if len(header) < 2:
        raise IngestError(f"{path}: a topic map needs two columns (source topic, LAPOR! category)")
    topic_map: dict[str, str] = {}
    for number, row in enumerate(rows, start=1):
        values = list(row.values()) if isinstance(row, dict) else row
        if len(values) < 2 or not values[0]:
            continue
        try:
            category = parse_topic(values[1])
        except ValueError as exc:
            raise IngestError(f"{path}: row {number}: {exc}") from exc
        if category:
            topic_map[str(values[0]).strip()] = category
    return topic_map


def read_labels(path: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """A labels file keyed by ``id`` -> ({id: {field: value}}, ignored columns)."""
    header, rows = _table_rows(path)
    if "id" not in header:
        raise IngestError(
            f"{path}: a labels file needs an 'id' column; its columns are: {', '.join(header)}"
        )
    label_columns = [h for h in header if h in LABEL_FIELDS]
    if not label_columns:
        raise IngestError(f"{path}: no label columns; expected some of {', '.join(LABEL_FIELDS)}")
    labels: dict[str, dict[str, Any]] = {}
    for row in rows:
        record = row if isinstance(row, dict) else dict(zip(header, row, strict=False))
        key = _cell(record.get("id"))
        if key is None:
            continue
        labels[str(key)] = {c: _cell(record.get(c)) for c in label_columns}
    return labels, [h for h in header if h not in label_columns and h != "id"]


# --- the importer -------------------------------------------------------------------------

_LABEL_PARSERS: dict[str, Callable[[Any], Any]] = {
    "channel": parse_channel,
    "topic": parse_topic,
    "urgent": parse_flag,
    "status": parse_status,
}


class RowConverter:
    """Turns one raw record (source column -> value) into a Report for a given format.

    Holds no file: the local importer and the Spark engine convert rows with the same object,
    so both accept and reject exactly the same rows.
    """

    def __init__(
        self,
        source_format: SourceFormat,
        columns: dict[str, str],
        topic_map: dict[str, str] | None = None,
        labels: dict[str, dict[str, Any]] | None = None,
        stats: ImportStats | None = None,
    ) -> None:
        self.format = source_format
        self.columns = columns
        self.topic_map = topic_map or {}
        self.labels = labels or {}
        self.stats = stats or ImportStats(format=source_format.name, mapping=dict(columns))
        self.seen: dict[str, int] = {}
        self.matched_labels: set[str] = set()

    def convert(self, record: dict[str, Any], number: int, check_duplicates: bool = True) -> Report:
        """The Report of data row ``number``; RowError says why a row cannot be imported."""
        values: dict[str, Any] = dict(self.format.constants)
        for column, name in self.columns.items():
            value = _cell(record.get(column))
            if isinstance(value, str) and "\ufffd" in value:
                self.stats.replaced_characters += value.count("\ufffd")
            values[name] = value
        text = values.get("text")
        if text is None:
            raise RowError("empty text", "empty text")
        if self.format.escaped_newlines:
            values["text"] = str(text).replace("\\r\\n", "\n").replace("\\n", "\n")
        values["id"] = str(values.get("id") or f"row-{number}")
        if check_duplicates and values["id"] in self.seen:
            first = self.seen[values["id"]]
            raise RowError("duplicate id", f"duplicate id {values['id']!r} (first at row {first})")
        for name in DATETIME_FIELDS:
            try:
                values[name] = parse_datetime(values.get(name), self.format.dayfirst)
            except ValueError as exc:
                raise RowError("unparseable date", f"{name}: {exc}") from None
        self._apply_topic(values)
        joined = self.labels.get(values["id"])
        if joined is not None:
            self.matched_labels.add(values["id"])
            values.update({k: v for k, v in joined.items() if v is not None})
        for name, parser in _LABEL_PARSERS.items():
            try:
                values[name] = parser(values.get(name))
            except ValueError as exc:
                self.stats.record(number, f"invalid {name}", f"row {number}: {exc}", skipped=False)
                values[name] = None
        try:
            # the import boundary: personal data is masked before anything else sees the row
            report = Report.model_validate(mask_record(values))
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"])
            raise RowError(f"invalid {where}", f"{where}: {error['msg']}") from None
        if check_duplicates:
            self.seen[report.id] = number
        return report

    def _apply_topic(self, values: dict[str, Any]) -> None:
        """LAPOR! topic from the source's own topic: the topic map, else the name itself."""
        source_topic = values.get("source_topic")
        if values.get("topic") or source_topic is None:
            return
        if source_topic in self.topic_map:
            values["topic"] = self.topic_map[source_topic]
            return
        try:
            values["topic"] = parse_topic(source_topic)
        except ValueError:
            if self.topic_map:
                self.stats.dropped_labels["topic not in topic map"] += 1


class ReportReader:
    """Streams Reports out of an export file, counting and reporting every row it skips.

    Iterate it once (or :meth:`numbered`, which also yields the skipped rows); afterwards
    :attr:`stats` tells what happened. The column mapping is resolved (and a missing required
    column reported) when the reader is created.
    """

    def __init__(
        self,
        path: str | Path,
        fmt: str = "auto",
        *,
        mapping: dict[str, str] | None = None,
        labels: str | Path | None = None,
        topic_map: str | Path | None = None,
        issue_limit: int | None = None,
    ) -> None:
        self.path = Path(path)
        if fmt not in FORMAT_NAMES:
            raise IngestError(f"unknown format {fmt!r}; use one of {', '.join(FORMAT_NAMES)}")
        self.header, self._rows = _table_rows(self.path)
        self.format = detect_format(self.header) if fmt == "auto" else FORMATS[fmt]
        self.columns = _resolve_columns(self.header, self.format, mapping or {}, self.path)
        label_rows, self.ignored_label_columns = read_labels(Path(labels)) if labels else ({}, [])
        self.stats = ImportStats(
            format=self.format.name,
            mapping=dict(self.columns),
            unused_columns=[h for h in self.header if h not in self.columns],
            issue_limit=get_settings().import_issue_limit if issue_limit is None else issue_limit,
        )
        self.converter = RowConverter(
            self.format,
            self.columns,
            read_topic_map(Path(topic_map)) if topic_map else {},
            label_rows,
            self.stats,
        )
        self._consumed = False

    def numbered(self) -> Iterator[tuple[int, Report | RowIssue]]:
        """Every data row in order: (row number, its Report or the reason it was skipped)."""
        if self._consumed:
            raise IngestError(f"{self.path}: a ReportReader can be iterated only once")
        self._consumed = True
        stats = self.stats
        number = 0
        for raw in self._rows:
            record = raw if isinstance(raw, dict) else self._as_record(raw)
            if record is None:
                continue  # a blank line is not a row
            number += 1
            stats.rows_read += 1
            if isinstance(record, RowError):
                problem = record
            else:
                try:
                    report = self.converter.convert(record, number)
                except RowError as error:
                    problem = error
                else:
                    stats.rows_imported += 1
                    yield number, report
                    continue
            detail = f"row {number}: {problem.detail}"
            stats.record(number, problem.kind, detail, skipped=True)
            yield number, RowIssue(number, problem.detail, self._raw_id(record))
        stats.labels_joined = len(self.converter.matched_labels)
        stats.labels_unmatched = len(set(self.converter.labels) - self.converter.matched_labels)

    def __iter__(self) -> Iterator[Report]:
        for _, item in self.numbered():
            if isinstance(item, Report):
                yield item

    def _raw_id(self, record: dict[str, Any] | RowError) -> str | None:
        if isinstance(record, RowError):
            return None
        column = next((c for c, name in self.columns.items() if name == "id"), None)
        value = _cell(record.get(column)) if column else None
        return None if value is None else str(value)

    def _as_record(self, values: list[Any]) -> dict[str, Any] | RowError | None:
        if len(values) != len(self.header):
            if not any(str(v).strip() for v in values):
                return None
            if len(values) > len(self.header) and not any(
                str(v).strip() for v in values[len(self.header) :]
            ):
                values = values[: len(self.header)]
            else:
                return RowError(
                    "wrong number of fields",
                    f"{len(values)} fields, header has {len(self.header)}",
                )
        return dict(zip(self.header, values, strict=True))


def read_reports(
    path: str | Path,
    fmt: str = "auto",
    **options: Any,
) -> tuple[list[Report], ImportStats]:
    """Import a whole file into memory: (reports, stats)."""
    reader = ReportReader(path, fmt, **options)
    reports = list(reader)
    return reports, reader.stats


def reports_frame(reports: Iterable[Report]) -> pd.DataFrame:
    """Reports as a DataFrame with one column per schema field, in schema order."""
    return pd.DataFrame.from_records([r.model_dump() for r in reports], columns=list(REPORT_FIELDS))


# --- writing ------------------------------------------------------------------------------


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, bool):
        return int(value)
    return value


def write_rows(rows: Iterable[dict[str, Any]], path: str | Path, batch_size: int = 10_000) -> int:
    """Stream report rows (schema-keyed dicts) to CSV/TSV, Parquet or JSONL; returns the count.

    Written to a temporary file first and renamed, so a reader never sees half a file.
    """
    path = Path(path)
    container = container_of(path)
    if container == "xlsx":
        raise IngestError(f"{path}: writing XLSX is not supported; use .csv, .parquet or .jsonl")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    count = 0
    if container in ("csv", "tsv"):
        with partial.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter="\t" if container == "tsv" else ",")
            writer.writerow(REPORT_FIELDS)
            for row in rows:
                writer.writerow([_csv_value(row.get(name)) for name in REPORT_FIELDS])
                count += 1
    elif container == "jsonl":
        with partial.open("w", encoding="utf-8") as handle:
            for row in rows:
                record = {name: _csv_value(row.get(name)) or None for name in REPORT_FIELDS}
                record["urgent"] = row.get("urgent")
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    else:
        import pyarrow as pa  # heavy: only Parquet needs it
        import pyarrow.parquet as pq  # heavy: only Parquet needs it

        schema = arrow_schema()
        with pq.ParquetWriter(partial, schema) as writer:
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(row)
                count += 1
                if len(batch) >= batch_size:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    batch = []
            if batch or count == 0:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
    partial.replace(path)
    return count
