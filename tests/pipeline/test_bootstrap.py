"""The demo's first start: a model is trained when none is registered, and a champion saved by
an older lapor-router (which this code cannot load) is replaced instead of stopping `make run`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.bootstrap import ensure_champion
from pipeline.ingest.containers import write_rows
from pipeline.registry.client import CHAMPION, alias_version
from pipeline.registry.pyfunc import load_router
from pipeline.synth.gazetteer import OPD, REGENCY
from pipeline.synth.generator import generate
from serve.deployment import Deployment
from serve.store import Store
from tests.conftest import CHEAP_PASSWORDS, training_setup

pytestmark = pytest.mark.slow


def test_an_unloadable_champion_is_replaced(lapor_home: Path, tmp_path: Path) -> None:
    demo = tmp_path / "demo.csv"
    write_rows(generate(400, seed=2), demo)
    uri = ensure_champion(demo, training_setup())
    assert alias_version("lapor-router", CHAMPION) == "1"
    assert ensure_champion(demo, training_setup()) == uri  # loadable: kept
    assert alias_version("lapor-router", CHAMPION) == "1"
    for config in lapor_home.rglob("config.json"):
        saved = json.loads(config.read_text())
        if "format_version" in saved:  # the Router folder logged with the model
            config.write_text(json.dumps({**saved, "format_version": 0}))
    messages: list[str] = []
    ensure_champion(demo, training_setup(), progress=messages.append)
    assert any("cannot be loaded" in m and "format version 0" in m for m in messages), messages
    assert alias_version("lapor-router", CHAMPION) == "2"
    assert load_router(uri).version_ == "lapor-router/2"


def test_the_demo_is_a_kutai_timur_deployment_routed_through_functions(
    lapor_home: Path, tmp_path: Path
) -> None:
    store = Store(f"sqlite:///{tmp_path / 'store.db'}", passwords=CHEAP_PASSWORDS)
    store.migrate()
    deployment = Deployment(lapor_home, store)
    catalogue = deployment.ensure(REGENCY, list(OPD.values()))
    assert catalogue.region == "Kabupaten Kutai Timur"
    assert set(OPD.values()) <= set(catalogue.names())
    assert "Kecamatan Kombeng" in catalogue.names()  # the gazetteer's offices
    assert deployment.ensure(REGENCY, ["Dinas Lain"]).names() == catalogue.names()  # set up once
    assert [(e.edit, e.actor) for e in deployment.history()] == [("init", "demo")]
    store.close()
    demo = tmp_path / "demo.csv"
    write_rows(generate(400, seed=2), demo)
    router = load_router(ensure_champion(demo, training_setup(), catalogue))
    assert router.catalogue_.region == catalogue.region
    assert "function" in router.classifiers_
