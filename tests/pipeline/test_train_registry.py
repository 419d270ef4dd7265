"""Train -> register -> load -> predict, evaluate's JSON, the promote gate, and clear errors."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from core.config import get_settings
from core.errors import LaporError
from pipeline.ingest.containers import write_rows
from pipeline.registry.client import CHALLENGER, CHAMPION, alias_version
from pipeline.registry.pyfunc import load_router
from pipeline.retrain import retrain
from pipeline.sources import DataSpec, load_frame
from pipeline.synth.generator import generate
from pipeline.train import split_frame, train
from tests.conftest import TINY_VECTORIZER, promote_router, small_models, training_setup

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="module")
def module_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("registry-home")


@pytest.fixture
def registry(module_home: Path, lapor_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """One MLflow store for the whole module (creating one takes seconds)."""
    monkeypatch.setenv("LAPOR_HOME", str(module_home))
    get_settings.cache_clear()
    return module_home


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "demo.csv"
    write_rows(generate(700, seed=21), path)
    return path


@pytest.fixture(scope="module")
def registered(demo_file: Path, module_home: Path) -> str:
    """A model trained and registered through the CLI (last line: its URI)."""
    import os

    os.environ["LAPOR_HOME"] = str(module_home)
    get_settings.cache_clear()
    with small_models():
        result = runner.invoke(app, ["train", "--data", str(demo_file), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def test_train_register_load_predict(registered: str, registry: Path) -> None:
    assert registered.startswith("models:/lapor-router/")
    version = registered.rsplit("/", 1)[1]
    assert alias_version("lapor-router", CHALLENGER) == version
    router = load_router("models:/lapor-router@challenger")
    assert router.version_ == f"lapor-router/{version}"
    from core.schema import Report

    suggestion = router.predict([Report(id="1", text="lampu jalan mati sudah sebulan")])[0]
    assert suggestion.agency.label == "Dinas Perhubungan"
    assert suggestion.model_version == router.version_


def test_everything_registering_writes_is_its_owners_alone(registered: str, registry: Path) -> None:
    written = [path for path in registry.rglob("*") if "mlflow" in path.parts]
    assert any(path.name == "router_model.py" for path in written)
    assert [str(p) for p in written if p.stat().st_mode & 0o077] == []


def test_pyfunc_loads_with_mlflow(registered: str, registry: Path) -> None:
    import mlflow.artifacts
    import mlflow.pyfunc

    logged = Path(mlflow.artifacts.download_artifacts(registered))
    assert not list(logged.rglob("*.pkl"))  # the wrapper is logged as code: nothing unpickled
    assert (logged / "router_model.py").is_file()
    model = mlflow.pyfunc.load_model(registered)
    output = model.predict(pd.DataFrame({"id": ["a"], "text": ["banjir setinggi dada sekarang"]}))
    assert output.loc[0, "report_id"] == "a"
    assert output.loc[0, "urgent"]


def test_evaluate_json_shape(
    registered: str, registry: Path, demo_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "eval" / "metrics.json"
    result = runner.invoke(
        app, ["evaluate", "--model", registered, "--data", str(demo_file), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text())
    assert set(metrics) == {"n", "seen_in_training", "agency", "topic", "channel", "urgent"}
    # the file it was trained on: all 560 training rows, and validation rows whose text is
    # a training row's (short synthetic reports repeat)
    seen = metrics["seen_in_training"]
    assert 560 <= seen < 580
    assert f"{seen} of 700 evaluation rows were in the model's training data" in result.output
    assert set(metrics["agency"]) == {
        "n", "top1", "top3", "macro_f1", "coverage_at_precision", "ece", "auto_rate",
        "auto_precision", "foreign_opd_share",
    }  # fmt: skip
    assert metrics["agency"]["foreign_opd_share"] is None  # one region: nothing foreign to name
    assert set(metrics["agency"]["coverage_at_precision"]) == {"0.90", "0.95"}
    assert set(metrics["topic"]) == {"n", "accuracy", "macro_f1", "top3", "ece"}
    assert set(metrics["channel"]) == {"n", "accuracy", "macro_f1", "ece"}
    assert set(metrics["urgent"]) == {
        "n", "positives", "precision", "recall", "f1", "flagged_share", "check_share",
        "flag_and_check_recall", "auc", "ece",
    }  # fmt: skip
    assert metrics["n"] == 700
    assert metrics["agency"]["top1"] > 0.8
    assert {p.name for p in out.parent.iterdir()} >= {
        "metrics.json", "per_class_report.txt", "coverage_precision.png", "confusion_agency.png",
        "confusion_agency.csv",
    }  # fmt: skip


def test_evaluate_leaves_out_tasks_without_labels(
    registered: str, registry: Path, tmp_path: Path
) -> None:
    path = tmp_path / "agency_only.csv"
    path.write_text("id,text,agency\n1,lampu jalan mati,Dinas Perhubungan\n2,sampah,Dinas X\n")
    out = tmp_path / "m.json"
    result = runner.invoke(
        app, ["evaluate", "--model", registered, "--data", str(path), "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    metrics = json.loads(out.read_text())
    assert set(metrics) == {"n", "seen_in_training", "agency"}
    assert metrics["agency"]["top1"] <= 0.5  # "Dinas X" was never seen: an error


def test_evaluate_scores_agency_against_a_catalogue_the_model_never_saw(
    registered: str, registry: Path, demo_file: Path, tmp_path: Path
) -> None:
    renamed = {
        "Dinas Perhubungan": "Dishub Kabupaten Contoh",
        "Dinas Lingkungan Hidup": "DLH Kab. Contoh",
        "Dinas Kesehatan": "Dinas Kesehatan dan KB",
        "Dinas Kependudukan dan Pencatatan Sipil": "Disdukcapil",
    }
    frame = pd.read_csv(demo_file)
    frame = frame[frame["agency"].isin(renamed)].assign(agency=lambda f: f["agency"].map(renamed))
    data = tmp_path / "contoh.csv"
    frame.to_csv(data, index=False)
    agencies = tmp_path / "opd.csv"
    agencies.write_text("name\n" + "\n".join(renamed.values()) + "\n,\n", encoding="utf-8")
    out = tmp_path / "m.json"
    args = ["evaluate", "--model", registered, "--data", str(data), "--json", str(out)]
    result = runner.invoke(app, [*args, "--agencies", str(agencies)])
    assert result.exit_code == 0, result.output
    assert "skipped row 6: empty name" in result.output
    agency = json.loads(out.read_text())["agency"]
    assert agency["top1"] > 0.8
    # a catalogue the model never saw always waits for review: no auto figures to print
    assert not {"auto_rate", "auto_precision", "coverage_at_precision"} & set(agency)
    assert agency["foreign_opd_share"] == 0.0
    plain = runner.invoke(app, args)  # without the catalogue: the model's own names, all wrong
    assert plain.exit_code == 0, plain.output
    assert json.loads(out.read_text())["agency"]["top1"] == 0


def test_models_list_shows_the_opd_blend(
    registered: str, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.common import console

    monkeypatch.setattr(console, "width", 160)
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 0, result.output
    assert "OPD blend" in result.output
    row = next(line for line in result.output.splitlines() if "challenger" in line)
    assert "0.0000" in row  # trained without a deployment catalogue: nothing blended


def test_models_list_never_puts_figures_of_different_validation_sets_side_by_side(
    registered: str, registry: Path, demo_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cli.common import console

    monkeypatch.setattr(console, "width", 220)
    frame = load_frame(DataSpec(demo_file, "csv"))[0]
    earlier = pd.to_datetime(frame["created_at"]).quantile(0.6).to_pydatetime()
    other = train(DataSpec(demo_file, "csv"), training_setup(), validation_from=earlier)
    version = other.model_uri.rsplit("/", 1)[1]
    result = runner.invoke(app, ["models", "list"])
    assert result.exit_code == 0, result.output
    titles = [line for line in result.output.splitlines() if "validated on set" in line]
    assert len(titles) >= 2  # the default split's set and the earlier one: two tables
    assert any(f"from {earlier:%Y-%m-%d}" in title for title in titles)
    tables = result.output.split("validated on set")
    own = next(t for t in tables[1:] if f"from {earlier:%Y-%m-%d}" in t.splitlines()[0])
    assert any(line.split("│")[1].strip() == version for line in own.splitlines() if "│" in line)
    regions = other.router.auto_thresholds_["agency"].describe()
    assert set(regions) == {"demo"}  # one file (its name), no deployment: one region
    shown = "demo -" if "no_auto" in regions["demo"] else "demo ≥"
    assert shown in own


def test_promote_gate(registered: str, registry: Path, demo_file: Path, tmp_path: Path) -> None:
    first = promote_router()
    assert first.promoted
    champion = alias_version("lapor-router", CHAMPION)
    # a worse challenger: trained on shuffled agencies
    frame = pd.read_csv(demo_file)
    frame["agency"] = frame["agency"].sample(frac=1, random_state=3).to_numpy()
    worse = tmp_path / "worse.csv"
    frame.to_csv(worse, index=False)
    result = train(DataSpec(worse, "csv"), training_setup())
    outcome = promote_router(load_frame(DataSpec(demo_file, "csv"))[0])
    assert not outcome.promoted
    assert "refused" in outcome.message
    assert "agency" in outcome.message
    assert alias_version("lapor-router", CHAMPION) == champion
    cli = runner.invoke(app, ["promote", "--data", str(demo_file)])
    assert cli.exit_code == 1
    assert "refused" in cli.output
    forced = runner.invoke(app, ["promote", "--force", "--data", str(demo_file)])
    assert forced.exit_code == 0, forced.output
    assert "FORCED" in forced.output
    assert alias_version("lapor-router", CHAMPION) == result.model_uri.rsplit("/", 1)[1]


def test_the_gate_compares_only_on_reports_neither_model_trained_on(
    registered: str, registry: Path, demo_file: Path
) -> None:
    """A champion scores well on the rows it learned from: those rows are left out, and where
    too few remain the gate refuses to decide rather than decide wrongly."""
    promote_router()  # a champion, then a second model trained on the same file
    champion = alias_version("lapor-router", CHAMPION)
    challenger = train(DataSpec(demo_file, "csv"), training_setup()).model_uri.rsplit("/", 1)[1]
    frame = load_frame(DataSpec(demo_file, "csv"))[0]
    trained_on, newest = split_frame(frame, "time", None, seed=42)[:2]
    undecided = promote_router(trained_on)
    assert not undecided.promoted
    assert undecided.message.startswith("not decided: only 0 of the 560 comparison reports")
    assert alias_version("lapor-router", CHAMPION) == champion
    decided = promote_router(frame, version=challenger)
    assert decided.promoted, decided.message
    fresh = int((~load_router(registered).seen_in_training(frame)).sum())
    assert f"compared on {fresh:,} reports neither model trained on" in decided.message
    assert f"{len(frame) - fresh:,} that one of them had seen left out" in decided.message
    assert len(newest) >= fresh > 30


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["evaluate", "--model", "models:/lapor-router/999", "--data", "{demo}"], "not found"),
        (["evaluate", "--model", "lapor-router", "--data", "{demo}"], "must look like"),
        (["train", "--data", "{unlabelled}"], "no usable labels"),
        (["train", "--data", "{empty}"], "empty"),
        (["train", "--data", "{demo}", "--family", "forest"], "unknown family"),
    ],
)
def test_bad_input_is_one_clear_line(
    args: list[str], message: str, registry: Path, demo_file: Path, tmp_path: Path
) -> None:
    unlabelled = tmp_path / "unlabelled.csv"
    unlabelled.write_text("id,text,created_at\n1,jalan rusak,2024-01-01\n2,lampu,2024-01-02\n")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    paths = {"demo": demo_file, "unlabelled": unlabelled, "empty": empty}
    result = runner.invoke(app, [a.format(**paths) for a in args])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert message in result.output
    assert result.output.strip().splitlines()[-1].startswith("error:")


def test_the_vectorizer_setting_sizes_the_models_train_fits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "reports.csv"
    write_rows(generate(300, seed=3), data)
    monkeypatch.setenv("LAPOR_VECTORIZER", '{"max_word_features": 50, "char_ngram_range": [3, 3]}')
    get_settings.cache_clear()
    vectorizer = train(DataSpec(data), training_setup(), register=False).router.vectorizer_
    assert len(vectorizer.word_.vocabulary_) == 50
    assert {len(term) for term in vectorizer.char_.vocabulary_} == {3}
    monkeypatch.setenv("LAPOR_VECTORIZER", '{"max_words": 50}')
    get_settings.cache_clear()
    result = runner.invoke(app, ["train", "--data", str(data)])
    assert result.exit_code == 1, result.output
    assert "LAPOR_VECTORIZER: unknown option 'max_words'; available: " in result.output
    assert "Traceback" not in result.output


def test_training_takes_the_setup_it_is_given_not_the_settings(tmp_path: Path) -> None:
    """The command line passes the settings in (TrainingSetup): what training registers under
    and how it featurises follow the setup, whatever the process's settings say."""
    data = tmp_path / "reports.csv"
    write_rows(generate(200, seed=3), data)
    setup = replace(
        training_setup(),
        model_name="kutim-router",
        vectorizer={**TINY_VECTORIZER, "max_word_features": 40},
    )
    result = train(DataSpec(data), setup)
    assert result.model_uri == "models:/kutim-router/1"
    assert get_settings().registered_model_name != "kutim-router"
    assert len(result.router.vectorizer_.word_.vocabulary_) == 40
    retrained = retrain(DataSpec(data), [], setup)
    assert retrained.result.model_uri.startswith("models:/kutim-router/")
    assert alias_version("kutim-router", CHAMPION) == retrained.result.model_uri.rsplit("/")[-1]
    assert alias_version(get_settings().registered_model_name, CHAMPION) is None


def test_time_split_validates_on_the_newest() -> None:
    frame = pd.DataFrame(list(generate(200, seed=2)))
    train_rows, validation, description = split_frame(frame, "time")
    assert train_rows["created_at"].max() < validation["created_at"].min()
    assert 30 <= len(validation) <= 50
    assert description.startswith("time")
    with pytest.raises(LaporError, match="leaves"):
        split_frame(frame, "time", validation_from=pd.Timestamp("2030-01-01").to_pydatetime())
    _, random_validation, _ = split_frame(frame, "random")
    assert len(random_validation) == 40


def test_intake_and_the_dispositions_export_from_the_command_line(
    registered: str, registry: Path, tmp_path: Path
) -> None:
    from datetime import date

    from pipeline.synth.portal_export import write_portal_export

    promote_router()  # intake serves the champion, as `serve` does
    rows = list(generate(30, seed=44))
    export = tmp_path / "ekspor.csv"
    write_portal_export(rows, export, "Pemerintah Kabupaten Kutai Timur", date(2026, 12, 1))
    first = runner.invoke(app, ["intake", str(export)])
    assert first.exit_code == 0, first.output
    assert "30 rows: 30 new, 0 updated from the portal, 0 unchanged, 0 refused" in first.output
    again = runner.invoke(app, ["intake", str(export)])
    assert "30 rows: 0 new, 0 updated from the portal, 30 unchanged, 0 refused" in again.output
    rows[3]["text"] = ""
    broken = tmp_path / "rusak.csv"
    write_portal_export(rows, broken, "Pemerintah Kabupaten Kutai Timur", date(2026, 12, 2))
    refused = runner.invoke(app, ["intake", str(broken)])
    assert refused.exit_code == 1  # someone should look at the export
    assert "refused row 4:" in refused.output
    listed = runner.invoke(app, ["export", "dispositions", "--out", str(tmp_path / "d.xlsx")])
    assert listed.exit_code == 0, listed.output
    assert "0 decisions to enter in SP4N-LAPOR!" in listed.output  # none decided here yet
