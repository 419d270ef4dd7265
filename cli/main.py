"""The one ``lapor`` command-line app: the composition root. Every command is a thin call into
the layers below; nothing imports this package.

Each command's module is imported only when that command runs (or shows its own help): loading
them all would import pandas, scikit-learn, MLflow and torch before ``lapor --help`` could answer.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer
from typer.core import TyperCommand, TyperGroup

from core.config import PRIVATE_UMASK

if TYPE_CHECKING:  # Typer's own copy of click, whose classes its groups and commands are
    from typer import _click as click


@dataclass(frozen=True)
class LazyCommand:
    """Where a command lives (``module:attribute``: a command function or a Typer group) and the
    line ``lapor --help`` shows for it without importing it."""

    target: str
    summary: str

    def load(self, name: str) -> click.Command:
        module_name, attribute = self.target.split(":")
        found = getattr(importlib.import_module(module_name), attribute)
        if isinstance(found, typer.Typer):  # a group stays one, even with a single command
            command: click.Command = typer.main.get_group(found)
        else:
            single = typer.Typer()
            single.command(name)(found)
            command = typer.main.get_command(single)
        command.name = name
        return command


COMMANDS = {
    "train": LazyCommand("cli.training:train_command", "Fit every task and register a challenger."),
    "evaluate": LazyCommand(
        "cli.training:evaluate_command", "Evaluate a registered model on a labelled file."
    ),
    "promote": LazyCommand(
        "cli.training:promote_command", "Make the challenger champion if it is not worse."
    ),
    "retrain": LazyCommand(
        "cli.training:retrain_command", "Retrain with staff and portal decisions; gate, promote."
    ),
    "serve": LazyCommand("cli.service:serve_command", "Serve the API and the triage UI."),
    "demo": LazyCommand(
        "cli.service:demo_command", "The embedded default (make run): the Kutai Timur demo."
    ),
    "intake": LazyCommand(
        "cli.portal:intake_command", "Bring the portal's export into the queue (idempotent)."
    ),
    "reclassify": LazyCommand(
        "cli.batch:reclassify_command", "Reclassify a whole backlog with a registered model."
    ),
    "kpi": LazyCommand("cli.monitoring:kpi_command", "Disposition KPIs in working days."),
    "drift": LazyCommand(
        "cli.monitoring:drift_command", "Recent reports against the model's validation data."
    ),
    "data": LazyCommand("cli.data:app", "Import, inspect and generate report data."),
    "models": LazyCommand("cli.models:app", "Registered models: versions, aliases, metrics."),
    "duplicates": LazyCommand(
        "cli.duplicates:app", "Link repeated reports of the same problem (never dropped)."
    ),
    "users": LazyCommand("cli.users:app", "Users of the service and their API keys."),
    "deployment": LazyCommand(
        "cli.deployment:app", "The deployment: its region, gazetteer and OPD catalogue."
    ),
    "export": LazyCommand("cli.portal:export_app", "What goes back to SP4N-LAPOR!."),
}


class LazyCommands(TyperGroup):
    """The top-level group: lists :data:`COMMANDS` from their summaries and imports a command's
    module only when it is invoked."""

    listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        if self.listing:
            return TyperCommand(cmd_name, help=entry.summary)
        return entry.load(cmd_name)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


app = typer.Typer(
    name="lapor",
    help="lapor-router: triage and routing of SP4N-LAPOR! citizen reports.",
    cls=LazyCommands,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def private_files() -> None:
    """Every file a command writes (the store and its WAL, MLflow's database and artifacts,
    exports) is readable by its owner only."""
    os.umask(PRIVATE_UMASK)
