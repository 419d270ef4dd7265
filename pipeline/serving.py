"""What the service and the batch job serve: a registered Router with the deployment's OPD
catalogue and, for the service, the duplicate index of the champion pair scorer."""

from __future__ import annotations

from models.catalogue import Catalogue
from models.duplicates.index import DuplicateIndex
from models.triage import Triage
from pipeline.registry.client import champion_uri
from pipeline.registry.pyfunc import champion_scorer, load_router


def load_triage(
    catalogue: Catalogue | None, model_uri: str | None = None, duplicates: bool = True
) -> Triage:
    """The registered Router (``model_uri``, default the champion) serving the deployment's
    ``catalogue`` (None: the one it was fitted with, if any), with a duplicate index of the
    champion pair scorer when ``duplicates`` and one was promoted."""
    router = load_router(model_uri or champion_uri())
    scorer = champion_scorer() if duplicates else None
    return Triage(router, DuplicateIndex(scorer) if scorer is not None else None, catalogue)
