"""`lapor deployment`: the deployment's region, gazetteer and OPD catalogue."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cli.common import console, deployment_catalogue, err_console, open_store, user_errors
from core.config import get_settings
from core.errors import LaporError

app = typer.Typer(
    help="The deployment: its region, gazetteer and OPD catalogue.", no_args_is_help=True
)


@app.command("init")
@user_errors
def deployment_init(
    regency: Annotated[
        str, typer.Option("--regency", help='As Kemendagri names it: "Kabupaten Kutai Timur".')
    ],
    agencies: Annotated[
        Path | None,
        typer.Option(
            "--agencies",
            help="The OPD catalogue: CSV with name[,aliases,function,"
            "description]; kecamatan and kelurahan/desa offices are added.",
        ),
    ] = None,
    similarity: Annotated[
        bool,
        typer.Option(
            "--similarity/--rules-only",
            help="Resolve names the rules cannot read by e5 similarity to the "
            "function descriptions (prepares the encoder once).",
        ),
    ] = True,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing deployment.")] = False,
) -> None:
    """Set up the deployment: its region and gazetteer (under LAPOR_HOME), and its catalogue (in
    the service's store, where admins edit it)."""
    from models.functions import FunctionResolver
    from pipeline.deployment import e5_embedder, read_catalogue_file
    from serve.deployment import Deployment

    if agencies is not None and not agencies.is_file():
        raise LaporError(f"{agencies}: no such file")
    settings = get_settings()
    store = open_store()
    try:
        deployment = Deployment(settings.home, store)
        if not force:
            deployment.check_not_set_up()
        rows, problems = read_catalogue_file(agencies) if agencies else ([], [])
        resolver = FunctionResolver(e5_embedder(settings.encoder_dir) if similarity else None)
        catalogue = deployment.set_up(regency, rows, resolver, replace=True)
    finally:
        store.close()
    for problem in problems:
        err_console.print(f"[yellow]skipped[/yellow] {problem}", highlight=False)
    how = Counter(opd.how for opd in catalogue.opds)
    console.print(
        f"deployment {catalogue.region}: {len(catalogue.opds)} agencies "
        f"({', '.join(f'{n} {k}' for k, n in how.most_common())}); "
        "check them with `lapor deployment agencies`",
        highlight=False,
    )


@app.command("agencies")
@user_errors
def deployment_agencies(
    offices: Annotated[
        bool, typer.Option("--offices", help="List the kecamatan and kelurahan/desa offices too.")
    ] = False,
) -> None:
    """The catalogue: each OPD's resolved function and how it was resolved (explicit, rule,
    similarity, gazetteer), so an admin can correct it in the file."""
    from models.functions import opd_functions

    catalogue = deployment_catalogue()
    if catalogue is None:
        raise LaporError("no deployment is set up: run `lapor deployment init --regency ...`")
    functions = opd_functions()
    table = Table(
        "OPD", "function", "resolved by", "also serves", "aliases", title=f"{catalogue.region}"
    )
    hidden = 0
    for opd in catalogue.opds:
        if opd.how == "gazetteer" and not offices:
            hidden += 1
            continue
        function = functions[opd.function].name if opd.function else "-"
        also = ", ".join(functions[f].name for f in opd.functions[1:])
        table.add_row(opd.name, function, opd.how, also, "; ".join(opd.aliases))
    console.print(table)
    if hidden:
        console.print(
            f"and {hidden} kecamatan and kelurahan/desa offices from the gazetteer "
            "(--offices lists them)",
            highlight=False,
        )
