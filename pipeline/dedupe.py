"""Duplicate linking: train the pair scorer, find links and clusters in a file, evaluate on pairs.

Repeats are linked to the earlier report, never dropped: a repeat can be an escalation and the
number of citizens affected matters to the agency.
"""

from __future__ import annotations

import dataclasses
import random
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from core.errors import LaporError
from core.schema import Report
from models.duplicates.embeddings import Embeddings
from models.duplicates.features import Entry
from models.duplicates.index import DuplicateIndex
from models.duplicates.scorer import PairScorer
from pipeline.ingest.reader import read_reports
from pipeline.synth.gazetteer import KECAMATAN_VILLAGES, STREETS
from pipeline.synth.generator import generate

SIMILARITY_BANDS = ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 1.01))


def read_pairs(path: Path) -> pd.DataFrame:
    """A labelled pairs file: ``id_a,id_b,duplicate`` (other columns kept, e.g. ``cosine``)."""
    if not path.is_file():
        raise LaporError(f"{path}: pairs file not found")
    pairs = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in ("id_a", "id_b", "duplicate") if c not in pairs]
    if missing:
        raise LaporError(
            f"{path}: missing column(s) {', '.join(missing)}; expected id_a,id_b,duplicate"
        )
    bad = ~pairs["duplicate"].isin(["0", "1"])
    if bad.any():
        raise LaporError(f"{path}: row {int(np.flatnonzero(bad)[0]) + 2}: duplicate must be 0 or 1")
    pairs["duplicate"] = pairs["duplicate"].astype(int)
    return pairs


def labelled_pairs(
    reports: dict[str, Report], pairs: pd.DataFrame
) -> tuple[list[tuple[Entry, Entry]], np.ndarray, pd.DataFrame]:
    """Entry pairs and labels for the rows of ``pairs`` whose reports are both present."""
    known = pairs["id_a"].isin(reports) & pairs["id_b"].isin(reports)
    kept = pairs[known].reset_index(drop=True)
    entries = {i: Entry.of(reports[i]) for i in set(kept["id_a"]) | set(kept["id_b"])}
    entry_pairs = [
        (entries[a], entries[b]) for a, b in zip(kept["id_a"], kept["id_b"], strict=True)
    ]
    return entry_pairs, kept["duplicate"].to_numpy(), kept


DEMO_NO_ADDRESS_SHARE = 0.3
"""For the demo scorer, which sees no real pairs: without this it learns from the synthetic
chains that a repeat always repeats the address, and misses repeats typed into the UI. Real
training leaves it at 0: on the real pairs it costs 0.5 point of cross-validated F1 (0.857 vs
0.862, mean of three fold seeds), 3.6 points before the address features."""


def synthetic_pairs(
    n_reports: int, seed: int, no_address_share: float = 0.0
) -> tuple[list[tuple[Entry, Entry]], np.ndarray]:
    """Pairs from synthetic duplicate chains: repeats (1); the same problem in another village
    and other problems in the same village (0)."""
    rows = list(generate(n_reports, seed=seed))
    rng = random.Random(seed)
    # ``no_address_share`` of the reports lose their address, so that the scorer does not learn
    # that a repeat always repeats it
    without_address = (
        {r["id"] for r in rows if rng.random() < no_address_share} if no_address_share else set()
    )
    entries = {
        r["id"]: Entry.of(
            Report.model_validate(
                {**r, "address": None} if r["id"] in without_address else r
            ).masked()
        )
        for r in rows
    }
    by_id = {r["id"]: r for r in rows}
    by_problem: dict[tuple, list[dict]] = defaultdict(list)
    by_village: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_problem[(row["source_topic"], row["district"])].append(row)
        by_village[row["village"]].append(row)
    pairs, labels = [], []
    for row in rows:
        if not row["duplicate_of"]:
            continue
        original = by_id[row["duplicate_of"]]
        pairs.append((entries[row["id"]], entries[original["id"]]))
        labels.append(1)
        elsewhere = [
            r for r in by_problem[(original["source_topic"], original["district"])]
            if r["village"] != original["village"] and r["id"] != row["id"]
        ]  # fmt: skip
        if elsewhere:
            pairs.append((entries[row["id"]], entries[rng.choice(elsewhere)["id"]]))
            labels.append(0)
        other = [r for r in by_village[row["village"]] if r["source_topic"] != row["source_topic"]]
        if other:
            pairs.append((entries[row["id"]], entries[rng.choice(other)["id"]]))
            labels.append(0)
        pairs.append((_moved(entries[original["id"]], rng), entries[original["id"]]))
        labels.append(0)
        if entries[original["id"]].address and rng.random() < NEXT_DOOR_SHARE:
            street, house = entries[original["id"]].address, rng.randint(1, 120)
            repeat = _at(entries[row["id"]], f"{street} no. {house}")
            pairs.append((repeat, _at(entries[original["id"]], f"{street} no. {house}")))
            labels.append(1)
            next_door = f"{street} no. {house + rng.choice((1, 2))}"
            pairs.append((repeat, _at(entries[row["id"]], next_door)))
            labels.append(0)
    return pairs, np.array(labels)


NEXT_DOOR_SHARE = 0.3
"""Share of synthetic repeats that also get a house number: the repeat keeps it, and the same
words sent for a neighbouring house are not a repeat (as with template complaints sent house by
house). The demo chains have no house numbers otherwise."""


def _at(entry: Entry, address: str) -> Entry:
    """The report sent from another address."""
    return dataclasses.replace(
        entry,
        id=f"{entry.id}@{address}",
        address=address,
        numbers=entry.numbers | set(re.findall(r"\d+", address)),
    )


def _moved(entry: Entry, rng: random.Random) -> Entry:
    """The same words about another kelurahan of the same kecamatan: not a duplicate, however
    similar the text (the case embeddings alone get wrong)."""
    villages = [
        v
        for v in KECAMATAN_VILLAGES.get(entry.district.title(), ())
        if v.casefold() != entry.village
    ]
    village = rng.choice(villages or ["Kampung Lain"]).casefold()
    address = f"jl. {rng.choice(STREETS).casefold()} rt {rng.randint(1, 40):02d}"
    text = entry.text.replace(entry.village, village)
    return dataclasses.replace(
        entry, id=f"{entry.id}-moved", village=village, address=address, text=text,
        numbers=frozenset(re.findall(r"\d+", address)), raw_hash=zlib.crc32(text.encode()),
    )  # fmt: skip


def pair_metrics(y: np.ndarray, flagged: np.ndarray, threshold: float) -> dict[str, Any]:
    precision, recall, f1, _ = precision_recall_fscore_support(
        y, flagged, average="binary", zero_division=0
    )
    return {
        "n": len(y),
        "precision": round(float(precision), 4),
        "recall": round(float(recall), 4),
        "f1": round(float(f1), 4),
        "threshold": round(float(threshold), 4),
    }


def train_scorer(
    reports: list[Report],
    pairs: pd.DataFrame,
    synthetic_reports: int = 3_000,
    seed: int = 42,
    progress: Callable[[str], None] = lambda step: None,
) -> tuple[PairScorer, dict[str, Any], pd.DataFrame]:
    """Fit the pair scorer on labelled pairs plus synthetic chains; cross-validated metrics on
    the labelled pairs (each fold trains on the other folds and the synthetic pairs)."""
    by_id = {r.id: r for r in reports}
    real_pairs, y, kept = labelled_pairs(by_id, pairs)
    if len(kept) < 10 or len(set(y)) < 2:
        raise LaporError(
            f"only {len(kept)} labelled pairs match reports in the data (need 10, both labels); "
            "check that the pairs' ids are the data's ids"
        )
    progress(
        f"{len(kept)} labelled pairs ({int(y.sum())} duplicates); {len(pairs) - len(kept)} skipped"
    )
    synth_pairs, synth_y = (
        synthetic_pairs(synthetic_reports, seed) if synthetic_reports else ([], np.zeros(0))
    )
    texts = [r.model_input() for r in reports]
    embedder = Embeddings()
    progress("cross-validating on the labelled pairs")
    proba = np.zeros(len(y))
    flagged = np.zeros(len(y), dtype=bool)
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    for train, test in folds.split(np.zeros(len(y)), y):
        scorer = PairScorer().fit(
            texts,
            [real_pairs[i] for i in train] + synth_pairs,
            np.concatenate([y[train], synth_y]),
            embedder=embedder,
        )
        proba[test] = scorer.predict_proba_pairs([real_pairs[i] for i in test], embedder)
        flagged[test] = proba[test] >= scorer.threshold_
    metrics = pair_metrics(y, flagged, float("nan"))
    metrics.pop("threshold")
    if "cosine" in kept:
        cosine = pd.to_numeric(kept["cosine"], errors="coerce").to_numpy()
        bands = {}
        for lo, hi in SIMILARITY_BANDS:
            band = (cosine >= lo) & (cosine < hi)
            if band.any():
                bands[f"{lo:.1f}-{min(hi, 1.0):.1f}"] = pair_metrics(y[band], flagged[band], 0)
                bands[f"{lo:.1f}-{min(hi, 1.0):.1f}"].pop("threshold")
        metrics["by_similarity_band"] = bands
    progress("fitting the final scorer")
    scorer = PairScorer().fit(
        texts, real_pairs + synth_pairs, np.concatenate([y, synth_y]), embedder=embedder
    )
    metrics["threshold"] = round(scorer.threshold_, 4)
    return scorer, metrics, kept


def evaluate_pairs(
    scorer: PairScorer, reports: list[Report], pairs: pd.DataFrame
) -> dict[str, Any]:
    """``{"n", "precision", "recall", "f1", "threshold"}`` at the scorer's stored threshold."""
    entry_pairs, y, _ = labelled_pairs({r.id: r for r in reports}, pairs)
    if not entry_pairs:
        raise LaporError("no labelled pair matches reports in the data")
    proba = scorer.predict_proba_pairs(entry_pairs)
    return pair_metrics(y, proba >= scorer.threshold_, scorer.threshold_)


def find_links(
    scorer: PairScorer, reports: Iterable[Report], window_days: int = 60
) -> pd.DataFrame:
    """Each report's earlier duplicate (if any) and its cluster: the master is the earliest
    report of the cluster, ``cluster_size`` how many reports it holds."""
    ordered = sorted(reports, key=lambda r: (r.created_at is None, r.created_at or 0, r.id))
    index = DuplicateIndex(scorer, window_days=window_days)
    rows = []
    master: dict[str, str] = {}
    for report in ordered:
        links = index.find(report)
        best = links[0] if links else None
        master[report.id] = master.get(best.report_id, best.report_id) if best else report.id
        rows.append(
            {
                "id": report.id,
                "duplicate_of": best.report_id if best else None,
                "probability": best.probability if best else None,
                "reason": best.reason if best else None,
                "links": len(links),
                "cluster": master[report.id],
            }
        )
        index.add(report)
    columns = ["id", "duplicate_of", "probability", "reason", "links", "cluster"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["cluster_size"] = frame["cluster"].map(frame["cluster"].value_counts()).astype(int)
    return frame


def load_reports(path: Path, fmt: str) -> list[Report]:
    reports, _ = read_reports(path, fmt)
    if not reports:
        raise LaporError(f"{path}: no usable reports")
    return reports
