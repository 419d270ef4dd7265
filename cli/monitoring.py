"""`lapor kpi` and `lapor drift`: how disposition and the model are doing."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import (
    FormatOption,
    ModelOption,
    console,
    err_console,
    fmt_share,
    open_store,
    user_errors,
)
from core.clock import local_now
from core.config import get_settings


@user_errors
def kpi_command(
    data: Annotated[
        Path | None,
        typer.Option("--data", help="An export with time stamps (default: the service's store)."),
    ] = None,
    fmt: FormatOption = "auto",
    report: Annotated[
        Path | None, typer.Option("--report", help="Write an HTML report with charts here.")
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the KPIs here.")] = None,
) -> None:
    """Disposition KPIs in working days: time to disposition and follow-up, share within the
    SLA (3 and 5 working days), backlog and overdue per OPD, auto-routed share, acceptance and
    weekly accuracy of suggestions."""
    from pipeline.ingest.reader import read_reports
    from pipeline.kpi import compute, history_from_reports, plots, render_html

    if data is not None:
        reports, stats = read_reports(data, fmt)
        skipped = stats.rows_read - stats.rows_imported
        if skipped:
            err_console.log(f"{skipped:,} bad rows skipped (see `lapor data inspect`)")
        history = history_from_reports(reports)
    else:
        store = open_store()
        history = store.history()
        store.close()
    kpis = compute(history, now=local_now())  # open_store set the deployment's clock
    table = Table("KPI", "value")
    table.add_row("reports", f"{kpis['reports']:,}")
    for stage in ("disposition", "follow_up"):
        if stage in kpis and kpis[stage].get("recorded") is False:
            table.add_row(stage, "not recorded in this export")
        elif stage in kpis:
            s = kpis[stage]
            table.add_row(
                f"{stage}: within {s['sla_working_days']} working days",
                f"{fmt_share(s['within_sla'])} (median {s['median_working_days']}, "
                f"p90 {s['p90_working_days']}; {s['pending_overdue']:,} pending and late)",
            )
    if "auto_routed" in kpis:
        table.add_row("auto-routed", fmt_share(kpis["auto_routed"]))
    for task, accepted in kpis["acceptance"].items():
        table.add_row(f"{task} suggestion accepted", f"{fmt_share(accepted['accepted'])} "
                      f"of {accepted['decisions']:,}")  # fmt: skip
    worst = [row for row in kpis["by_agency"] if row["overdue"]][:5]
    for row in worst:
        table.add_row(f"overdue: {row['agency']}", f"{row['overdue']:,} of {row['backlog']:,} open")
    console.print(table)
    if json_out:
        json_out.write_text(json.dumps(kpis, indent=2, ensure_ascii=False), encoding="utf-8")
    if report:
        report.write_text(render_html(kpis, plots(history, kpis)), encoding="utf-8")
        console.print(f"wrote {report}")


@user_errors
def drift_command(
    since: Annotated[datetime, typer.Option("--since", help="Start of the recent window.")],
    model: ModelOption = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report here.")] = None,
) -> None:
    """Recent reports in the service's store against the model's validation data: label and
    confidence shift, share sent to review, unknown words, agencies the model does not know.
    Logged to MLflow; the warnings also appear in the service's /ready."""
    from pipeline.drift import compare, log, save
    from pipeline.ingest.reader import reports_frame
    from pipeline.registry.client import champion_uri, load_validation, resolve
    from pipeline.registry.pyfunc import load_router

    settings = get_settings()
    uri = model or champion_uri()
    name, version = resolve(uri)
    router = load_router(uri)
    reference = load_validation(name, version)
    store = open_store()
    recent = store.reports_since(since)
    agencies = [d.agency for d in store.decisions(since) if d.agency]
    store.close()
    report = compare(
        router,
        reference,
        reports_frame(recent) if recent else reference.iloc[:0],
        agencies,
        settings.drift_thresholds,
    )
    log(report, since)
    save(report, settings.drift_report)
    table = Table("task", "label shift (JS)", "confidence ref -> recent", "review ref -> recent")
    for task, row in report["tasks"].items():
        table.add_row(
            task, f"{row['label_shift']:.3f}",
            f"{row['confidence_reference']:.3f} -> {row['confidence_recent']:.3f}",
            f"{row['review_reference']:.1%} -> {row['review_recent']:.1%}",
        )  # fmt: skip
    console.print(table)
    if "oov_recent" in report:
        console.print(
            f"unknown words: {report['oov_reference']:.1%} -> {report['oov_recent']:.1%}; "
            f"{report['recent_reports']:,} recent vs {report['reference_reports']:,} reference"
        )
    for warning in report["warnings"]:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)
    if not report["warnings"]:
        console.print("no drift past the thresholds")
    if json_out:
        json_out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
