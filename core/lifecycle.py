"""A report's lifecycle, in one place: its statuses (SP4N-LAPOR!'s own stages), the steps that
move it, which steps each status allows, and which SLA clock runs in it. Pure: the store applies
these rules, the routes and templates ask them what to show, the KPIs and the portal's import
read the same order."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final


class Status(StrEnum):
    NEW = "new"
    """Received, not yet looked at."""
    VERIFIED = "verified"
    """Staff decided its labels but no OPD yet."""
    DISPOSITIONED = "dispositioned"
    """Forwarded to an OPD: the follow-up clock runs."""
    RESPONDED = "responded"
    """The OPD followed it up."""
    CLOSED = "closed"
    ARCHIVED = "archived"
    """Set aside without follow-up: a confirmed duplicate, blocked content."""


class Step(StrEnum):
    VERIFY = "verify"
    """A decision that forwards nothing: labels decided or corrected, no (new) OPD."""
    FORWARD = "forward"
    """A decision with the OPD of a report not yet forwarded (the disposition)."""
    REROUTE = "reroute"
    """A forwarded report sent to another OPD (with a reason): a new follow-up clock."""
    MERGE = "merge"
    """A confirmed duplicate of an earlier report, which carries the work."""
    RESPOND = "respond"
    CLOSE = "close"
    ARCHIVE = "archive"
    REOPEN = "reopen"


STATUSES: Final = tuple(status.value for status in Status)
WAITING: Final = frozenset({Status.NEW, Status.VERIFIED})
"""Waiting for verification and forwarding: the triage queue, the forwarding SLA."""
FINISHED: Final = frozenset({Status.CLOSED, Status.ARCHIVED})
"""Nothing runs any more until reopened."""
STAGES: Final = (Status.NEW, Status.VERIFIED, Status.DISPOSITIONED, Status.RESPONDED, Status.CLOSED)
"""The order the portal moves a report in (archived counts as closed): a later export never
moves a report back."""

_TARGETS: Final[dict[Step, Status]] = {
    Step.FORWARD: Status.DISPOSITIONED,
    Step.REROUTE: Status.DISPOSITIONED,
    Step.MERGE: Status.ARCHIVED,
    Step.RESPOND: Status.RESPONDED,
    Step.CLOSE: Status.CLOSED,
    Step.ARCHIVE: Status.ARCHIVED,
}
_ALLOWED: Final[dict[Status, frozenset[Step]]] = {
    Status.NEW: frozenset(
        {Step.VERIFY, Step.FORWARD, Step.MERGE, Step.RESPOND, Step.CLOSE, Step.ARCHIVE}
    ),
    Status.VERIFIED: frozenset(
        {Step.VERIFY, Step.FORWARD, Step.MERGE, Step.RESPOND, Step.CLOSE, Step.ARCHIVE}
    ),
    Status.DISPOSITIONED: frozenset(
        {Step.VERIFY, Step.REROUTE, Step.RESPOND, Step.CLOSE, Step.ARCHIVE}
    ),
    Status.RESPONDED: frozenset({Step.VERIFY, Step.REROUTE, Step.CLOSE, Step.ARCHIVE}),
    Status.CLOSED: frozenset({Step.REOPEN}),
    Status.ARCHIVED: frozenset({Step.REOPEN}),
}


class StepRefusedError(ValueError):
    """A step the report's status does not allow (the store answers it with a 409)."""

    def __init__(self, status: Status, step: Step) -> None:
        super().__init__(f"a report that is {status} cannot {step}")
        self.status, self.step = status, step


def allowed_steps(status: str) -> frozenset[Step]:
    """What may happen to a report in ``status`` (what the UI offers, what the store accepts)."""
    return _ALLOWED[Status(status)]


def transition(status: str, step: Step, *, forwarded_to: str | None = None) -> Status:
    """The status after ``step``; StepRefusedError where the status does not allow it. Verifying
    keeps a forwarded report where it is; reopening returns to the OPD (``forwarded_to``) when
    there is one, else to verified."""
    current = Status(status)
    if step not in _ALLOWED[current]:
        raise StepRefusedError(current, step)
    if step is Step.VERIFY:
        return Status.VERIFIED if current in WAITING else current
    if step is Step.REOPEN:
        return Status.DISPOSITIONED if forwarded_to else Status.VERIFIED
    return _TARGETS[step]


def decision_step(
    status: str, *, agency: str | None, rerouting: bool, duplicate_of: str | None
) -> Step:
    """The step a staff or portal decision takes: a re-route, the first OPD (forward), a
    confirmed duplicate of a waiting report (merge), else a verification."""
    if rerouting:
        return Step.REROUTE
    if Status(status) in WAITING:
        if agency:
            return Step.FORWARD
        if duplicate_of:
            return Step.MERGE
    return Step.VERIFY


def deadline(
    status: str, forward_due_at: datetime, response_due_at: datetime | None
) -> datetime | None:
    """The SLA deadline running in ``status``: forwarding while waiting, follow-up once
    forwarded, none after the follow-up."""
    if status in WAITING:
        return forward_due_at
    if status == Status.DISPOSITIONED:
        return response_due_at
    return None


def stage(status: str | None) -> int:
    """How far along :data:`STAGES` a status is (archived counts as closed)."""
    if not status:
        return 0
    return STAGES.index(Status.CLOSED if status == Status.ARCHIVED else Status(status))
