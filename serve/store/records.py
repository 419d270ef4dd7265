"""What the store takes and gives besides rows: who is calling, queue filters, decisions,
errors, and the clock."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from core.clock import as_local, local_now
from core.errors import LaporError

ROLES = ("staff", "admin")


class StoreError(LaporError):
    """A store operation that cannot be done as asked (unknown user, id conflict, ...)."""


class StaleReportError(StoreError):
    """A change made on a version of the report that another change has since replaced."""

    def __init__(self, report_id: str, seen: int, current: int) -> None:
        super().__init__(code="report.stale", report_id=report_id, seen=seen, current=current)


class StoreUnavailableError(LaporError):
    """The database cannot take a write now (its disk is full, it is read-only): nothing was
    saved; the service answers 503 and /ready says why."""

    def __init__(self, problem: str) -> None:
        super().__init__(code="store.unavailable", problem=problem)


USER_NAME_PATTERN = r"^[\w.@-]{1,64}$"
"""User names: letters, digits and . _ @ - (no spaces or markup), the same rule for the API, the
UI and the CLI."""


def check_user_name(name: str) -> None:
    if not re.fullmatch(USER_NAME_PATTERN, name):
        raise StoreError(code="user.bad_name", name=name[:64])


def check_role(role: str) -> None:
    """The one role rule: StoreError naming the roles there are."""
    if role not in ROLES:
        raise StoreError(code="user.bad_role", role=role, expected=", ".join(ROLES))


@dataclass(frozen=True)
class Principal:
    """Who is calling: enough to authorise and to record decisions."""

    id: int
    name: str
    role: str

    def may(self, role: str) -> bool:
        """Admins may do everything staff may."""
        return self.role == "admin" or self.role == role


@dataclass
class QueueFilter:
    statuses: tuple[str, ...] | None = None
    agencies: tuple[str, ...] | None = None
    """Reports whose decided (else suggested) OPD is one of these."""
    urgent: bool | None = None
    tier: str | None = None
    """Reports in this urgency tier (urgent, check or none), as staff decided it, else as
    suggested."""
    overdue: bool | None = None
    page: int = 1
    page_size: int = 50


@dataclass
class DecisionInput:
    action: str
    channel: str | None = None
    topic: str | None = None
    agency: str | None = None
    urgent: bool | None = None
    duplicate_of: str | None = None
    note: str | None = None
    supporting_agencies: list[str] | None = None
    """OPD pendukung besides the main ``agency`` (None: leave as they are)."""
    version: int | None = None
    """The report's version the decision was made on (None: imported history, no check)."""


def token_digest(token: str) -> str:
    """How API keys and session tokens are stored: they are random 256-bit values, so a plain
    SHA-256 is a safe way to keep them."""
    return hashlib.sha256(token.encode()).hexdigest()


def naive_local(moment: datetime) -> datetime:
    """The store keeps the deployment's wall-clock times (like the exports do)."""
    return as_local(moment)


def now_local() -> datetime:
    """The deployment's wall-clock time now (:func:`core.clock.local_now`)."""
    return local_now()
