"""Next year, honestly: each source's newest period scored as a deployment set up by
docs/new-deployment.md would score it, with the plain baseline beside every figure.

- **Older data**: Surabaya Jan-Oct 2022 and Kab. Bandung 2021-2022, both (the shared manifest).
  `lapor train` splits it as it always does: each source's newest 20% validates and chooses the
  auto-routing thresholds; nothing of the newest period is seen.
- **pooled**: one Router on the older data of both sources, no deployment (`lapor train --data
  sources.yaml` alone).
- **deployment**: per source, `deployment init` with a catalogue of the source's own agency names
  (plus the gazetteer's offices), then the same training.
- **baseline**: TF-IDF + LinearSVC trained on the source's own older reports.
- **Newest period**: Surabaya Nov-Dec 2022, Bandung 2023: agency top-1/top-3, the share of
  suggestions naming another region's OPD, the share auto-routed and its precision, topic
  accuracy, channel macro-F1 and `aspirasi` recall against hand labels (Bandung: its hand labels
  replace the portal's; the portal's agreement with the hand labels is beside it).

    python benchmarks/next_year.py [--synthetic 4000] [--json next_year.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import recall_score

from models.catalogue import Catalogue
from models.router import Router
from models.router_folder import router_config
from models.task_fitting import task_labels
from pipeline.evaluate import evaluate
from pipeline.sources import load_frame
from pipeline.train import split_frame, synthetic_frame

sys.path.insert(0, str(Path(__file__).parent))
from quality import (
    BANDUNG_FROM,
    SURABAYA_FROM,
    bandung_spec,
    baseline,
    deployment_catalogue,
    surabaya_spec,
)

REGENCY = {"surabaya": "Kota Surabaya", "bandung": "Kabupaten Bandung"}
SINCE = {"surabaya": SURABAYA_FROM, "bandung": BANDUNG_FROM}


def channel_figures(router: Router, test: pd.DataFrame) -> dict | None:
    """Channel macro-F1 and aspirasi recall against the test rows' (hand) labels."""
    truth = task_labels(test, "channel")
    rows = truth.notna().to_numpy()
    if not rows.any() or "channel" not in router.classifiers_:
        return None
    predicted = router.predict_tasks(test[rows])["channel"].top_labels(1)[:, 0]
    truth = truth[rows].to_numpy(dtype=object)
    return {
        "n": int(rows.sum()),
        "aspirasi_recall": round(
            float(recall_score(truth, predicted, labels=["aspirasi"], average="macro")), 4
        ),
    }


def scored(router: Router, test: pd.DataFrame, catalogue: Catalogue | None) -> dict:
    """The figures of one model on one source's newest period."""
    metrics = evaluate(router, test, catalogue=catalogue)
    agency = metrics.get("agency", {})
    out = {
        "agency_top1": agency.get("top1"),
        "agency_top3": agency.get("top3"),
        "foreign_opd_share": agency.get("foreign_opd_share"),
        "agency_auto_rate": agency.get("auto_rate"),
        "agency_auto_precision": agency.get("auto_precision"),
        "topic_accuracy": metrics.get("topic", {}).get("accuracy"),
        "topic_auto_rate": metrics.get("topic", {}).get("auto_rate"),
        "channel_macro_f1": metrics.get("channel", {}).get("macro_f1"),
        "auto_routing": router_config(router)["auto_routing"],
    }
    if (channel := channel_figures(router, test)) is not None:
        out["channel_aspirasi_recall"] = channel["aspirasi_recall"]
    return out


def plain(older: pd.DataFrame, test: pd.DataFrame) -> dict:
    """The baseline on the same newest period, trained on the source's own older reports."""
    figures = {task: baseline(older, test, task) for task in ("agency", "topic", "channel")}
    return {
        "agency_top1": (figures["agency"] or {}).get("accuracy"),
        "agency_top3": (figures["agency"] or {}).get("top3"),
        "topic_accuracy": (figures["topic"] or {}).get("accuracy"),
        "channel_macro_f1": (figures["channel"] or {}).get("macro_f1"),
    }


def newest_period(
    frames: dict[str, pd.DataFrame],
    synthetic: pd.DataFrame | None,
    portal_channel: pd.Series | None = None,
) -> dict:
    """Per source: pooled, deployment and baseline figures on its newest period."""
    older = {name: f[f["created_at"] < SINCE[name]] for name, f in frames.items()}
    newer = {name: f[f["created_at"] >= SINCE[name]] for name, f in frames.items()}
    train, tune, split = split_frame(pd.concat(older.values(), ignore_index=True), "time")
    pooled = Router().fit(train, tune, extra=synthetic)
    out: dict[str, dict] = {"split": split}
    for name in frames:
        catalogue = deployment_catalogue(older[name], REGENCY[name])
        deployed = Router().fit(train, tune, extra=synthetic, catalogue=catalogue)
        test = newer[name]
        out[name] = {
            "rows": {"older": len(older[name]), "newest": len(test)},
            "pooled": scored(pooled, test, None),
            "deployment": scored(deployed, test, catalogue),
            "baseline": plain(older[name], test),
        }
        if name == "bandung" and portal_channel is not None:
            hand = task_labels(test, "channel")
            portal = portal_channel.reindex(test["id"]).to_numpy(dtype=object)
            both = hand.notna().to_numpy() & pd.notna(portal)
            agreement = float(np.mean(hand.to_numpy(dtype=object)[both] == portal[both]))
            out[name]["portal_agrees_with_hand_labels"] = round(agreement, 4)
    return out


def next_year_view(frames: dict[str, pd.DataFrame], synthetic: pd.DataFrame | None) -> dict:
    """:func:`newest_period` with the portal's own channel labels beside the hand labels, and
    how long it took."""
    portal = load_frame(bandung_spec(hand_channel=False))[0].set_index("id")["channel"]
    started = datetime.now()
    results = newest_period(frames, synthetic, portal)
    results["seconds"] = round((datetime.now() - started).total_seconds())
    return results


def table(name: str, figures: dict) -> str:
    """One source's newest-period figures as Markdown."""
    rows = [
        f"\n### {name}: newest period ({figures['rows']['newest']} reports; "
        f"{figures['rows']['older']} older)\n",
        "| | pooled | deployment | TF-IDF + LinearSVC |",
        "|---|---|---|---|",
    ]
    keys = ("agency_top1", "agency_top3", "foreign_opd_share", "agency_auto_rate",
            "agency_auto_precision", "topic_accuracy", "topic_auto_rate", "channel_macro_f1",
            "channel_aspirasi_recall")  # fmt: skip
    for key in keys:
        shown = [
            f"{v:.3f}" if isinstance(v, float) else ("–" if v is None else str(v))
            for v in (figures[kind].get(key) for kind in ("pooled", "deployment", "baseline"))
        ]
        rows.append(f"| {key} | {' | '.join(shown)} |")
    if "portal_agrees_with_hand_labels" in figures:
        rows.append(
            f"\nportal Klasifikasi = hand label on {figures['portal_agrees_with_hand_labels']:.3f}"
        )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic", type=int, default=4_000)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    specs = {"surabaya": surabaya_spec(), "bandung": bandung_spec()}
    if any(spec is None for spec in specs.values()):
        return
    frames = {name: load_frame(spec)[0] for name, spec in specs.items()}
    synthetic = synthetic_frame(args.synthetic, seed=7) if args.synthetic else None
    results = next_year_view(frames, synthetic)
    print(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    for name in frames:
        print(table(name, results[name]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))


if __name__ == "__main__":
    main()
