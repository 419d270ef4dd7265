"""OPD functions: what part of government an agency is, whatever a deployment calls it.

The taxonomy (``core/resources/opd_functions.json``, written by us) lists the government affairs
(urusan) of UU 23/2014 that local governments run, the support functions, the own kecamatan and
kelurahan/desa office, public enterprises, hospitals and puskesmas, and the vertical agencies a
kabupaten forwards to; each with an Indonesian description and the LAPOR! topics it usually
serves. :class:`FunctionResolver` maps an agency name to its functions: the catalogue's explicit
``function`` wins, then the name rules (abbreviations and spellings), then similarity of the name
to the descriptions (any sentence embedder, e.g. the e5 encoder we ship).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

from core.agencies import SHORT_FORMS

OWN_OFFICE_FUNCTIONS = ("kecamatan", "kelurahan_desa")
"""Functions whose OPD is the office of the report's own place."""
SPECIFIC_KINDS = frozenset({"wilayah", "fasilitas", "bumd", "vertikal"})
"""Kinds whose name rules win over a dinas' affairs ("BPJS Kesehatan" is not the health dinas)."""
SECRETARIAT = "sekretariat_daerah"


@dataclass(frozen=True)
class OpdFunction:
    """One function of government an OPD can have."""

    key: str
    name: str
    kind: str
    description: str
    topics: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class Resolution:
    """An agency name's functions: ``function`` the main one, ``functions`` every one its name
    covers (a "Dinas Perindustrian dan Tenaga Kerja" serves two), and how they were found."""

    function: str | None
    functions: tuple[str, ...]
    method: str
    similarity: float | None = None


@cache
def opd_functions() -> dict[str, OpdFunction]:
    """The taxonomy, key -> function, in the file's order."""
    import json

    raw = resources.files("core.resources").joinpath("opd_functions.json").read_text("utf-8")
    return {
        item["key"]: OpdFunction(
            item["key"],
            item["name"],
            item["kind"],
            item["description"],
            tuple(item["topics"]),
            tuple(re.compile(p) for p in item["patterns"]),
        )
        for item in json.loads(raw)["functions"]
    }


def plain_name(name: str) -> str:
    """A name as the rules read it: NFKC, lower case, "kab." spelled out, punctuation as spaces."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"\bkab\b\.?", "kabupaten ", text)
    text = re.sub(r"[^\w]+", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def spelled_out(name: str) -> str:
    """A plain name with its short forms written out (what a sentence embedder compares)."""
    return " ".join(SHORT_FORMS.get(word, word) for word in plain_name(name).split())


def rule_functions(name: str) -> tuple[str, ...]:
    """The functions a name's words say, main one first: a specific kind (own office, hospital,
    enterprise, vertical agency) wins; otherwise the affairs in the order the name lists them."""
    plain = plain_name(name)
    found: list[tuple[int, int, int, str]] = []
    for order, function in enumerate(opd_functions().values()):
        positions = [m.start() for p in function.patterns if (m := p.search(plain))]
        if positions:
            tier = 0 if function.kind in SPECIFIC_KINDS else 1
            found.append((tier, min(positions), order, function.key))
    found.sort()
    if found and (found[0][0] == 0 or found[0][3] == SECRETARIAT):
        return (found[0][3],)  # a "Bagian ..." of the secretariat serves it alone
    return tuple(key for *_, key in found)


class FunctionResolver:
    """Agency names -> functions (:class:`Resolution`).

    ``embed`` turns texts into L2-normalised vectors; without it, names the rules cannot read
    stay unresolved (the Router trains on rule-resolved names only, so training needs no model).
    """

    def __init__(self, embed: Callable[[list[str]], np.ndarray] | None = None) -> None:
        self.embed = embed

    def resolve(self, name: str, explicit: str | None = None) -> Resolution:
        return self.resolve_many([name], {name: explicit} if explicit else None)[name]

    def resolve_many(
        self, names: list[str], explicit: dict[str, str | None] | None = None
    ) -> dict[str, Resolution]:
        """Every name's resolution; names the rules miss are compared with the descriptions in
        one batch. ``explicit`` (name -> function key) wins; an unknown key raises ValueError."""
        functions = opd_functions()
        out: dict[str, Resolution] = {}
        for name in names:
            chosen = (explicit or {}).get(name)
            ruled = rule_functions(name)
            if chosen:
                if chosen not in functions:
                    raise ValueError(
                        f"{name!r}: unknown function {chosen!r}; known: {', '.join(functions)}"
                    )
                out[name] = Resolution(
                    chosen, (chosen, *(f for f in ruled if f != chosen)), "explicit"
                )
            elif ruled:
                out[name] = Resolution(ruled[0], ruled, "rule")
        missing = [name for name in names if name not in out]
        if missing and self.embed is not None:
            keys = list(functions)
            described = self.embed(
                [f"{functions[k].name}: {functions[k].description}" for k in keys]
            )
            asked = self.embed([spelled_out(name) for name in missing])
            similarity = asked @ described.T
            for name, row in zip(missing, similarity, strict=True):
                best = keys[int(row.argmax())]
                out[name] = Resolution(best, (best,), "similarity", round(float(row.max()), 4))
        for name in names:
            out.setdefault(name, Resolution(None, (), "unresolved"))
        return out
