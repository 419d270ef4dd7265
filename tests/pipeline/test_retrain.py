"""Retraining from staff decisions: a decision that flips a label changes the model's answer."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.config import get_settings
from core.schema import DATASET, Report
from pipeline.ingest.containers import write_rows
from pipeline.registry.client import (
    CHAMPION,
    alias_version,
    champion_family,
    configure,
    load_validation,
)
from pipeline.registry.pyfunc import load_router
from pipeline.retrain import DECISIONS_SOURCE, retrain, training_frame
from pipeline.sources import DataSpec
from pipeline.synth.generator import generate
from pipeline.train import train
from serve.store import Store
from serve.store.records import DecisionInput
from tests.conftest import CHEAP_PASSWORDS, promote_router, training_setup

pytestmark = pytest.mark.slow

NEW_OFFICE = "Dinas Kebudayaan dan Pariwisata"
FESTIVAL = [
    "Mohon izin keramaian untuk festival perahu naga di sungai, panitia belum dapat jawaban.",
    "Festival perahu naga tahun ini kapan izinnya keluar? panitia lomba perahu naga menunggu.",
    "Panitia festival perahu naga minta dukungan dinas untuk lomba di tepi sungai.",
    "Lomba perahu naga festival budaya sungai, mohon fasilitasi izin dan sponsor.",
    "Festival budaya perahu naga butuh izin penggunaan tepian sungai, mohon dibantu.",
    "Kapan jadwal festival perahu naga? kami panitia lomba perahu naga dari desa.",
]


def test_decisions_override_base_labels() -> None:
    import pandas as pd

    base = pd.DataFrame({"id": ["1", "2"], "text": ["a", "b"], "agency": ["X", "Y"]})
    decided = [Report(id="2", text="b", agency="Z"), Report(id="3", text="c", agency="Z")]
    frame, overridden = training_frame(base, decided)
    assert overridden == 1
    assert dict(zip(frame["id"], frame["agency"], strict=True)) == {"1": "X", "2": "Z", "3": "Z"}
    # the decisions are the deployment's own source (its OPD names: the deployment level)
    assert dict(zip(frame["id"], frame[DATASET], strict=True))["3"] == DECISIONS_SOURCE


def test_retrain_learns_from_decisions(tmp_path: Path) -> None:
    base = tmp_path / "base.csv"
    write_rows(generate(450, seed=21), base)
    assert champion_family() is None
    champion = train(DataSpec(base), training_setup())
    promote_router(version=champion.model_uri.rsplit("/", 1)[1])
    assert champion_family() == "linear"  # what retrain trains by default
    probe = Report(id="probe", text="Panitia festival perahu naga mohon izin lomba di sungai.")
    assert champion.router.predict([probe])[0].agency.label != NEW_OFFICE

    store = Store(get_settings().store_url, passwords=CHEAP_PASSWORDS)
    store.migrate()
    staff = store.add_user("siti", "staff")
    for number, text in enumerate(FESTIVAL):
        report = Report(id=f"F{number}", text=text, created_at=datetime(2024, 6, 1 + number))
        suggestion = champion.router.predict([report])[0]
        store.add_report(report, suggestion, received_at=report.created_at)
        store.add_decision(f"F{number}", staff, DecisionInput("override", agency=NEW_OFFICE))
    # suggestions nobody decided on are never used as truth
    undecided = Report(id="U1", text="Festival perahu naga", created_at=datetime(2024, 6, 20))
    store.add_report(undecided, champion.router.predict([undecided])[0])
    store.close()

    result = CliRunner().invoke(app, ["retrain", "--data", str(base)])
    assert result.exit_code in (0, 1), result.output  # 1: the gate refused, still registered
    assert "promoted" in result.output or "refused" in result.output
    challenger = load_router(result.stdout.strip().splitlines()[-1])
    assert challenger.predict([probe])[0].agency.label == NEW_OFFICE
    runs = configure().search_runs(
        [r.experiment_id for r in configure().search_experiments()],
        filter_string="tags.mlflow.runName = 'retrain'",
    )
    assert len(runs) == 1
    assert runs[0].data.params["staff_decisions"] == str(len(FESTIVAL))
    assert challenger.family == "linear"


def test_a_challenger_that_passes_is_refitted_on_the_newest_slice_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate compares on the held-out newest slice; the champion that results has learned
    from that slice as well, and keeps the thresholds and metrics earned on it."""
    monkeypatch.setenv("LAPOR_PROMOTE_TOLERANCE", "1.0")  # this test is about what follows
    get_settings.cache_clear()
    base = tmp_path / "base.csv"
    write_rows(generate(450, seed=21), base)
    first = train(DataSpec(base), training_setup())
    promote_router(version=first.model_uri.rsplit("/", 1)[1])
    outcome = retrain(DataSpec(base), [], training_setup())
    assert outcome.promotion is not None
    assert outcome.promotion.promoted, outcome.promotion.message
    gated, champion = outcome.gated, outcome.result
    assert gated is not None
    assert champion.model_uri != gated.model_uri
    name = get_settings().registered_model_name
    assert alias_version(name, CHAMPION) == champion.model_uri.rsplit("/", 1)[1]
    assert "refitted on every row" in outcome.promotion.message
    newest = load_validation(name, gated.model_uri.rsplit("/", 1)[1])
    assert gated.router.seen_in_training(newest).mean() < 0.1  # (a demo text may repeat)
    assert champion.router.seen_in_training(newest).all()  # the newest slice is learned
    assert champion.router.auto_thresholds_ == gated.router.auto_thresholds_
    assert champion.metrics == gated.metrics
    assert champion.config["training"]["split"].startswith("refitted on all 450 rows")
