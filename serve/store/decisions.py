"""Staff decisions, follow-up, and the history KPIs and retraining read."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlalchemy import select, text, update
from sqlalchemy.orm import (
    Session,
    selectinload,
)

from core.lifecycle import (
    FINISHED,
    WAITING,
    Status,
    Step,
    StepRefusedError,
    decision_step,
    transition,
)
from core.schema import TASKS, Report
from core.suggestion import Suggestion
from core.text import mask_pii
from core.workdays import FOLLOW_UP_DAYS, add_working_days
from pipeline.kpi import HISTORY_COLUMNS
from serve.db.tables import (
    Decision,
    LinkVerdict,
    StoredReport,
    StoredSuggestion,
)
from serve.store.base import StoreBase
from serve.store.records import (
    DecisionInput,
    Principal,
    StaleReportError,
    StoreError,
    now_local,
)

PROGRESS_STEPS = {
    "responded": Step.RESPOND,
    "closed": Step.CLOSE,
    "archived": Step.ARCHIVE,
    "reopened": Step.REOPEN,
}
"""The progress the API and the portal report, and the lifecycle step each takes."""
_LINKS_LOCK = 0x4C41504F52  # "LAPOR": the advisory lock that serialises duplicate links


def _locked(session: Session, report_id: str, version: int | None) -> StoredReport:
    """The report, claimed for this change: its version is raised by a write that checks the
    version seen (``UPDATE … WHERE version = :seen``), so of concurrent changes on one version
    exactly one proceeds, on SQLite (where the write takes the database's write lock) as on
    PostgreSQL (where it takes the row's lock). KeyError when there is no such report,
    StaleReportError when ``version`` (if given) is not the current one."""
    claim = update(StoredReport).where(StoredReport.id == report_id)
    if version is not None:
        claim = claim.where(StoredReport.version == version)
    claimed = session.execute(
        claim.values(version=StoredReport.version + 1),
        execution_options={"synchronize_session": False},
    )
    if claimed.rowcount == 0:
        current = session.scalar(select(StoredReport.version).where(StoredReport.id == report_id))
        if current is None:
            raise KeyError(report_id)
        raise StaleReportError(report_id, version or current, current)
    return session.get(StoredReport, report_id, populate_existing=True)


def _check_routing(row: StoredReport, action: str, agency: str | None) -> None:
    """Before a report is forwarded its OPD is decided (accept, override); once forwarded,
    only a re-route (with a reason) sends it to another OPD."""
    forwarded = row.status not in WAITING
    if action == "reroute":
        if not forwarded:
            raise StoreError(code="route.not_forwarded", report_id=row.id)
        if agency == row.agency:
            raise StoreError(code="route.same_agency", report_id=row.id, agency=agency)
    elif forwarded and agency is not None and agency != row.agency:
        raise StoreError(code="route.already_forwarded", report_id=row.id, agency=row.agency)


def _progress_refused(report_id: str, status: str, step: Step) -> StoreError:
    """Why a progress step does not apply to the report now (a 409)."""
    if step is Step.REOPEN:
        code = "progress.not_closed"
    else:
        code = "progress.finished" if status in FINISHED else "progress.passed"
    return StoreError(code=code, report_id=report_id, status=status)


def _refuse_duplicate_cycle(session: Session, report_id: str, duplicate_of: str) -> None:
    """Linking ``report_id`` to ``duplicate_of`` must not close a loop (A of B and B of A):
    follow the earlier report's own links back. Links are checked one at a time, so two posted
    both ways at once cannot both pass: on SQLite the claim (:func:`_locked`) already holds the
    database's write lock; PostgreSQL takes a transaction lock for links."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LINKS_LOCK})
    seen, current = {report_id}, duplicate_of
    while current is not None:
        if current in seen:
            raise StoreError(
                code="decision.duplicate_cycle", duplicate_of=duplicate_of, report_id=report_id
            )
        seen.add(current)
        current = session.scalar(
            select(StoredReport.duplicate_of).where(StoredReport.id == current)
        )


class DecisionStore(StoreBase):
    def add_decision(
        self,
        report_id: str,
        principal: Principal,
        decision: DecisionInput,
        at: datetime | None = None,
        source: str = "staff",
    ) -> Decision:
        """Record a decision (made now, or ``at`` for imported history) and move the report
        on: with an agency decided it is forwarded (dispositioned) and its follow-up clock
        starts. ``source``: ``staff`` here, or ``portal`` (what the SP4N-LAPOR! export shows).
        Committed before returning. StoreError (409) when the report changed since
        ``decision.version``, is closed, or the duplicate link would close a cycle."""
        now = at or now_local()
        with self.session() as session:
            row = _locked(session, report_id, decision.version)
            if row.status in FINISHED:
                raise StoreError(
                    code="decision.report_finished", report_id=report_id, status=row.status
                )
            if decision.duplicate_of:
                _refuse_duplicate_cycle(session, report_id, decision.duplicate_of)
            stored = session.scalars(
                select(StoredSuggestion)
                .where(StoredSuggestion.report_id == report_id)
                .order_by(StoredSuggestion.id.desc())
                .limit(1)
            ).first()
            suggestion = Suggestion.model_validate(stored.payload) if stored else None
            suggested = suggestion.labels() if suggestion is not None else {}
            final = dict(suggested) if decision.action == "accept" else {}
            for field in TASKS:
                value = getattr(decision, field)
                if value is not None:
                    final[field] = value
            _check_routing(row, decision.action, final.get("agency"))
            supporting = (
                None
                if decision.supporting_agencies is None
                else [a for a in decision.supporting_agencies if a != final.get("agency")]
            )
            record = Decision(
                report_id=report_id,
                user_id=principal.id,
                action=decision.action,
                channel=final.get("channel"),
                topic=final.get("topic"),
                agency=final.get("agency"),
                supporting_agencies=supporting,
                urgent=final.get("urgent"),
                duplicate_of=decision.duplicate_of,
                note=mask_pii(decision.note) if decision.note else None,
                suggested_channel=suggested.get("channel"),
                suggested_topic=suggested.get("topic"),
                suggested_agency=suggested.get("agency"),
                suggested_urgent=suggested.get("urgent"),
                model_version=suggestion.model_version if suggestion else None,
                source=source,
                auto_tasks=suggestion.auto_tasks() if suggestion else None,
                created_at=now,
            )
            session.add(record)
            for field in TASKS:
                if final.get(field) is not None:
                    setattr(row, field, final[field])
            if decision.duplicate_of:
                row.duplicate_of = decision.duplicate_of
            if supporting is not None:
                row.supporting_agencies = supporting
            step = decision_step(
                row.status,
                agency=row.agency,
                rerouting=decision.action == "reroute",
                duplicate_of=decision.duplicate_of,
            )
            row.status = transition(row.status, step)
            if step is Step.REROUTE:
                # the new OPD gets the whole follow-up time; the disposition KPI keeps the first
                # forwarding
                row.rerouted_at, row.responded_at = now, None
                row.response_due_at = add_working_days(now, FOLLOW_UP_DAYS)
            elif step is Step.FORWARD:
                row.dispositioned_at = now
                row.response_due_at = add_working_days(now, FOLLOW_UP_DAYS)
            elif step is Step.MERGE:
                # a confirmed duplicate: its earlier report carries the work, so it leaves the
                # queue and no SLA counts it (reopen it to handle it on its own)
                row.closed_at = now
            session.commit()
            session.refresh(record)
            return record

    def reject_link(
        self, report_id: str, principal: Principal, linked_id: str, version: int | None
    ) -> None:
        """Staff judged a suggested duplicate link wrong: recorded, no longer offered.
        StoreError (409) for a stale version or a link the report was not suggested."""
        with self.session() as session:
            row = _locked(session, report_id, version)
            suggestion = row.suggestion
            offered = {link.report_id for link in suggestion.duplicates} if suggestion else set()
            if linked_id not in offered - {v.linked_id for v in row.link_verdicts}:
                raise StoreError(code="link.not_offered", linked_id=linked_id, report_id=report_id)
            session.add(
                LinkVerdict(
                    report_id=report_id,
                    linked_id=linked_id,
                    user_id=principal.id,
                    created_at=now_local(),
                )
            )
            session.commit()

    def history(self) -> pd.DataFrame:
        """Every report with its time stamps, latest suggestion and latest decision, as the
        history frame of :mod:`pipeline.kpi` (and the decisions retraining learns from)."""
        rows = []
        with self.session() as session:
            reports = session.scalars(
                select(StoredReport).options(
                    selectinload(StoredReport.suggestions), selectinload(StoredReport.decisions)
                )
            )
            for report in reports:
                suggestion = report.suggestion
                decision = report.decisions[-1] if report.decisions else None
                rows.append(
                    {
                        "id": report.id,
                        "agency": report.agency,
                        "supporting_agencies": report.supporting_agencies or [],
                        "rerouted_at": report.rerouted_at,
                        "topic": report.topic,
                        "channel": report.channel,
                        "received_at": report.received_at,
                        "dispositioned_at": report.dispositioned_at,
                        "responded_at": report.responded_at,
                        "closed_at": report.closed_at,
                        "suggested_agency": report.suggested_agency,
                        "suggested_topic": report.suggested_topic,
                        "suggested_channel": suggestion.labels().get("channel")
                        if suggestion
                        else None,
                        "agency_decision": suggestion.agency.decision
                        if suggestion and suggestion.agency
                        else None,
                        "decided_at": decision.created_at if decision else None,
                    }
                )
        return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))

    def record_progress(
        self,
        report_id: str,
        status: str,
        at: datetime | None = None,
        version: int | None = None,
    ) -> None:
        """The OPD followed the report up (``responded``), it was ``closed`` or ``archived``
        (the stages the follow-up KPIs measure), or a closed report was ``reopened`` (back to
        forwarded, with a new follow-up clock, or to verified when no OPD was decided).
        Committed before returning; StoreError (409) for a stale ``version`` or a step that does
        not apply."""
        if status not in PROGRESS_STEPS:
            raise StoreError(
                code="progress.unknown", status=status, expected=", ".join(PROGRESS_STEPS)
            )
        now = at or now_local()
        step = PROGRESS_STEPS[status]
        with self.session() as session:
            row = _locked(session, report_id, version)
            try:
                row.status = transition(row.status, step, forwarded_to=row.agency)
            except StepRefusedError:
                raise _progress_refused(report_id, row.status, step) from None
            if step is Step.REOPEN:
                row.closed_at = row.responded_at = None
                if row.status == Status.DISPOSITIONED:
                    row.response_due_at = add_working_days(now, FOLLOW_UP_DAYS)
            elif step is Step.RESPOND:
                row.responded_at = now
            else:
                row.closed_at = now
            session.commit()

    def decided_reports(self) -> list[Report]:
        """Reports a person has decided, labelled with that (latest) decision, a re-route
        changing only the OPD: training data. A label the decision left open stays empty; the
        model's own suggestion is never used as truth."""
        out = []
        with self.session() as session:
            rows = session.scalars(
                select(StoredReport)
                .where(StoredReport.decisions.any())
                .options(selectinload(StoredReport.decisions))
            )
            for row in rows:
                labels: dict[str, object] = {}
                for decision in row.decisions:
                    if decision.action == "reroute":  # another OPD; the other labels stand
                        labels["agency"] = decision.agency
                    else:
                        labels = {
                            "channel": decision.channel,
                            "topic": decision.topic,
                            "agency": decision.agency,
                            "urgent": decision.urgent,
                            "duplicate_of": decision.duplicate_of,
                        }
                out.append(row.as_report().model_copy(update=labels))
        return out

    def decisions(self, since: datetime | None = None) -> list[Decision]:
        with self.session() as session:
            query = select(Decision).order_by(Decision.id).options(selectinload(Decision.user))
            if since is not None:
                query = query.where(Decision.created_at >= since)
            return list(session.scalars(query))
