"""Training data from several sources at once: a manifest (``sources.yaml``) or one file.

```yaml
sources:
  - path: surabaya_mediacenter_2022.csv        # relative to the manifest's folder
    format: surabaya                           # or auto (the default)
    labels: surabaya_2022_labels.csv           # one file or a list, joined on id
    topic_map: surabaya_topic_to_lapor.csv
    name: surabaya                             # default: the file's name without suffix
    region: Kota Surabaya                      # optional
  - path: lapor_kab_bandung_2021_2023.xlsx
    labels: [bandung_2021_2023_urgency.csv]
    labels_override: false                     # default: the export's own labels win
```

Label files fill the labels an export leaves empty: where the export has a label (the portal's
verifiers assigned channel, category and OPD), it wins, unless the source says
``labels_override: true``; between several label files, a later file wins. Every source is
split by time on its own, so each region is represented in validation, and metrics are reported
per source beside the pooled ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from core.errors import LaporError
from core.files import file_sha256
from core.schema import DATASET, TASKS, normalize_regency
from pipeline.ingest.reader import ImportStats, read_reports, reports_frame

MANIFEST_SUFFIXES = (".yaml", ".yml")
_KEYS = {"path", "format", "labels", "topic_map", "name", "region", "labels_override"}


@dataclass
class DataSpec:
    """Where one source's data comes from and how to read it."""

    path: Path
    fmt: str = "auto"
    labels: list[Path] = field(default_factory=list)
    topic_map: Path | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    name: str = ""
    region: str | None = None
    labels_override: bool = False

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        if isinstance(self.labels, str | Path):
            self.labels = [Path(self.labels)]
        self.name = self.name or self.path.stem

    def describe(self, stats: ImportStats | None = None) -> dict[str, Any]:
        """Where the data came from (and, after an import, how it went): for the run's record."""
        described = {
            "name": self.name,
            "path": str(self.path),
            "format": self.fmt,
            "labels": [str(p) for p in self.labels],
            "topic_map": str(self.topic_map) if self.topic_map else None,
            "region": self.region,
            "sha256": file_sha256(self.path),
        }
        if stats is not None:
            described.update(rows_imported=stats.rows_imported, rows_skipped=stats.rows_skipped)
        return described


def is_manifest(path: Path) -> bool:
    return Path(path).suffix.lower() in MANIFEST_SUFFIXES


def read_manifest(path: Path) -> list[DataSpec]:
    """The sources a manifest lists; LaporError naming the entry and key that are wrong."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise LaporError(f"{path}: cannot read the manifest ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise LaporError(f"{path}: not valid YAML ({exc})") from None
    entries = document.get("sources") if isinstance(document, dict) else None
    if not isinstance(entries, list) or not entries:
        raise LaporError(f"{path}: a manifest needs a non-empty list under 'sources:'")
    base = Path(path).parent
    specs: list[DataSpec] = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: source {number}"
        if not isinstance(entry, dict) or "path" not in entry:
            raise LaporError(f"{where} needs a 'path'")
        unknown = set(entry) - _KEYS
        if unknown:
            raise LaporError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        labels = entry.get("labels") or []
        labels = labels if isinstance(labels, list) else [labels]
        spec = DataSpec(
            path=base / entry["path"],
            fmt=entry.get("format", "auto"),
            labels=[base / p for p in labels],
            topic_map=base / entry["topic_map"] if entry.get("topic_map") else None,
            name=str(entry.get("name") or ""),
            region=entry.get("region"),
            labels_override=bool(entry.get("labels_override", False)),
        )
        for file in (spec.path, *spec.labels, *([spec.topic_map] if spec.topic_map else [])):
            if not file.is_file():
                raise LaporError(f"{where}: no such file {file}")
        specs.append(spec)
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise LaporError(f"{path}: two sources share a name; give each a 'name'")
    return specs


def data_sources(
    path: Path,
    fmt: str = "auto",
    labels: Path | None = None,
    topic_map: Path | None = None,
    mapping: dict[str, str] | None = None,
) -> list[DataSpec]:
    """A manifest's sources, or the one file the other options describe."""
    if is_manifest(path):
        if labels or topic_map or mapping or fmt != "auto":
            raise LaporError(
                f"{path} is a manifest: give format, labels and topic_map for each source there"
            )
        return read_manifest(path)
    return [DataSpec(path, fmt, [labels] if labels else [], topic_map, mapping or {})]


def load_frame(spec: DataSpec) -> tuple[pd.DataFrame, ImportStats]:
    """Import one source into a report frame (its name in :data:`DATASET`); LaporError if it
    is empty or carries no labels."""
    reports, stats = read_reports(
        spec.path,
        spec.fmt,
        mapping=spec.mapping,
        labels=spec.labels,
        topic_map=spec.topic_map,
        labels_override=spec.labels_override,
    )
    if not reports:
        raise LaporError(f"{spec.path}: no usable reports ({stats.rows_skipped} rows skipped)")
    frame = reports_frame(reports)
    if not any(frame[task].notna().any() for task in TASKS):
        raise LaporError(
            f"{spec.path}: no usable labels; expected some of {', '.join(TASKS)} "
            "(join them with --labels FILE or map them with --map COLUMN=FIELD)"
        )
    frame[DATASET] = spec.name
    if spec.region:  # the source's kabupaten/kota, for rows whose export names none
        frame["regency"] = frame["regency"].where(
            frame["regency"].notna(), normalize_regency(spec.region)
        )
    return frame, stats


def load_sources(specs: list[DataSpec]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Every source's rows in one frame, and the description of them for the run's record
    (one source: its own description, as before manifests existed)."""
    frames, described = [], []
    for spec in specs:
        frame, stats = load_frame(spec)
        frames.append(frame)
        described.append(spec.describe(stats))
    frame = pd.concat(frames, ignore_index=True)
    return frame, described[0] if len(described) == 1 else {"sources": described}
