"""Which OPDs each region's reports went to in training. Without a deployment's catalogue, a
suggestion names only an OPD of the report's own region (its kabupaten/kota): a model trained on
Surabaya and Kabupaten Bandung never suggests Surabaya's Dinas Perhubungan for a Bandung report.
The function level, which names no OPD, still learns from every region."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from core.schema import normalize_regency
from models.predictions import TaskPredictions


def region_key(regency: object) -> str | None:
    """A kabupaten/kota as one key, whatever its spelling: "Kab. Bandung", "Kabupaten Bandung"
    and a bare "Bandung" are one region, "Kota Bandung" another."""
    name = normalize_regency(regency) if isinstance(regency, str) else None
    if not name:
        return None
    return name.casefold().removeprefix("kabupaten ").strip()


ANY_REGION = ""
"""The key of labels only rows without a region carry (staff decisions on reports that came
without a regency, say): they cannot be placed, so every region may name them."""


def agencies_by_region(
    labels: Iterable[object], regencies: Iterable[object]
) -> dict[str, list[str]]:
    """Region key -> the agency labels its rows carry; labels seen only on rows without a region
    under :data:`ANY_REGION` (rows without a label skipped)."""
    found: dict[str, set[str]] = {}
    for label, regency in zip(labels, regencies, strict=True):
        if isinstance(label, str):
            found.setdefault(region_key(regency) or ANY_REGION, set()).add(label)
    placed = set().union(*(names for key, names in found.items() if key != ANY_REGION))
    if ANY_REGION in found:
        found[ANY_REGION] -= placed
        if not found[ANY_REGION] or not placed:
            del found[ANY_REGION]  # without any region at all there is nothing to restrict
    return {key: sorted(names) for key, names in sorted(found.items())}


def own_region_only(
    agency: TaskPredictions, regencies: Sequence[object], by_region: dict[str, list[str]]
) -> TaskPredictions:
    """Agency probabilities with every class the row's region never routed to set to zero (the
    rest renormalised). A row of a region the model has no OPD for is all zeros (nothing of its
    own to name); a row without a region is restricted only where the model knows one region."""
    if not by_region:
        return agency
    columns = {label: i for i, label in enumerate(agency.classes)}
    anywhere = by_region.get(ANY_REGION, [])
    allowed_by_key = {
        key: np.isin(
            np.arange(len(agency.classes)),
            [columns[n] for n in (*names, *anywhere) if n in columns],
        )
        for key, names in by_region.items()
        if key != ANY_REGION
    }
    only = next(iter(allowed_by_key.values())) if len(allowed_by_key) == 1 else None
    everything = np.ones(len(agency.classes), dtype=bool)
    nothing = np.zeros(len(agency.classes), dtype=bool)
    mask = np.array(
        [
            (only if only is not None else everything)
            if (key := region_key(regency)) is None
            else allowed_by_key.get(key, nothing)
            for regency in regencies
        ],
        dtype=bool,
    ).reshape(len(regencies), len(agency.classes))
    proba = np.where(mask, agency.proba, 0.0)
    totals = proba.sum(axis=1, keepdims=True)
    proba = np.divide(proba, totals, out=np.zeros_like(proba), where=totals > 0)
    return TaskPredictions(agency.classes, proba, agency.labels)


def foreign_share(
    suggested: Sequence[object], regencies: Sequence[object], by_region: dict[str, list[str]]
) -> float | None:
    """The share of suggestions (of rows with a region) naming an OPD that only other regions'
    reports went to: what :func:`own_region_only` keeps at zero. None without two regions."""
    own = {key: set(names) for key, names in by_region.items() if key != ANY_REGION}
    if len(own) < 2:
        return None
    everywhere = set().union(*own.values())
    judged = foreign = 0
    for label, regency in zip(suggested, regencies, strict=True):
        key = region_key(regency)
        if key is None or not isinstance(label, str):
            continue
        judged += 1
        foreign += label in everywhere and label not in own.get(key, set())
    return foreign / judged if judged else None
