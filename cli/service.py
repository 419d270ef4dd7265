"""`lapor serve` and `lapor demo`: the API and the triage UI."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import (
    ModelOption,
    console,
    err_console,
    open_store,
    user_errors,
)
from core.clock import local_now
from core.config import get_settings
from core.errors import LaporError

DEMO_DATA = Path("data/sample/demo_reports.csv")

HostOption = Annotated[str, typer.Option("--host", help="Interface to listen on.")]
PortOption = Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")]


def _run_server(app_: Any, host: str, port: int) -> None:
    import uvicorn

    from serve.app import server_config
    from serve.observability import configure_logging

    configure_logging(get_settings().log_level)
    uvicorn.Server(server_config(app_, host, port)).run()


@user_errors
def serve_command(
    model: ModelOption = None,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """Serve the API (/api/v1, docs at /docs) and the triage UI with the given model or the
    champion. Users and API keys come from `lapor users add`."""
    from pipeline.registry.client import CHAMPION, alias_version, resolve
    from serve.app import create_app

    if model:
        resolve(model)  # a clear error now rather than at start-up
    elif alias_version(get_settings().registered_model_name, CHAMPION) is None:
        raise LaporError("no champion model: train and promote one, or pass --model URI")
    _run_server(create_app(get_settings(), model_uri=model), host, port)


@user_errors
def demo_command(
    data: Annotated[Path, typer.Option("--data", help="The demo corpus.")] = DEMO_DATA,
    host: HostOption = "127.0.0.1",
    port: PortOption = 8000,
) -> None:
    """The embedded default (what `make run` does): set up the Kutai Timur deployment and
    generate the demo corpus if missing, train
    and promote a model and a duplicate scorer if none is registered, seed the triage queue,
    and serve the API and UI with a demo login printed here."""
    from pipeline.bootstrap import ensure_champion, ensure_duplicates_champion
    from pipeline.ingest.containers import write_rows
    from pipeline.ingest.reader import read_reports
    from pipeline.serving import load_triage
    from pipeline.synth.gazetteer import OPD, REGENCY
    from pipeline.synth.generator import generate
    from pipeline.train import TrainingSetup
    from serve.app import create_app
    from serve.check_tier import CheckTier
    from serve.demo import DEMO_CHECK_SHARE, EXPORT_NAME, demo_login, seed_queue
    from serve.deployment import Deployment
    from serve.policy import ServingPolicy

    if not data.exists():
        write_rows(generate(5_000), data)
        err_console.log(f"generated the demo corpus {data}")
    store = open_store()
    deployment = Deployment(get_settings().home, store)
    catalogue = deployment.ensure(REGENCY, list(OPD.values()), progress=err_console.log)
    setup = TrainingSetup.from_settings(get_settings())
    uri = ensure_champion(data, setup, catalogue, progress=err_console.log)
    ensure_duplicates_champion(progress=err_console.log)
    triage = load_triage(catalogue, uri)
    reports, _ = read_reports(data)
    demo_folder = get_settings().home / "demo"
    check_tier = CheckTier(triage.urgency_tiers).load(store)
    if check_tier.share is None:
        check_tier.set_share(store, DEMO_CHECK_SHARE, "demo")
    policy = ServingPolicy(check_tier=check_tier)
    seeded = seed_queue(
        store, triage, reports, local_now(), demo_folder, catalogue.region, policy.finish
    )
    if seeded is not None:
        err_console.log(
            f"morning intake of the portal's export {demo_folder / EXPORT_NAME}: "
            f"{seeded.describe()} (run it again: lapor intake {demo_folder / EXPORT_NAME})"
        )
    name, password = demo_login(store)
    store.close()
    console.print(
        f"\n[bold]lapor-router demo[/bold] serving {triage.version} for {catalogue.region} "
        f"({len(catalogue.opds)} agencies in its catalogue)\n"
        f"  UI:    http://{host}:{port}/   (login: [bold]{name}[/bold] / [bold]{password}[/bold])\n"
        f"  API:   http://{host}:{port}/docs\n"
        f"  A new password is set at every start of the demo. Stop with Ctrl+C.\n",
        highlight=False,
    )
    _run_server(create_app(get_settings(), load_triage=lambda: triage), host, port)
