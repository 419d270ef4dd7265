"""The deployment's clock. Indonesia has three time zones (WIB, WITA, WIT); a deployment lives in
one, taken from its province (or ``LAPOR_TIMEZONE``), whatever the server's own clock says. The
code works in the deployment's wall clock (as the portal's exports do); the store keeps each time
with its offset (``serve.db.zoned``), the API gives it with the offset and the UI labels it WIB,
WITA or WIT."""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}
WITA_PROVINCES = frozenset({
    "bali", "nusa tenggara barat", "nusa tenggara timur", "kalimantan selatan",
    "kalimantan timur", "kalimantan utara", "sulawesi utara", "sulawesi tengah",
    "sulawesi selatan", "sulawesi tenggara", "sulawesi barat", "gorontalo",
})  # fmt: skip
WIT_PROVINCES = frozenset({
    "maluku", "maluku utara", "papua", "papua barat", "papua barat daya", "papua selatan",
    "papua tengah", "papua pegunungan",
})  # fmt: skip
_zone: list[str] = ["WIB"]
"""The zone in force (one deployment per process): set by :func:`use_zone` at start-up."""


def zone_of_province(province: str | None) -> str:
    """WIB, WITA or WIT for a province's name (WIB when unknown: most of the population)."""
    key = " ".join((province or "").casefold().replace("prov.", "").split())
    key = key.removeprefix("provinsi ").strip()
    if key in WITA_PROVINCES:
        return "WITA"
    if key in WIT_PROVINCES:
        return "WIT"
    return "WIB"


def use_zone(zone: str) -> None:
    """Set the deployment's zone (WIB, WITA, WIT or an IANA name of one of them)."""
    named = next((abbr for abbr, iana in ZONES.items() if zone in (abbr, iana)), None)
    if named is None:
        raise ValueError(f"unknown time zone {zone!r}; use one of {', '.join(ZONES)}")
    _zone[0] = named


def zone_name() -> str:
    """The deployment's zone as staff read it: WIB, WITA or WIT."""
    return _zone[0]


def zone() -> tzinfo:
    return ZoneInfo(ZONES[_zone[0]])


def local_now() -> datetime:
    """The deployment's wall-clock time now, to the second, without a zone."""
    return datetime.now(zone()).replace(tzinfo=None, microsecond=0)


def as_local(moment: datetime) -> datetime:
    """A moment as the deployment's wall-clock time (a naive one is taken as already so)."""
    return moment.astimezone(zone()).replace(tzinfo=None) if moment.tzinfo else moment


def with_offset(moment: datetime) -> datetime:
    """A wall-clock time with the deployment zone's UTC offset (an aware one as it is)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=zone())
