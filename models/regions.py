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

UNNAMED_SOURCE = "reports"
"""The source of training rows imported without a name (one file, no manifest)."""


def region_key(regency: object) -> str | None:
    """A kabupaten/kota as one key, whatever its spelling: "Kab. Bandung", "Kabupaten Bandung"
    and a bare "Bandung" are one region, "Kota Bandung" another."""
    name = normalize_regency(regency) if isinstance(regency, str) else None
    if not name:
        return None
    return name.casefold().removeprefix("kabupaten ").strip()


@dataclass
class SourceRegions:
    """Which region a report belongs to: the region whose validation reports chose the
    thresholds it is judged by, and whose OPDs it may be routed to. With a deployment, its own
    sources and every report without a known source (what the service receives) are the
    deployment; the other sources are regions of their own."""

    sources: list[str] = field(default_factory=list)
    regencies: dict[str, str] = field(default_factory=dict)
    """region key -> the source most of its training reports came from"""
    deployment: str | None = None
    """The deployment's region (its catalogue's), where the model was fitted with one."""
    deployment_sources: list[str] = field(default_factory=list)

    @classmethod
    def fit(
        cls,
        sources: Sequence[object],
        regencies: Sequence[object],
        deployment: str | None = None,
        deployment_sources: Sequence[str] = (),
    ) -> SourceRegions:
        counts: dict[str, Counter[str]] = {}
        for source, regency in zip(sources, regencies, strict=True):
            if isinstance(source, str) and (key := region_key(regency)) is not None:
                counts.setdefault(key, Counter())[source] += 1
        return cls(
            sorted({s for s in sources if isinstance(s, str)}),
            {key: count.most_common(1)[0][0] for key, count in sorted(counts.items())},
            deployment,
            sorted(set(deployment_sources)),
        )

    def source_of(self, source: object, regency: object) -> str | None:
        """A row's source: its own, else its kabupaten/kota's, else the only one there is."""
        if isinstance(source, str) and source in self.sources:
            return source
        if (key := region_key(regency)) is not None and key in self.regencies:
            return self.regencies[key]
        return self.sources[0] if len(self.sources) == 1 else None

    def regions(self, sources: Sequence[object], regencies: Sequence[object]) -> list[str | None]:
        """Each row's region (None: cannot be told)."""
        if self.deployment is None:
            return [self.source_of(s, r) for s, r in zip(sources, regencies, strict=True)]
        others = set(self.sources) - set(self.deployment_sources)
        return [s if s in others else self.deployment for s in sources]


@dataclass
class SourceAgencies:
    """Learned from the training rows: each source's agency labels."""

    agencies: dict[str, list[str]] = field(default_factory=dict)
    """source -> the agency labels its rows carry"""

    @classmethod
    def fit(cls, labels: Sequence[object], sources: Sequence[object]) -> SourceAgencies:
        found: dict[str, set[str]] = {}
        for label, source in zip(labels, sources, strict=True):
            if isinstance(label, str) and isinstance(source, str):
                found.setdefault(source, set()).add(label)
        return cls({source: sorted(names) for source, names in sorted(found.items())})

    def restrict(self, agency: TaskPredictions, sources: Sequence[str | None]) -> TaskPredictions:
        """Agency probabilities with every class the row's source (:meth:`SourceRegions.regions`)
        never routed to set to zero (the rest renormalised); rows whose source cannot be told
        are left as they are."""
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
            [allowed.get(source or "", everything) for source in sources], dtype=bool
        ).reshape(len(sources), len(agency.classes))
        proba = np.where(mask, agency.proba, 0.0)
        totals = proba.sum(axis=1, keepdims=True)
        proba = np.divide(proba, totals, out=agency.proba.copy(), where=totals > 0)
        return TaskPredictions(agency.classes, proba, agency.labels)

    def foreign_share(
        self, suggested: Sequence[object], sources: Sequence[str | None]
    ) -> float | None:
        """The share of suggestions (of rows whose source can be told) naming an OPD that only
        other sources' reports went to: what :meth:`restrict` keeps at zero. None with fewer
        than two sources."""
        if len(self.agencies) < 2:
            return None
        own = {source: set(names) for source, names in self.agencies.items()}
        everywhere = set().union(*own.values())
        judged = foreign = 0
        for label, source in zip(suggested, sources, strict=True):
            if source not in own or not isinstance(label, str):
                continue
            judged += 1
            foreign += label in everywhere and label not in own[source]
        return foreign / judged if judged else None
