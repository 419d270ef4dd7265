"""Which OPDs each source's reports went to in training. A source is one region's export (a
city's complaint system, a kabupaten's SP4N-LAPOR! export); without a deployment's catalogue a
suggestion names only OPDs of the report's own source: a model trained on Surabaya and Kabupaten
Bandung never suggests Surabaya's Dinas Perhubungan for a Bandung report. The function level,
which names no OPD, still learns from every source.

A report's source is the one it was imported from; a report that arrives without one (the
API) belongs to the source whose training reports most often came from its kabupaten/kota (an
export's regency is often the reporter's: Kabupaten Bandung's portal receives reports from Kota
Bandung and Jakarta too)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

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


@dataclass
class SourceAgencies:
    """Learned from the training rows: each source's agency labels, and which source a
    kabupaten/kota's reports mostly came from."""

    agencies: dict[str, list[str]] = field(default_factory=dict)
    """source -> the agency labels its rows carry"""
    regencies: dict[str, str] = field(default_factory=dict)
    """region key -> the source most of its training reports came from"""

    @classmethod
    def fit(
        cls, labels: Sequence[object], sources: Sequence[object], regencies: Sequence[object]
    ) -> SourceAgencies:
        found: dict[str, set[str]] = {}
        counts: dict[str, Counter[str]] = {}
        for label, source, regency in zip(labels, sources, regencies, strict=True):
            if not isinstance(label, str) or not isinstance(source, str):
                continue
            found.setdefault(source, set()).add(label)
            if (key := region_key(regency)) is not None:
                counts.setdefault(key, Counter())[source] += 1
        return cls(
            {source: sorted(names) for source, names in sorted(found.items())},
            {key: count.most_common(1)[0][0] for key, count in sorted(counts.items())},
        )

    def source_of(self, source: object, regency: object) -> str | None:
        """A row's source: its own, else its kabupaten/kota's, else the only one there is."""
        if isinstance(source, str) and source in self.agencies:
            return source
        if (key := region_key(regency)) is not None and key in self.regencies:
            return self.regencies[key]
        return next(iter(self.agencies)) if len(self.agencies) == 1 else None

    def restrict(
        self, agency: TaskPredictions, sources: Sequence[object], regencies: Sequence[object]
    ) -> TaskPredictions:
        """Agency probabilities with every class the row's source never routed to set to zero
        (the rest renormalised); rows whose source cannot be told are left as they are."""
        if len(self.agencies) < 2:
            return agency  # one source: every class is its own
        columns = {label: i for i, label in enumerate(agency.classes)}
        allowed = {
            source: np.isin(
                np.arange(len(agency.classes)), [columns[n] for n in names if n in columns]
            )
            for source, names in self.agencies.items()
        }
        everything = np.ones(len(agency.classes), dtype=bool)
        mask = np.array(
            [
                allowed.get(self.source_of(source, regency) or "", everything)
                for source, regency in zip(sources, regencies, strict=True)
            ],
            dtype=bool,
        ).reshape(len(sources), len(agency.classes))
        proba = np.where(mask, agency.proba, 0.0)
        totals = proba.sum(axis=1, keepdims=True)
        proba = np.divide(proba, totals, out=agency.proba.copy(), where=totals > 0)
        return TaskPredictions(agency.classes, proba, agency.labels)

    def foreign_share(
        self, suggested: Sequence[object], sources: Sequence[object], regencies: Sequence[object]
    ) -> float | None:
        """The share of suggestions (of rows whose source can be told) naming an OPD that only
        other sources' reports went to: what :meth:`restrict` keeps at zero. None with fewer
        than two sources."""
        if len(self.agencies) < 2:
            return None
        own = {source: set(names) for source, names in self.agencies.items()}
        everywhere = set().union(*own.values())
        judged = foreign = 0
        for label, source, regency in zip(suggested, sources, regencies, strict=True):
            row_source = self.source_of(source, regency)
            if row_source is None or not isinstance(label, str):
                continue
            judged += 1
            foreign += label in everywhere and label not in own[row_source]
        return foreign / judged if judged else None
