"""`lapor models prepare-encoder`, `lapor train --family ensemble|encoder` and `lapor evaluate`
end to end, in a tiny configuration (one layer, a couple of steps)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from pipeline.ingest.containers import write_rows
from pipeline.registry.pyfunc import load_router
from pipeline.synth.generator import generate

pytestmark = pytest.mark.slow
runner = CliRunner()
TINY = ["--encoder-layers", "1", "--encoder-max-steps", "2", "--encoder-max-length", "32"]


def test_prepare_encoder_command(prepared_encoder: Path) -> None:
    result = runner.invoke(
        app, ["models", "prepare-encoder", "--out", str(prepared_encoder.parent)]
    )
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == str(prepared_encoder)
    cosine = float(result.output.split("cosine min ")[1].split()[0])
    assert cosine >= 0.999


@pytest.mark.parametrize("family", ["ensemble", "encoder"])
def test_train_family_registers_and_evaluates(
    family: str, encoder_cache: Path, tmp_path: Path
) -> None:
    data = tmp_path / "demo.csv"
    write_rows(generate(300, seed=5), data)
    trained = runner.invoke(
        app, ["train", "--data", str(data), "--format", "csv", "--family", family, *TINY]
    )
    assert trained.exit_code == 0, trained.output
    uri = trained.output.strip().splitlines()[-1]
    assert uri.startswith("models:/lapor-router/")
    router = load_router(uri)
    assert router.family == family
    weights = router.encoder_.ensemble_weights
    assert set(weights) == {"agency", "topic", "channel"}
    if family == "encoder":
        assert set(weights.values()) == {0.0}
    out = tmp_path / "metrics.json"
    evaluated = runner.invoke(
        app,
        ["evaluate", "--model", uri, "--data", str(data), "--format", "csv", "--json", str(out)],
    )
    assert evaluated.exit_code == 0, evaluated.output
    metrics = json.loads(out.read_text())
    assert 0.0 <= metrics["agency"]["top1"] <= 1.0
    assert metrics["agency"]["n"] > 0


def test_unknown_family_is_one_clear_line(tmp_path: Path) -> None:
    data = tmp_path / "demo.csv"
    write_rows(generate(50, seed=5), data)
    result = runner.invoke(app, ["train", "--data", str(data), "--family", "bert"])
    assert result.exit_code != 0
    assert "unknown family 'bert'; available: linear, encoder, ensemble" in result.output
