"""Metrics, coverage at a target precision, plots and the model card."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    classification_report,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)

from core.schema import CLASSIFICATION_TASKS, DATASET, SUGGESTED_TASKS
from models.calibration import auto_routed, reviews_every_agency, row_regions
from models.catalogue import Catalogue
from models.predictions import TaskPredictions
from models.router import Router
from models.task_fitting import task_labels
from models.thresholds import TARGET_PRECISION, coverage_at_precision

PRECISION_TARGETS = (0.90, TARGET_PRECISION)


def _round(value: float) -> float:
    return round(float(value), 4)


def classification_metrics(
    predictions: TaskPredictions, truth: np.ndarray, auto: np.ndarray
) -> dict[str, Any]:
    """top-1, top-3, macro-F1, coverage at 90/95% precision, and the share routed automatically
    (``auto``: the Router's decision per row) with its precision."""
    top = predictions.top_labels(3)
    correct = top[:, 0] == truth
    confidence = predictions.confidence()
    labels = sorted(set(truth) | set(top[:, 0]))
    metrics = {
        "n": len(truth),
        "top1": _round(correct.mean()),
        "top3": _round((top == truth[:, None]).any(axis=1).mean()),
        "macro_f1": _round(
            f1_score(truth, top[:, 0], labels=labels, average="macro", zero_division=0)
        ),
        "coverage_at_precision": {
            f"{t:.2f}": _round(coverage_at_precision(confidence, correct, t)[0])
            for t in PRECISION_TARGETS
        },
    }
    metrics["ece"] = _round(expected_calibration_error(confidence, correct))
    metrics["auto_rate"] = _round(auto.mean())
    metrics["auto_precision"] = _round(correct[auto].mean()) if auto.any() else None
    return metrics


def expected_calibration_error(
    confidence: np.ndarray, correct: np.ndarray, bins: int = 10
) -> float:
    """How far stated confidence is from observed accuracy, weighted over equal-width bins
    (0: "90%" means right 9 times in 10)."""
    confidence, correct = np.asarray(confidence, dtype=float), np.asarray(correct, dtype=float)
    if len(confidence) == 0:
        return 0.0
    which = np.minimum((confidence * bins).astype(int), bins - 1)
    gap = 0.0
    for b in np.unique(which):
        rows = which == b
        gap += rows.sum() * abs(confidence[rows].mean() - correct[rows].mean())
    return gap / len(confidence)


def urgency_metrics(scores: np.ndarray, tiers: np.ndarray, truth: np.ndarray) -> dict[str, Any]:
    """The flag's precision/recall/F1 and share of reports, flag + check recall and share,
    AUC, and the score's calibration."""
    flags = tiers == "urgent"
    attention = tiers != "none"
    precision, recall, f1, _ = precision_recall_fscore_support(
        truth, flags, average="binary", zero_division=0
    )
    auc = roc_auc_score(truth, scores) if len(np.unique(truth)) == 2 else None
    positives = max(int(truth.sum()), 1)
    return {
        "n": len(truth),
        "positives": int(truth.sum()),
        "precision": _round(precision),
        "recall": _round(recall),
        "f1": _round(f1),
        "flagged_share": _round(flags.mean()),
        "check_share": _round((tiers == "check").mean()),
        "flag_and_check_recall": _round(truth[attention].sum() / positives),
        "auc": _round(auc) if auc is not None else None,
        "ece": _round(expected_calibration_error(scores, truth)),
    }


def evaluate(
    router: Router,
    frame: pd.DataFrame,
    predictions: dict[str, TaskPredictions] | None = None,
    catalogue: Catalogue | None = None,
) -> dict[str, Any]:
    """Metrics of ``router`` on every task whose labels ``frame`` carries (others are left out;
    ``predictions``: the Router's on ``frame``, when already made). Agency is scored against
    ``catalogue``'s names (a deployment the model may never have seen), else the serving one's.

    Labels the model never saw in training count as errors.
    """
    predictions = predictions or router.predict_tasks(frame, catalogue)
    catalogue = router.serving_catalogue(catalogue)
    regions = np.array(row_regions(router, frame, catalogue), dtype=object)
    result: dict[str, Any] = {
        "n": len(frame),
        "seen_in_training": int(router.seen_in_training(frame).sum()),
    }
    if DATASET in frame and frame[DATASET].nunique() > 1:  # each source's figures, too
        names = frame[DATASET].to_numpy()
        result["sources"] = {
            str(name): evaluate(
                router,
                frame[names == name],  # one source: no deeper split
                {task: p.subset(names == name) for task, p in predictions.items()},
                catalogue,
            )
            for name in pd.unique(names)
        }
    for task, mask, truth, task_predictions in labelled_tasks(frame, predictions, catalogue):
        full = classification_metrics(
            task_predictions, truth, auto_routed(router, task, task_predictions, regions[mask])
        )
        if task == "agency" and reviews_every_agency(router, catalogue):
            for auto_figure in ("auto_rate", "auto_precision", "coverage_at_precision"):
                del full[auto_figure]  # nothing is routed automatically: no such figures
        if task == "agency":
            full["foreign_opd_share"] = foreign_opd_share(
                router, frame, predictions["agency"], catalogue
            )
            result[task] = full
        elif task == "topic":
            result[task] = {
                "n": full["n"],
                "accuracy": full["top1"],
                "macro_f1": full["macro_f1"],
                "top3": full["top3"],
                "ece": full["ece"],
            }
        else:
            result[task] = {
                "n": full["n"],
                "accuracy": full["top1"],
                "macro_f1": full["macro_f1"],
                "ece": full["ece"],
            }
    if "urgent" in predictions and "urgent" in frame:
        mask = frame["urgent"].notna().to_numpy()
        if mask.any():
            truth = frame["urgent"][mask].to_numpy(dtype=bool)
            scores = predictions["urgent"].proba[mask, 1]
            result["urgent"] = urgency_metrics(scores, router.urgency_.tiers.tiers(scores), truth)
    return result


def labelled_tasks(
    frame: pd.DataFrame,
    predictions: dict[str, TaskPredictions],
    catalogue: Catalogue | None = None,
) -> Iterator[tuple[str, np.ndarray, np.ndarray, TaskPredictions]]:
    """Each suggested task that ``predictions`` answer and ``frame`` labels: the mask of its
    labelled rows, their truth (agency in ``catalogue``'s spelling, where given) and the
    predictions of those rows."""
    for task in SUGGESTED_TASKS:
        if task not in predictions:
            continue
        labels = task_labels(frame, task)
        if task == "agency" and catalogue is not None:  # the catalogue's spelling of a name
            labels = pd.Series([catalogue.canonical(v) or v for v in labels], dtype=object)
        mask = labels.notna().to_numpy()
        if mask.any():
            yield task, mask, labels[mask].to_numpy(dtype=object), predictions[task].subset(mask)


def foreign_opd_share(
    router: Router,
    frame: pd.DataFrame,
    agency: TaskPredictions,
    catalogue: Catalogue | None,
) -> float | None:
    """The share of top agency suggestions naming another region's OPD: outside the
    deployment's ``catalogue`` where there is one, else an OPD only other sources' reports went
    to in training. Must be 0; None where it cannot be judged (one source)."""
    suggested = agency.top_labels(1)[:, 0]
    if catalogue is not None:
        names = set(catalogue.names())
        return _round(np.mean([label not in names for label in suggested])) if len(frame) else None
    share = router.agency_.sources.foreign_share(suggested.tolist(), row_regions(router, frame))
    return _round(share) if share is not None else None


def per_class_report(
    router: Router, frame: pd.DataFrame, predictions: dict[str, TaskPredictions] | None = None
) -> str:
    """scikit-learn's per-class precision/recall/F1 for each labelled task, as text
    (``predictions``: the Router's on ``frame``, when already made)."""
    predictions = predictions or router.predict_tasks(frame)
    sections = []
    for task, _, truth, task_predictions in labelled_tasks(frame, predictions):
        predicted = task_predictions.top_labels(1)[:, 0]
        sections.append(
            f"== {task} ==\n" + classification_report(truth, predicted, zero_division=0)
        )
    return "\n".join(sections)


CONFUSED_SHOWN = 15
"""Labels a confusion plot shows: with 60 OPDs a full matrix cannot be read."""


def most_confused(truth: np.ndarray, predicted: np.ndarray, n: int) -> list[str]:
    """The ``n`` labels involved in the most errors (as the truth or as the wrong guess)."""
    wrong = truth != predicted
    counts = pd.concat([pd.Series(truth[wrong]), pd.Series(predicted[wrong])]).value_counts()
    labels = counts.index.tolist()
    if len(labels) < n:  # few errors: fill up with the most frequent labels
        labels += [c for c in pd.Series(truth).value_counts().index if c not in labels]
    return [str(label) for label in labels[:n]]


def save_plots(
    router: Router,
    frame: pd.DataFrame,
    folder: Path,
    predictions: dict[str, TaskPredictions] | None = None,
) -> list[Path]:
    """Confusion matrix (agency, else topic) and coverage-vs-precision PNGs; returns the files."""
    import matplotlib  # heavy: only plots

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # heavy: only plots
    from sklearn.metrics import ConfusionMatrixDisplay  # with matplotlib: only plots

    folder.mkdir(parents=True, exist_ok=True)
    predictions = predictions or router.predict_tasks(frame)
    written: list[Path] = []
    figure, axis = plt.subplots(figsize=(6, 4.5))
    for task, _, truth, task_predictions in labelled_tasks(frame, predictions):
        correct = task_predictions.top_labels(1)[:, 0] == truth
        confidence = task_predictions.confidence()
        order = np.argsort(-confidence)
        precision = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
        coverage = np.arange(1, len(order) + 1) / len(order)
        axis.plot(coverage, precision, label=task)
    axis.axhline(TARGET_PRECISION, color="grey", linestyle="--", linewidth=0.8)
    axis.set(xlabel="share auto-routed (most confident first)", ylabel="precision", ylim=(0, 1.02))
    axis.legend()
    axis.set_title("Coverage vs precision")
    path = folder / "coverage_precision.png"
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    written.append(path)

    task = next(
        (t for t in reversed(CLASSIFICATION_TASKS) if t in predictions and t in frame), None
    )
    if task is not None and frame[task].notna().any():
        mask = frame[task].notna().to_numpy()
        truth = frame[task][mask].to_numpy(dtype=object)
        predicted = predictions[task].subset(mask).top_labels(1)[:, 0]
        table = pd.crosstab(pd.Series(truth, name="truth"), pd.Series(predicted, name="predicted"))
        path = folder / f"confusion_{task}.csv"  # the whole matrix: every label, counts
        table.to_csv(path)
        written.append(path)
        confused = most_confused(truth, predicted, CONFUSED_SHOWN)
        keep = np.isin(truth, confused)
        figure, axis = plt.subplots(figsize=(11, 10))
        ConfusionMatrixDisplay.from_predictions(
            truth[keep],
            np.where(np.isin(predicted[keep], confused), predicted[keep], "(other)"),
            labels=[*confused, "(other)"],
            xticks_rotation=90,
            ax=axis,
            colorbar=False,
            normalize="true",
            values_format=".2f",
        )
        axis.set_title(
            f"{task}: the {len(confused)} most confused labels (row-normalised; all in the CSV)"
        )
        figure.tight_layout()
        path = folder / f"confusion_{task}.png"
        figure.savefig(path, dpi=90)
        plt.close(figure)
        written.append(path)
    return written
