"""The encoder family (fine-tuned e5) and the ensemble, in tiny configurations."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pytest

from models.encoder.classifier import EncoderClassifier
from models.encoder.config import EncoderConfig
from models.linear import model_texts
from models.router import Router
from models.router_folder import read_router, write_router
from pipeline.evaluate import evaluate
from tests.conftest import TINY_VECTORIZER
from tests.models.saved_formats import write_in_format

TINY = {"layers": 1, "max_length": 32, "batch_size": 8, "extra_vocabulary": 0, "epochs": 1}


def _roundtrip(value: object) -> object:
    buffer = io.BytesIO()
    joblib.dump(value, buffer)
    buffer.seek(0)
    return joblib.load(buffer)


def _toy_task(n: int = 160) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(0)
    words = {"jalan": ["jalan berlubang", "aspal rusak", "trotoar retak"],
             "air": ["air PDAM mati", "pipa bocor", "air keruh"]}  # fmt: skip
    labels = rng.choice(["jalan", "air"], n)
    texts = [f"{rng.choice(words[y])} di kampung {rng.integers(1, 50)}" for y in labels]
    return texts, labels.astype(object)


@pytest.fixture(scope="module")
def toy_classifier(prepared_encoder: Path) -> EncoderClassifier:
    texts, labels = _toy_task()
    classifier = EncoderClassifier(
        prepared_encoder,
        {"topic": np.array(["air", "jalan"], dtype=object)},
        EncoderConfig(**{**TINY, "epochs": 3, "learning_rate": 3e-4, "quantize": False}),
    )
    return classifier.fit(
        texts[:120], {"topic": labels[:120]}, texts[120:], {"topic": labels[120:]}
    )


def test_fine_tuning_learns_a_separable_task(toy_classifier: EncoderClassifier) -> None:
    texts, labels = _toy_task()
    history = toy_classifier.history
    assert len(history) == 3
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    proba = toy_classifier.predict_proba(texts[120:])["topic"]
    assert proba.shape == (40, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    accuracy = (toy_classifier.classes["topic"][proba.argmax(axis=1)] == labels[120:]).mean()
    assert accuracy >= 0.9


def test_int8_inference_keeps_the_answers(toy_classifier: EncoderClassifier) -> None:
    texts, _ = _toy_task()
    exact = toy_classifier.predict_proba(texts)["topic"]
    quantized = _roundtrip(toy_classifier)
    quantized.config.quantize = True
    fast = quantized.predict_proba(texts)["topic"]
    assert (fast.argmax(axis=1) == exact.argmax(axis=1)).mean() >= 0.95
    np.testing.assert_allclose(fast, exact, atol=0.1)
    assert "quantized.dynamic" in type(quantized._runtime().heads["topic"]).__module__


def test_rows_without_a_label_do_not_count(prepared_encoder: Path) -> None:
    texts, labels = _toy_task(40)
    classifier = EncoderClassifier(
        prepared_encoder,
        {"topic": np.array(["air", "jalan"], dtype=object), "channel": np.array(["a", "b"])},
        EncoderConfig(**{**TINY, "max_steps": 2}),
    )
    channel = np.array([None] * 40, dtype=object)
    channel[:4] = ["a", "b", "a", "b"]
    classifier.fit(texts, {"topic": labels, "channel": channel})
    targets = classifier._targets({"topic": labels, "channel": channel})
    assert (targets["channel"] == -100).sum() == 36
    assert classifier.history[0]["steps"] == 2


@pytest.fixture(scope="module")
def tiny_ensemble(demo_frames: tuple[pd.DataFrame, pd.DataFrame], prepared_encoder: Path) -> Router:
    train, validation = demo_frames
    return Router(
        vectorizer_params=TINY_VECTORIZER,
        family="ensemble",
        encoder_config=EncoderConfig(**{**TINY, "max_steps": 3}),
        encoder_dir=prepared_encoder,
    ).fit(train, validation)


def test_ensemble_weighs_each_task_on_validation(tiny_ensemble: Router) -> None:
    part = tiny_ensemble.encoder_
    assert set(part.ensemble_weights) == {"agency", "topic", "channel"}
    assert all(0.0 <= w <= 1.0 for w in part.ensemble_weights.values())
    assert set(part.encoder.classes) == {"agency", "topic", "channel"}


def test_ensemble_mixes_linear_and_encoder(
    tiny_ensemble: Router, demo_frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    _, validation = demo_frames
    rows = validation.head(20)
    mixed = tiny_ensemble.predict_tasks(rows)
    part = tiny_ensemble.encoder_
    encoder = part.encoder.predict_proba(model_texts(_prepared(rows)))
    linear_only = _with(tiny_ensemble, encoder_=None).predict_tasks(rows)
    for task in ("topic", "channel"):
        weight = part.ensemble_weights[task]
        expected = weight * linear_only[task].proba + (1 - weight) * encoder[task]
        np.testing.assert_allclose(mixed[task].proba, expected, rtol=1e-5, atol=1e-6)
    encoder_only = _with(
        tiny_ensemble, encoder_=replace(part, ensemble_weights=dict.fromkeys(encoder, 0.0))
    )
    np.testing.assert_allclose(
        encoder_only.predict_tasks(rows)["topic"].proba, encoder["topic"], rtol=1e-5, atol=1e-6
    )


def _prepared(rows: pd.DataFrame) -> pd.DataFrame:
    from models.frames import prepare_frame

    return prepare_frame(rows.reset_index(drop=True))


def _with(router: Router, **changes: object) -> Router:
    clone = object.__new__(Router)
    clone.__dict__.update({**router.__dict__, **changes})
    return clone


@pytest.mark.parametrize("saved_format", ["current", 10])
def test_saved_ensemble_predicts_the_same(
    tiny_ensemble: Router,
    demo_frames: tuple[pd.DataFrame, pd.DataFrame],
    tmp_path: Path,
    saved_format: str | int,
) -> None:
    """Saved with skops (no pickle), in this code's format and in format 10, which kept the
    encoder apart from its ensemble weights."""
    _, validation = demo_frames
    rows = validation.head(30)
    before = tiny_ensemble.predict_frame(rows)
    folder = tmp_path / "ensemble"
    if saved_format == "current":
        write_router(tiny_ensemble, folder)
    else:
        write_in_format(tiny_ensemble, folder, saved_format)
    loaded = read_router(folder)
    assert loaded.encoder_.ensemble_weights == tiny_ensemble.encoder_.ensemble_weights
    after = loaded.predict_frame(rows)
    # the int8 layers are rebuilt on load, so scores may move by a little: the label must stay
    # wherever the first two candidates were not within that little of each other
    clear = [s.agency.candidates[0].score - s.agency.candidates[1].score > 0.02 for s in before]
    assert sum(clear) > len(rows) / 2
    assert [a.agency.label for a, c in zip(after, clear, strict=True) if c] == [
        b.agency.label for b, c in zip(before, clear, strict=True) if c
    ]
    scores = np.array([[s.topic.score, s.agency.score] for s in before])
    np.testing.assert_allclose(
        np.array([[s.topic.score, s.agency.score] for s in after]), scores, atol=0.01
    )
    assert evaluate(loaded, validation)["agency"]["n"] == validation["agency"].notna().sum()


def test_unknown_family_is_refused() -> None:
    with pytest.raises(ValueError, match="linear, encoder, ensemble"):
        Router(family="transformer").fit(pd.DataFrame({"text": ["jalan rusak"]}))


def test_service_serves_an_ensemble(tiny_ensemble: Router) -> None:
    from fastapi.testclient import TestClient

    from core.config import get_settings
    from models.triage import Triage
    from serve.app import create_app

    app = create_app(get_settings(), load_triage=lambda: Triage(tiny_ensemble))
    with TestClient(app, raise_server_exceptions=False) as client:
        app.state.store.add_user("siti", "staff", "kata-sandi-siti")
        headers = {"X-API-Key": app.state.store.add_api_key("siti")}
        response = client.post(
            "/api/v1/classify",
            json={"text": "Jalan di depan pasar berlubang besar, mohon diperbaiki."},
            headers=headers,
        )
    assert response.status_code == 200, response.text
    agency = response.json()["agency"]
    assert agency["label"] in {*tiny_ensemble.known_agencies(), *tiny_ensemble.labels["agency"]}
    assert len(agency["candidates"]) == 3


def test_the_encoder_benchmarks_views_run_on_a_router(
    tiny_ensemble: Router, demo_frames: tuple[pd.DataFrame, pd.DataFrame], router: Router
) -> None:
    """benchmarks/encoder.py rebuilds Routers from their parts; its helpers follow the Router."""
    import importlib.util
    import sys

    folder = Path(__file__).resolve().parents[3] / "benchmarks"
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location("benchmark_encoder", folder / "encoder.py")
        benchmark = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(benchmark)
    finally:
        sys.path.remove(str(folder))
    _, validation = demo_frames
    part = tiny_ensemble.encoder_
    all_encoder = replace(part, ensemble_weights=dict.fromkeys(part.ensemble_weights, 0.0))
    only_encoder = benchmark.view(tiny_ensemble, validation, encoder_=all_encoder)
    assert only_encoder.auto_thresholds_
    assert only_encoder.predict_frame(validation.head(2))
    mixed = benchmark.combined(router, part.encoder, validation)
    assert set(mixed.encoder_.ensemble_weights) == set(part.encoder.classes)
    assert mixed.predict_frame(validation.head(2))
