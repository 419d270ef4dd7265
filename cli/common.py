"""What every command group shares: the consoles, the one-line error wrapper, common options."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console

from core.config import get_settings
from core.errors import LaporError
from serve.messages import wording

if TYPE_CHECKING:
    from models.catalogue import Catalogue
    from pipeline.sources import DataSpec
    from serve.store import Store

console = Console()
err_console = Console(stderr=True, log_path=False)
"""Progress and log lines (``err_console.log``: a time stamp, never this module's file name)."""

P = ParamSpec("P")
R = TypeVar("R")

FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="Export format: auto (by header), lapor, surabaya, or generic/csv (any container).",
    ),
]
DataOption = Annotated[
    Path,
    typer.Option("--data", help="A labelled export, or a manifest of sources (.yaml)."),
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


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a LaporError into one red line on stderr and exit code 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except LaporError as exc:
            err_console.print(f"[red]error:[/red] {wording(exc)}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


def data_specs(
    data: Path, fmt: str, labels: Path | None, topic_map: Path | None, map_: list[str] | None
) -> list[DataSpec]:
    """The sources the common data options describe: a manifest's (``--data sources.yaml``),
    or the one file."""
    from pipeline.ingest.mapping import parse_mapping
    from pipeline.sources import data_sources

    return data_sources(data, fmt, labels, topic_map, parse_mapping(map_ or ()))


def open_store() -> Store:
    """The service's store, migrated to the current schema (close it when done)."""
    from pipeline.deployment import use_deployment_zone
    from serve.passwords import PasswordHashing
    from serve.store import Store

    settings = get_settings()
    settings.ensure_dirs()
    use_deployment_zone(settings.home, settings.timezone)
    store = Store(settings.store_url, passwords=PasswordHashing.from_settings(settings))
    store.migrate(settings.home)
    return store


def deployment_catalogue() -> Catalogue | None:
    """The deployment's OPD catalogue, from the service's store (None: none is set up)."""
    store = open_store()
    try:
        return store.catalogue()
    finally:
        store.close()


def fmt_metric(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


def fmt_share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"
