"""The store's side of the daily loop with SP4N-LAPOR!: what the portal's export shows of each
report (its status, the OPD it was forwarded to) brought into the store, and the decisions made
here that the portal does not show yet, for a verifier to enter there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.lifecycle import FINISHED, Status, stage
from core.schema import Report
from serve.db.tables import Decision, StoredReport
from serve.store.decisions import DecisionStore
from serve.store.records import DecisionInput, Principal

PORTAL_USER = "sp4n-lapor"
"""The account the portal's own decisions are recorded under (it has no password or key)."""


@dataclass(frozen=True)
class DecidedHere:
    """A decision made here that the portal does not show yet: one row of the export."""

    report_id: str
    channel: str | None
    category: str | None
    """The LAPOR! sub-category where the suggestion named one under the decided topic, else
    the topic."""
    agency: str
    supporting: list[str]
    urgent: bool
    decided_by: str
    decided_at: datetime
    received_at: datetime


class PortalStore(DecisionStore):
    def portal_user(self) -> Principal:
        return self.user(PORTAL_USER) or self.add_user(PORTAL_USER, "staff")

    def apply_portal(self, report: Report, first_seen: bool, now: datetime) -> bool:
        """Bring the portal's view of ``report`` (an export row: its status, the OPD it shows,
        its classification and category) into the store; whether anything changed.

        - The OPD the portal shows becomes a decision of source ``portal``, unless staff
          decided the report here: a staff decision is never overwritten (the portal's OPD is
          kept beside it, and the dispositions export stops listing the report once the
          portal shows the OPD decided here).
        - The portal's status moves the report on along its lifecycle, never back.
        - Stage times come from the export's dates where it has them; a report the store sees
          for the first time already past a stage without a date keeps that stage's time empty
          (no KPI counts a time nobody knows); otherwise the intake's time, at most one
          intake late.
        """
        row = self.report(report.id)
        staff_decided = any(d.source == "staff" for d in row.decisions)
        changed = False
        agency = report.agency
        undecided = not staff_decided and row.status not in FINISHED
        if agency and undecided and row.agency != agency:
            forwarded = row.agency is not None and stage(row.status) >= stage(Status.DISPOSITIONED)
            decision = DecisionInput(
                "reroute" if forwarded else "override",
                agency=agency,
                channel=report.channel,
                topic=report.topic,
                note="diteruskan di SP4N-LAPOR!" if forwarded else None,
            )
            when = report.dispositioned_at or now
            self.add_decision(report.id, self.portal_user(), decision, at=when, source="portal")
            changed = True
        target = report.status
        current = self.report(report.id).status if changed else row.status  # moved on: re-read
        if target in (Status.RESPONDED, *FINISHED) and stage(target) > stage(current):
            moment = report.responded_at if target == "responded" else report.closed_at
            self.record_progress(report.id, target, at=moment or now)
            changed = True
        with self.session() as session:
            stored = session.get(StoredReport, report.id)
            changed |= (stored.portal_status, stored.portal_agency) != (report.status, agency)
            stored.portal_status, stored.portal_agency = report.status, agency
            stored.portal_seen_at = now
            if first_seen:  # stage times the export did not give are unknown
                if report.dispositioned_at is None and stored.dispositioned_at is not None:
                    stored.dispositioned_at = None
                if report.responded_at is None and stored.responded_at is not None:
                    stored.responded_at = None
                if report.closed_at is None and stored.closed_at is not None:
                    stored.closed_at = None
            session.commit()
        return changed

    def decision_counts(self) -> dict[str, int]:
        """Reports decided, by who decided them (``staff``, ``portal``): what retraining
        learns from."""
        query = select(Decision.source, func.count(func.distinct(Decision.report_id))).group_by(
            Decision.source
        )
        with self.session() as session:
            return {source: int(n) for source, n in session.execute(query)}

    def decided_here(self, since: datetime | None = None) -> list[DecidedHere]:
        """Reports decided here (a staff decision naming an OPD, since ``since``) whose OPD the
        portal does not show yet: urgent first, then the oldest, as a verifier enters them."""
        query = (
            select(StoredReport)
            .where(StoredReport.agency.is_not(None))
            .where(StoredReport.decisions.any(Decision.source == "staff"))
            .options(
                selectinload(StoredReport.decisions).selectinload(Decision.user),
                selectinload(StoredReport.suggestions),
            )
        )
        out = []
        with self.session() as session:
            for row in session.scalars(query):
                staff = [d for d in row.decisions if d.source == "staff" and d.agency]
                if not staff or row.portal_agency == row.agency:
                    continue
                last = staff[-1]
                if since is not None and last.created_at < since:
                    continue
                suggested = row.suggestion.topic if row.suggestion else None
                sub = suggested.subtopic if suggested and suggested.label == row.topic else None
                out.append(
                    DecidedHere(
                        row.id,
                        row.channel,
                        sub or row.topic,
                        row.agency,
                        list(row.supporting_agencies or []),
                        bool(row.urgent if row.urgent is not None else row.suggested_urgent),
                        last.user.name,
                        last.created_at,
                        row.received_at,
                    )
                )
        return sorted(out, key=lambda d: (not d.urgent, d.received_at, d.report_id))
