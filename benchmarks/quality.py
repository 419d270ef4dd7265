"""Quality on the real data (../shared/data), against a plain TF-IDF + LinearSVC on the same
splits.

1. Surabaya, time split (train Jan-Oct 2022, validate Nov-Dec 2022): the Router (linear family,
   with the synthetic corpus added to the channel/urgency rows) and the baseline for agency and
   topic.
2. Surabaya channel and urgency cross-validated over all hand-labelled rows (5 folds; each fold
   trains on the other folds' real labels plus synthetic rows and is scored on real labels
   only), overall and on the randomly sampled rows alone (the "cue" rows over-represent
   emergency words).
3. Kabupaten Bandung (the official SP4N-LAPOR! export), time split: train 2021-2022, validate
   2023; the portal's channel, category and OPD, hand-judged urgency.
4. Cross-region: train on one city, test on all of the other's labelled reports (channel, topic,
   urgency; the two cities' OPD names differ, so agency is left to the cold-start benchmark).

    python benchmarks/quality.py [--synthetic 4000] [--json quality.json]
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from models.router import Router
from models.thresholds import threshold_for_recall
from pipeline.evaluate import evaluate
from pipeline.sources import DataSpec, load_frame
from pipeline.train import synthetic_frame

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
VALIDATION_FROM = datetime(2022, 11, 1)


def surabaya_spec() -> DataSpec | None:
    """The labelled real Surabaya export, or None (said on stdout) where it is absent."""
    source = SHARED / "surabaya_mediacenter_2022.csv"
    if not source.is_file():
        print(f"skipped: the real data is absent ({source}); see ../shared/data/README.md")
        return None
    return DataSpec(
        source,
        "surabaya",
        labels=SHARED / "surabaya_2022_labels.csv",
        topic_map=SHARED / "surabaya_topic_to_lapor.csv",
    )


def bandung_spec() -> DataSpec | None:
    """The Bandung export with its urgency labels, or None (said on stdout) where absent."""
    source = SHARED / "lapor_kab_bandung_2021_2023.xlsx"
    if not source.is_file():
        print(f"skipped Bandung: the real data is absent ({source})")
        return None
    return DataSpec(source, "lapor", labels=[SHARED / "bandung_2021_2023_urgency.csv"])


def baseline(
    train: pd.DataFrame, validation: pd.DataFrame, tasks: tuple[str, ...] = ("agency", "topic")
) -> dict[str, float]:
    """TF-IDF + LinearSVC on the raw text: the reference the issue quotes (accuracy)."""
    vectorizer = TfidfVectorizer().fit(train["text"])
    out = {}
    for task in tasks:
        fit_rows, test_rows = train[train[task].notna()], validation[validation[task].notna()]
        if fit_rows[task].nunique() < 2 or test_rows.empty:
            continue
        model = LinearSVC().fit(vectorizer.transform(fit_rows["text"]), fit_rows[task])
        predicted = model.predict(vectorizer.transform(test_rows["text"]))
        out[task] = round(float((predicted == test_rows[task].to_numpy()).mean()), 4)
    return out


def cross_validated(frame: pd.DataFrame, synthetic: pd.DataFrame, sampled_by: pd.Series) -> dict:
    """Channel and urgency scored on every real label, 5-fold."""
    labelled = frame[frame["channel"].notna()].reset_index(drop=True)
    sample = labelled["id"].map(sampled_by).fillna("random").to_numpy()
    channel = labelled["channel"].to_numpy(dtype=object)
    urgent = labelled["urgent"].astype(bool).to_numpy()
    predicted = np.empty(len(labelled), dtype=object)
    scores = np.zeros(len(labelled))
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    for train_index, test_index in folds.split(labelled, channel):
        router = Router().fit(labelled.iloc[train_index], extra=synthetic)
        tasks = router.predict_tasks(labelled.iloc[test_index])
        predicted[test_index] = tasks["channel"].top_labels(1)[:, 0]
        scores[test_index] = tasks["urgent"].proba[:, 1]

    def urgency(mask: np.ndarray) -> dict:
        """AUC; precision where recall reaches 0.90 (the issue's operating point, threshold read
        off the pooled out-of-fold scores); precision/recall at score 0.5."""
        y, s = urgent[mask], scores[mask]
        at_recall = s >= threshold_for_recall(s, y, 0.9)
        return {
            "n": int(mask.sum()),
            "positives": int(y.sum()),
            "auc": round(float(roc_auc_score(y, s)), 4),
            "precision_at_recall_0.90": round(float(precision_score(y, at_recall)), 4),
            "recall_at_that_point": round(float(recall_score(y, at_recall)), 4),
            "precision_at_0.5": round(float(precision_score(y, s >= 0.5, zero_division=0)), 4),
            "recall_at_0.5": round(float(recall_score(y, s >= 0.5)), 4),
        }

    everything = np.ones(len(labelled), dtype=bool)
    return {
        "channel": {
            "n": len(labelled),
            "macro_f1": round(float(f1_score(channel, predicted, average="macro")), 4),
            "accuracy": round(float((predicted == channel).mean()), 4),
            "per_class_f1": dict(
                zip(
                    sorted(set(channel)),
                    np.round(f1_score(channel, predicted, average=None), 4).tolist(),
                    strict=True,
                )
            ),
        },
        "urgent": {"all": urgency(everything), "random_sample": urgency(sample == "random")},
    }


BANDUNG_FROM = datetime(2023, 1, 1)
CROSS_REGION_TASKS = ("channel", "topic", "urgent")


def time_split_view(frame: pd.DataFrame, since: datetime, synthetic: pd.DataFrame | None) -> dict:
    """The Router and the baseline on one source's time split."""
    train, validation = frame[frame["created_at"] < since], frame[frame["created_at"] >= since]
    router = Router().fit(train, validation, extra=synthetic)
    return {
        "split": {"train": len(train), "validation": len(validation)},
        "router": evaluate(router, validation),
        "baseline_tfidf_linearsvc": baseline(train, validation, ("agency", "topic", "channel")),
    }


def cross_region_view(
    train: pd.DataFrame, test: pd.DataFrame, synthetic: pd.DataFrame | None
) -> dict:
    """Trained on one city, scored on every labelled report of the other."""
    keep = [c for c in train.columns if c != "agency"]
    router = Router().fit(train[keep], extra=synthetic)
    metrics = evaluate(router, test[keep])
    return {
        "router": {task: metrics[task] for task in CROSS_REGION_TASKS if task in metrics},
        "baseline_tfidf_linearsvc": baseline(train, test, ("topic", "channel")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic", type=int, default=4_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    spec = surabaya_spec()
    if spec is None:
        return
    frame, _ = load_frame(spec)
    sampled_by = pd.read_csv(spec.labels[0], dtype=str).set_index("id")["sampled_by"]
    train = frame[frame["created_at"] < VALIDATION_FROM]
    validation = frame[frame["created_at"] >= VALIDATION_FROM]
    synthetic = synthetic_frame(args.synthetic, seed=7) if args.synthetic else None

    started = time.perf_counter()
    router = Router().fit(train, validation, extra=synthetic)
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    metrics = evaluate(router, validation)
    predict_seconds = time.perf_counter() - started
    results = {
        "split": {"train": len(train), "validation": len(validation)},
        "router_time_split": metrics,
        "baseline_tfidf_linearsvc": baseline(train, validation),
        "seconds": {
            "train": round(train_seconds, 1),
            "predict_validation": round(predict_seconds, 2),
            "reports_per_second": round(len(validation) / predict_seconds),
        },
        "cross_validated": cross_validated(frame, synthetic, sampled_by),
    }
    bandung = bandung_spec()
    if bandung is not None:
        other, _ = load_frame(bandung)
        results["bandung_time_split"] = time_split_view(other, BANDUNG_FROM, synthetic)
        results["cross_region"] = {
            "surabaya_to_bandung": cross_region_view(frame, other, synthetic),
            "bandung_to_surabaya": cross_region_view(other, frame, synthetic),
        }
    print(json.dumps(results, indent=2, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
