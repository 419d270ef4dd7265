"""Drift: is the stream of recent reports still like the data the champion was validated on?

Both windows are scored by the same model: the reference is the champion's logged validation
slice (its newest training-time reports), the recent window the service's reports since a date.
Measured per task: the shift of the predicted label distribution (Jensen-Shannon distance),
the change of mean confidence and of the share sent to review; over the texts, the share of
words the model has never seen; from staff decisions, agencies the model does not know
(a taxonomy change). Past a threshold each gives a warning.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon

from core.clock import local_now, with_offset
from core.schema import CLASSIFICATION_TASKS
from pipeline.registry.client import configure

MIN_WINDOW = 30
"""Fewer recent reports than this say too little to warn about."""


TOP_LABELS = 12
"""Labels beyond the reference's most frequent ones are pooled: with dozens of rare agencies,
two samples of the same stream differ a lot by chance alone."""


def _distribution_distance(reference: list[str], recent: list[str]) -> float:
    ref = Counter(reference)
    kept = {label for label, _ in ref.most_common(TOP_LABELS)}
    ref = Counter(label if label in kept else "(other)" for label in reference)
    rec = Counter(label if label in kept else "(other)" for label in recent)
    labels = sorted(set(ref) | set(rec))
    p = np.array([ref[label] for label in labels], dtype=float)
    q = np.array([rec[label] for label in labels], dtype=float)
    return float(jensenshannon(p / p.sum(), q / q.sum(), base=2))


def oov_rate(router: Any, frame: pd.DataFrame) -> float:
    """Share of (normalised, stemmed) words of the texts outside the model's word vocabulary."""
    vocabulary = router.vectorizer_.word_.vocabulary_
    _, stemmed = router.vectorizer_._texts(frame)
    words = [w for text in stemmed for w in text.split()]
    return float(np.mean([w not in vocabulary for w in words])) if words else 0.0


def compare(
    router: Any,
    reference: pd.DataFrame,
    recent: pd.DataFrame,
    decided_agencies: list[str],
    thresholds: dict[str, float],
) -> dict[str, Any]:
    """The drift report of ``recent`` against ``reference`` (both report frames); warnings
    past ``thresholds`` (``Settings.drift_thresholds``)."""
    out: dict[str, Any] = {
        "model_version": getattr(router, "version", None),
        "reference_reports": len(reference),
        "recent_reports": len(recent),
        "tasks": {},
        "warnings": [],
    }
    if recent.empty:
        out["warnings"].append("no recent reports in the window")
        return out
    enough = len(recent) >= MIN_WINDOW
    if not enough:
        out["warnings"].append(f"only {len(recent)} recent reports: too few to judge drift")
    before, after = router.predict_frame(reference), router.predict_frame(recent)
    for task in CLASSIFICATION_TASKS:
        old = [getattr(s, task) for s in before if getattr(s, task) is not None]
        new = [getattr(s, task) for s in after if getattr(s, task) is not None]
        if not old or not new:
            continue
        row = {
            "label_shift": round(
                _distribution_distance([a.label for a in old], [a.label for a in new]), 4
            ),
            "confidence_reference": round(float(np.mean([a.score for a in old])), 4),
            "confidence_recent": round(float(np.mean([a.score for a in new])), 4),
            "review_reference": round(float(np.mean([a.decision == "review" for a in old])), 4),
            "review_recent": round(float(np.mean([a.decision == "review" for a in new])), 4),
        }
        out["tasks"][task] = row
        if not enough:
            continue
        if row["label_shift"] > thresholds["label_shift"]:
            out["warnings"].append(
                f"{task}: predicted labels shifted (JS {row['label_shift']:.2f})"
            )
        if row["confidence_reference"] - row["confidence_recent"] > thresholds["confidence_drop"]:
            out["warnings"].append(
                f"{task}: confidence fell {row['confidence_reference']:.2f} -> "
                f"{row['confidence_recent']:.2f}"
            )
        if row["review_recent"] - row["review_reference"] > thresholds["review_increase"]:
            out["warnings"].append(
                f"{task}: share sent to review rose {row['review_reference']:.0%} -> "
                f"{row['review_recent']:.0%}"
            )
    out["oov_reference"] = round(oov_rate(router, reference), 4)
    out["oov_recent"] = round(oov_rate(router, recent), 4)
    if enough and out["oov_recent"] - out["oov_reference"] > thresholds["oov_increase"]:
        out["warnings"].append(
            f"unknown words rose {out['oov_reference']:.0%} -> {out['oov_recent']:.0%}"
        )
    known = set(router.known_agencies())
    unknown = Counter(a for a in decided_agencies if a and a not in known)
    out["unknown_agencies"] = dict(unknown.most_common())
    if unknown:
        out["warnings"].append(
            f"staff chose {len(unknown)} agencies the model does not know: "
            + ", ".join(list(unknown)[:5])
        )
    return out


def save(report: dict[str, Any], path: Path) -> None:
    """Keep the last drift report where the service's /ready reads it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    stamped = {**report, "checked_at": with_offset(local_now()).isoformat()}
    path.write_text(json.dumps(stamped, indent=2, ensure_ascii=False), encoding="utf-8")


def ready_warnings(path: Path, model_version: str | None) -> list[str]:
    """Warnings of the last drift check of the model being served (for /ready)."""
    if not path.exists():
        return []
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if report.get("model_version") != model_version:
        return []
    return [f"drift: {w}" for w in report.get("warnings", [])]


def log(report: dict[str, Any], since: datetime) -> None:
    """The drift report as an MLflow run: metrics per task, warnings as a tag and artifact."""
    configure()
    with mlflow.start_run(run_name="drift"):
        mlflow.log_params(
            {"model": report.get("model_version"), "since": since.isoformat(timespec="minutes")}
        )
        metrics = {"recent_reports": report["recent_reports"]}
        for task, row in report["tasks"].items():
            metrics.update({f"{task}.{key}": value for key, value in row.items()})
        for key in ("oov_reference", "oov_recent"):
            if key in report:
                metrics[key] = report[key]
        metrics["warnings"] = len(report["warnings"])
        mlflow.log_metrics(metrics)
        mlflow.set_tag("warnings", "; ".join(report["warnings"])[:5000] or "none")
        mlflow.log_dict(report, "drift.json")
