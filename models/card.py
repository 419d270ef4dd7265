"""The model card a saved Router carries (README.md): what it does, its data, thresholds and
metrics."""

from __future__ import annotations

import json
from typing import Any


def model_card(config: dict[str, Any], metrics: dict[str, Any]) -> str:
    """A short Markdown model card: what the model does, its data, thresholds and metrics."""
    training = config.get("training", {})
    data = training.get("data", {})
    rows = training.get("rows", {})
    lines = [
        f"# lapor-router model ({config.get('family', 'linear')} family)",
        "",
        "Suggests channel, LAPOR! topic, responsible OPD and urgency for Indonesian citizen "
        "reports. Suggestions carry calibrated scores; `auto` only above a threshold chosen on "
        "validation data for a target precision, otherwise a person reviews.",
        "",
        "## Training data",
        *(
            f"- source `{source.get('name')}`: `{source.get('path')}` (format "
            f"`{source.get('format')}`), sha256 `{(source.get('sha256') or '')[:16]}`"
            for source in data.get("sources", [data])
        ),
        f"- split: {training.get('split')}; rows train/validation: "
        f"{rows.get('train')}/{rows.get('validation')}",
        f"- git commit `{training.get('git_commit')}`; created {training.get('created_at')}",
        "",
        "## Tasks, labels and thresholds",
    ]
    for task, labels in config.get("labels", {}).items():
        lines.append(f"- **{task}**: {len(labels)} labels; {auto_routing_text(config, task)}")
    if tiers := config.get("urgency_tiers"):
        lines.append(
            f"- **urgent** flag at score ≥ {tiers['flag']:.3f}, **perlu dicek** at score ≥ "
            f"{tiers['check']:.3f} ({tiers['reason']})"
        )
    for task, reason in config.get("skipped_tasks", {}).items():
        lines.append(f"- **{task}**: not trained ({reason})")
    lines += ["", "## Validation metrics", "", "```json"]
    lines += [json.dumps(metrics, indent=2, ensure_ascii=False), "```", ""]
    lines += [
        "## Limits",
        "- Personal data (NIK, phone numbers, e-mails, account numbers) is masked where a "
        "report enters the system, before training; the registry logs the masked validation "
        "rows beside the model (for drift checks and promotion), nothing unmasked.",
        "- Agencies and topics absent from the training data can never be suggested.",
        "- Urgency combines a phrase lexicon (with negation) and a text model; the reasons list "
        "the phrases found. Its two tiers' thresholds come from cross-validation on real "
        "labelled reports only (or the documented fallback, as said above).",
    ]
    return "\n".join(lines) + "\n"


def auto_routing_text(config: dict[str, Any], task: str) -> str:
    """Where a task's suggestions are routed automatically, region by region, and where not
    (and why): what the card and ``models list`` say."""
    if task == "urgent":
        threshold = config.get("urgent_decision_threshold")
        return "never auto" if threshold is None else f"auto at score ≥ {threshold:.3f}"
    regions = (config.get("auto_routing") or {}).get(task) or {}
    if not regions:
        return "never auto (no validation reports judged it)"
    parts = []
    for region, chosen in regions.items():
        if "auto_from" in chosen:
            own = chosen.get("classes_with_own")
            extra = f", {own} classes with their own threshold" if own else ""
            parts.append(f"{region}: auto at score ≥ {chosen['auto_from']:.3f}{extra}")
        else:
            parts.append(f"{region}: never auto ({chosen['no_auto']})")
    return "; ".join(parts)
