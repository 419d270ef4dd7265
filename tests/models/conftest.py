"""The model tests share the small Router of ``tests/conftest.py`` and build catalogues as a
deployment does."""

from models.catalogue import Catalogue
from models.functions import FunctionResolver
from pipeline.deployment import CatalogueRow, Region, build_catalogue


def named_catalogue(region: str, names: list[str]) -> Catalogue:
    """A catalogue of ``names`` alone (no gazetteer offices), as a deployment builds it."""
    rows = [CatalogueRow(name) for name in names]
    return build_catalogue(Region("", region, "", {}), rows, FunctionResolver())
