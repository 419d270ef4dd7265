"""A small Router fitted once on the synthetic demo corpus, shared by the model tests."""

from __future__ import annotations

import pandas as pd
import pytest

from models.router import Router
from pipeline.synth import generate

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
