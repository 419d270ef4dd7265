"""`lapor reclassify`: a whole backlog with a registered model."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import (
    FormatOption,
    ModelOption,
    console,
    deployment_catalogue,
    err_console,
    user_errors,
)
from cli.progress import RowProgress


@user_errors
def reclassify_command(
    input_path: Annotated[Path, typer.Argument(help="The backlog: CSV/TSV, Parquet, JSONL, XLSX.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output .parquet or .csv.")],
    fmt: FormatOption = "auto",
    model: ModelOption = None,
    engine: Annotated[str, typer.Option("--engine", help="local or spark.")] = "local",
    batch_size: Annotated[int, typer.Option("--batch-size", help="Rows per chunk.")] = 5_000,
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes (default: all cores).")
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run.")] = False,
    compare: Annotated[
        Path | None, typer.Option("--compare", help="An earlier output: count changed suggestions.")
    ] = None,
    spark_master: Annotated[
        str | None, typer.Option("--spark-master", help="Spark master URL (default local[*]).")
    ] = None,
    duplicates: Annotated[
        bool,
        typer.Option(
            "--duplicates/--no-duplicates",
            help="Link each report to earlier reports of the backlog about the same problem "
            "(a second pass; needs a registered duplicate scorer).",
        ),
    ] = True,
) -> None:
    """Reclassify a whole backlog with a registered model; bad rows go to OUTPUT.errors."""
    from pipeline.reclassify import reclassify

    try:
        with RowProgress("reclassifying") as progress:
            summary = reclassify(
                input_path,
                out,
                fmt,
                model_uri=model,
                engine=engine,
                batch_size=batch_size,
                workers=workers,
                resume=resume,
                compare=compare,
                spark_master=spark_master,
                duplicates=duplicates,
                progress=progress,
                catalogue=deployment_catalogue(),
            )
    except KeyboardInterrupt:
        again = " ".join(shlex.quote(a) for a in sys.argv if a != "--resume")
        err_console.print(
            f"interrupted: the chunks committed so far are kept in {out}.parts; continue "
            f"with: {again} --resume",
            highlight=False,
            soft_wrap=True,  # a command to copy: never broken across lines
        )
        raise typer.Exit(130) from None
    result = summary.as_dict()
    table = Table("task", "auto", "review", "changed", title=f"model {result['model_version']}")
    for name, counts in result["decisions"].items():
        changed = (result["changed_vs_compare"] or {}).get(name)
        table.add_row(
            name, f"{counts.get('auto', 0):,}", f"{counts.get('review', 0):,}",
            "-" if changed is None else f"{changed:,}",
        )  # fmt: skip
    console.print(table)
    console.print(
        f"rows read {result['rows_read']:,}  written {result['rows_written']:,}  "
        f"failed {result['rows_failed']:,} (see {out}.errors)  "
        f"{result['seconds']:.1f} s, {result['rows_per_second'] or 0:,} rows/s"
        + (
            f"  resumed {result['chunks_resumed']} chunks ({result['rows_resumed']:,} rows "
            "done before, not in the rate)"
            if result["chunks_resumed"]
            else ""
        )
    )
    tiers = result["urgency_tiers"]
    if tiers:
        console.print(
            f"urgency: {tiers.get('urgent', 0):,} MENDESAK, {tiers.get('check', 0):,} PERLU "
            f"DICEK, {tiers.get('none', 0):,} neither"
        )
    if result["linked_duplicates"] is not None:
        console.print(
            f"duplicates: {result['linked_duplicates']:,} reports linked to an earlier report "
            "(column duplicates)"
        )
    elif duplicates:
        console.print("duplicates: not linked (no duplicate scorer is registered)")
    if result["compared_rows"] is not None:
        console.print(f"compared with {compare}: {result['compared_rows']:,} matching ids")
