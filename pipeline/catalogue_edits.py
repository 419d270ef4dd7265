"""An admin's edits of the deployment's OPD catalogue (add, rename, merge, retire), as pure
changes: each takes the current catalogue and returns the edited one with what the history
keeps of it. The service's store applies them under a lock and keeps every edit as a row.

A rename keeps the old name as an alias and a merge keeps the merged OPD's names as aliases of
the one it joins, so labels already given (and training data) still find their OPD; a retired
OPD leaves the catalogue: staff can no longer route to it, and its earlier reports keep it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from core.errors import LaporError
from models.catalogue import Catalogue, Opd, office_place
from models.functions import OWN_OFFICE_FUNCTIONS, FunctionResolver, opd_functions


class CatalogueEditError(LaporError):
    """An edit the catalogue cannot take (a code the message table words)."""


@dataclass(frozen=True)
class CatalogueChange:
    """An edited catalogue and the history's record of the edit."""

    catalogue: Catalogue
    edit: str
    name: str
    detail: dict[str, str | None] = field(default_factory=dict)


def _existing(catalogue: Catalogue, name: str) -> Opd:
    found = catalogue.opd(name)
    if found is None:
        raise CatalogueEditError(code="catalogue.unknown_opd", name=name)
    return found


def _unused(catalogue: Catalogue, name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise CatalogueEditError(code="catalogue.unnamed_opd")
    if catalogue.opd(name) is not None:
        raise CatalogueEditError(
            code="catalogue.opd_exists", name=name, existing=catalogue.canonical(name)
        )
    return name


def _with(catalogue: Catalogue, opds: list[Opd]) -> Catalogue:
    """A new catalogue of the same region (fresh lookups; the one given is left as it was)."""
    return Catalogue(catalogue.region, opds)


def add_opd(
    catalogue: Catalogue, name: str, function: str | None, aliases: tuple[str, ...]
) -> CatalogueChange:
    """Add an OPD (its function explicit, else resolved from its name by the rules)."""
    name = _unused(catalogue, name)
    if function and function not in opd_functions():
        raise CatalogueEditError(code="catalogue.unknown_function", function=function)
    found = FunctionResolver().resolve(name, function)
    place = office_place(name) if found.function in OWN_OFFICE_FUNCTIONS else None
    opd = Opd(name, found.function, found.functions, found.method, aliases, place=place)
    edited = _with(catalogue, [*catalogue.opds, opd])
    return CatalogueChange(edited, "add", name, {"function": found.function})


def rename_opd(catalogue: Catalogue, name: str, new_name: str) -> CatalogueChange:
    """Rename an OPD; its old name stays an alias."""
    opd = _existing(catalogue, name)
    new_name = _unused(catalogue, new_name)
    renamed = replace(opd, name=new_name, aliases=(opd.name, *opd.aliases))
    opds = [renamed if o is opd else o for o in catalogue.opds]
    return CatalogueChange(_with(catalogue, opds), "rename", opd.name, {"new_name": new_name})


def merge_opds(catalogue: Catalogue, name: str, into: str) -> CatalogueChange:
    """Merge an OPD into another (a reorganisation): its names become the other's aliases."""
    source, target = _existing(catalogue, name), _existing(catalogue, into)
    if source is target:
        raise CatalogueEditError(code="catalogue.merge_into_itself", name=source.name)
    merged = replace(target, aliases=(*target.aliases, source.name, *source.aliases))
    opds = [merged if o is target else o for o in catalogue.opds if o is not source]
    return CatalogueChange(_with(catalogue, opds), "merge", source.name, {"into": target.name})


def retire_opd(catalogue: Catalogue, name: str) -> CatalogueChange:
    """Take an OPD out of the catalogue (dissolved): staff can no longer route to it."""
    opd = _existing(catalogue, name)
    opds = [o for o in catalogue.opds if o is not opd]
    return CatalogueChange(_with(catalogue, opds), "retire", opd.name)
