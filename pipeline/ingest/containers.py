"""File containers: CSV/TSV (the standard library's reader, so a malformed record is
reported by number), XLSX (openpyxl, read-only), Parquet and JSONL (``datasets``, streamed);
and writing rows back to any of them."""

from __future__ import annotations

import csv
import itertools
import json
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from core.errors import IngestError
from core.schema import (
    REPORT_FIELDS,
    arrow_schema,
)
from pipeline.ingest.formats import is_header

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


TITLE_BLOCK_ROWS = 30
"""How far down a header row is looked for below a title block."""


@dataclass
class Table:
    """A file's header, a lazy stream of its raw rows (lists for CSV/XLSX, dicts otherwise) and
    the title block above the header, if any (e.g. SP4N-LAPOR!'s "Nama Instansi: ...")."""

    header: list[str]
    rows: Iterator[dict[str, Any] | list[Any]]
    title: dict[str, str] = field(default_factory=dict)


def _cells(row: list[Any]) -> list[str]:
    return [str(v).strip() if v is not None else "" for v in row]


def _below_title_block(path: Path, rows: Iterator[list[Any]], close: Callable[[], None]) -> Table:
    """The header row (the first of the leading rows that names a known export's columns, else
    the first row), the key/value pairs above it, and the rows after it."""
    leading = list(itertools.islice(rows, TITLE_BLOCK_ROWS))
    if not leading:
        close()
        raise IngestError(f"{path}: the file is empty (no header row)")
    at = next((i for i, row in enumerate(leading) if is_header(_cells(row))), 0)
    title = {}
    for row in leading[:at]:
        filled = [cell for cell in _cells(row) if cell]
        if len(filled) >= 2:
            title[filled[0]] = filled[1]

    def records() -> Iterator[list[Any]]:
        try:
            for row in itertools.chain(leading[at + 1 :], rows):
                if any(cell for cell in _cells(row)):
                    yield list(row)
        finally:
            close()

    return Table(_cells(leading[at]), records(), title)


def _csv_table(path: Path) -> Table:
    delimiter = sniff_delimiter(path)
    handle = path.open("r", encoding="utf-8-sig", errors="replace", newline="")
    csv.field_size_limit(sys.maxsize)
    return _below_title_block(path, csv.reader(handle, delimiter=delimiter), handle.close)


def read_table(path: Path) -> Table:
    """The header, rows and title block of any supported file."""
    container = container_of(path)
    if not path.is_file():
        raise IngestError(f"{path}: no such file")
    try:
        if container in ("csv", "tsv"):
            return _csv_table(path)
        if container == "xlsx":
            return _xlsx_table(path)
        return _datasets_table(path, container)
    except IngestError:
        raise
    except Exception as exc:  # any parser's failure on an unreadable file: one clear line
        raise IngestError(f"{path}: cannot read as {container}: {exc}") from exc


def _xlsx_table(path: Path) -> Table:
    from openpyxl import load_workbook  # only .xlsx inputs

    workbook = load_workbook(path, read_only=True, data_only=True)
    rows = workbook.active.iter_rows(values_only=True)
    return _below_title_block(path, (list(row) for row in rows), workbook.close)


def _datasets_table(path: Path, container: str) -> Table:
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

    return Table(header, records())


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
