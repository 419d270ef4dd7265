"""The admins' page of the deployment's OPD catalogue (``/opd``): each OPD with its function,
and forms to add, rename, merge or retire one, with the history of edits. An edit is kept in
the store and takes effect at once: suggestions and the correction form name the edited
catalogue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from models.catalogue import Catalogue
from models.functions import opd_functions
from pipeline.catalogue_edits import (
    CatalogueChange,
    CatalogueEditError,
    add_opd,
    merge_opds,
    rename_opd,
    retire_opd,
)
from serve.auth import check_csrf
from serve.deployment import Deployment
from serve.deps import PredictorDep, SettingsDep, StoreDep
from serve.messages import wording
from serve.routes.forms import refuse_nul_in_forms
from serve.routes.ui import AdminUser, flash_to, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul_in_forms)])
EDIT_NAMES = {"init": "disiapkan", "add": "ditambahkan", "rename": "diganti nama",
              "merge": "digabung", "retire": "dinonaktifkan"}  # fmt: skip


@router.get("/opd", response_class=HTMLResponse)
def catalogue_page(
    request: Request, user: AdminUser, settings: SettingsDep, store: StoreDep
) -> Response:
    """The catalogue and its history of edits."""
    deployment = Deployment(settings.home, store)
    catalogue = deployment.catalogue()
    functions = opd_functions()
    opds = [] if catalogue is None else [o for o in catalogue.opds if o.how != "gazetteer"]
    return render(
        request, "opd.html", user=user, catalogue=catalogue, opds=opds, functions=functions,
        offices=0 if catalogue is None else len(catalogue.opds) - len(opds),
        history=deployment.history(), EDIT_NAMES=EDIT_NAMES,
    )  # fmt: skip


@router.post("/opd")
async def edit_catalogue(
    request: Request,
    predictor: PredictorDep,
    settings: SettingsDep,
    store: StoreDep,
    user: AdminUser,
    edit: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    new_name: Annotated[str, Form()] = "",
    into: Annotated[str, Form()] = "",
    function: Annotated[str, Form()] = "",
    aliases: Annotated[str, Form()] = "",
) -> Response:
    """One edit; the service serves the edited catalogue from the next suggestion on."""
    check_csrf(request, csrf)
    spellings = tuple(a.strip() for a in aliases.split(";") if a.strip())
    edits: dict[str, Callable[[Catalogue], CatalogueChange]] = {
        "add": lambda catalogue: add_opd(catalogue, name, function or None, spellings),
        "rename": lambda catalogue: rename_opd(catalogue, name, new_name),
        "merge": lambda catalogue: merge_opds(catalogue, name, into),
        "retire": lambda catalogue: retire_opd(catalogue, name),
    }
    if edit not in edits:
        raise HTTPException(422, "Perubahan tidak dikenal.")
    deployment = Deployment(settings.home, store)
    try:
        catalogue = await run_in_threadpool(deployment.edit, edits[edit], user.name)
    except CatalogueEditError as exc:
        return flash_to(request, "/opd", "error", f"Tidak disimpan: {wording(exc, 'id')}")
    await predictor.use_catalogue(catalogue)
    return flash_to(request, "/opd", "ok", f"OPD {name.strip()}: {EDIT_NAMES[edit]}.")
