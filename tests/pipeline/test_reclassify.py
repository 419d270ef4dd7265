"""Batch reclassification: chunks, bad rows, CSV/Parquet, --resume after SIGKILL, Spark = local."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from core.config import get_settings
from core.errors import LaporError
from models.duplicates.scorer import PairScorer
from models.functions import FunctionResolver
from pipeline import batch_duplicates
from pipeline.batch_output import output_columns
from pipeline.deployment import CatalogueRow, init_deployment
from pipeline.ingest.containers import write_rows
from pipeline.reclassify import NoProgress, reclassify
from pipeline.sources import DataSpec
from pipeline.synth.generator import generate
from pipeline.train import train
from tests.conftest import small_models, training_setup
from tests.terminal import run_in_terminal

pytestmark = pytest.mark.slow
runner = CliRunner()


@pytest.fixture(scope="module")
def module_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reclassify-home")


@pytest.fixture(scope="module")
def model_uri(module_home: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    os.environ["LAPOR_HOME"] = str(module_home)
    get_settings.cache_clear()
    data = tmp_path_factory.mktemp("train") / "train.csv"
    write_rows(generate(600, seed=4), data)
    with small_models():
        return train(DataSpec(data, "csv"), training_setup()).model_uri


@pytest.fixture
def home(module_home: Path, lapor_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LAPOR_HOME", str(module_home))
    get_settings.cache_clear()
    return module_home


def backlog(path: Path, n: int, bad: bool = True) -> Path:
    """n synthetic reports, plus three bad rows (empty text, bad date, repeated id)."""
    rows = list(generate(n, seed=8))
    if bad:
        rows.insert(3, {**rows[0], "id": "BAD-EMPTY", "text": "   "})
        rows.insert(7, {**rows[1], "id": "BAD-DATE", "created_at": "kemarin sore"})
        rows.append({**rows[2]})
    write_rows(rows, path)
    return path


def test_csv_in_parquet_out_with_bad_rows(model_uri: str, home: Path, tmp_path: Path) -> None:
    source = backlog(tmp_path / "in.csv", 300)
    out = tmp_path / "out.parquet"
    summary = reclassify(source, out, model_uri=model_uri, batch_size=64, workers=2)
    result = pd.read_parquet(out)
    assert list(result.columns) == output_columns()
    assert summary.rows_read == 303
    assert (summary.rows_written, summary.rows_failed) == (300, 3)
    errors = pd.read_csv(out.with_name("out.parquet.errors"))
    assert errors["row"].tolist() == [4, 8, 303]
    assert "empty text" in errors["reason"][0]
    assert "unparseable date" in errors["reason"][1]
    assert "duplicate id" in errors["reason"][2]
    source_ids = pd.read_csv(source)["id"].tolist()
    assert result["id"].tolist() == [i for i in source_ids[:-1] if not i.startswith("BAD-")]
    assert result["agency"].notna().all()
    assert set(result["agency_decision"]) <= {"auto", "review"}
    assert result["model_version"].iloc[0] == model_uri.removeprefix("models:/")
    assert summary.decisions["agency"]["auto"] + summary.decisions["agency"]["review"] == 300
    tiers = summary.as_dict()["urgency_tiers"]
    assert sum(tiers.values()) == 300
    assert tiers == result["urgency_tier"].value_counts().to_dict()
    assert not out.with_name("out.parquet.parts").exists()


def test_parquet_in_csv_out_and_compare(model_uri: str, home: Path, tmp_path: Path) -> None:
    source = backlog(tmp_path / "in.parquet", 120, bad=False)
    first = tmp_path / "first.csv"
    reclassify(source, first, model_uri=model_uri, batch_size=50, workers=1)
    written = pd.read_csv(first)
    assert len(written) == 120
    assert list(written.columns) == output_columns()
    edited = written.copy()
    edited.loc[:9, "agency"] = "Dinas Lain"
    previous = tmp_path / "previous.csv"
    edited.to_csv(previous, index=False)
    summary = reclassify(
        source, tmp_path / "second.parquet", model_uri=model_uri, workers=2, compare=previous
    )
    assert summary.compared == 120
    assert summary.changed["agency"] == 10
    assert summary.changed["topic"] == 0


def _parts(out: Path) -> list[Path]:
    return sorted(out.with_name(out.name + ".parts").glob("errors-*.csv"))


def test_sigkill_then_resume_gives_every_row_exactly_once(
    model_uri: str, home: Path, tmp_path: Path
) -> None:
    source = backlog(tmp_path / "in.csv", 3_000)
    out = tmp_path / "out.parquet"
    command = [sys.executable, "-m", "cli", "reclassify", str(source), "--out", str(out),
               "--model", model_uri, "--batch-size", "100", "--workers", "1"]  # fmt: skip
    process = subprocess.Popen(command, env={**os.environ, "LAPOR_HOME": str(home)})
    deadline = time.monotonic() + 120
    while len(_parts(out)) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert process.poll() is None, "the run finished before it could be interrupted"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    committed = len(_parts(out))
    assert 3 <= committed < 31
    assert not out.exists()

    with pytest.raises(LaporError, match="--resume"):
        reclassify(source, out, model_uri=model_uri, batch_size=100)
    with pytest.raises(LaporError, match="batch_size"):
        reclassify(source, out, model_uri=model_uri, batch_size=50, resume=True)

    result = runner.invoke(
        app, ["reclassify", str(source), "--out", str(out), "--model", model_uri,
              "--batch-size", "100", "--resume"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"resumed {committed} chunks" in result.output
    written = pd.read_parquet(out)["id"].tolist()
    errors = pd.read_csv(out.with_name("out.parquet.errors"))
    assert len(written) == len(set(written)) == 3_000
    assert len(written) + len(errors) == 3_003
    source_ids = pd.read_csv(source)["id"].tolist()
    assert written == [i for i in source_ids[:-1] if not i.startswith("BAD-")]


def test_bad_options_are_clear(model_uri: str, home: Path, tmp_path: Path) -> None:
    source = backlog(tmp_path / "in.csv", 10)
    for args, message in (
        (["--out", str(tmp_path / "o.xlsx")], "must be .parquet or .csv"),
        (["--out", str(tmp_path / "o.csv"), "--engine", "dask"], "unknown engine"),
        (["--out", str(tmp_path / "o.csv"), "--model", "models:/lapor-router/77"], "not found"),
        (["--out", str(tmp_path / "o.csv"), "--compare", str(tmp_path / "no.csv")], "no such"),
        (["--out", str(tmp_path / "o.csv"), "--batch-size", "0"], "at least 1"),
    ):
        model = [] if "--model" in args else ["--model", model_uri]
        result = runner.invoke(app, ["reclassify", str(source), *model, *args])
        assert result.exit_code == 1, result.output
        assert message in result.output
        assert "Traceback" not in result.output


def test_spark_equals_local_duplicates_included(
    model_uri: str,
    home: Path,
    tmp_path: Path,
    registered_scorer: PairScorer,
) -> None:
    source = backlog(tmp_path / "in.csv", 200)
    local, spark = tmp_path / "local.parquet", tmp_path / "spark.parquet"
    reclassify(source, local, model_uri=model_uri, batch_size=70)
    counted: list[int] = []

    class Counted(NoProgress):
        def advance(self, rows: int) -> None:
            counted.append(rows)

    summary = reclassify(source, spark, model_uri=model_uri, engine="spark", progress=Counted())
    assert sum(counted) == summary.rows_written + summary.rows_failed
    assert (summary.rows_written, summary.rows_failed) == (200, 3)
    assert summary.linked > 0  # linked per regency, as the local engine links

    def normalised(path: Path) -> pd.DataFrame:
        frame = pd.read_parquet(path).astype(object)
        return frame.where(frame.notna(), None)

    pd.testing.assert_frame_equal(normalised(local), normalised(spark))
    assert Path(f"{local}.errors").read_text() == Path(f"{spark}.errors").read_text()


def test_reclassify_shows_progress_in_a_terminal(
    model_uri: str, home: Path, tmp_path: Path
) -> None:
    source = backlog(tmp_path / "in.csv", 120, bad=False)
    out = tmp_path / "out.parquet"
    code, shown = run_in_terminal(
        ["reclassify", str(source), "--out", str(out), "--model", model_uri, "--workers", "1"]
    )
    assert code == 0, shown
    assert "Traceback" not in shown
    assert "written 120" in shown


def test_reclassify_names_the_deployments_catalogue(
    model_uri: str, home: Path, tmp_path: Path
) -> None:
    renamed = ["Dishub Kabupaten Kutai Timur", "DLH Kutai Timur", "Dinas Sosial dan PPPA"]
    rows = [CatalogueRow(name) for name in renamed]
    catalogue = init_deployment(tmp_path, "Kabupaten Kutai Timur", rows, FunctionResolver())
    out = tmp_path / "out.csv"
    source = backlog(tmp_path / "in.csv", 40, bad=False)
    reclassify(source, out, model_uri=model_uri, catalogue=catalogue)
    agencies = set(pd.read_csv(out)["agency"])
    assert agencies <= set(catalogue.names())
    assert agencies & set(renamed)


@pytest.fixture
def registered_scorer(pair_scorer: PairScorer, monkeypatch: pytest.MonkeyPatch) -> PairScorer:
    """The small pair scorer, as if registered as the champion."""
    monkeypatch.setattr("pipeline.reclassify.champion_scorer", lambda: pair_scorer)
    return pair_scorer


def links_of(path: Path) -> dict[str, list[str]]:
    frame = pd.read_parquet(path, columns=["id", "duplicates"])
    return {
        row.id: [link["report_id"] for link in json.loads(row.duplicates)]
        for row in frame.itertuples()
    }


def test_the_batch_links_repeats_to_earlier_reports_of_the_backlog(
    model_uri: str,
    home: Path,
    tmp_path: Path,
    registered_scorer: PairScorer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = list(generate(300, seed=8))
    source = tmp_path / "in.csv"
    write_rows(rows, source)
    out = tmp_path / "out.parquet"
    summary = reclassify(source, out, model_uri=model_uri, batch_size=64, workers=2)
    links = links_of(out)
    linked = {report_id: found for report_id, found in links.items() if found}
    assert summary.as_dict()["linked_duplicates"] == len(linked) > 0
    order = {row["id"]: n for n, row in enumerate(rows)}
    day = {row["id"]: str(row["created_at"])[:10] for row in rows}
    for report_id, found in linked.items():
        for earlier in found:  # an earlier report of the backlog, never a later one
            assert (day[earlier], order[earlier]) < (day[report_id], order[report_id])
    true_repeats = {row["id"] for row in rows if row.get("duplicate_of")}
    assert len(true_repeats & linked.keys()) >= len(true_repeats) // 2

    # interrupted while linking (Ctrl-C after two chunks), then resumed: the same links
    calls = []
    real_links = batch_duplicates._links

    def interrupted(items: list) -> list[str]:
        calls.append(len(items))
        if len(calls) > 2:
            raise KeyboardInterrupt
        return real_links(items)

    monkeypatch.setattr(batch_duplicates, "_links", interrupted)
    again = tmp_path / "again.parquet"
    with pytest.raises(KeyboardInterrupt):
        reclassify(source, again, model_uri=model_uri, batch_size=64, workers=1)
    assert len(list(again.with_name("again.parquet.parts").glob("links-*.parquet"))) == 2
    monkeypatch.setattr(batch_duplicates, "_links", real_links)
    stages = StageRecorder()
    resumed = reclassify(
        source, again, model_uri=model_uri, batch_size=64, resume=True, progress=stages
    )
    assert links_of(again) == links
    assert resumed.as_dict()["rows_resumed"] == len(rows)  # every chunk was classified before
    # the linking stage counts only the rows it linked (not the two chunks done before), and
    # indexing is a stage of its own: neither inflates the other's rate
    assert stages.done["indexing the backlog for duplicates"] == (len(rows), len(rows))
    assert stages.done["linking duplicates"] == (len(rows) - 128, len(rows) - 128)


class StageRecorder:
    """Each stage's total and the rows counted in it."""

    def __init__(self) -> None:
        self.done: dict[str, tuple[int | None, int]] = {}
        self.current = ""

    def stage(self, description: str, total: int | None) -> None:
        self.current = description
        self.done[description] = (total, 0)

    def advance(self, rows: int) -> None:
        total, counted = self.done[self.current]
        self.done[self.current] = (total, counted + rows)

    def skip(self, rows: int) -> None:
        pass


def test_ctrl_c_says_how_to_resume(
    model_uri: str, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("pipeline.reclassify.reclassify", interrupted)
    out = tmp_path / "out.parquet"
    result = runner.invoke(app, ["reclassify", str(tmp_path / "in.csv"), "--out", str(out)])
    assert result.exit_code == 130
    assert f"{out}.parts" in result.output
    assert "--resume" in result.output
    assert "Traceback" not in result.output
