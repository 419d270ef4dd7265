"""Joins onto an export: extra label files (by report id) and topic maps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.errors import IngestError
from core.schema import (
    LABEL_FIELDS,
    parse_topic,
)
from pipeline.ingest.containers import read_table
from pipeline.ingest.mapping import cell_value

# --- joins --------------------------------------------------------------------------------


def read_topic_map(path: Path) -> dict[str, str]:
    """A two-column CSV (source topic, LAPOR! category) -> {source topic: category}."""
    table = read_table(path)
    header, rows = table.header, table.rows
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


def read_labels(*paths: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Label files keyed by ``id`` -> ({id: {field: value}}, ignored columns); where files
    disagree on a value, the later file's wins."""
    labels: dict[str, dict[str, Any]] = {}
    ignored: list[str] = []
    for path in paths:
        rows, columns = _read_label_file(path)
        for key, values in rows.items():
            merged = labels.setdefault(key, {})
            merged.update({k: v for k, v in values.items() if v is not None or k not in merged})
        ignored += [c for c in columns if c not in ignored]
    return labels, ignored


def _read_label_file(path: Path) -> tuple[dict[str, dict[str, Any]], list[str]]:
    table = read_table(path)
    header, rows = table.header, table.rows
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
        key = cell_value(record.get("id"))
        if key is None:
            continue
        labels[str(key)] = {c: cell_value(record.get(c)) for c in label_columns}
    return labels, [h for h in header if h not in label_columns and h != "id"]
