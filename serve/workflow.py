"""Staff decisions and follow-up, shared by the API and the UI. Domain errors only: the app maps
them to HTTP (404, 422) and the UI shows them on the page."""

from __future__ import annotations

import logging
from difflib import get_close_matches

from core.agencies import canonical_agency, search_agencies
from core.errors import LaporError
from serve.auto_guard import AutoGuard
from serve.db.tables import Decision
from serve.schemas import DecisionIn
from serve.store import Store
from serve.store.records import DecisionInput, Principal

log = logging.getLogger("lapor.serve")


class ReportNotFoundError(LaporError):
    """No report with that id (404)."""

    def __init__(self, report_id: str) -> None:
        super().__init__(f"no report {report_id!r}")


class InvalidDecisionError(LaporError):
    """A decision that contradicts the store, e.g. a duplicate of an unknown report (422)."""


class UnknownAgencyError(InvalidDecisionError):
    """An OPD the deployment does not have (a typo would forward a report nowhere)."""

    def __init__(self, value: str, suggestions: list[str]) -> None:
        self.value, self.suggestions = value, suggestions
        hint = f"; did you mean {', '.join(map(repr, suggestions))}?" if suggestions else ""
        super().__init__(f"agency: {value!r} is not one of the deployment's OPDs{hint}")


def agency_filter(text: str | None, agencies: list[str]) -> tuple[str, ...] | None:
    """The OPDs a queue filter means: the name typed, or what it abbreviates or is part of."""
    if not text or not text.strip():
        return None
    return tuple(search_agencies(text, agencies, limit=len(agencies)) or [text.strip()])


def known_agency(name: str, agencies: list[str]) -> str:
    """The deployment's spelling of an OPD, named in full (case and spacing forgiven) or by an
    abbreviation or short form only one OPD has ("Dishub", "DLH"); UnknownAgencyError with
    close matches else."""
    agency = canonical_agency(name, agencies)
    if agency is not None:
        return agency
    close = search_agencies(name, agencies, 3)
    if len(close) == 1:
        return close[0]
    close = close or get_close_matches(name, agencies, n=3, cutoff=0.75)
    raise UnknownAgencyError(name, close)


def record_decision(
    store: Store,
    report_id: str,
    principal: Principal,
    decision: DecisionIn,
    agencies: list[str],
    guard: AutoGuard | None = None,
) -> Decision:
    """Validate the decision against the store (the report, the linked duplicate) and the
    deployment's OPDs (``agencies``; the name is stored as the deployment spells it), commit
    it, and let the live ``guard`` judge auto-routing again with it."""
    if decision.agency is not None:
        decision = decision.model_copy(update={"agency": known_agency(decision.agency, agencies)})
    if decision.supporting_agencies is not None:
        named = [known_agency(name, agencies) for name in decision.supporting_agencies]
        decision = decision.model_copy(update={"supporting_agencies": list(dict.fromkeys(named))})
    if decision.duplicate_of is not None:
        if decision.duplicate_of == report_id:
            raise InvalidDecisionError(
                "a report cannot be a duplicate of itself",
                pesan="Laporan tidak dapat menjadi duplikat dirinya sendiri.",
            )
        if not store.has_report(decision.duplicate_of):
            raise InvalidDecisionError(
                f"duplicate_of: no report {decision.duplicate_of!r}",
                pesan=f"Duplikat dari: tidak ada laporan {decision.duplicate_of}.",
            )
    try:
        recorded = store.add_decision(report_id, principal, DecisionInput(**decision.model_dump()))
    except KeyError:
        raise ReportNotFoundError(report_id) from None
    if guard is not None:
        try:
            for change in guard.review(store):
                log.warning("auto-routing %s", change)
        except Exception:  # the decision is committed: a failed review must not deny it
            log.exception("the auto-routing guard could not review the latest decisions")
    return recorded


def reject_link(
    store: Store, report_id: str, principal: Principal, linked_id: str, version: int | None
) -> None:
    """A suggested duplicate link judged wrong; StoreError (409) when it was not offered."""
    try:
        store.reject_link(report_id, principal, linked_id, version)
    except KeyError:
        raise ReportNotFoundError(report_id) from None


def record_progress(store: Store, report_id: str, status: str, version: int | None) -> None:
    """The OPD followed the report up, it was closed or reopened; StoreError (409) for a step
    that does not apply or a stale version."""
    try:
        store.record_progress(report_id, status, version=version)
    except KeyError:
        raise ReportNotFoundError(report_id) from None
