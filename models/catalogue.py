"""A deployment's OPD catalogue: the names its staff route to, each with its functions, and
its kecamatan and kelurahan/desa offices with the places they serve.

The catalogue turns the Router's function probabilities into probabilities over the
deployment's own OPD names (:meth:`Catalogue.spread`): a function's share goes to the OPDs that
serve it, and an own-office function's share to the office of the report's place, read from its
kecamatan/kelurahan fields or recognised in its address and text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from models.functions import OWN_OFFICE_FUNCTIONS, plain_name

PLACE_WORDS = {
    "kecamatan": r"(?:kecamatan|kec)",
    "kelurahan_desa": r"(?:kelurahan|kel|desa|ds|dusun|kampung)",
}
"""Words that, in free text, announce a place name of each office level."""
BARE_PLACE_LETTERS = 6
"""Place names this long (or of several words) are recognised in free text without a place
word too ("jalan di Baleendah rusak"); shorter ones ("Mojo", "Jeruk") read as common words."""
TEXT_PLACE_FIELDS = ("address", "title", "text")
"""Fields whose free text may announce a place ("desa X", "kec. Y")."""
PLACE_FIELDS = ("district", "village", *TEXT_PLACE_FIELDS)
"""The report fields :meth:`Catalogue.places` reads a report's place from."""
_REGION_WORDS = re.compile(r"^(?:kabupaten|kota|kab)\s+")
_OFFICE_PREFIX = re.compile(
    r"^\s*(?:kantor\s+|pemerintah\s+)?(?:kecamatan|kelurahan|desa|camat|lurah)\s+", re.I
)


def office_place(name: str) -> str:
    """The place an own office's name serves: "Kecamatan Pangalengan Kabupaten Bandung" ->
    "Pangalengan", "Kelurahan Wonorejo - Rungkut" -> "Wonorejo"."""
    place = _OFFICE_PREFIX.sub("", name)
    place = re.split(r"\s+-\s*|-(?=[A-Z])|\s+(?:kab\.?|kabupaten|kota)\s", place, flags=re.I)[0]
    return place.strip()


MAX_REMEMBERED_SPELLINGS = 10_000
MAX_SPREAD_PLANS = 8
"""Histories a catalogue keeps the spread plan of (a model has one; the service, a few)."""


def place_key(name: str) -> str:
    """A place name as matched: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def match_key(name: str, region: str | None = None) -> str:
    """An agency name as a catalogue of ``region`` matches it: plain, without a trailing
    "Kab./Kota <region>" or "<region>" (another region's suffix stays: its "Dinas Sosial" is
    not this one's)."""
    plain = plain_name(name)
    core = _REGION_WORDS.sub("", plain_name(region or ""))
    if core:
        plain = re.sub(rf"(?:\s+(?:kabupaten|kota))?\s+{re.escape(core)}$", "", plain)
    return plain


@dataclass(frozen=True)
class Opd:
    """One agency of the catalogue."""

    name: str
    function: str | None
    functions: tuple[str, ...]
    how: str
    """How the function was found: explicit, rule, similarity, unresolved, or gazetteer."""
    aliases: tuple[str, ...] = ()
    description: str = ""
    place: str | None = None
    """For a kecamatan or kelurahan/desa office: the place it serves."""
    district: str | None = None
    """For a kelurahan/desa office: its kecamatan, where known."""
    suggested: bool = True
    """Whether suggestions name it before staff ever routed to it (a desa government, added
    from the gazetteer, is not: a desa's reports go to its kecamatan office until then)."""


@dataclass(frozen=True)
class SpreadPlan:
    """What :meth:`Catalogue.spread` needs of a catalogue and an OPD history, whatever the
    reports: each function's OPD columns with their shares, and the active own offices."""

    shares: dict[str, tuple[list[int], np.ndarray]]
    """function -> (the columns of the OPDs serving it, each one's share of the function)."""
    offices: dict[str, dict[str, list[int]]]
    """own-office function -> place key -> columns of its active offices."""
    every: dict[str, list[int]]
    """own-office function -> columns of all its active offices."""


@dataclass
class Catalogue:
    """The deployment's agencies, in the order the admin listed them."""

    region: str | None
    opds: list[Opd] = field(default_factory=list)

    def __getstate__(self) -> dict[str, object]:
        """What is saved: the OPDs, not the lookups built from them."""
        return {"region": self.region, "opds": self.opds}

    def names(self) -> list[str]:
        return [opd.name for opd in self.opds]

    def opd(self, name: object) -> Opd | None:
        """The OPD a spelling names (see :meth:`canonical`)."""
        found = self.canonical(name)
        return next(o for o in self.opds if o.name == found) if found is not None else None

    @cached_property
    def _by_key(self) -> dict[str, str]:
        keys: dict[str, str] = {}
        for opd in self.opds:
            for spelling in (opd.name, *opd.aliases):
                keys.setdefault(match_key(spelling, self.region), opd.name)
        return keys

    @cached_property
    def _spellings(self) -> frozenset[str]:
        return frozenset(plain_name(s) for opd in self.opds for s in (opd.name, *opd.aliases))

    def spells(self, name: object) -> bool:
        """Whether ``name`` is one of the catalogue's own spellings (case and punctuation
        aside): how a deployment's own export names its OPDs."""
        return isinstance(name, str) and plain_name(name) in self._spellings

    @cached_property
    def _canonical_of(self) -> dict[str, str | None]:
        """Spellings already looked up: every prediction maps the model's classes again."""
        return {}

    def canonical(self, name: object) -> str | None:
        """The catalogue's name for a spelling of it (its name or an alias, case, punctuation
        and a trailing "Kab./Kota <region>" forgiven); None when the catalogue has no such OPD."""
        if not isinstance(name, str) or not name.strip():
            return None
        known = self._canonical_of
        if name in known:
            return known[name]
        found = self._by_key.get(match_key(name, self.region))
        if len(known) < MAX_REMEMBERED_SPELLINGS:  # typed names must not grow it without end
            known[name] = found
        return found

    def canonical_series(self, labels: pd.Series) -> pd.Series:
        """``labels`` as catalogue names (None where the catalogue lacks them)."""
        return pd.Series([self.canonical(v) for v in labels.tolist()], dtype=object)

    @cached_property
    def _function_columns(self) -> dict[str, list[int]]:
        """function -> columns of the OPDs serving it (own offices excluded)."""
        columns: dict[str, list[int]] = {}
        for index, opd in enumerate(self.opds):
            if opd.function in OWN_OFFICE_FUNCTIONS:
                continue
            for function in opd.functions:
                columns.setdefault(function, []).append(index)
        return columns

    @cached_property
    def _offices(self) -> dict[str, dict[str, list[int]]]:
        """own-office function -> place key -> columns of its offices."""
        offices: dict[str, dict[str, list[int]]] = {f: {} for f in OWN_OFFICE_FUNCTIONS}
        for index, opd in enumerate(self.opds):
            if opd.function in OWN_OFFICE_FUNCTIONS and opd.place:
                offices[opd.function].setdefault(place_key(opd.place), []).append(index)
        return offices

    @cached_property
    def _spread_plans(self) -> dict[tuple[tuple[str, int], ...], SpreadPlan]:
        """Spread plans already made, by history: each prediction would make the same again."""
        return {}

    def spread_plan(self, history: dict[str, int] | None = None) -> SpreadPlan:
        """The OPDs each function's share goes to, in proportion to ``history`` (the
        deployment's decisions per OPD) plus one each, and the own offices that are suggested
        or were ever routed to."""
        history = history or {}
        key = tuple(sorted(history.items()))
        plan = self._spread_plans.get(key)
        if plan is not None:
            return plan
        shares = {}
        for function, targets in self._function_columns.items():
            weights = np.array([1.0 + history.get(self.opds[t].name, 0) for t in targets])
            shares[function] = (targets, weights / weights.sum())
        active = {i for i, opd in enumerate(self.opds) if opd.suggested or history.get(opd.name)}
        offices = {
            function: {key: [c for c in columns if c in active] for key, columns in by.items()}
            for function, by in self._offices.items()
        }
        every = {f: [c for cs in by.values() for c in cs] for f, by in offices.items()}
        plan = SpreadPlan(shares, offices, every)
        if len(self._spread_plans) >= MAX_SPREAD_PLANS:
            self._spread_plans.clear()
        self._spread_plans[key] = plan
        return plan

    @cached_property
    def _village_district(self) -> dict[str, str]:
        return {
            place_key(opd.place): place_key(opd.district)
            for opd in self.opds
            if opd.function == "kelurahan_desa" and opd.place and opd.district
        }

    @cached_property
    def _place_patterns(self) -> dict[str, re.Pattern[str] | None]:
        """Per level, a pattern finding its place names in free text: after a place word, or
        alone where the name is long enough (:data:`BARE_PLACE_LETTERS`)."""
        patterns: dict[str, re.Pattern[str] | None] = {}
        for level in OWN_OFFICE_FUNCTIONS:
            names = {
                plain_name(opd.place)
                for opd in self.opds
                if opd.function == level and opd.place and len(opd.place) >= 3
            }
            prefixed = [re.escape(n) for n in sorted(names, key=len, reverse=True)]
            bare = [n for n in prefixed if " " in n or len(n) >= BARE_PLACE_LETTERS]
            alternatives = [rf"{PLACE_WORDS[level]}\s+({'|'.join(prefixed)})"] if prefixed else []
            if bare:
                alternatives.append(f"({'|'.join(bare)})")
            patterns[level] = (
                re.compile(rf"\b(?:{'|'.join(alternatives)})\b") if alternatives else None
            )
        return patterns

    def places(self, row: dict[str, object]) -> dict[str, list[str]]:
        """The report's place keys per own-office level: its kecamatan/kelurahan fields, else
        the place names its address and text announce ("desa X", "kec. Y"); a village also
        gives its kecamatan."""
        found: dict[str, list[str]] = {level: [] for level in OWN_OFFICE_FUNCTIONS}
        for level, column in (("kecamatan", "district"), ("kelurahan_desa", "village")):
            value = row.get(column)
            if isinstance(value, str) and place_key(value) in self._offices[level]:
                found[level].append(place_key(value))
        text = plain_name(" ".join(str(row.get(c) or "") for c in TEXT_PLACE_FIELDS))
        for level, pattern in self._place_patterns.items():
            if not found[level] and pattern is not None:
                matches = [next(g for g in m.groups() if g) for m in pattern.finditer(text)]
                found[level] = list(dict.fromkeys(place_key(m) for m in matches))
        if not found["kecamatan"]:
            districts = [self._village_district.get(v) for v in found["kelurahan_desa"]]
            found["kecamatan"] = list(dict.fromkeys(d for d in districts if d))
        return found

    def spread(
        self,
        classes: np.ndarray,
        proba: np.ndarray,
        rows: list[dict[str, object]],
        history: dict[str, int] | None = None,
    ) -> np.ndarray:
        """Function probabilities (``classes`` x ``proba``, one row per report) as probabilities
        over this catalogue's OPDs: each function's share split between the OPDs serving it (in
        proportion to ``history``, the deployment's decisions per OPD, plus one each); an
        own-office function's share to the office of the report's place (a desa whose office
        is not suggested: its kecamatan office; every office of the level alike when the place
        is unknown). Functions no OPD serves lose their share; rows are renormalised."""
        out = np.zeros((len(rows), len(self.opds)))
        plan = self.spread_plan(history)
        offices, every = plan.offices, plan.every
        for column, function in enumerate(classes):
            if function in OWN_OFFICE_FUNCTIONS or function not in plan.shares:
                continue
            targets, shares = plan.shares[function]
            out[:, targets] += proba[:, [column]] * shares
        own = [f for f in OWN_OFFICE_FUNCTIONS if f in classes]
        found = [self.places(row) for row in rows] if own else []  # read once per report
        for function in own:
            share = proba[:, int(np.flatnonzero(classes == function)[0])]
            for index, places in enumerate(found):
                targets = [c for key in places[function] for c in offices[function].get(key, [])]
                if not targets and function == "kelurahan_desa":  # a desa: its kecamatan
                    targets = [
                        c for k in places["kecamatan"] for c in offices["kecamatan"].get(k, [])
                    ]
                targets = targets or every[function] or every["kecamatan"]
                if targets:
                    out[index, targets] += share[index] / len(targets)
        totals = out.sum(axis=1, keepdims=True)
        return np.divide(out, totals, out=np.full_like(out, 1 / max(len(self.opds), 1)),
                         where=totals > 0)  # fmt: skip
