"""`lapor train`, `evaluate`, `promote`, `retrain`: the model life cycle."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli.common import (
    DataOption,
    FormatOption,
    LabelsOption,
    MapOption,
    SyntheticOption,
    TopicMapOption,
    console,
    data_specs,
    deployment_catalogue,
    err_console,
    fmt_metric,
    open_store,
    user_errors,
)
from core.config import get_settings
from core.errors import LaporError

if TYPE_CHECKING:
    from pipeline.registry.promotion import PromotionGate, PromotionOutcome


@user_errors
def train_command(
    data: DataOption,
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
    from models.encoder.config import EncoderConfig
    from pipeline.train import TrainingSetup, train

    encoder_config = None
    if family != "linear":
        encoder_config = EncoderConfig(
            epochs=encoder_epochs,
            max_steps=encoder_max_steps,
            layers=encoder_layers,
            max_length=encoder_max_length,
        )

    with err_console.status("training") as status:
        result = train(
            data_specs(data, fmt, labels, topic_map, map_),
            TrainingSetup.from_settings(get_settings()),
            family=family,
            split=split,
            validation_from=validation_from,
            synthetic=synthetic,
            progress=lambda step: (status.update(step), err_console.log(step)),
            encoder_config=encoder_config,
            sentence_features=sentence_features,
            catalogue=deployment_catalogue(),
        )
    console.print_json(json.dumps(result.metrics, ensure_ascii=False))
    print(result.model_uri)


@user_errors
def evaluate_command(
    model: Annotated[
        str, typer.Option("--model", help="models:/NAME/VERSION or models:/NAME@ALIAS")
    ],
    data: DataOption,
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
    agencies: Annotated[
        Path | None,
        typer.Option("--agencies", help="Score agency against this OPD catalogue (CSV, as "
                     "`lapor deployment init` reads it): a deployment the model never saw."),
    ] = None,
    regency: Annotated[
        str | None,
        typer.Option("--regency", help="With --agencies: add this region's kecamatan and "
                     "kelurahan/desa offices from the gazetteer."),
    ] = None,
) -> None:  # fmt: skip
    """Evaluate a registered model on any labelled file."""
    from pipeline.deployment import catalogue_file
    from pipeline.evaluate import evaluate, per_class_report, save_plots
    from pipeline.registry.client import log_evaluation
    from pipeline.registry.pyfunc import load_router
    from pipeline.sources import load_sources

    router = load_router(model)
    catalogue = None
    if agencies is not None:
        catalogue, problems = catalogue_file(agencies, regency)
        for problem in problems:
            err_console.print(f"[yellow]skipped[/yellow] {problem}", highlight=False)
    frame, _ = load_sources(data_specs(data, fmt, labels, topic_map, map_))
    predictions = router.predict_tasks(frame, catalogue)
    metrics = evaluate(router, frame, predictions, catalogue)
    if metrics["seen_in_training"]:
        err_console.print(
            f"[yellow]warning:[/yellow] {metrics['seen_in_training']:,} of {metrics['n']:,} "
            "evaluation rows were in the model's training data (the same id or the same text): "
            "these figures overstate how it does on new reports",
            highlight=False,
        )
    folder = out_dir or (json_out.parent if json_out else Path("."))
    folder.mkdir(parents=True, exist_ok=True)
    report = folder / "per_class_report.txt"
    report.write_text(per_class_report(router, frame, predictions), encoding="utf-8")
    files = [report, *save_plots(router, frame, folder, predictions)]
    if json_out:
        json_out.write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")
        files.append(json_out)
    if log:
        log_evaluation(model, str(data), metrics, files)
    console.print_json(json.dumps(metrics, ensure_ascii=False))


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
    from pipeline.dedupe import load_reports, read_pairs
    from pipeline.registry.client import DUPLICATES_MODEL
    from pipeline.registry.promotion import DuplicatesGate, RouterGate, promote
    from pipeline.sources import load_sources

    gate: PromotionGate
    if name == DUPLICATES_MODEL:
        if (data is None) != (pairs is None):
            raise LaporError("give both --data and --pairs, or neither")
        gate = (
            DuplicatesGate(load_reports(data, fmt), read_pairs(pairs)) if data else DuplicatesGate()
        )
    else:
        frame = load_sources(data_specs(data, fmt, labels, topic_map, None))[0] if data else None
        gate = RouterGate(name or get_settings().registered_model_name, frame)
    outcome = promote(gate, version, force=force, tolerance=get_settings().promote_tolerance)
    _print_promotion(outcome)
    if not outcome.promoted:
        raise typer.Exit(1)


@user_errors
def retrain_command(
    data: Annotated[
        Path, typer.Option("--data", help="Base labelled export, or a manifest of sources (.yaml).")
    ],
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
    gate refuses (schedule it with cron or a systemd timer: see docs/data-science.md)."""
    from pipeline.retrain import retrain
    from pipeline.train import TrainingSetup

    store = open_store()
    decided = store.decided_reports()
    by_source = store.decision_counts()
    catalogue = store.catalogue()
    store.close()
    err_console.log(
        f"{len(decided):,} decided reports: {by_source.get('staff', 0):,} by staff here, "
        f"{by_source.get('portal', 0):,} from the portal's export"
    )
    outcome = retrain(
        data_specs(data, fmt, labels, topic_map, map_),
        decided,
        TrainingSetup.from_settings(get_settings()),
        validation_from=validation_from,
        synthetic=synthetic,
        promote_if_better=not no_promote,
        progress=err_console.log,
        family=family,
        by_source=by_source,
        catalogue=catalogue,
    )
    promotion = outcome.promotion
    if promotion is not None:
        _print_promotion(promotion)
    print(outcome.result.model_uri)
    if promotion is not None and not promotion.promoted:
        raise typer.Exit(1)


def _print_promotion(outcome: PromotionOutcome) -> None:
    """The gate's task-by-task comparison and its verdict."""
    if outcome.comparison is not None:
        table = Table("task", "metric", "champion", "challenger", "not worse", title="comparison")
        for task, metric, old, new, ok in outcome.comparison.rows:
            table.add_row(
                task, metric, fmt_metric(old), fmt_metric(new), "yes" if ok else "[red]no[/red]"
            )
        console.print(table)
    console.print(outcome.message)
