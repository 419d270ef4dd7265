"""Linear vs encoder vs ensemble on the real Surabaya split (../shared/data), on this machine's CPU.

Three-way time split, so nothing reported was tuned on the reports it is scored on:
train Jan-Sep 2022, tune Oct 2022 (the encoder's best epoch and temperatures, the ensemble
weights, the auto-routing thresholds), test Nov-Dec 2022. A linear Router and an ensemble Router
(whose linear part has the USE sentence features) are trained; the other views (encoder alone,
linear+USE alone, ensemble on the plain linear part, float32 instead of int8) reuse their parts.

Also measured: training time; single-report latency (p50/p99) and batch throughput of each family,
the encoder with float32 torch and with dynamic int8 linear layers; and the multilingual USE
sentence embeddings as an extra feature block of the linear agency/topic classifiers (kept only if
the tuning month says so).

    python benchmarks/encoder.py [--epochs 3] [--layers N] [--json encoder.json]
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from quality import surabaya_spec  # the sibling script: run as `python benchmarks/encoder.py`

from core.config import get_settings
from models.calibration import calibrate
from models.duplicates.embeddings import Embeddings
from models.encoder.classifier import EncoderClassifier
from models.encoder.config import EncoderConfig
from models.encoder.e5 import prepare_encoder
from models.frames import prepare_frame
from models.linear import CalibratedLinearClassifier, model_texts
from models.router import Router
from models.router_encoder import EncoderPart, encoder_truth, ensemble_weights
from pipeline.evaluate import evaluate
from pipeline.sources import load_frame
from pipeline.train import synthetic_frame

TUNE_FROM, TEST_FROM = datetime(2022, 10, 1), datetime(2022, 11, 1)
HEADLINE = (("agency", "top1"), ("agency", "top3"), ("topic", "accuracy"), ("channel", "macro_f1"))


def view(router: Router, tune: pd.DataFrame, **changes: object) -> Router:
    """The trained Router with some parts swapped (its thresholds chosen again on ``tune``)."""
    clone = object.__new__(Router)
    clone.__dict__.update({**router.__dict__, **changes})
    clone.auto_thresholds_ = {}
    calibrate(clone, tune)
    return clone


def combined(linear: Router, encoder: EncoderClassifier, tune: pd.DataFrame) -> Router:
    """An ensemble of a trained linear Router and a trained encoder, weighed on ``tune``."""
    router = object.__new__(Router)
    router.__dict__.update({**linear.__dict__, "family": "ensemble"})
    rows = tune.reset_index(drop=True)
    weights = ensemble_weights(
        router,
        encoder,
        rows,
        model_texts(prepare_frame(rows)),
        {t: encoder_truth(router, rows, t) for t in encoder.classes},
    )
    return view(router, tune, encoder_=EncoderPart(encoder, weights))


def float32(encoder: EncoderClassifier) -> EncoderClassifier:
    """The same fine-tuned encoder without int8 quantisation."""
    exact = copy.copy(encoder)
    exact.config = dataclasses.replace(encoder.config, quantize=False)
    exact._inference = None
    return exact


def headline(metrics: dict) -> dict[str, float]:
    return {f"{task}.{name}": metrics[task][name] for task, name in HEADLINE if task in metrics}


def latency(router: Router, rows: pd.DataFrame, repeats: int = 200) -> dict[str, float]:
    """One report per call (the service's case), then the whole frame in one call."""
    router.predict_frame(rows.head(4))  # warm-up: lazy model build, quantisation
    times = []
    for i in range(repeats):
        started = time.perf_counter()
        router.predict_frame(rows.iloc[[i % len(rows)]])
        times.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    router.predict_frame(rows)
    seconds = time.perf_counter() - started
    return {
        "p50_ms": round(float(np.percentile(times, 50)), 1),
        "p99_ms": round(float(np.percentile(times, 99)), 1),
        "reports_per_second": round(len(rows) / seconds, 1),
    }


def use_block(router: Router, train: pd.DataFrame, tune: pd.DataFrame, test: pd.DataFrame) -> dict:
    """Agency/topic accuracy of the linear classifiers with and without multilingual USE
    sentence embeddings appended to their TF-IDF features (weights 0.5 and 1.0)."""
    encoder = Embeddings()

    def features(frame: pd.DataFrame) -> tuple[sp.csr_matrix, np.ndarray]:
        prepared = prepare_frame(frame.reset_index(drop=True))
        texts = model_texts(prepared)
        started = time.perf_counter()
        vectors = encoder.vectors(texts)
        features.seconds = getattr(features, "seconds", 0.0) + time.perf_counter() - started
        return router.vectorizer_.transform(prepared), vectors.astype(np.float32)

    parts = {name: features(f) for name, f in (("train", train), ("tune", tune), ("test", test))}
    out: dict = {"embedding_seconds": round(features.seconds, 1)}
    for task in ("agency", "topic"):
        truth = {name: encoder_truth(router, f.reset_index(drop=True), task) for name, f in
                 (("train", train), ("tune", tune), ("test", test))}  # fmt: skip
        out[task] = {}
        for weight in (0.0, 0.5, 1.0):

            def stack(name: str, weight: float = weight) -> sp.csr_matrix:
                matrix, vectors = parts[name]
                return (
                    sp.hstack([matrix, sp.csr_matrix(vectors * weight)], format="csr")
                    if weight
                    else matrix
                )

            rows = pd.notna(truth["train"])
            classifier = CalibratedLinearClassifier(**router.task_params_[task]).fit(
                stack("train")[np.flatnonzero(rows)], truth["train"][rows]
            )
            scores = {}
            for name in ("tune", "test"):
                known = pd.notna(truth[name])
                predicted = classifier.predict(stack(name)[np.flatnonzero(known)])
                scores[name] = round(float((predicted == truth[name][known]).mean()), 4)
            out[task][f"use_weight_{weight}"] = scores
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=EncoderConfig.epochs)
    parser.add_argument("--layers", type=int, default=None)
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--learning-rate", type=float, default=EncoderConfig.learning_rate)
    parser.add_argument(
        "--max-steps", type=int, help="Stop training early (a quick run for the speed figures)."
    )
    parser.add_argument("--synthetic", type=int, default=4_000)
    parser.add_argument("--skip-use", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    spec = surabaya_spec()
    if spec is None:
        return
    frame, _ = load_frame(spec)
    train = frame[frame["created_at"] < TUNE_FROM]
    tune = frame[(frame["created_at"] >= TUNE_FROM) & (frame["created_at"] < TEST_FROM)]
    test = frame[frame["created_at"] >= TEST_FROM]
    synthetic = synthetic_frame(args.synthetic, seed=7) if args.synthetic else None
    config = EncoderConfig(
        epochs=args.epochs,
        layers=args.layers,
        max_length=args.max_length,
        learning_rate=args.learning_rate,
        max_steps=args.max_steps,
    )

    def log(step: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {step}", flush=True)

    started = time.perf_counter()
    linear = Router().fit(train, tune, extra=synthetic)
    linear_seconds = time.perf_counter() - started
    started = time.perf_counter()
    encoder_dir = prepare_encoder(get_settings().encoder_dir)
    ensemble = Router(family="ensemble", encoder_config=config, encoder_dir=encoder_dir).fit(
        train, tune, extra=synthetic, progress=log
    )
    ensemble_seconds = time.perf_counter() - started
    with_use = Router(sentence_features=True).fit(train, tune, extra=synthetic)
    part = ensemble.encoder_
    all_encoder = dict.fromkeys(part.ensemble_weights, 0.0)
    exact = float32(part.encoder)
    views = {
        "linear": linear,
        "linear+use": with_use,
        "encoder": view(ensemble, tune, encoder_=EncoderPart(part.encoder, all_encoder)),
        "ensemble": ensemble,
        "ensemble+use": combined(with_use, part.encoder, tune),
        "encoder_float32": view(ensemble, tune, encoder_=EncoderPart(exact, all_encoder)),
        "ensemble_float32": view(
            ensemble, tune, encoder_=EncoderPart(exact, part.ensemble_weights)
        ),
    }
    results: dict = {
        "split": {"train": len(train), "tune": len(tune), "test": len(test)},
        "encoder": part.encoder.describe(),
        "ensemble_weights": {
            "ensemble": part.ensemble_weights,
            "ensemble+use": views["ensemble+use"].encoder_.ensemble_weights,
        },
        "train_seconds": {
            "linear": round(linear_seconds, 1),
            "encoder_part": round(part.encoder.train_seconds, 1),
            "ensemble_in_all": round(ensemble_seconds, 1),
        },
        "test": {},
        "speed": {},
    }
    sample = test.head(1_000)
    for name, seen in views.items():
        results["test"][name] = headline(evaluate(seen, test))
        results["speed"][name] = latency(seen, sample)
        log(f"{name}: {results['test'][name]} {results['speed'][name]}")
    if not args.skip_use:
        log("USE feature block")
        results["use_feature_block"] = use_block(linear, train, tune, test)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
