"""Staff decisions and follow-up, shared by the API and the UI. Domain errors only: the app maps
them to HTTP (404, 422) and the UI shows them on the page."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from difflib import get_close_matches

from core.agencies import canonical_agency, search_agencies
from core.errors import LaporError
from models.catalogue import Catalogue
from serve.auto_guard import AutoGuard
from serve.db.tables import Decision
from serve.schemas import DecisionIn
from serve.store import Store
from serve.store.records import DecisionInput, Principal

log = logging.getLogger("lapor.serve")


class ReportNotFoundError(LaporError):
    """No report with that id (404)."""

    def __init__(self, report_id: str) -> None:
        super().__init__(code="report.unknown", report_id=report_id)


class InvalidDecisionError(LaporError):
    """A decision that contradicts the store, e.g. a duplicate of an unknown report (422)."""


class UnknownAgencyError(InvalidDecisionError):
    """An OPD the deployment does not have (a typo would forward a report nowhere)."""

    def __init__(self, value: str, suggestions: list[str]) -> None:
        self.value, self.suggestions = value, suggestions
        if suggestions:
            close = ", ".join(map(repr, suggestions))
            super().__init__(code="decision.unknown_agency_close", typed=value, close=close)
        else:
            super().__init__(code="decision.unknown_agency", typed=value)


@dataclass(frozen=True)
class Agencies:
    """The deployment's OPDs as staff may type them: a name, part of it, an acronym or short
    form, or any alias its catalogue holds ("RSSI", "Dinas PUPR", "Perkim")."""

    names: list[str]
    catalogue: Catalogue | None = None

    def resolve(self, name: str) -> str:
        """The deployment's spelling of the OPD ``name`` means (full name, alias, or a short
        form only one OPD has); UnknownAgencyError with close matches else."""
        agency = canonical_agency(name, self.names)
        if agency is None and self.catalogue is not None:
            agency = self.catalogue.canonical(name)
        if agency is not None:
            return agency
        close = search_agencies(name, self.names, 3)
        if len(close) == 1:
            return close[0]
        raise UnknownAgencyError(name, close or self._close_names(name))

    def _close_names(self, typed: str, limit: int = 3) -> list[str]:
        """OPDs whose name has a close spelling of every word typed ("Dinas Pekerjan Umum"),
        shortest first; else the names closest as a whole."""
        words = typed.casefold().split()
        found = [
            name
            for name in self.names
            if words
            and all(get_close_matches(w, name.casefold().split(), n=1, cutoff=0.8) for w in words)
        ]
        return sorted(found, key=len)[:limit] or get_close_matches(
            typed, self.names, n=limit, cutoff=0.75
        )

    def matching(self, text: str | None) -> tuple[str, ...] | None:
        """The OPDs a queue filter means: an alias's OPD, or the names the text abbreviates or
        is part of (None: no filter)."""
        if not text or not text.strip():
            return None
        if self.catalogue is not None and (named := self.catalogue.canonical(text)):
            return (named,)
        found = search_agencies(text, self.names, limit=len(self.names))
        return tuple(found or [text.strip()])


def _check_lead(store: Store, report_id: str, decision: DecisionIn) -> None:
    """OPD pendukung support a lead OPD: an override naming only supporting OPDs needs the
    report to have its lead already (accepting the suggestion names it)."""
    if decision.action != "override" or decision.agency is not None:
        return
    row = store.report(report_id)
    if row is None:
        raise ReportNotFoundError(report_id)
    if row.agency is None:
        raise InvalidDecisionError(code="decision.needs_lead")


def record_decision(
    store: Store,
    report_id: str,
    principal: Principal,
    decision: DecisionIn,
    agencies: Agencies,
    guard: AutoGuard | None = None,
) -> Decision:
    """Validate the decision against the store (the report, the linked duplicate) and the
    deployment's OPDs (``agencies``; the name is stored as the deployment spells it), commit
    it, and let the live ``guard`` judge auto-routing again with it."""
    if decision.agency is not None:
        decision = decision.model_copy(update={"agency": agencies.resolve(decision.agency)})
    if decision.supporting_agencies is not None:
        named = [agencies.resolve(name) for name in decision.supporting_agencies]
        decision = decision.model_copy(update={"supporting_agencies": list(dict.fromkeys(named))})
        _check_lead(store, report_id, decision)
    if decision.duplicate_of is not None:
        if decision.duplicate_of == report_id:
            raise InvalidDecisionError(code="decision.duplicate_of_itself")
        if not store.has_report(decision.duplicate_of):
            raise InvalidDecisionError(
                code="decision.duplicate_of_unknown", duplicate_of=decision.duplicate_of
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
