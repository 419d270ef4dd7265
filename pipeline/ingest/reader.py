"""The importer: rows -> masked Reports, a bad row reported by number while the rest goes on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from core.errors import IngestError
from core.schema import (
    DATETIME_FIELDS,
    REPORT_FIELDS,
    Report,
    mask_record,
    parse_channel,
    parse_flag,
    parse_status,
    parse_topic,
)
from pipeline.ingest.containers import read_table
from pipeline.ingest.formats import (
    FORMAT_NAMES,
    FORMATS,
    GENERIC_FORMAT,
    LAPOR_FORMATS,
    SourceFormat,
    detect_format,
)
from pipeline.ingest.joins import read_labels, read_topic_map
from pipeline.ingest.mapping import cell_value, parse_datetime, resolve_columns


@dataclass
class RowIssue:
    """A row that was skipped or partly dropped, with the 1-based data row number."""

    row: int
    reason: str
    id: str | None = None


DEFAULT_ISSUE_LIMIT = 1_000
"""Bad rows an import lists one by one (the rest only counted): a bound on the memory of a
backlog with millions of them. ``lapor data inspect`` lists as many as the settings say."""


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
    issue_limit: int = DEFAULT_ISSUE_LIMIT
    title_block: dict[str, str] = field(default_factory=dict)
    """What the export says about itself above its header (instansi, period, generated)."""

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
            "title_block": self.title_block,
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
        labels_override: bool = False,
    ) -> None:
        self.format = source_format
        self.columns = columns
        self.topic_map = topic_map or {}
        self.labels = labels or {}
        self.labels_override = labels_override
        """Whether joined labels replace the export's own (by default they only fill gaps)."""
        self.stats = stats or ImportStats(format=source_format.name, mapping=dict(columns))
        self.seen: dict[str, int] = {}
        self.matched_labels: set[str] = set()

    def convert(self, record: dict[str, Any], number: int, check_duplicates: bool = True) -> Report:
        """The Report of data row ``number``; RowError says why a row cannot be imported."""
        values: dict[str, Any] = dict(self.format.constants)
        for column, name in self.columns.items():
            value = cell_value(record.get(column))
            if isinstance(value, str) and "\ufffd" in value:
                self.stats.replaced_characters += value.count("\ufffd")
            values[name] = value
        text = values.get("text")
        if text is None:
            raise RowError("empty text", "empty text")
        if self.format.escaped_newlines:
            values["text"] = str(text).replace("\\r\\n", "\n").replace("\\n", "\n")
        values["id"] = str(values.get("id") or f"row-{number}")
        if self.format.derive is not None:
            for kind, detail in self.format.derive(values):
                self.stats.record(number, kind, f"row {number}: {detail}", skipped=False)
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
            for name, value in joined.items():
                if value is not None and (self.labels_override or values.get(name) is None):
                    values[name] = value
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
        labels: str | Path | list[Path] | None = None,
        topic_map: str | Path | None = None,
        issue_limit: int = DEFAULT_ISSUE_LIMIT,
        labels_override: bool = False,
    ) -> None:
        """``labels``: label files joined on ``id``; they fill the labels the export leaves
        empty (the export's own, e.g. the portal's verifiers', win) unless ``labels_override``.
        With several files, a later file's value wins over an earlier one's."""
        self.path = Path(path)
        if fmt not in FORMAT_NAMES:
            raise IngestError(f"unknown format {fmt!r}; use one of {', '.join(FORMAT_NAMES)}")
        table = read_table(self.path)
        self.header, self._rows = table.header, table.rows
        if fmt == "auto":
            self.format = detect_format(self.header)
        elif fmt == "lapor":  # either LAPOR! layout, whichever the header names
            self.format = detect_format(self.header, among=LAPOR_FORMATS)
            self.format = FORMATS["lapor"] if self.format is GENERIC_FORMAT else self.format
        else:
            self.format = FORMATS[fmt]
        self.columns = resolve_columns(self.header, self.format, mapping or {}, self.path)
        label_files = [labels] if isinstance(labels, str | Path) else list(labels or [])
        label_rows, self.ignored_label_columns = read_labels(*map(Path, label_files))
        self.stats = ImportStats(
            format=self.format.name,
            mapping=dict(self.columns),
            unused_columns=[h for h in self.header if h not in self.columns],
            issue_limit=issue_limit,
            title_block=table.title,
        )
        self.converter = RowConverter(
            self.format,
            self.columns,
            read_topic_map(Path(topic_map)) if topic_map else {},
            label_rows,
            self.stats,
            labels_override,
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
        value = cell_value(record.get(column)) if column else None
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
