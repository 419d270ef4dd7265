"""The report page's forms: a decision (accept, override, re-route), the OPD's follow-up or
closing (and reopening), and the verdict on a suggested duplicate. Each answers with a redirect
and a message in Indonesian."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException

from serve.auth import check_csrf
from serve.deps import MetricsDep, PredictorDep, StoreDep
from serve.messages import wording
from serve.predictor import Predictor
from serve.routes.forms import indonesian_errors, refuse_nul_in_forms
from serve.routes.ui import StaffUser, flash_to
from serve.schemas import DecisionIn
from serve.store import Store
from serve.store.records import Principal, StaleReportError, StoreError
from serve.workflow import (
    InvalidDecisionError,
    UnknownAgencyError,
    record_decision,
    record_progress,
    reject_link,
)

router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul_in_forms)])
STEP_NAMES = {"responded": "ditindaklanjuti", "closed": "selesai", "reopened": "dibuka kembali"}


@router.post("/laporan/{report_id}/status")
def progress_page(
    request: Request,
    report_id: str,
    store: StoreDep,
    user: StaffUser,
    status: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
    version: Annotated[int | None, Form(ge=1, le=2**31 - 1)] = None,
) -> Response:
    """Mark a forwarded report as followed up by the OPD, close it, or reopen it."""
    check_csrf(request, csrf)
    if status not in STEP_NAMES:
        raise HTTPException(422, "Status tidak dikenal.")
    page = f"/laporan/{quote(report_id)}"
    try:
        record_progress(store, report_id, status, version)
    except StoreError as exc:
        return flash_to(request, page, "error", wording(exc, "id"))
    return flash_to(request, page, "ok", f"Laporan {report_id}: {STEP_NAMES[status]}.")


@router.post("/laporan/{report_id}/tautan")
def link_verdict_page(
    request: Request,
    report_id: str,
    store: StoreDep,
    predictor: PredictorDep,
    user: StaffUser,
    linked: Annotated[str, Form(max_length=64)],
    verdict: Annotated[str, Form(pattern="^(confirm|reject)$")],
    version: Annotated[int, Form(ge=1, le=2**31 - 1)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Confirm a suggested duplicate (a decision: duplicate of the earlier report) or reject
    it (no longer offered), from the duplicates panel."""
    check_csrf(request, csrf)
    page = f"/laporan/{quote(report_id)}"
    try:
        if verdict == "confirm":
            decision = DecisionIn(action="override", duplicate_of=linked, version=version)
            _record(store, predictor, report_id, user, decision)
            done = f"Laporan {report_id} ditandai duplikat dari {linked}."
        else:
            reject_link(store, report_id, user, linked, version)
            done = f"Laporan {linked} bukan duplikat laporan ini; tautan tidak ditawarkan lagi."
    except StaleReportError as exc:
        return flash_to(request, page, "error", wording(exc, "id"))
    except (InvalidDecisionError, StoreError) as exc:
        return flash_to(request, page, "error", f"Tidak disimpan: {wording(exc, 'id')}")
    return flash_to(request, page, "ok", done)


def _record(
    store: Store, predictor: Predictor, report_id: str, user: Principal, decision: DecisionIn
) -> None:
    """A decision from a form: the deployment's OPD names, the live guard told."""
    record_decision(store, report_id, user, decision, predictor.agencies(), predictor.guard)


def _field_of(action: str, refused: str, agency: str) -> str:
    """The form field an unknown OPD name was typed in (its "Maksud Anda" choice goes there)."""
    if refused.strip() == agency.strip():
        return "reroute-agency" if action == "reroute" else "override-agency"
    return "accept-supporting" if action == "accept" else "override-supporting"


def _form_bool(value: str) -> bool | None:
    return {"ya": True, "tidak": False}.get(value)


@router.post("/laporan/{report_id}/keputusan")
def decide_page(
    request: Request,
    report_id: str,
    store: StoreDep,
    predictor: PredictorDep,
    metrics: MetricsDep,
    user: StaffUser,
    action: Annotated[str, Form()],
    version: Annotated[int, Form(ge=1, le=2**31 - 1)],
    csrf: Annotated[str, Form()] = "",
    agency: Annotated[str, Form()] = "",
    topic: Annotated[str, Form()] = "",
    channel: Annotated[str, Form()] = "",
    urgent: Annotated[str, Form()] = "",
    duplicate_of: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    supporting: Annotated[str, Form(max_length=2_000)] = "",
) -> Response:
    """Accept, override or re-route from the report page; after a first decision, go to the
    next open report."""
    check_csrf(request, csrf)
    helpers = [name.strip() for name in supporting.split(";") if name.strip()]
    try:
        decision = DecisionIn(
            action=action,
            agency=agency.strip() or None,
            supporting_agencies=helpers or None,
            topic=topic or None,
            channel=channel or None,
            urgent=_form_bool(urgent),
            duplicate_of=duplicate_of.strip() or None,
            note=note.strip() or None,
            version=version,
        )
    except ValidationError as exc:
        return flash_to(
            request, f"/laporan/{quote(report_id)}", "error", indonesian_errors(exc.errors())
        )
    try:
        _record(store, predictor, report_id, user, decision)
    except UnknownAgencyError as exc:
        request.session["draft"] = {
            "report": report_id, "action": action, "agency": agency, "supporting": supporting,
            "topic": topic, "channel": channel, "urgent": urgent, "duplicate_of": duplicate_of,
            "note": note, "choices": exc.suggestions, "typed": exc.value,
            "field": _field_of(action, exc.value, agency),
        }  # fmt: skip
        return flash_to(request, f"/laporan/{quote(report_id)}", "error", wording(exc, "id"))
    except (InvalidDecisionError, StoreError) as exc:
        return flash_to(request, f"/laporan/{quote(report_id)}", "error", wording(exc, "id"))
    metrics.decisions.labels(decision.action).inc()
    if decision.action == "reroute":
        message = f"Laporan {report_id} diteruskan ke {store.report(report_id).agency}."
        return flash_to(request, f"/laporan/{quote(report_id)}", "ok", message)
    verb = "diterima" if decision.action == "accept" else "dikoreksi"
    following = store.next_open_report(report_id)
    target = f"/laporan/{quote(following)}" if following else "/antrian"
    return flash_to(request, target, "ok", f"Laporan {report_id}: saran {verb}.")
