"""Report intake, the triage queue, one report, and staff decisions."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from core.clock import local_now
from core.schema import STATUSES, UrgencyTier
from serve.auth import StaffCaller
from serve.deps import MetricsDep, PredictorDep, StoreDep
from serve.read_models import decision_out, report_detail, report_out
from serve.routes import API_PREFIX, WITH_BODY, error
from serve.schemas import (
    DecisionIn,
    DecisionOut,
    ProgressIn,
    ReportDetail,
    ReportIn,
    ReportPage,
    VersionIn,
)
from serve.store.records import QueueFilter
from serve.workflow import (
    ReportNotFoundError,
    record_decision,
    record_progress,
    reject_link,
)

router = APIRouter(prefix=API_PREFIX, tags=["reports"], responses=WITH_BODY)
NOT_FOUND = {404: error("No report with that id.")}


@router.post(
    "/reports",
    response_model=ReportDetail,
    status_code=201,
    responses={409: error("A report with this id exists.")},
)
async def intake(
    body: ReportIn, store: StoreDep, predictor: PredictorDep, metrics: MetricsDep, _: StaffCaller
) -> ReportDetail:
    """Receive a report: personal data masked, stored, classified, indexed for duplicates.
    Its 3-working-day forwarding clock starts now. 409 when the id is taken."""
    report = body.to_report().masked()
    if await run_in_threadpool(store.has_report, report.id):
        raise HTTPException(409, f"report {report.id!r} already exists")
    suggestion = (await predictor.suggest([report]))[0]
    metrics.count_suggestion(suggestion)
    detail = await run_in_threadpool(store.add_report, report, suggestion, None, report_detail)
    await predictor.remember(report, suggestion)
    return detail


@router.get("/reports", response_model=ReportPage)
def queue(
    store: StoreDep,
    predictor: PredictorDep,
    _: StaffCaller,
    status: Annotated[Literal[STATUSES] | None, Query()] = None,  # type: ignore[valid-type]
    agency: Annotated[str | None, Query(max_length=200)] = None,
    urgent: bool | None = None,
    tier: UrgencyTier | None = None,
    overdue: bool | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> ReportPage:
    """The queue: open reports first; among them urgent, then "perlu dicek" (``tier=check``),
    then the rest, each oldest first."""
    where = QueueFilter(
        statuses=(status,) if status else None,
        agencies=predictor.agencies().matching(agency),
        urgent=urgent,
        tier=tier,
        overdue=overdue,
        page=page,
        page_size=page_size,
    )
    rows, total = store.queue(where)
    now = local_now()
    return ReportPage(
        items=[report_out(r, now) for r in rows], total=total, page=page, page_size=page_size
    )


@router.get("/reports/{report_id}", response_model=ReportDetail, responses=NOT_FOUND)
def one_report(report_id: str, store: StoreDep, _: StaffCaller) -> ReportDetail:
    row = store.report(report_id)
    if row is None:
        raise ReportNotFoundError(report_id)
    return report_detail(row)


@router.post(
    "/reports/{report_id}/decision",
    response_model=DecisionOut,
    status_code=201,
    responses={
        404: {},
        409: {
            "description": "The report changed since `version`, is closed, "
            "or the duplicate link would make a cycle."
        },
    },
)
def decide(
    report_id: str,
    body: DecisionIn,
    store: StoreDep,
    predictor: PredictorDep,
    metrics: MetricsDep,
    principal: StaffCaller,
) -> DecisionOut:
    """Accept the suggestion or override parts of it, on the report's ``version`` (409 when
    another change came first, or the report is closed: reopen it first). Stored with who and
    when (committed before the answer); with an agency decided the report is forwarded
    (``dispositioned``) and its 5-working-day follow-up clock starts."""
    decision = record_decision(
        store, report_id, principal, body, predictor.agencies(), predictor.guard
    )
    metrics.decisions.labels(body.action).inc()
    return decision_out(decision, principal.name)


@router.post(
    "/reports/{report_id}/duplicates/{linked_id}/rejection",
    response_model=ReportDetail,
    responses={**NOT_FOUND, 409: error("Not a link offered for this report, or a stale version.")},
)
def reject_duplicate(
    report_id: str, linked_id: str, body: VersionIn, store: StoreDep, principal: StaffCaller
) -> ReportDetail:
    """Staff judged a suggested duplicate link wrong: it is recorded and no longer offered.
    (To confirm a link, decide ``duplicate_of``.)"""
    reject_link(store, report_id, principal, linked_id, body.version)
    return report_detail(store.report(report_id))


@router.post(
    "/reports/{report_id}/status",
    response_model=ReportDetail,
    responses={**NOT_FOUND, 409: error("The step does not apply, or `version` is stale.")},
)
def progress(report_id: str, body: ProgressIn, store: StoreDep, _: StaffCaller) -> ReportDetail:
    """Record that the OPD followed the report up (``responded``), that it was ``closed`` (the
    follow-up KPIs measure these), or reopen a closed one; 409 when the step does not apply
    (already past it) or ``version`` is stale."""
    record_progress(store, report_id, body.status, body.version)
    return report_detail(store.report(report_id))
