"""Training and evaluating on several sources at once: the manifest, per-source time splits and
metrics, and which label wins when an export and a label file disagree."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from core.errors import LaporError
from core.schema import DATASET
from pipeline.ingest.containers import write_rows
from pipeline.sources import data_sources, load_sources, read_manifest
from pipeline.synth.generator import generate
from pipeline.train import split_frame, train
from tests.conftest import training_setup

runner = CliRunner()


@pytest.fixture
def two_sources(tmp_path: Path) -> Path:
    """A manifest of two synthetic sources, in another folder than the current one."""
    rows = list(generate(900, seed=21))
    write_rows(rows[:500], tmp_path / "north.csv")
    write_rows(rows[500:], tmp_path / "south.csv")
    manifest = tmp_path / "sources.yaml"
    manifest.write_text(
        "sources:\n"
        "  - path: north.csv\n    name: north\n    region: Kabupaten Kutai Timur\n"
        "  - path: south.csv\n    format: csv\n"
    )
    return manifest


def test_a_manifest_lists_its_sources_relative_to_its_folder(two_sources: Path) -> None:
    north, south = read_manifest(two_sources)
    assert (north.name, north.region, north.path) == (
        "north",
        "Kabupaten Kutai Timur",
        two_sources.parent / "north.csv",
    )
    assert (south.name, south.fmt) == ("south", "csv")
    assert data_sources(two_sources) == [north, south]
    assert [s.name for s in data_sources(two_sources.parent / "north.csv")] == ["north"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sources: []\n", "non-empty list under 'sources:'"),
        ("sources:\n  - format: csv\n", "source 1 needs a 'path'"),
        ("sources:\n  - path: north.csv\n    colour: red\n", "unknown key(s) colour"),
        ("sources:\n  - path: missing.csv\n", "no such file"),
        ("sources:\n  - path: north.csv\n  - path: north.csv\n", "share a name"),
        ("sources: [\n", "not valid YAML"),
    ],
)
def test_a_bad_manifest_is_one_clear_error(two_sources: Path, text: str, message: str) -> None:
    bad = two_sources.with_name("bad.yaml")
    bad.write_text(text)
    with pytest.raises(LaporError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_manifest(bad)


def test_every_source_is_split_by_time_on_its_own(two_sources: Path) -> None:
    frame, described = load_sources(read_manifest(two_sources))
    assert [s["name"] for s in described["sources"]] == ["north", "south"]
    train_rows, validation, text = split_frame(frame)
    for name in ("north", "south"):
        own = frame[frame[DATASET] == name]
        held = validation[validation[DATASET] == name]
        assert len(held) == pytest.approx(0.2 * len(own), abs=3)
        assert (
            held["created_at"].min() >= train_rows[train_rows[DATASET] == name]["created_at"].max()
        )
    assert "north: time" in text
    assert "south: time" in text


@pytest.mark.slow
def test_training_on_a_manifest_reports_each_source_and_the_pool(two_sources: Path) -> None:
    result = train(read_manifest(two_sources), training_setup())
    assert set(result.metrics["sources"]) == {"north", "south"}
    assert (
        result.metrics["sources"]["north"]["n"] + result.metrics["sources"]["south"]["n"]
        == (result.metrics["n"])
    )
    assert "agency" in result.metrics["sources"]["south"]
    assert [s["name"] for s in result.config["training"]["data"]["sources"]] == ["north", "south"]
    out = two_sources.with_name("metrics.json")
    evaluated = runner.invoke(
        app,
        ["evaluate", "--model", result.model_uri, "--data", str(two_sources), "--json", str(out)],
    )
    assert evaluated.exit_code == 0, evaluated.output
    assert set(json.loads(out.read_text())["sources"]) == {"north", "south"}


def test_the_exports_own_label_wins_unless_the_source_says_otherwise(tmp_path: Path) -> None:
    pd.DataFrame(
        {"id": ["a", "b"], "text": ["jalan rusak", "lampu mati"], "channel": ["pengaduan", None]}
    ).to_csv(tmp_path / "export.csv", index=False)
    pd.DataFrame({"id": ["a", "b"], "channel": ["aspirasi", "aspirasi"], "urgent": [1, 0]}).to_csv(
        tmp_path / "labels.csv", index=False
    )
    manifest = tmp_path / "sources.yaml"
    for override, first_channel in ((False, "pengaduan"), (True, "aspirasi")):
        manifest.write_text(
            "sources:\n  - path: export.csv\n    labels: labels.csv\n"
            f"    labels_override: {str(override).lower()}\n"
        )
        frame, _ = load_sources(read_manifest(manifest))
        assert frame["channel"].tolist() == [first_channel, "aspirasi"]  # b: filled either way
        assert frame["urgent"].tolist() == [True, False]


def test_a_manifest_takes_no_file_options(two_sources: Path) -> None:
    result = runner.invoke(app, ["train", "--data", str(two_sources), "--labels", str(two_sources)])
    assert result.exit_code == 1
    assert "give format, labels and topic_map for each source there" in result.output


def test_a_sources_region_fills_the_regency_its_export_leaves_blank(tmp_path: Path) -> None:
    pd.DataFrame(
        {
            "id": ["a", "b"],
            "text": ["jalan rusak", "lampu mati"],
            "agency": ["Dinas PU", "Dinas Perhubungan"],
            "regency": [None, "Kota Samarinda"],
        }
    ).to_csv(tmp_path / "export.csv", index=False)
    manifest = tmp_path / "sources.yaml"
    manifest.write_text("sources:\n  - path: export.csv\n    region: Kab. Berau\n")
    frame, _ = load_sources(read_manifest(manifest))
    assert frame["regency"].tolist() == ["Kabupaten Berau", "Kota Samarinda"]
