"""`lapor intake` and `lapor export dispositions`: the daily loop with SP4N-LAPOR!."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import console, err_console, open_store, user_errors
from cli.progress import RowProgress

export_app = typer.Typer(help="What goes back to SP4N-LAPOR!.", no_args_is_help=True)
REFUSED_SHOWN = 20


@user_errors
def intake_command(
    export: Annotated[Path, typer.Argument(help="The portal's export (xlsx or csv).")],
    model: Annotated[
        str | None, typer.Option("--model", help="Model URI (default: the champion).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Import an export of another regency anyway.")
    ] = False,
) -> None:
    """Bring the portal's export into the queue: new reports are masked, classified and
    linked to earlier ones; known ones take the portal's status and OPD (never over a staff
    decision). Running it twice changes nothing. Exit code 1 when rows were refused (the rest
    is imported): someone should look at the export."""
    from pipeline.serving import load_triage
    from serve.auto_guard import AutoGuard
    from serve.check_tier import CheckTier
    from serve.intake import intake_export
    from serve.policy import ServingPolicy

    if not export.is_file():
        raise typer.BadParameter(f"{export}: no such file")
    store = open_store()
    try:
        catalogue = store.catalogue()
        with err_console.status("loading the model"):
            triage = load_triage(catalogue, model)
        if triage.index is not None:
            triage.remember_many(store.recent_reports(triage.index.window_days))
        guard = AutoGuard(triage.router.target_precision_)
        guard.load(store)
        policy = ServingPolicy(guard, CheckTier(triage.urgency_tiers).load(store))
        with RowProgress("classifying new reports") as progress:

            def advance(done: int, total: int) -> None:
                progress.set_total(total)
                progress.advance(done - progress.completed)

            summary = intake_export(
                store,
                triage,
                export,
                catalogue.region if catalogue else None,
                force=force,
                finish=policy.finish,
                progress=advance,
            )
    finally:
        store.close()
    console.print(summary.describe())
    for issue in summary.refused[:REFUSED_SHOWN]:
        console.print(f"  refused row {issue.row}: {issue.reason}", highlight=False)
    if len(summary.refused) > REFUSED_SHOWN:
        console.print(f"  … and {len(summary.refused) - REFUSED_SHOWN:,} more refused rows")
    if summary.needs_a_person:
        raise typer.Exit(1)


@export_app.command("dispositions")
@user_errors
def export_dispositions(
    since: Annotated[
        datetime | None,
        typer.Option("--since", help="Only decisions made from this date on (default: all)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write an .xlsx or .csv file (default: a table).")
    ] = None,
) -> None:
    """Decisions made here that the portal does not show yet, one row per report in the order
    a verifier enters them (urgent first, then the oldest). The next intake drops the ones the
    portal shows done."""
    from serve.intake import DISPOSITION_COLUMNS, dispositions

    store = open_store()
    try:
        rows = dispositions(store, since)
    finally:
        store.close()
    if out is not None:
        write_table(rows, out)
        console.print(f"{len(rows):,} decisions to enter in SP4N-LAPOR! written to {out}")
        return
    table = Table(*DISPOSITION_COLUMNS, title=f"{len(rows):,} decisions to enter in SP4N-LAPOR!")
    for row in rows:
        table.add_row(*row.values())
    console.print(table)


def write_table(rows: list[dict[str, str]], out: Path) -> None:
    """The rows as an .xlsx workbook or a .csv file, with the export's header."""
    import pandas as pd  # only when writing a file

    from serve.intake import DISPOSITION_COLUMNS

    frame = pd.DataFrame(rows, columns=list(DISPOSITION_COLUMNS))
    if out.suffix.lower() == ".csv":
        frame.to_csv(out, index=False)
    elif out.suffix.lower() == ".xlsx":
        frame.to_excel(out, index=False, sheet_name="Disposisi")
    else:
        raise typer.BadParameter(f"{out}: write .xlsx or .csv")
