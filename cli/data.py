"""`lapor data`: synthesise, import and inspect report files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cli.common import (
    FormatOption,
    LabelsOption,
    MapFileOption,
    MapOption,
    TopicMapOption,
    console,
    user_errors,
)
from cli.progress import RowProgress
from core.config import get_settings
from core.schema import TASKS

app = typer.Typer(help="Import, inspect and generate report data.", no_args_is_help=True)


@app.command("synth")
@user_errors
def data_synth(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output .csv, .parquet or .jsonl.")],
    n: Annotated[int, typer.Option("--n", min=1, help="Number of reports.")] = 5_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same rows).")] = 42,
) -> None:
    """Generate the synthetic Kutai Timur demo corpus (streamed; millions of rows work)."""
    from pipeline.ingest.containers import container_of, write_rows
    from pipeline.synth.generator import generate

    container_of(out)
    with RowProgress("generating", total=n) as progress:
        count = write_rows(progress.track(generate(n, seed=seed)), out)
    console.print(f"wrote {count:,} synthetic reports to {out}")


@app.command("inspect")
@user_errors
def data_inspect(
    path: Annotated[Path, typer.Argument(help="The export file to read.")],
    fmt: FormatOption = "auto",
    labels: LabelsOption = None,
    topic_map: TopicMapOption = None,
    map_: MapOption = None,
    map_file: MapFileOption = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write the summary as JSON.")
    ] = None,
) -> None:
    """Show the column mapping, row counts (read, imported, skipped with reasons) and labels."""
    from pipeline.ingest.mapping import parse_mapping
    from pipeline.ingest.reader import ReportReader

    reader = ReportReader(
        path,
        fmt,
        mapping=parse_mapping(map_ or (), map_file),
        labels=labels,
        topic_map=topic_map,
        issue_limit=get_settings().import_issue_limit,
    )
    shown = (*TASKS, "supervision", "subtopic", "source", "confidentiality", "status")
    distributions: dict[str, Counter] = {name: Counter() for name in shown}
    first = last = None
    with RowProgress("reading") as progress:
        for report in progress.track(reader):
            for name, counter in distributions.items():
                value = report.derived_status() if name == "status" else getattr(report, name)
                if value is not None:
                    counter[value] += 1
            if report.created_at:
                first = min(first or report.created_at, report.created_at)
                last = max(last or report.created_at, report.created_at)
    summary = reader.stats.as_dict()
    summary["created_at_range"] = [str(first) if first else None, str(last) if last else None]
    summary["labels"] = {k: dict(v.most_common()) for k, v in distributions.items()}
    _print_inspection(path, summary)
    if json_out:
        json_out.write_text(json.dumps(summary, ensure_ascii=False, indent=2), "utf-8")


def _print_inspection(path: Path, summary: dict[str, Any]) -> None:
    console.print(f"[bold]{path}[/bold]")  # a line of its own: a long path wraps alone
    console.print(f"format: [cyan]{summary['format']}[/cyan]")
    for key, value in summary["title_block"].items():
        console.print(f"  {key}: {value}", highlight=False)
    mapping = Table("source column", "field", title="column mapping", title_justify="left")
    for column, name in summary["mapping"].items():
        mapping.add_row(column, name)
    console.print(mapping)
    if summary["unused_columns"]:
        console.print(f"unused columns: {', '.join(summary['unused_columns'])}")
    console.print(
        f"rows read {summary['rows_read']:,}  imported {summary['rows_imported']:,}  "
        f"skipped {summary['rows_skipped']:,}"
    )
    for reason, count in summary["skipped"].items():
        console.print(f"  skipped ({reason}): {count:,}")
    for reason, count in summary["dropped_labels"].items():
        console.print(f"  label dropped ({reason}): {count:,}")
    for issue in summary["issues"][:20]:
        console.print(f"  [yellow]{issue['reason']}[/yellow]", highlight=False)
    if len(summary["issues"]) > 20:
        console.print(f"  … {summary['rows_skipped'] - 20:,} more (use --json for all)")
    if summary["replaced_characters"]:
        console.print(f"non-UTF-8 bytes replaced: {summary['replaced_characters']:,}")
    if summary["labels_joined"] or summary["labels_unmatched"]:
        console.print(
            f"labels joined: {summary['labels_joined']:,}; "
            f"labels without a matching report: {summary['labels_unmatched']:,}"
        )
    start, end = summary["created_at_range"]
    if start:
        console.print(f"created_at: {start} … {end}")
    for name, counts in summary["labels"].items():
        if not counts:
            console.print(f"{name}: (no labels)")
            continue
        table = Table(name, "reports", "share", title=f"{name} ({len(counts)} values)")
        total = sum(counts.values())
        for value, count in list(counts.items())[:15]:
            table.add_row(str(value), f"{count:,}", f"{count / total:.1%}")
        if len(counts) > 15:
            table.add_row(f"… {len(counts) - 15} more", "", "")
        console.print(table)
