"""The index of past reports: candidates by MinHash LSH and by place, scored by the pair
scorer; adding a report never rebuilds anything."""

from __future__ import annotations

import zlib

import numpy as np

from core.schema import Report
from core.suggestion import DuplicateLink
from models.duplicates.embeddings import Embeddings
from models.duplicates.features import (
    BANDS,
    MAX_CANDIDATES,
    NUM_PERM,
    WINDOW_DAYS,
    Entry,
    band_keys,
    reason,
    signature,
    text_similarity,
)
from models.duplicates.scorer import PairScorer


def _address_key(address: str) -> int:
    """A 32-bit hash of an address (0: none), so that candidates at the same address can be
    found among thousands without comparing strings."""
    return (zlib.crc32(address.encode()) or 1) if address else 0


class DuplicateIndex:
    """Past reports, searchable for earlier reports about the same problem."""

    def __init__(self, scorer: PairScorer, window_days: int = WINDOW_DAYS) -> None:
        self.scorer = scorer
        self.window_days = window_days
        self.entries: list[Entry] = []
        self._signatures = np.zeros((0, NUM_PERM), dtype=np.uint32)
        self._size = 0
        self._days = np.zeros(0)
        self._regency = np.zeros(0, dtype=np.int32)
        self._address = np.zeros(0, dtype=np.uint32)
        self._regency_codes: dict[str, int] = {}
        self._sorted_keys = np.zeros((BANDS, 0), dtype=np.uint64)
        self._sorted_positions = np.zeros((BANDS, 0), dtype=np.int64)
        self._recent: list[dict[int, list[int]]] = [{} for _ in range(BANDS)]
        self._recent_count = 0
        self._by_village: dict[tuple[str, str], list[int]] = {}
        self.embeddings = Embeddings()

    def __len__(self) -> int:
        return self._size

    def _grow(self, needed: int) -> None:
        if needed <= len(self._signatures):
            return
        capacity = max(needed, 2 * len(self._signatures), 1024)
        signatures = np.zeros((capacity, NUM_PERM), dtype=np.uint32)
        signatures[: self._size] = self._signatures[: self._size]
        days = np.full(capacity, np.nan)
        days[: self._size] = self._days[: self._size]
        regency = np.zeros(capacity, dtype=np.int32)
        regency[: self._size] = self._regency[: self._size]
        address = np.zeros(capacity, dtype=np.uint32)
        address[: self._size] = self._address[: self._size]
        self._signatures, self._days, self._regency = signatures, days, regency
        self._address = address

    def add(self, report: Report, agency: str | None = None, topic: str | None = None) -> None:
        """Index one report (no rebuild: it goes to the incremental part)."""
        entry = Entry.of(report, agency, topic)
        self._add_entries([entry], signature(entry.text)[None, :])

    def add_many(
        self,
        reports: list[Report],
        agencies: list[str | None] | None = None,
        topics: list[str | None] | None = None,
    ) -> None:
        """Index many reports at once (band tables compacted once at the end), with their
        suggested ``agencies`` and ``topics`` where known (as for :meth:`add`)."""
        agencies = agencies or [None] * len(reports)
        topics = topics or [None] * len(reports)
        entries = [Entry.of(r, a, t) for r, a, t in zip(reports, agencies, topics, strict=True)]
        signatures = np.vstack([signature(e.text) for e in entries]) if entries else None
        if signatures is not None:
            self._add_entries(entries, signatures, compact=True)

    def _add_entries(
        self, entries: list[Entry], signatures: np.ndarray, compact: bool = False
    ) -> None:
        start = self._size
        self._grow(start + len(entries))
        self._signatures[start : start + len(entries)] = signatures
        keys = band_keys(signatures)
        for offset, entry in enumerate(entries):
            position = start + offset
            self.entries.append(entry)
            self._days[position] = entry.day
            self._address[position] = _address_key(entry.address)
            self._regency[position] = self._regency_codes.setdefault(
                entry.regency, len(self._regency_codes)
            )
            if entry.village:
                self._by_village.setdefault((entry.regency, entry.village), []).append(position)
            if not compact:
                for band in range(BANDS):
                    self._recent[band].setdefault(int(keys[offset, band]), []).append(position)
        self._size += len(entries)
        if compact:
            self._merge(keys, np.arange(start, start + len(entries)))
        else:
            self._recent_count += len(entries)
            if self._recent_count >= 50_000:
                self.compact()

    def _merge(self, keys: np.ndarray, positions: np.ndarray) -> None:
        all_keys = np.concatenate([self._sorted_keys, keys.T], axis=1)
        all_positions = np.concatenate(
            [self._sorted_positions, np.broadcast_to(positions, (BANDS, len(positions)))], axis=1
        )
        order = np.argsort(all_keys, axis=1, kind="stable")
        self._sorted_keys = np.take_along_axis(all_keys, order, axis=1)
        self._sorted_positions = np.take_along_axis(all_positions, order, axis=1)

    def compact(self) -> None:
        """Fold the incrementally added reports into the sorted band tables."""
        if not self._recent_count:
            return
        positions = np.arange(self._size - self._recent_count, self._size)
        self._merge(band_keys(self._signatures[positions]), positions)
        self._recent = [{} for _ in range(BANDS)]
        self._recent_count = 0

    def candidates(self, entry: Entry, sig: np.ndarray) -> np.ndarray:
        """Positions of earlier reports in the window and regency, most similar first."""
        keys = band_keys(sig[None, :])[0]
        found: list[np.ndarray] = []
        for band in range(BANDS):
            row = self._sorted_keys[band]
            lo = np.searchsorted(row, keys[band], side="left")
            hi = np.searchsorted(row, keys[band], side="right")
            if hi > lo:
                found.append(self._sorted_positions[band, lo:hi])
            recent = self._recent[band].get(int(keys[band]))
            if recent:
                found.append(np.asarray(recent))
        if entry.village:
            same_place = self._by_village.get((entry.regency, entry.village), [])
            found.append(np.asarray(same_place[-5_000:]))
        if not found:
            return np.zeros(0, dtype=np.int64)
        positions = np.unique(np.concatenate(found).astype(np.int64))
        if entry.day == entry.day:
            gap = entry.day - self._days[positions]
            positions = positions[(gap >= 0) & (gap <= self.window_days) | np.isnan(gap)]
        code = self._regency_codes.get(entry.regency)
        positions = (
            positions[self._regency[positions] == code] if code is not None else positions[:0]
        )
        if len(positions) > MAX_CANDIDATES:
            # the same address first: a reworded repeat shares few shingles with its original
            # but usually repeats the address, while a busy kelurahan has many similar reports
            similarity = (self._signatures[positions] == sig).mean(axis=1)
            key = _address_key(entry.address)
            if key:
                similarity += self._address[positions] == key
            positions = positions[np.argsort(-similarity, kind="stable")[:MAX_CANDIDATES]]
        return positions

    def find(
        self, report: Report, agency: str | None = None, topic: str | None = None
    ) -> list[DuplicateLink]:
        """Earlier reports about the same problem, most probable first (``agency`` and
        ``topic``: the report's suggested ones, as for :meth:`add`)."""
        entry = Entry.of(report, agency, topic)
        return self._links(entry, signature(entry.text))

    def find_indexed(self, position: int) -> list[DuplicateLink]:
        """The same for the report indexed at ``position`` (a backlog indexed whole before it
        is searched): of two reports of the same day, only the later one in the index links
        to the earlier."""
        return self._links(self.entries[position], self._signatures[position], position)

    def _links(
        self, entry: Entry, sig: np.ndarray, position: int | None = None
    ) -> list[DuplicateLink]:
        positions = self.candidates(entry, sig)
        positions = np.array([p for p in positions if self.entries[p].id != entry.id], dtype=int)
        if position is not None and entry.day == entry.day:
            later = (self._days[positions] == entry.day) & (positions > position)
            positions = positions[~later]
        if len(positions) == 0:
            return []
        pairs = [(entry, self.entries[p]) for p in positions]
        jaccard = (self._signatures[positions] == sig).mean(axis=1)
        proba, features = self.scorer.score(pairs, jaccard, self.embeddings)
        links = []
        for p, probability, row in zip(positions, proba, features, strict=True):
            if probability >= self.scorer.threshold_:
                days = entry.day - self.entries[p].day
                links.append(
                    DuplicateLink(
                        report_id=self.entries[p].id,
                        probability=round(float(probability), 4),
                        reason=reason(row, days),
                        text_similarity=round(text_similarity(row), 4),
                    )
                )
        return sorted(links, key=lambda link: -link.probability)
