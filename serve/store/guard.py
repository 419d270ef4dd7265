"""What the serving policy reads and writes: the outcome of each suggestion the model routed
automatically (from the decision on it) and the live guard's suspensions; the deployment's
settings (the PERLU DICEK share) and the urgency scores it is read off. Each change is in the
audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from core.schema import CLASSIFICATION_TASKS
from serve.db.tables import AutoSuspension, Decision, DeploymentSetting, StoredReport
from serve.store.base import StoreBase
from serve.store.records import now_local
from serve.store.sessions import record_audit

GUARD_ACTOR = "penjaga-otomatis"
"""Who the audit trail names for the guard's suspensions and resumptions."""


@dataclass(frozen=True)
class AutoOutcome:
    """One automatically routed suggestion for one task, judged by what staff decided."""

    task: str
    agency: str | None
    """The OPD suggested (what per-OPD figures group by)."""
    right: bool
    decision: int
    """The decision's id (later decisions have larger ones)."""


class GuardStore(StoreBase):
    def auto_outcomes(self, scan: int = 5_000) -> list[AutoOutcome]:
        """The outcomes of the latest ``scan`` decisions made on a suggestion the model routed
        automatically (held or not), newest first: a task is right when the report's label
        is the one suggested (a later re-route makes the suggested OPD wrong). A report counts
        once, by the first decision on it."""
        columns = (
            Decision.report_id, Decision.auto_tasks, Decision.id,
            Decision.suggested_channel, Decision.suggested_topic, Decision.suggested_agency,
            StoredReport.channel, StoredReport.topic, StoredReport.agency,
        )  # fmt: skip
        with self.session() as session:
            rows = session.execute(
                select(*columns)
                .join(StoredReport, StoredReport.id == Decision.report_id)
                .where(Decision.action != "reroute")
                .order_by(Decision.id.desc())
                .limit(scan)
            ).all()
        first = {row[0]: row[1:] for row in rows}  # newest first: a report's first one wins
        outcomes = []
        for tasks, decision, *labels in sorted(first.values(), key=lambda r: r[1], reverse=True):
            suggested = dict(zip(CLASSIFICATION_TASKS, labels[:3], strict=True))
            final = dict(zip(CLASSIFICATION_TASKS, labels[3:], strict=True))
            outcomes += [
                AutoOutcome(task, suggested["agency"], final[task] == suggested[task], decision)
                for task in tasks or ()
                if task in suggested
            ]
        return outcomes

    def suspensions(self) -> list[AutoSuspension]:
        with self.session() as session:
            return list(session.scalars(select(AutoSuspension)))

    def suspend_auto(self, scope: str, task: str, agency: str | None, reason: str) -> None:
        """Suspend auto-routing for ``scope`` (audited)."""
        with self.session() as session:
            last = session.scalar(select(func.max(Decision.id))) or 0
            session.add(
                AutoSuspension(
                    scope=scope,
                    task=task,
                    agency=agency,
                    suspended_at=now_local(),
                    after_decision=last,
                    reason=reason,
                )
            )
            record_audit(session, GUARD_ACTOR, "auto_suspended", scope[:100], reason)
            session.commit()

    def resume_auto(self, scope: str, reason: str) -> None:
        """Resume auto-routing for ``scope`` (audited)."""
        with self.session() as session:
            found = session.get(AutoSuspension, scope)
            if found is None:
                return
            session.delete(found)
            record_audit(session, GUARD_ACTOR, "auto_resumed", scope[:100], reason)
            session.commit()

    def setting(self, key: str) -> str | None:
        with self.session() as session:
            found = session.get(DeploymentSetting, key)
            return found.value if found else None

    def set_setting(self, key: str, value: str | None, actor: str) -> None:
        """Set (or, with None, clear) a deployment setting; audited."""
        with self.session() as session:
            found = session.get(DeploymentSetting, key)
            if value is None:
                if found is not None:
                    session.delete(found)
            elif found is None:
                session.add(DeploymentSetting(key=key, value=value, updated_at=now_local(),
                                              updated_by=actor))  # fmt: skip
            else:
                found.value, found.updated_at, found.updated_by = value, now_local(), actor
            record_audit(session, actor, "set_setting", key, value or "(bawaan model)")
            session.commit()

    def recent_urgency_scores(self, limit: int = 2_000) -> list[float]:
        """The urgency scores of the latest ``limit`` reports received."""
        with self.session() as session:
            return list(
                session.scalars(
                    select(StoredReport.urgency_score)
                    .order_by(StoredReport.received_at.desc())
                    .limit(limit)
                )
            )
