"""Agency labels that mean "the office of the report's own kelurahan or kecamatan".

Such labels are learned as one generic class per office level and resolved back to the specific
office from the report's place, so a model trained on some kelurahan routes to all of them.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

OWN_OFFICE = "{prefix} (own {field})"
_PLACE_FIELDS = {"Kelurahan": "village", "Desa": "village", "Kecamatan": "district"}
_MIN_PLACE_OFFICE_SHARE = 0.5


def _place_key(value: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(value).casefold()) if isinstance(value, str) else ""


class PlaceOffices:
    """Learns which agency labels are "the office of the report's own kelurahan/kecamatan"."""

    def __init__(self) -> None:
        self.prefixes: dict[str, str] = {}
        """office prefix (e.g. "Kelurahan") -> place field it follows (e.g. "village")"""
        self.names: dict[str, dict[str, str]] = {}
        """prefix -> place key -> the office's spelling in the training labels"""

    def fit(self, agency: pd.Series, places: pd.DataFrame) -> PlaceOffices:
        """Learn the office prefixes whose names mostly follow the report's own place."""
        self.prefixes, self.names = {}, {}
        for prefix, place_field in _PLACE_FIELDS.items():
            if place_field not in places:
                continue
            offices = agency.fillna("").str.startswith(prefix + " ")
            if not offices.any():
                continue
            own = [
                _place_key(name[len(prefix) + 1 :]) == _place_key(place)
                for name, place in zip(agency[offices], places[place_field][offices], strict=True)
            ]
            if np.mean(own) >= _MIN_PLACE_OFFICE_SHARE:
                self.prefixes[prefix] = place_field
                for name, place, is_own in zip(
                    agency[offices], places[place_field][offices], own, strict=True
                ):
                    if is_own:
                        self.names.setdefault(prefix, {})[_place_key(place)] = name
        return self

    def encode(self, agency: pd.Series, places: pd.DataFrame) -> pd.Series:
        """Agency labels with own-place offices replaced by their generic class."""
        encoded = agency.copy()
        for prefix, place_field in self.prefixes.items():
            generic = OWN_OFFICE.format(prefix=prefix, field=place_field)
            own = [
                isinstance(name, str)
                and name.startswith(prefix + " ")
                and _place_key(name[len(prefix) + 1 :]) == _place_key(place)
                for name, place in zip(agency, places[place_field], strict=True)
            ]
            encoded[np.array(own, dtype=bool)] = generic
        return encoded

    def office_names(self) -> set[str]:
        """Every specific office the training labels spelled out."""
        return {name for by_place in self.names.values() for name in by_place.values()}

    def generic_labels(self) -> set[str]:
        """The generic own-office classes this deployment's labels use."""
        return {OWN_OFFICE.format(prefix=p, field=f) for p, f in self.prefixes.items()}

    def decode(self, label: str, place_row: dict[str, Any]) -> str:
        """The specific office for a generic class and a report's place; other labels unchanged."""
        for prefix, place_field in self.prefixes.items():
            if label == OWN_OFFICE.format(prefix=prefix, field=place_field):
                place = place_row.get(place_field)
                if not isinstance(place, str) or not place.strip():
                    return label
                known = self.names.get(prefix, {})
                return known.get(_place_key(place), f"{prefix} {place.strip()}")
        return label
