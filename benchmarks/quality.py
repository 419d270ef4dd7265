"""Quality on the real data (../shared/data), with a plain TF-IDF + LinearSVC on the raw text
beside every figure, on the same split.

Per source:
- **time split** (Surabaya: train Jan-Oct 2022, validate Nov-Dec; Bandung: train 2021-2022,
  validate 2023): topic, agency (top-1, top-3, coverage at 95% precision), channel and
  supervision where the validation months carry labels, and each task's expected calibration
  error (ECE);
- **cross-validation over every real urgency label of the source** (5 folds, grouped so that
  repeats of one text stay in one fold): each fold trains a Router on the other folds (plus the
  synthetic corpus as extra channel/urgency rows; the Router chooses its tiers by its own inner
  cross-validation on the real rows only) and is scored on the held-out real rows: the urgent
  flag's precision and recall, flag + check recall, the share flagged against the urgent rate,
  each weighted by how the row was sampled (Surabaya's ``sampled_by``: a row picked at random
  stands for its share of the export, a row picked for an emergency-sounding word or a simple
  model's score for itself, so enriched rows do not inflate precision). The hand-labelled
  channel is scored on the same folds.

Cross-region: trained on one city, scored on every labelled report of the other (channel, topic,
urgency; the cities' OPD names differ, so agency is the cold-start benchmark's).

Next year, as docs/new-deployment.md sets a deployment up (``benchmarks/next_year.py``, also on
its own): each source's newest period scored pooled and with its own catalogue, thresholds
chosen only on older data, the baseline beside every figure.

    python benchmarks/quality.py [--synthetic 4000] [--json quality.json]
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.svm import LinearSVC

from models.calibration import auto_routed, calibrate, row_regions
from models.catalogue import Catalogue
from models.functions import FunctionResolver
from models.router import Router
from models.task_fitting import task_labels
from models.thresholds import coverage_at_precision, labelled
from pipeline.deployment import CatalogueRow, build_catalogue, find_region
from pipeline.evaluate import evaluate, expected_calibration_error
from pipeline.sources import DataSpec, load_frame
from pipeline.train import synthetic_frame

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SURABAYA_FROM, BANDUNG_FROM = datetime(2022, 11, 1), datetime(2023, 1, 1)
CV_COLUMNS = ("id", "title", "text", "district", "village", "regency", "channel", "urgent")
"""What the cross-validated Routers train on: urgency and channel only (agency and topic are
the time split's)."""
TARGETS = {
    "surabaya": {"flag_precision": 0.60, "flag_recall": 0.40, "flag_and_check_recall": 0.90,
                 "channel_macro_f1": 0.70, "topic_gain": 0.03, "agency_gain": 0.05,
                 "agency_top3": 0.92, "agency_coverage_95": 0.50},
    "bandung": {"flag_precision": 0.60, "flag_recall": 0.60, "flag_and_check_recall": 0.90,
                "channel_macro_f1": 0.65, "topic_gain": 0.03, "agency_gain": 0.10,
                "agency_top3": 0.80},
}  # fmt: skip
"""The issue's aims, printed beside the figures."""


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
        name="surabaya",
    )


def bandung_spec(hand_channel: bool = True) -> DataSpec | None:
    """The Bandung export with its urgency labels and, by default, its hand-judged channel in
    place of the portal's ``Klasifikasi`` (``labels_override``), or None (said on stdout) where
    absent."""
    source = SHARED / "lapor_kab_bandung_2021_2023.xlsx"
    if not source.is_file():
        print(f"skipped Bandung: the real data is absent ({source})")
        return None
    labels = [SHARED / "bandung_2021_2023_urgency.csv"]
    if hand_channel:
        labels.append(SHARED / "bandung_2021_2023_channel.csv")
    return DataSpec(source, "lapor", labels=labels, name="bandung", labels_override=hand_channel)


def deployment_catalogue(frame: pd.DataFrame, regency: str) -> Catalogue:
    """A catalogue of an export's agency names (most frequent spelling first) and the
    region's kecamatan and kelurahan/desa offices from the gazetteer: ``deployment init`` as an
    admin with only the export would run it."""
    names = frame["agency"].dropna().value_counts().index.tolist()
    rows = [CatalogueRow(name) for name in names]
    return build_catalogue(find_region(regency), rows, FunctionResolver())


def baseline(train: pd.DataFrame, test: pd.DataFrame, task: str) -> dict[str, float] | None:
    """TF-IDF + LinearSVC on the raw text: accuracy, top-3, macro-F1 and coverage at 95%
    precision (its margin ranks the confident ones); None without two labels to learn."""
    fit_labels, test_labels = task_labels(train, task), task_labels(test, task)
    fit_rows, test_rows = fit_labels.notna().to_numpy(), test_labels.notna().to_numpy()
    if fit_labels[fit_rows].nunique() < 2 or not test_rows.any():
        return None
    texts = train["text"].fillna("")
    vectorizer = TfidfVectorizer().fit(texts[fit_rows])
    model = LinearSVC().fit(vectorizer.transform(texts[fit_rows]), fit_labels[fit_rows])
    margins = model.decision_function(vectorizer.transform(test["text"].fillna("")[test_rows]))
    if margins.ndim == 1:
        margins = np.column_stack([-margins, margins])
    top = model.classes_[np.argsort(-margins, axis=1)[:, :3]]
    truth = test_labels[test_rows].to_numpy(dtype=object)
    correct = top[:, 0] == truth
    return {
        "accuracy": round(float(correct.mean()), 4),
        "top3": round(float((top == truth[:, None]).any(axis=1).mean()), 4),
        "macro_f1": round(float(f1_score(truth, top[:, 0], average="macro")), 4),
        "coverage_at_0.95": round(coverage_at_precision(margins.max(axis=1), correct, 0.95)[0], 4),
    }


def time_split(frame: pd.DataFrame, since: datetime, synthetic: pd.DataFrame | None) -> dict:
    """The Router and the baseline on one source's time split, task by task."""
    train, validation = frame[frame["created_at"] < since], frame[frame["created_at"] >= since]
    router = Router().fit(train, validation, extra=synthetic)
    metrics = evaluate(router, validation)
    tasks = ("topic", "agency", "channel", "supervision")
    return {
        "split": {"train": len(train), "validation": len(validation)},
        "auto_routing": auto_routing(router, validation),
        "router": {task: metrics[task] for task in tasks if task in metrics},
        "baseline": {task: b for task in tasks if (b := baseline(train, validation, task))},
        "skipped": router.skipped_,
        "urgency_tiers": router.urgency_.tiers.describe(),
    }


def auto_routing(router: Router, validation: pd.DataFrame) -> dict:
    """Auto-routing as production sees it: thresholds chosen on the first half of the
    validation months (region by region), share routed automatically and its precision on the
    second half."""
    ordered = validation.sort_values("created_at").reset_index(drop=True)
    first, second = ordered.iloc[: len(ordered) // 2], ordered.iloc[len(ordered) // 2 :]
    calibrate(router, first)
    predicted = router.predict_tasks(second)
    out = {}
    for task in ("agency", "topic"):
        truth = task_labels(second, task).to_numpy(dtype=object)
        rows = labelled(truth)
        if task not in predicted or not rows.any():
            continue
        answers = predicted[task].subset(rows)
        correct = answers.top_labels(1)[:, 0] == truth[rows]
        regions = np.array(row_regions(router, second), dtype=object)[rows]
        auto = auto_routed(router, task, answers, regions)
        figures = {
            "auto_rate": round(float(auto.mean()), 4),
            "auto_precision": round(float(correct[auto].mean()), 4) if auto.any() else None,
            "regions": router.auto_thresholds_[task].describe(),
        }
        out[task] = figures
    return out


def flag_figures(
    truth: np.ndarray, flags: np.ndarray, attention: np.ndarray, weights: np.ndarray | None = None
) -> dict:
    """The urgent flag's precision and recall, flag + check recall and the shares flagged,
    each row counted ``weights`` times (:func:`sampling_weights`; default once)."""
    weights = np.ones(len(truth)) if weights is None else weights
    precision, recall, _, _ = precision_recall_fscore_support(
        truth, flags, average="binary", zero_division=0, sample_weight=weights
    )
    urgent = max(float(weights[truth].sum()), 1e-9)
    return {
        "flag_precision": round(float(precision), 4),
        "flag_recall": round(float(recall), 4),
        "flag_and_check_recall": round(float(weights[truth & attention].sum() / urgent), 4),
        "flagged_share": round(float(np.average(flags, weights=weights)), 4),
        "attention_share": round(float(np.average(attention, weights=weights)), 4),
    }


ENRICHED = ("cue", "model")
"""How a labelled row was picked when not at random (``sampled_by``): for an emergency-sounding
word, or among the top-scored of a simple urgency model."""


def sampling_weights(ids: pd.Series, population: int) -> np.ndarray:
    """How many reports of the export each labelled row stands for: an enriched row stands for
    itself; a row picked at random for its share of the rest of the export. Without a
    ``sampled_by`` (a census, as Bandung's), every row counts once."""
    labels = SHARED / "surabaya_2022_labels.csv"
    picked = pd.read_csv(labels, dtype={"id": str}).set_index("id")["sampled_by"]
    how = ids.astype(str).map(picked)
    if how.isna().all():
        return np.ones(len(ids))
    enriched = how.isin(ENRICHED).to_numpy()
    at_random = max(int((~enriched).sum()), 1)
    return np.where(enriched, 1.0, (population - enriched.sum()) / at_random)


def cross_validated(frame: pd.DataFrame, synthetic: pd.DataFrame | None) -> dict:
    """Urgency (and hand-labelled channel, where the source has it) over every real urgency
    label, 5 grouped folds; the baseline on the same folds."""
    labelled = frame[frame["urgent"].notna()].reset_index(drop=True)
    labelled = labelled[[c for c in CV_COLUMNS if c in labelled]]
    truth = labelled["urgent"].astype(bool).to_numpy()
    groups = pd.factorize(labelled["text"].str.lower().str.split().str.join(" "))[0]
    scores, tiers = np.zeros(len(labelled)), np.empty(len(labelled), dtype=object)
    baseline_flags = np.zeros(len(labelled), dtype=bool)
    channel = np.empty(len(labelled), dtype=object)
    baseline_channel = np.empty(len(labelled), dtype=object)
    rules = []
    folds = StratifiedGroupKFold(5, shuffle=True, random_state=0)
    for train_index, test_index in folds.split(labelled, truth, groups):
        train, test = labelled.iloc[train_index], labelled.iloc[test_index]
        router = Router().fit(train, extra=synthetic)
        rules.append(router.urgency_.tiers.rule)
        predicted = router.predict_tasks(test)
        scores[test_index] = predicted["urgent"].proba[:, 1]
        tiers[test_index] = router.urgency_.tiers.tiers(scores[test_index])
        vectorizer = TfidfVectorizer().fit(train["text"])
        svm = LinearSVC(class_weight="balanced").fit(
            vectorizer.transform(train["text"]), truth[train_index]
        )
        baseline_flags[test_index] = svm.predict(vectorizer.transform(test["text"]))
        if "channel" in predicted and labelled["channel"].notna().all():
            channel[test_index] = predicted["channel"].top_labels(1)[:, 0]
            chosen = LinearSVC().fit(vectorizer.transform(train["text"]), train["channel"])
            baseline_channel[test_index] = chosen.predict(vectorizer.transform(test["text"]))
    weights = sampling_weights(labelled["id"], len(frame))
    out = {
        "n": len(labelled),
        "labelled_rate": round(float(truth.mean()), 4),
        "weighted_rate": round(float(np.average(truth, weights=weights)), 4),
        "tier_rules": rules,
        "router": {
            **flag_figures(truth, tiers == "urgent", tiers != "none", weights),
            "ece": round(expected_calibration_error(scores, truth), 4),
        },
        "baseline": flag_figures(truth, baseline_flags, baseline_flags, weights),
        "unweighted": {
            "router": flag_figures(truth, tiers == "urgent", tiers != "none"),
            "baseline": flag_figures(truth, baseline_flags, baseline_flags),
        },
    }
    if channel[0] is not None:
        y = labelled["channel"].to_numpy(dtype=object)
        out["channel"] = {
            "router_macro_f1": round(float(f1_score(y, channel, average="macro")), 4),
            "baseline_macro_f1": round(float(f1_score(y, baseline_channel, average="macro")), 4),
        }
    return out


def cross_region(train: pd.DataFrame, test: pd.DataFrame, synthetic: pd.DataFrame | None) -> dict:
    """Trained on one city, scored on every labelled report of the other."""
    keep = [c for c in train.columns if c != "agency"]
    router = Router().fit(train[keep], extra=synthetic)
    metrics = evaluate(router, test[keep])
    return {
        "router": {t: metrics[t] for t in ("channel", "topic", "urgent") if t in metrics},
        "baseline": {t: b for t in ("channel", "topic") if (b := baseline(train, test, t))},
    }


def table(name: str, source: dict) -> str:
    """The source's figures as a Markdown table: Router, baseline, aim."""
    aims = TARGETS.get(name, {})
    split, cv = source["time_split"], source["cross_validated"]
    router, plain = split["router"], split["baseline"]
    rows = []

    def row(label: str, ours: float | None, theirs: float | None, aim: str = "") -> None:
        shown = [f"{v:.3f}" if isinstance(v, float) else "–" for v in (ours, theirs)]
        rows.append(f"| {label} | {shown[0]} | {shown[1]} | {aim} |")

    urgent, urgent_plain = cv["router"], cv["baseline"]
    row("urgent flag precision (CV, weighted)", urgent["flag_precision"],
        urgent_plain["flag_precision"], f"≥ {aims.get('flag_precision', 0):.2f}")  # fmt: skip
    row("urgent flag recall (CV, weighted)", urgent["flag_recall"], urgent_plain["flag_recall"],
        f"≥ {aims.get('flag_recall', 0):.2f}")  # fmt: skip
    row("urgent flag + check recall (CV, weighted)", urgent["flag_and_check_recall"], None,
        f"≥ {aims.get('flag_and_check_recall', 0):.2f}")  # fmt: skip
    row("share flagged urgent (CV, weighted)", urgent["flagged_share"],
        urgent_plain["flagged_share"],
        f"≤ {2 * cv['weighted_rate']:.3f} (2× the urgent rate)")  # fmt: skip
    row("urgency ECE (CV)", urgent["ece"], None)
    if "channel" in cv:
        row("channel macro-F1 (CV, hand labels)", cv["channel"]["router_macro_f1"],
            cv["channel"]["baseline_macro_f1"], "≥ 0.70")  # fmt: skip
    elif "channel" in router:
        row("channel macro-F1 (time split, portal)", router["channel"]["macro_f1"],
            plain.get("channel", {}).get("macro_f1"), "≥ 0.70")  # fmt: skip
    if "supervision" in router:
        row("supervision macro-F1", router["supervision"]["macro_f1"],
            plain.get("supervision", {}).get("macro_f1"))  # fmt: skip
    topic_plain = plain.get("topic", {}).get("accuracy")
    row("topic accuracy", router["topic"]["accuracy"], topic_plain,
        f"≥ {topic_plain + aims.get('topic_gain', 0):.3f}" if topic_plain else "")  # fmt: skip
    agency_plain = plain.get("agency", {})
    row("agency top-1", router["agency"]["top1"], agency_plain.get("accuracy"),
        f"≥ {agency_plain.get('accuracy', 0) + aims.get('agency_gain', 0):.3f}")  # fmt: skip
    row("agency top-3", router["agency"]["top3"], agency_plain.get("top3"),
        f"≥ {aims.get('agency_top3', 0):.2f}")  # fmt: skip
    coverage_aim = aims.get("agency_coverage_95")
    row("agency coverage at 95% precision", router["agency"]["coverage_at_precision"]["0.95"],
        agency_plain.get("coverage_at_0.95"),
        f"≥ {coverage_aim:.2f}" if coverage_aim else "report")  # fmt: skip
    for task in ("topic", "agency", "channel"):
        if task in router:
            row(f"{task} ECE", router[task]["ece"], None)
    header = f"\n### {name}\n\n| | Router | TF-IDF + LinearSVC | aim |\n|---|---|---|---|"
    auto = [
        "\nAuto-routing: thresholds chosen region by region on the first half of the validation "
        "months, measured on the second (target precision 0.95)\n",
        "| task | share auto-routed | precision of those | thresholds |",
        "|---|---|---|---|",
    ]
    for task, figures in split["auto_routing"].items():
        auto.append(
            f"| {task} | {figures['auto_rate']:.3f} | {figures['auto_precision']} | "
            f"{json.dumps(figures['regions'], ensure_ascii=False)} |"
        )
    return "\n".join([header, *rows, *auto])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic", type=int, default=4_000)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--no-next-year", action="store_true", help="Leave out the next-year view (~8 minutes)."
    )
    args = parser.parse_args()
    surabaya, bandung = surabaya_spec(), bandung_spec()
    if surabaya is None:
        return
    synthetic = synthetic_frame(args.synthetic, seed=7) if args.synthetic else None
    frames = {"surabaya": load_frame(surabaya)[0]}
    if bandung is not None:
        frames["bandung"] = load_frame(bandung)[0]
    since = {"surabaya": SURABAYA_FROM, "bandung": BANDUNG_FROM}
    results: dict[str, dict] = {}
    for name, frame in frames.items():
        results[name] = {
            "time_split": time_split(frame, since[name], synthetic),
            "cross_validated": cross_validated(frame, synthetic),
        }
    if "bandung" in frames:
        results["cross_region"] = {
            "surabaya_to_bandung": cross_region(frames["surabaya"], frames["bandung"], synthetic),
            "bandung_to_surabaya": cross_region(frames["bandung"], frames["surabaya"], synthetic),
        }
    if "bandung" in frames and not args.no_next_year:
        from next_year import next_year_view  # a script beside this one, which imports it

        results["next_year"] = next_year_view(frames, synthetic)
    print(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    for name in frames:
        print(table(name, results[name]))
    if "next_year" in results:
        from next_year import table as next_year_table

        for name in frames:
            print(next_year_table(name, results["next_year"][name]))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
