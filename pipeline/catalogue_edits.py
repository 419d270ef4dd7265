"""An admin's edits of the deployment's OPD catalogue (add, rename, merge, retire), each kept in
its history (``LAPOR_HOME/deployment/history.jsonl``: who did what, when).

A rename keeps the old name as an alias and a merge keeps the merged OPD's names as aliases of
the one it joins, so labels already given (and training data) still find their OPD; a retired
OPD leaves the catalogue: staff can no longer route to it, and its earlier reports keep it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from core.errors import LaporError
from models.catalogue import Catalogue, Opd, office_place
from models.functions import OWN_OFFICE_FUNCTIONS, FunctionResolver, opd_functions
from pipeline.deployment import deployment_dir, load_catalogue, write_catalogue

HISTORY_FILE = "history.jsonl"


class CatalogueEditError(LaporError):
    """An edit the catalogue cannot take, said in one sentence."""


def _current(home: Path) -> Catalogue:
    catalogue = load_catalogue(home)
    if catalogue is None:
        raise CatalogueEditError(code="catalogue.no_deployment")
    return catalogue


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


def _save(
    home: Path, catalogue: Catalogue, by: str, edit: str, details: dict[str, object]
) -> Catalogue:
    write_catalogue(home, catalogue)
    record = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "by": by,
        "edit": edit,
        **details,
    }
    with (deployment_dir(home) / HISTORY_FILE).open("a", encoding="utf-8") as history:
        history.write(json.dumps(record, ensure_ascii=False) + "\n")
    return Catalogue(catalogue.region, catalogue.opds)  # fresh lookups


def add_opd(
    home: Path, name: str, function: str | None, aliases: tuple[str, ...], by: str
) -> Catalogue:
    """Add an OPD (its function explicit, else resolved from its name by the rules)."""
    catalogue = _current(home)
    name = _unused(catalogue, name)
    if function and function not in opd_functions():
        raise CatalogueEditError(code="catalogue.unknown_function", function=function)
    found = FunctionResolver().resolve(name, function)
    place = office_place(name) if found.function in OWN_OFFICE_FUNCTIONS else None
    opd = Opd(name, found.function, found.functions, found.method, aliases, place=place)
    catalogue.opds.append(opd)
    return _save(home, catalogue, by, "add", {"name": name, "function": found.function})


def rename_opd(home: Path, name: str, new_name: str, by: str) -> Catalogue:
    """Rename an OPD; its old name stays an alias."""
    catalogue = _current(home)
    opd = _existing(catalogue, name)
    new_name = _unused(catalogue, new_name)
    renamed = replace(opd, name=new_name, aliases=(opd.name, *opd.aliases))
    catalogue.opds[catalogue.opds.index(opd)] = renamed
    return _save(home, catalogue, by, "rename", {"name": opd.name, "new_name": new_name})


def merge_opds(home: Path, name: str, into: str, by: str) -> Catalogue:
    """Merge an OPD into another (a reorganisation): its names become the other's aliases."""
    catalogue = _current(home)
    source, target = _existing(catalogue, name), _existing(catalogue, into)
    if source is target:
        raise CatalogueEditError(code="catalogue.merge_into_itself", name=source.name)
    merged = replace(target, aliases=(*target.aliases, source.name, *source.aliases))
    catalogue.opds[catalogue.opds.index(target)] = merged
    catalogue.opds.remove(source)
    return _save(home, catalogue, by, "merge", {"name": source.name, "into": target.name})


def retire_opd(home: Path, name: str, by: str) -> Catalogue:
    """Take an OPD out of the catalogue (dissolved): staff can no longer route to it."""
    catalogue = _current(home)
    opd = _existing(catalogue, name)
    catalogue.opds.remove(opd)
    return _save(home, catalogue, by, "retire", {"name": opd.name})


def catalogue_history(home: Path, limit: int = 100) -> list[dict[str, object]]:
    """The newest ``limit`` edits, newest first."""
    path = deployment_dir(home) / HISTORY_FILE
    if not path.is_file():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in reversed(lines[-limit:])]
