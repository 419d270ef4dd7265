"""Staff decisions and follow-up, shared by the API and the UI. Domain errors only: the app maps
them to HTTP (404, 422) and the UI shows them on the page."""

from __future__ import annotations

from core.errors import LaporError
from serve.db.tables import Decision
from serve.schemas import DecisionIn
from serve.store import Store
from serve.store.records import DecisionInput, Principal


class ReportNotFoundError(LaporError):
    """No report with that id (404)."""

    def __init__(self, report_id: str) -> None:
        super().__init__(f"no report {report_id!r}")


class InvalidDecisionError(LaporError):
    """A decision that contradicts the store, e.g. a duplicate of an unknown report (422)."""


def record_decision(
    store: Store, report_id: str, principal: Principal, decision: DecisionIn
) -> Decision:
    """Validate the decision against the store (the report, the linked duplicate) and commit it."""
    if decision.duplicate_of is not None:
        if decision.duplicate_of == report_id:
            raise InvalidDecisionError("a report cannot be a duplicate of itself")
        if not store.has_report(decision.duplicate_of):
            raise InvalidDecisionError(f"duplicate_of: no report {decision.duplicate_of!r}")
    try:
        return store.add_decision(report_id, principal, DecisionInput(**decision.model_dump()))
    except KeyError:
        raise ReportNotFoundError(report_id) from None


def record_progress(store: Store, report_id: str, status: str) -> None:
    """The OPD followed the report up, or it was closed; StoreError (409) for a finished one."""
    try:
        store.record_progress(report_id, status)
    except KeyError:
        raise ReportNotFoundError(report_id) from None
