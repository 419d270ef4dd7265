"""The committed chunks of one batch run under ``OUTPUT.parts/`` (results, errors and duplicate
links per chunk, each written to a temporary name and renamed) and their merge into the
output."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import LaporError
from pipeline.batch_duplicates import links_path
from pipeline.batch_output import ERROR_COLUMNS, output_columns
from pipeline.ingest.containers import container_of


class PartStore:
    """The committed chunks of one run, under ``OUTPUT.parts/``, with a manifest."""

    def __init__(self, output: Path) -> None:
        self.folder = output.with_name(output.name + ".parts")
        self.manifest_path = self.folder / "manifest.json"

    def open(self, manifest: dict[str, Any], resume: bool) -> set[int]:
        """Start (or, with ``resume``, continue) a run; the indices of committed chunks."""
        if self.folder.exists() and not resume:
            raise LaporError(
                f"{self.folder} holds an interrupted run; continue it with --resume "
                "or delete that folder to start again"
            )
        if resume and self.manifest_path.exists():
            stored = json.loads(self.manifest_path.read_text())
            different = sorted(k for k in manifest if stored.get(k) != manifest[k])
            if different:
                raise LaporError(
                    f"cannot resume: {', '.join(different)} differ from the interrupted run "
                    f"in {self.folder}"
                )
            return {int(p.stem.split("-")[1]) for p in self.folder.glob("part-*.parquet")} & {
                int(p.stem.split("-")[1]) for p in self.folder.glob("errors-*.csv")
            }
        self.folder.mkdir(parents=True, exist_ok=True)
        self.manifest_path.write_text(json.dumps(manifest, indent=2))
        return set()

    def commit(self, index: int, part: pd.DataFrame, issues: list[tuple]) -> None:
        """Write a chunk's results and errors; the errors file, renamed last, marks it done."""
        results = self.folder / f"part-{index:07d}.parquet"
        errors = self.folder / f"errors-{index:07d}.csv"
        part.to_parquet(self.folder / f".{results.name}.tmp", index=False)
        os.replace(self.folder / f".{results.name}.tmp", results)
        pd.DataFrame(issues, columns=list(ERROR_COLUMNS)).to_csv(
            self.folder / f".{errors.name}.tmp", index=False
        )
        os.replace(self.folder / f".{errors.name}.tmp", errors)

    def parts(self) -> list[tuple[Path, Path]]:
        indices = sorted(int(p.stem.split("-")[1]) for p in self.folder.glob("errors-*.csv"))
        return [
            (self.folder / f"part-{i:07d}.parquet", self.folder / f"errors-{i:07d}.csv")
            for i in indices
        ]

    def merge(self, output: Path) -> tuple[int, int]:
        """Concatenate the parts into ``output`` and ``output.errors``; (rows, errors)."""
        import pyarrow as pa  # heavy: only Parquet needs it
        import pyarrow.parquet as pq  # heavy: only Parquet needs it

        rows = errors = 0
        partial = output.with_name(output.name + ".partial")
        error_path = output.with_name(output.name + ".errors")
        parquet = container_of(output) == "parquet"
        writer = None
        with error_path.open("w", encoding="utf-8", newline="") as error_handle:
            error_handle.write(",".join(ERROR_COLUMNS) + "\n")
            for index, (results, issues) in enumerate(self.parts()):
                table = pq.read_table(results)
                links = links_path(self.folder, int(results.stem.split("-")[1]))
                if links.exists():
                    column = table.schema.get_field_index("duplicates")
                    found = pq.read_table(links, columns=["duplicates"]).column(0)
                    table = table.set_column(
                        column, "duplicates", found.cast(table.schema.field(column).type)
                    )
                rows += table.num_rows
                if parquet:
                    if writer is None:
                        writer = pq.ParquetWriter(partial, table.schema)
                    writer.write_table(table.cast(writer.schema) if index else table)
                else:
                    table.to_pandas().to_csv(
                        partial, mode="w" if index == 0 else "a", header=index == 0, index=False
                    )
                issue_frame = pd.read_csv(issues, dtype=str, keep_default_na=False)
                errors += len(issue_frame)
                issue_frame.to_csv(error_handle, header=False, index=False)
        if writer is not None:
            writer.close()
        elif parquet:
            pq.write_table(pa.table({c: [] for c in output_columns()}), partial)
        os.replace(partial, output)
        shutil.rmtree(self.folder)
        return rows, errors
