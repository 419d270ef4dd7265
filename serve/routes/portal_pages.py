"""The daily loop with SP4N-LAPOR! in the UI: the admins' upload of the portal's export
(``/impor``, what ``lapor intake`` does) and the decisions to enter in the portal as a
spreadsheet (``/disposisi.xlsx``, the queue's button; ``lapor export dispositions``)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import anyio.from_thread
import pandas as pd
from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from core.clock import local_now
from core.errors import IngestError, LaporError
from core.schema import Report
from serve.auth import check_csrf
from serve.deps import PredictorDep, SettingsDep, StoreDep
from serve.intake import (
    DISPOSITION_COLUMNS,
    IntakeSummary,
    ModelRunner,
    dispositions,
    intake_export,
)
from serve.messages import wording
from serve.predictor import Predictor
from serve.routes.forms import refuse_nul_in_forms
from serve.routes.ui import AdminUser, StaffUser, flash_to, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul_in_forms)])
UPLOAD_SUFFIXES = (".xlsx", ".csv")
REFUSED_SHOWN = 5


@router.get("/impor", response_class=HTMLResponse)
def intake_page(request: Request, store: StoreDep, user: AdminUser) -> Response:
    """The upload form, and how many decisions wait to be entered in the portal."""
    return render(request, "impor.html", user=user, waiting=len(dispositions(store)))


@router.post("/impor")
async def upload_export(
    request: Request,
    store: StoreDep,
    predictor: PredictorDep,
    settings: SettingsDep,
    user: AdminUser,
    export: Annotated[UploadFile, File()],
    csrf: Annotated[str, Form()] = "",
    force: Annotated[str, Form()] = "",
) -> Response:
    """Import the uploaded export as ``lapor intake`` would; the summary (or why nothing was
    imported) is shown on the page. The model work goes through the model thread a batch at a
    time, so reports keep being answered during a large upload."""
    check_csrf(request, csrf)
    suffix = Path(export.filename or "").suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        return flash_to(
            request,
            "/impor",
            "error",
            "Tidak diimpor: unggah ekspor SP4N-LAPOR! (.xlsx atau .csv).",
        )
    catalogue = await run_in_threadpool(store.catalogue)
    with tempfile.TemporaryDirectory(dir=settings.home) as folder:
        path = Path(folder) / f"ekspor{suffix}"
        path.write_bytes(await export.read())
        try:
            summary = await run_in_threadpool(
                intake_export,
                store,
                predictor.triage,
                path,
                catalogue.region if catalogue else None,
                force == "ya",
                predictor.policy.finish,
                lambda done, total: None,
                _on_model_thread(predictor),
            )
        except IngestError as exc:
            message = (
                f"Tidak diimpor: berkas ini tidak dapat dibaca sebagai ekspor laporan ({exc})."
            )
            return flash_to(request, "/impor", "error", message)
        except LaporError as exc:
            return flash_to(request, "/impor", "error", f"Tidak diimpor: {wording(exc, 'id')}")
    kind = "error" if summary.needs_a_person else "ok"
    return flash_to(request, "/impor", kind, _summary_text(summary))


def _on_model_thread(predictor: Predictor) -> ModelRunner:
    """Runs an intake batch's model work on the predictor's model thread (called from the
    thread pool the intake runs in)."""

    def run(work: Callable[[list[Report]], None], batch: list[Report]) -> None:
        anyio.from_thread.run(predictor.run, work, batch)

    return run


def _summary_text(summary: IntakeSummary) -> str:
    text = (
        f"{summary.rows:,} baris: {len(summary.new):,} laporan baru masuk antrian, "
        f"{len(summary.updated):,} diperbarui dari portal, {summary.unchanged:,} tidak berubah, "
        f"{len(summary.refused):,} ditolak."
    )
    shown = "; ".join(f"baris {i.row}: {i.reason}" for i in summary.refused[:REFUSED_SHOWN])
    if shown:
        more = len(summary.refused) - REFUSED_SHOWN
        text += f" Ditolak: {shown}" + (f"; dan {more:,} lainnya." if more > 0 else ".")
    return text


@router.get("/disposisi.xlsx")
def dispositions_file(
    store: StoreDep,
    _: StaffUser,
    since: Annotated[datetime | None, Query()] = None,
) -> Response:
    """The decisions made here that the portal does not show yet, as a spreadsheet in the
    order a verifier enters them (urgent first, then the oldest)."""
    frame = pd.DataFrame(dispositions(store, since), columns=list(DISPOSITION_COLUMNS))
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False, sheet_name="Disposisi")
    stamp = local_now().strftime("%Y%m%d-%H%M")
    return Response(
        buffer.getvalue(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="disposisi-{stamp}.xlsx"'},
    )
