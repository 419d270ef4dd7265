"""Drift: a planted shift is detected; more of the same data is not."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from core.config import get_settings
from core.schema import Report
from core.suggestion import Suggestion
from models.router import Router
from pipeline.drift import compare, ready_warnings, save
from pipeline.ingest.containers import write_rows
from pipeline.sources import DataSpec
from pipeline.synth.generator import generate
from pipeline.train import train
from serve.store import Store
from serve.store.records import DecisionInput
from tests.conftest import CHEAP_PASSWORDS, promote_router, training_setup

pytestmark = pytest.mark.slow

NEW_WORDS = [
    "festival perahu naga panitia lomba dayung tepian sungai sponsor",
    "konser musik orkestra gedung kesenian tiket penonton panggung",
    "pameran lukisan galeri seniman kurator karya instalasi",
]


def shifted(n: int) -> pd.DataFrame:
    """Reports about things the demo corpus never mentions."""
    return pd.DataFrame(
        {
            "id": [f"S{i}" for i in range(n)],
            "title": [None] * n,
            "text": [f"{NEW_WORDS[i % 3]} nomor {i}, mohon informasi kapan" for i in range(n)],
            "district": ["Sangatta Utara"] * n,
            "village": ["Singa Gembara"] * n,
        }
    )


def test_planted_shift_is_detected_and_same_data_is_not(
    router: Router, demo_frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    _, validation = demo_frames
    thresholds = get_settings().drift_thresholds
    same = pd.DataFrame(list(generate(300, seed=99)))
    calm = compare(router, validation, same, ["Dinas Kesehatan"], thresholds)
    assert calm["warnings"] == [], calm
    planted = compare(router, validation, shifted(120), ["Dinas Kebudayaan"], thresholds)
    warnings = " | ".join(planted["warnings"])
    assert "predicted labels shifted" in warnings
    assert "unknown words rose" in warnings
    assert "Dinas Kebudayaan" in warnings
    assert planted["oov_recent"] > planted["oov_reference"] + 0.1
    too_few = compare(router, validation, shifted(5), [], thresholds)
    assert too_few["warnings"] == ["only 5 recent reports: too few to judge drift"]


def test_ready_reads_the_last_check_of_the_served_model(tmp_path: Path) -> None:
    path = tmp_path / "drift.json"
    assert ready_warnings(path, "lapor-router/3") == []
    save({"model_version": "lapor-router/3", "warnings": ["topic: shifted"]}, path)
    assert ready_warnings(path, "lapor-router/3") == ["drift: topic: shifted"]
    assert ready_warnings(path, "lapor-router/4") == []  # another model: not its problem


def test_drift_command_on_the_store(tmp_path: Path) -> None:
    base = tmp_path / "base.csv"
    write_rows(generate(600, seed=41), base)
    promote_router(version=train(DataSpec(base), training_setup()).model_uri.rsplit("/", 1)[1])
    store = Store(get_settings().store_url, passwords=CHEAP_PASSWORDS)
    store.migrate()
    staff = store.add_user("siti", "staff")
    since = datetime.now() - timedelta(hours=1)
    frame = shifted(60)
    for row in frame.itertuples():
        report = Report(id=row.id, text=row.text, district=row.district, village=row.village)
        store.add_report(report, Suggestion(report_id=row.id))
    store.add_decision("S0", staff, DecisionInput("override", agency="Dinas Kebudayaan"))
    store.close()
    out = tmp_path / "drift.json"
    result = CliRunner().invoke(app, ["drift", "--since", since.isoformat(), "--json", str(out)])
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output
    report = json.loads(out.read_text())
    assert report["recent_reports"] == 60
    assert report["unknown_agencies"] == {"Dinas Kebudayaan": 1}
    assert get_settings().drift_report.exists()
