"""Metrics, coverage at a target precision, plots and the model card."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    classification_report,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)

if TYPE_CHECKING:
    from models.router import Router, TaskPredictions

PRECISION_TARGETS = (0.90, 0.95)


def coverage_at_precision(
    confidence: np.ndarray, correct: np.ndarray, target: float
) -> tuple[float, float | None]:
    """The largest share of items that can be decided automatically, most confident first, while
    their precision stays at or above ``target``; and the confidence threshold that achieves it
    (``None`` when no share reaches the target)."""
    if len(confidence) == 0:
        return 0.0, None
    order = np.argsort(-confidence, kind="stable")
    ranked = np.asarray(confidence)[order]
    hits = np.cumsum(np.asarray(correct, dtype=float)[order])
    # precision only where a run of equal confidences ends: ties are routed together
    ends = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])
    reachable = ends[hits[ends] / (ends + 1) >= target]
    if len(reachable) == 0:
        return 0.0, None
    k = int(reachable.max())
    return (k + 1) / len(ranked), float(ranked[k])


def _round(value: float) -> float:
    return round(float(value), 4)


def classification_metrics(
    predictions: TaskPredictions, truth: np.ndarray, threshold: float | None
) -> dict[str, Any]:
    """top-1, top-3, macro-F1, coverage at 90/95% precision, auto rate and auto precision."""
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
    auto = confidence >= threshold if threshold is not None else np.zeros(len(truth), bool)
    metrics["auto_rate"] = _round(auto.mean())
    metrics["auto_precision"] = _round(correct[auto].mean()) if auto.any() else None
    return metrics


def urgency_metrics(scores: np.ndarray, flags: np.ndarray, truth: np.ndarray) -> dict[str, Any]:
    precision, recall, f1, _ = precision_recall_fscore_support(
        truth, flags, average="binary", zero_division=0
    )
    auc = roc_auc_score(truth, scores) if len(np.unique(truth)) == 2 else None
    return {
        "n": len(truth),
        "precision": _round(precision),
        "recall": _round(recall),
        "f1": _round(f1),
        "auc": _round(auc) if auc is not None else None,
    }


def evaluate(router: Router, frame: pd.DataFrame) -> dict[str, Any]:
    """Metrics of ``router`` on every task whose labels ``frame`` carries (others are left out).

    Labels the model never saw in training count as errors.
    """
    predictions = router.predict_tasks(frame)
    result: dict[str, Any] = {"n": len(frame)}
    for task in ("agency", "topic", "channel"):
        if task not in predictions or task not in frame:
            continue
        mask = frame[task].notna().to_numpy()
        if not mask.any():
            continue
        truth = frame[task][mask].to_numpy(dtype=object)
        task_predictions = predictions[task].subset(mask)
        full = classification_metrics(task_predictions, truth, router.thresholds.get(task))
        if task == "agency":
            result[task] = full
        elif task == "topic":
            result[task] = {
                "n": full["n"],
                "accuracy": full["top1"],
                "macro_f1": full["macro_f1"],
                "top3": full["top3"],
            }
        else:
            result[task] = {"n": full["n"], "accuracy": full["top1"], "macro_f1": full["macro_f1"]}
    if "urgent" in predictions and "urgent" in frame:
        mask = frame["urgent"].notna().to_numpy()
        if mask.any():
            truth = frame["urgent"][mask].to_numpy(dtype=bool)
            scores = predictions["urgent"].proba[mask, 1]
            flags = scores >= router.urgent_flag_threshold
            result["urgent"] = urgency_metrics(scores, flags, truth)
    return result


def per_class_report(router: Router, frame: pd.DataFrame) -> str:
    """scikit-learn's per-class precision/recall/F1 for each labelled task, as text."""
    predictions = router.predict_tasks(frame)
    sections = []
    for task in ("agency", "topic", "channel"):
        if task not in predictions or task not in frame or not frame[task].notna().any():
            continue
        mask = frame[task].notna().to_numpy()
        truth = frame[task][mask].to_numpy(dtype=object)
        predicted = predictions[task].subset(mask).top_labels(1)[:, 0]
        sections.append(
            f"== {task} ==\n" + classification_report(truth, predicted, zero_division=0)
        )
    return "\n".join(sections)


def save_plots(router: Router, frame: pd.DataFrame, folder: Path) -> list[Path]:
    """Confusion matrix (agency, else topic) and coverage-vs-precision PNGs; returns the files."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import ConfusionMatrixDisplay

    folder.mkdir(parents=True, exist_ok=True)
    predictions = router.predict_tasks(frame)
    written: list[Path] = []
    figure, axis = plt.subplots(figsize=(6, 4.5))
    for task in ("agency", "topic", "channel"):
        if task not in predictions or task not in frame or not frame[task].notna().any():
            continue
        mask = frame[task].notna().to_numpy()
        truth = frame[task][mask].to_numpy(dtype=object)
        task_predictions = predictions[task].subset(mask)
        correct = task_predictions.top_labels(1)[:, 0] == truth
        confidence = task_predictions.confidence()
        order = np.argsort(-confidence)
        precision = np.cumsum(correct[order]) / np.arange(1, len(order) + 1)
        coverage = np.arange(1, len(order) + 1) / len(order)
        axis.plot(coverage, precision, label=task)
    axis.axhline(0.95, color="grey", linestyle="--", linewidth=0.8)
    axis.set(xlabel="share auto-routed (most confident first)", ylabel="precision", ylim=(0, 1.02))
    axis.legend()
    axis.set_title("Coverage vs precision")
    path = folder / "coverage_precision.png"
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    written.append(path)

    task = next(
        (t for t in ("agency", "topic", "channel") if t in predictions and t in frame), None
    )
    if task is not None and frame[task].notna().any():
        mask = frame[task].notna().to_numpy()
        truth = frame[task][mask].to_numpy(dtype=object)
        predicted = predictions[task].subset(mask).top_labels(1)[:, 0]
        frequent = pd.Series(truth).value_counts().index[:15].tolist()
        keep = np.isin(truth, frequent)
        figure, axis = plt.subplots(figsize=(11, 10))
        ConfusionMatrixDisplay.from_predictions(
            truth[keep],
            np.where(np.isin(predicted[keep], frequent), predicted[keep], "(other)"),
            labels=[*frequent, "(other)"],
            xticks_rotation=90,
            ax=axis,
            colorbar=False,
            normalize="true",
            values_format=".2f",
        )
        axis.set_title(f"{task}: confusion on the 15 most frequent labels (row-normalised)")
        figure.tight_layout()
        path = folder / f"confusion_{task}.png"
        figure.savefig(path, dpi=90)
        plt.close(figure)
        written.append(path)
    return written


def model_card(config: dict[str, Any], metrics: dict[str, Any]) -> str:
    """A short Markdown model card: what the model does, its data, thresholds and metrics."""
    lines = [
        f"# lapor-router model ({config.get('family', 'linear')} family)",
        "",
        "Suggests channel, LAPOR! topic, responsible OPD and urgency for Indonesian citizen "
        "reports. Suggestions carry calibrated scores; `auto` only above a threshold chosen on "
        "validation data for a target precision, otherwise a person reviews.",
        "",
        "## Training data",
        f"- source: `{config.get('data', {}).get('path')}` "
        f"(format `{config.get('data', {}).get('format')}`), sha256 "
        f"`{config.get('data', {}).get('sha256', '')[:16]}`",
        f"- split: {config.get('split')}; rows train/validation: "
        f"{config.get('rows', {}).get('train')}/{config.get('rows', {}).get('validation')}",
        f"- git commit: `{config.get('git_commit')}`; created {config.get('created_at')}",
        "",
        "## Tasks, labels and thresholds",
    ]
    for task, labels in config.get("labels", {}).items():
        threshold = config.get("thresholds", {}).get(task)
        shown = "never auto" if threshold is None else f"auto at score ≥ {threshold:.3f}"
        lines.append(f"- **{task}**: {len(labels)} labels; {shown}")
    for task, reason in config.get("skipped_tasks", {}).items():
        lines.append(f"- **{task}**: not trained ({reason})")
    lines += ["", "## Validation metrics", "", "```json"]
    lines += [json.dumps(metrics, indent=2, ensure_ascii=False), "```", ""]
    lines += [
        "## Limits",
        "- Personal data is masked before training; report text is never logged.",
        "- Agencies and topics absent from the training data can never be suggested.",
        "- Urgency combines a phrase lexicon (with negation) and a text model; the reasons list "
        "the phrases found.",
    ]
    return "\n".join(lines) + "\n"
