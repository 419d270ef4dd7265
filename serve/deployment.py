"""The deployment as the service keeps it: its region under LAPOR_HOME and its OPD catalogue in
the store, set up once (`lapor deployment init`, or the embedded demo on first start) and then
edited by its admins. The CLI, the service and the batch job all read the catalogue here."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from models.catalogue import Catalogue
from models.functions import FunctionResolver
from pipeline.catalogue_edits import CatalogueChange
from pipeline.deployment import CatalogueRow, DeploymentError, deployment_dir, init_deployment
from serve.predictor import Predictor
from serve.store import Store
from serve.store.catalogue import CatalogueEditView

log = logging.getLogger("lapor.serve")

SETUP_ACTOR = "lapor deployment init"
"""Who the catalogue's history names for a set-up from the command line."""


@dataclass(frozen=True)
class Deployment:
    """One deployment: ``home`` (LAPOR_HOME, where its region is kept) and ``store`` (where its
    catalogue and the history of its edits are)."""

    home: Path
    store: Store

    def catalogue(self) -> Catalogue | None:
        """The catalogue; None before the deployment is set up."""
        return self.store.catalogue()

    def history(self, limit: int = 100) -> list[CatalogueEditView]:
        return self.store.catalogue_history(limit)

    def set_up(
        self,
        regency: str,
        rows: list[CatalogueRow],
        resolver: FunctionResolver,
        actor: str = SETUP_ACTOR,
        replace: bool = False,
    ) -> Catalogue:
        """Set the deployment up: the region and its gazetteer, and the catalogue of ``rows``
        (an admin's file) plus the gazetteer's offices. DeploymentError where one is set up
        already, unless ``replace``."""
        if not replace:
            self.check_not_set_up()
        catalogue = init_deployment(self.home, regency, rows, resolver)
        self.store.set_up_catalogue(catalogue, actor)
        return catalogue

    def check_not_set_up(self) -> None:
        """DeploymentError where a deployment is set up already (before slow preparations)."""
        if self.store.catalogue() is not None:
            raise DeploymentError(
                f"a deployment is set up already (its region in {deployment_dir(self.home)}, its "
                "catalogue in the store): pass --force to replace it"
            )

    def ensure(
        self,
        regency: str,
        names: list[str],
        progress: Callable[[str], None] = lambda step: None,
    ) -> Catalogue:
        """The deployment's catalogue, setting it up first with the OPDs ``names`` where there
        is none yet (the embedded demo's first start)."""
        catalogue = self.store.catalogue()
        if catalogue is not None:
            return catalogue
        progress(f"setting up the demo deployment {regency}")
        rows = [CatalogueRow(name) for name in names]
        return self.set_up(regency, rows, FunctionResolver(), actor="demo")

    def edit(self, edit: Callable[[Catalogue], CatalogueChange], actor: str) -> Catalogue:
        """Apply one edit (:mod:`pipeline.catalogue_edits`) and keep it in the history; the
        edited catalogue is returned for the model to serve."""
        return self.store.edit_catalogue(edit, actor)


async def follow_catalogue(
    store: Store, predictor: Predictor, every: float, served: int | None
) -> None:
    """Serve the store's catalogue again whenever its version is no longer ``served`` (the
    version the predictor serves): a change made outside this service (`lapor deployment init
    --force`, another worker's edit) reaches its suggestions within ``every`` seconds. Runs
    until cancelled; a store that cannot be read now is tried again next time."""
    while True:
        await asyncio.sleep(every)
        try:
            version = await run_in_threadpool(store.catalogue_version)
            if version is None or version == served:
                continue
            catalogue = await run_in_threadpool(store.catalogue)  # this version or a later one
        except SQLAlchemyError as exc:
            log.warning("cannot read the catalogue now (%s); trying again later", exc)
            continue
        if catalogue is None:  # a version without a catalogue: nothing to serve
            continue
        await predictor.use_catalogue(catalogue)
        served = version
        log.info("serving catalogue version %d (%d OPDs)", version, len(catalogue.opds))
