"""Received reports with their suggestions, and the triage queue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import (
    Select,
    and_,
    func,
    or_,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import (
    selectinload,
)

from core.lifecycle import WAITING, Status
from core.schema import Report
from core.suggestion import Suggestion
from core.workdays import FORWARD_DAYS, add_working_days
from serve.db.tables import (
    EFFECTIVE_TIER,
    EFFECTIVE_URGENT,
    QUEUE_ORDER,
    REPORT_FIELDS,
    TIER_RANK,
    Decision,
    StoredReport,
    StoredSuggestion,
)
from serve.store.base import StoreBase
from serve.store.records import QueueFilter, StoreError, naive_local, now_local

T = TypeVar("T")


def _as_stored(row: StoredReport) -> StoredReport:
    return row


def _with_relations(query: Select[tuple[StoredReport]]) -> Select[tuple[StoredReport]]:
    """Reports with their suggestions, decisions (and their users) and link verdicts, each
    relation loaded for all the rows at once."""
    return query.options(
        selectinload(StoredReport.suggestions),
        selectinload(StoredReport.decisions).selectinload(Decision.user),
        selectinload(StoredReport.link_verdicts),
    )


def _one_report(report_id: str) -> Select[tuple[StoredReport]]:
    return _with_relations(select(StoredReport).where(StoredReport.id == report_id))


class ReportStore(StoreBase):
    def add_report(
        self,
        report: Report,
        suggestion: Suggestion,
        received_at: datetime | None = None,
        answer: Callable[[StoredReport], T] = _as_stored,  # type: ignore[assignment]
    ) -> T:
        """Store a received report (masked where it entered: ``Report.masked()``) with its
        suggestion; its SLA clock starts now. ``answer`` turns the stored row into what the
        caller gives back (the row itself by default); it runs before the commit, so a report
        whose answer fails is never stored."""
        received = received_at or now_local()
        created = naive_local(report.created_at) if report.created_at else received
        urgent = suggestion.urgent
        row = StoredReport(
            **{name: getattr(report, name) for name in REPORT_FIELDS},
            created_at=created,
            received_at=received,
            status=Status.NEW,
            forward_due_at=add_working_days(received, FORWARD_DAYS),
            suggested_agency=suggestion.labels().get("agency"),
            suggested_topic=suggestion.labels().get("topic"),
            suggested_urgent=bool(urgent and urgent.flag),
            suggested_tier=TIER_RANK[urgent.tier] if urgent else TIER_RANK["none"],
            urgency_score=urgent.score if urgent else 0.0,
        )
        with self.session() as session:
            session.add(row)
            session.add(
                StoredSuggestion(
                    report_id=report.id,
                    model_version=suggestion.model_version,
                    payload=suggestion.model_dump(mode="json"),
                    created_at=received,
                )
            )
            try:
                session.flush()
            except IntegrityError as exc:
                raise StoreError(code="report.exists", report_id=report.id) from exc
            result = answer(session.scalar(_one_report(report.id)))
            session.commit()
        return result

    def queue_size(self) -> int:
        with self.session() as session:
            return session.scalar(select(func.count()).select_from(StoredReport)) or 0

    def has_report(self, report_id: str) -> bool:
        with self.session() as session:
            return session.get(StoredReport, report_id) is not None

    def known_report_ids(self, report_ids: list[str]) -> set[str]:
        """Which of ``report_ids`` the store has."""
        known: set[str] = set()
        with self.session() as session:
            for start in range(0, len(report_ids), 500):  # SQL parameter limits
                chunk = report_ids[start : start + 500]
                known |= set(
                    session.scalars(select(StoredReport.id).where(StoredReport.id.in_(chunk)))
                )
        return known

    def reports_by_id(self, report_ids: list[str]) -> dict[str, StoredReport]:
        """Several reports, with their relations, in a fixed number of queries: a page showing
        many never asks the database once per report."""
        if not report_ids:
            return {}
        with self.session() as session:
            query = select(StoredReport).where(StoredReport.id.in_(report_ids))
            rows = session.scalars(_with_relations(query))
            return {row.id: row for row in rows}

    def report(self, report_id: str) -> StoredReport | None:
        """One report with its suggestions and decisions loaded."""
        with self.session() as session:
            return session.scalar(_one_report(report_id))

    def queue(
        self, where: QueueFilter, now: datetime | None = None
    ) -> tuple[list[StoredReport], int]:
        """Reports matching ``where``: urgent first, then the oldest (the SLA clock)."""
        now = now or now_local()
        query = select(StoredReport)
        if where.statuses:
            query = query.where(StoredReport.status.in_(where.statuses))
        if where.agencies is not None:
            query = query.where(
                func.coalesce(StoredReport.agency, StoredReport.suggested_agency).in_(
                    where.agencies
                )
            )
        if where.urgent is not None:
            query = query.where(EFFECTIVE_URGENT.is_(where.urgent))
        if where.tier is not None:
            rank = EFFECTIVE_TIER
            query = query.where(rank == TIER_RANK[where.tier])
        overdue = or_(
            (StoredReport.status.in_(WAITING)) & (StoredReport.forward_due_at < now),
            (StoredReport.status == Status.DISPOSITIONED) & (StoredReport.response_due_at < now),
        )
        if where.overdue is True:
            query = query.where(overdue)
        elif where.overdue is False:
            query = query.where(~overdue)
        with self.session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(
                query.order_by(*QUEUE_ORDER)
                .offset((where.page - 1) * where.page_size)
                .limit(where.page_size)
                .options(selectinload(StoredReport.suggestions))
            ).all()
        return list(rows), int(total)

    def recent_reports(self, days: int) -> list[Report]:
        """Reports received in the last ``days`` days (to seed the duplicate index)."""
        return self.reports_since(now_local() - timedelta(days=days))

    def reports_since(self, since: datetime) -> list[Report]:
        """Reports received since ``since`` (the recent window of a drift check)."""
        with self.session() as session:
            rows = session.scalars(
                select(StoredReport)
                .where(StoredReport.received_at >= since)
                .order_by(StoredReport.received_at)
            ).all()
            return [row.as_report() for row in rows]

    def next_open_report(self, after_id: str) -> str | None:
        """The open report that follows ``after_id`` in the queue order (urgent, then "perlu
        dicek", then the rest; each oldest first), whether ``after_id`` is still open or was
        just decided; None after the last. Walking "next" from the head of the queue visits
        every open report once."""
        with self.session() as session:
            current = session.get(StoredReport, after_id)
            query = select(StoredReport.id).where(StoredReport.status.in_(WAITING))
            if current is not None:
                rank = EFFECTIVE_TIER
                tier = session.scalar(select(rank).where(StoredReport.id == after_id))
                same_tier = rank == tier
                later = or_(
                    and_(same_tier, StoredReport.received_at > current.received_at),
                    and_(
                        same_tier,
                        StoredReport.received_at == current.received_at,
                        StoredReport.id > current.id,
                    ),
                    rank < tier,  # the lower tiers follow, in their order
                )
                query = query.where(later)
            return session.scalar(query.order_by(*QUEUE_ORDER).limit(1))
