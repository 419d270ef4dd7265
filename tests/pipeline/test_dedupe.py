"""lapor duplicates train / evaluate / find, and the promotion gate for the pair scorer."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from core.config import get_settings
from core.errors import LaporError
from pipeline.dedupe import read_pairs, synthetic_pairs
from pipeline.ingest.containers import write_rows
from pipeline.registry.client import CHAMPION, DUPLICATES_MODEL, alias_version
from pipeline.synth.generator import generate

pytestmark = pytest.mark.slow
runner = CliRunner()
N, SEED = 800, 31


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("dedupe")
    os.environ["LAPOR_HOME"] = str(folder / "home")
    get_settings.cache_clear()
    data = folder / "reports.csv"
    write_rows(generate(N, seed=SEED), data)
    pairs, labels = synthetic_pairs(N, seed=SEED)
    frame = pd.DataFrame(
        {"id_a": [a.id for a, _ in pairs], "id_b": [b.id for _, b in pairs], "duplicate": labels}
    )
    frame.to_csv(folder / "pairs.csv", index=False)
    frame.assign(duplicate=1 - frame["duplicate"]).to_csv(folder / "flipped.csv", index=False)
    return {"data": data, "pairs": folder / "pairs.csv", "flipped": folder / "flipped.csv",
            "home": folder / "home", "folder": folder}  # fmt: skip


@pytest.fixture
def home(files: dict[str, Path], lapor_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LAPOR_HOME", str(files["home"]))
    get_settings.cache_clear()
    return files["home"]


def test_train_evaluate_find_promote(files: dict[str, Path], home: Path) -> None:
    common = ["--data", str(files["data"]), "--pairs", str(files["pairs"])]
    trained = runner.invoke(app, ["duplicates", "train", *common, "--synthetic", "0"])
    assert trained.exit_code == 0, trained.output
    uri = trained.stdout.strip().splitlines()[-1]
    assert uri == f"models:/{DUPLICATES_MODEL}/1"

    out = files["folder"] / "eval.json"
    evaluated = runner.invoke(app, ["duplicates", "evaluate", *common, "--json", str(out)])
    assert evaluated.exit_code == 0, evaluated.output
    metrics = json.loads(out.read_text())
    assert set(metrics) == {"n", "precision", "recall", "f1", "threshold"}
    assert metrics["f1"] > 0.8

    links_path = files["folder"] / "links.csv"
    found = runner.invoke(
        app, ["duplicates", "find", "--data", str(files["data"]), "--out", str(links_path)]
    )
    assert found.exit_code == 0, found.output
    links = pd.read_csv(links_path)
    assert len(links) == N
    truth = pd.read_csv(files["data"]).set_index("id")["duplicate_of"]
    linked = links.set_index("id")["duplicate_of"].dropna()
    repeats = truth.dropna()
    assert linked.index.isin(repeats.index).mean() > 0.5  # most links are real repeats
    assert repeats.index.isin(linked.index).mean() > 0.5  # and most repeats are found
    assert (links["cluster_size"] >= 1).all()

    assert runner.invoke(app, ["promote", "--name", DUPLICATES_MODEL]).exit_code == 0
    worse = runner.invoke(
        app, ["duplicates", "train", "--data", str(files["data"]), "--pairs",
              str(files["flipped"]), "--synthetic", "0"],
    )  # fmt: skip
    assert worse.exit_code == 0, worse.output
    refused = runner.invoke(app, ["promote", "--name", DUPLICATES_MODEL, *common])
    assert refused.exit_code == 1, refused.output
    assert "refused" in refused.output
    assert alias_version(DUPLICATES_MODEL, CHAMPION) == "1"


def test_pairs_file_errors(tmp_path: Path, files: dict[str, Path], home: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,1\n")
    with pytest.raises(LaporError, match="missing column"):
        read_pairs(bad)
    bad.write_text("id_a,id_b,duplicate\n1,2,maybe\n")
    with pytest.raises(LaporError, match="row 2: duplicate must be 0 or 1"):
        read_pairs(bad)
    unrelated = tmp_path / "unrelated.csv"
    unrelated.write_text("id_a,id_b,duplicate\nX1,X2,1\nX3,X4,0\n")
    result = runner.invoke(
        app, ["duplicates", "train", "--data", str(files["data"]), "--pairs", str(unrelated)]
    )
    assert result.exit_code == 1
    assert "labelled pairs match" in result.output
