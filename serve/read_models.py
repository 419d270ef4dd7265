"""What the API and the staff's pages show of the store: plain models built from the rows
while their session is open. A template or a response never holds an ORM row, so nothing is
loaded lazily behind a page and a page costs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from core.clock import local_now
from core.lifecycle import deadline
from core.schema import TASKS
from core.suggestion import DuplicateLink, Suggestion
from core.workdays import working_days_between
from serve.db.tables import AuditEvent, Decision, StoredReport, User
from serve.schemas import AuditOut, DecisionOut, ReportDetail, ReportOut, UserOut
from serve.store import Store


def report_out(row: StoredReport, now: datetime | None = None) -> ReportOut:
    """A stored report as the API shows it: its columns plus where its SLA clock stands."""
    now = now or local_now()
    due = deadline(row.status, row.forward_due_at, row.response_due_at)
    computed = {
        "overdue": due is not None and due < now,
        "working_days_left": round(working_days_between(now, due), 2) if due else 0.0,
    }
    columns = {name: getattr(row, name) for name in ReportOut.model_fields.keys() - computed}
    return ReportOut(**columns, **computed)


def decision_out(decision: Decision, user: str) -> DecisionOut:
    """One decision, with the name of who made it (``user``) and what the model suggested."""
    suggested = {task: getattr(decision, f"suggested_{task}") for task in TASKS}
    computed = {
        "user": user,
        "suggested": {task: value for task, value in suggested.items() if value is not None},
    }
    columns = {name: getattr(decision, name) for name in DecisionOut.model_fields.keys() - computed}
    return DecisionOut(**columns, **computed)


def report_detail(row: StoredReport) -> ReportDetail:
    """A report with its decisions and the duplicate links staff rejected."""
    return ReportDetail(
        **dict(report_out(row)),
        decisions=[decision_out(d, d.user.name) for d in row.decisions],
        rejected_links=[verdict.linked_id for verdict in row.link_verdicts],
    )


def user_out(user: User) -> UserOut:
    """An account as admins see it: whether it can log in, never its hash."""
    return UserOut(
        name=user.name, role=user.role, active=user.active, password=bool(user.password_hash)
    )


def audit_out(event: AuditEvent) -> AuditOut:
    return AuditOut.model_validate(event, from_attributes=True)


@dataclass(frozen=True)
class DuplicateView:
    """A suggested earlier report: the link, the earlier report (None: not in this store) and
    staff's verdict on it so far."""

    link: DuplicateLink
    earlier: ReportOut | None
    verdict: Literal["confirmed", "rejected"] | None

    @property
    def known(self) -> bool:
        return self.earlier is not None


@dataclass(frozen=True)
class ReportPageView:
    """Everything the report page shows: the report, its decisions oldest first, its suggested
    duplicates, and the next open report to go to."""

    report: ReportOut
    decisions: list[DecisionOut]
    duplicates: list[DuplicateView]
    next_id: str | None

    @property
    def suggestion(self) -> Suggestion | None:
        return self.report.suggestion


def report_page_view(store: Store, report_id: str, now: datetime) -> ReportPageView | None:
    """The report page's model (None: no such report): the report with its decisions, and
    every earlier report its suggestion links, read in one query."""
    row = store.report(report_id)
    if row is None:
        return None
    suggestion = row.suggestion
    links = suggestion.duplicates if suggestion else []
    earlier = store.reports_by_id([link.report_id for link in links])
    rejected = {verdict.linked_id for verdict in row.link_verdicts}

    def verdict(linked_id: str) -> Literal["confirmed", "rejected"] | None:
        if row.duplicate_of == linked_id:
            return "confirmed"
        return "rejected" if linked_id in rejected else None

    return ReportPageView(
        report=report_out(row, now),
        decisions=[decision_out(d, d.user.name) for d in row.decisions],
        duplicates=[
            DuplicateView(
                link,
                report_out(earlier[link.report_id], now) if link.report_id in earlier else None,
                verdict(link.report_id),
            )
            for link in links
        ],
        next_id=store.next_open_report(report_id),
    )
