"""The LAPOR! category taxonomy (``resources/lapor_categories.json``): which main category (the
``topic``) a sub-category (``subtopic``, what an export's ``Kategori`` holds) belongs to.

Names are matched case- and spacing-insensitively. A name that is a main category resolves to
it. A few sub-category names appear under more than one main category; such a name resolves to
the first main category that lists it other than CORONA VIRUS (whose list repeats many general
ones), in the taxonomy's order.
"""

from __future__ import annotations

import json
import re
from functools import cache
from importlib import resources

PANDEMIC_CATEGORY = "CORONA VIRUS"


def _key(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip().casefold()


@cache
def lapor_taxonomy() -> dict[str, list[str]]:
    """Main category -> its sub-categories, as published."""
    text = resources.files("core.resources").joinpath("lapor_categories.json").read_text("utf-8")
    return json.loads(text)["categories"]


@cache
def _parents() -> dict[str, tuple[str, str]]:
    """sub-category key -> (main category, the sub-category's spelling)."""
    parents = {_key(main): (main, main) for main in lapor_taxonomy()}  # a main category itself
    ordered = sorted(lapor_taxonomy().items(), key=lambda item: item[0] == PANDEMIC_CATEGORY)
    for main, subcategories in ordered:
        for name in subcategories:
            parents.setdefault(_key(name), (main, name))
    return parents


def categorize(value: str) -> tuple[str, str]:
    """(main category, sub-category) of an export's ``Kategori``; ValueError if the taxonomy
    does not know it."""
    found = _parents().get(_key(value))
    if found is None:
        raise ValueError(f"{value!r} is not a LAPOR! category or sub-category")
    return found


def category_descriptions() -> list[tuple[str, str]]:
    """(main category, a short text naming it and one of its sub-categories), one per
    sub-category and one for the main category itself: the taxonomy read as labelled examples,
    which teach a topic model the words of categories a deployment has few reports of."""
    return [
        (main, f"{main.lower()}: {name}".rstrip(": "))
        for main, subcategories in lapor_taxonomy().items()
        for name in ("", *subcategories)
    ]
