"""The tables: users and their API keys, reports, their suggestions, staff decisions; and the
triage order of the queue."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    case,
    func,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    mapped_column,
    relationship,
)

from core.lifecycle import WAITING
from core.schema import URGENCY_TIERS, Report
from core.suggestion import Suggestion
from serve.db.zoned import ZonedDateTime

REPORT_FIELDS = ("id", "title", "text", "source", "province", "regency", "district", "village",
                 "address")  # fmt: skip
"""The Report's fields a stored report keeps as they came (masked where they entered)."""
TIER_RANK = {tier: len(URGENCY_TIERS) - 1 - i for i, tier in enumerate(URGENCY_TIERS)}
"""urgent 2, check 1, none 0: the queue sorts the highest first."""


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(ZonedDateTime)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(ZonedDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(ZonedDateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()


class LoginSession(Base):
    """A UI login kept on the server: the cookie carries only a random token, whose SHA-256 is
    stored here, so logging out, a password change or deactivation ends it everywhere."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(ZonedDateTime)
    expires_at: Mapped[datetime] = mapped_column(ZonedDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(ZonedDateTime)


class AuditEvent(Base):
    """Who did what to an account or key, and when (admins read these)."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(ZonedDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(Text)


class StoredReport(Base):
    """A report as received (personal data masked), its SLA clock and the final labels."""

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(ZonedDateTime)
    received_at: Mapped[datetime] = mapped_column(ZonedDateTime, index=True)
    source: Mapped[str] = mapped_column(String(16))
    province: Mapped[str | None] = mapped_column(String(200))
    regency: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(200))
    village: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    forward_due_at: Mapped[datetime] = mapped_column(ZonedDateTime)
    response_due_at: Mapped[datetime | None] = mapped_column(ZonedDateTime)
    dispositioned_at: Mapped[datetime | None] = mapped_column(ZonedDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(ZonedDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(ZonedDateTime)
    # what the model suggested (denormalised for sorting and filtering the queue)
    suggested_agency: Mapped[str | None] = mapped_column(String(200), index=True)
    suggested_topic: Mapped[str | None] = mapped_column(String(200))
    suggested_urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    suggested_tier: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """:data:`TIER_RANK` of the suggested urgency tier."""
    urgency_score: Mapped[float] = mapped_column(Float, default=0.0)
    # what staff decided
    channel: Mapped[str | None] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(String(200))
    agency: Mapped[str | None] = mapped_column(String(200), index=True)
    """The main OPD (the one that answers)."""
    supporting_agencies: Mapped[list[str] | None] = mapped_column(JSON)
    """OPD pendukung: other OPDs the report was disposed to, for their part of it."""
    rerouted_at: Mapped[datetime | None] = mapped_column(ZonedDateTime)
    """When the report was last forwarded to another OPD (its follow-up clock restarted)."""
    urgent: Mapped[bool | None] = mapped_column(Boolean)
    duplicate_of: Mapped[str | None] = mapped_column(String(64))
    portal_status: Mapped[str | None] = mapped_column(String(100))
    """The report's lifecycle status as the SP4N-LAPOR! portal last showed it."""
    portal_agency: Mapped[str | None] = mapped_column(String(200))
    """The OPD the portal last showed it forwarded to (``Instansi Terdisposisi``)."""
    portal_seen_at: Mapped[datetime | None] = mapped_column(ZonedDateTime)
    """When an intake of the portal's export last read it."""
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    """Raised by every change; a decision names the version it was made on (a stale one is
    refused, so concurrent decisions never silently overwrite each other)."""

    suggestions: Mapped[list[StoredSuggestion]] = relationship(
        back_populates="report", order_by="StoredSuggestion.id"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="report", order_by="Decision.id"
    )
    link_verdicts: Mapped[list[LinkVerdict]] = relationship(order_by="LinkVerdict.id")

    @property
    def urgency_tier(self) -> str:
        """The urgency tier as staff decided it (urgent or not), else as suggested."""
        if self.urgent is not None:
            return "urgent" if self.urgent else "none"
        return URGENCY_TIERS[len(URGENCY_TIERS) - 1 - (self.suggested_tier or 0)]

    @property
    def suggestion(self) -> Suggestion | None:
        """The latest suggestion made for this report."""
        if not self.suggestions:
            return None
        return Suggestion.model_validate(self.suggestions[-1].payload)

    def as_report(self) -> Report:
        """The report as the model reads it, with its decided labels (else the suggested)."""
        return Report(
            **{name: getattr(self, name) for name in REPORT_FIELDS},
            created_at=self.created_at,
            agency=self.agency or self.suggested_agency,
            topic=self.topic or self.suggested_topic,
        )


class StoredSuggestion(Base):
    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    model_version: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(ZonedDateTime)

    report: Mapped[StoredReport] = relationship(back_populates="suggestions")


class Decision(Base):
    """One staff decision: what was suggested, what was decided, by whom and when."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(String(200))
    agency: Mapped[str | None] = mapped_column(String(200))
    supporting_agencies: Mapped[list[str] | None] = mapped_column(JSON)
    urgent: Mapped[bool | None] = mapped_column(Boolean)
    duplicate_of: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    suggested_channel: Mapped[str | None] = mapped_column(String(32))
    suggested_topic: Mapped[str | None] = mapped_column(String(200))
    suggested_agency: Mapped[str | None] = mapped_column(String(200))
    suggested_urgent: Mapped[bool | None] = mapped_column(Boolean)
    model_version: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(16), default="staff", server_default="staff")
    """Who decided: ``staff`` here, or ``portal`` (the portal's verifiers, read by intake)."""
    auto_tasks: Mapped[list[str] | None] = mapped_column(JSON)
    """The tasks the suggestion decided on routed automatically (or would have, where the live
    guard held it): whose precision the guard measures."""
    created_at: Mapped[datetime] = mapped_column(ZonedDateTime, index=True)

    report: Mapped[StoredReport] = relationship(back_populates="decisions")
    user: Mapped[User] = relationship()


class LinkVerdict(Base):
    """Staff's verdict that a suggested duplicate link is wrong (a confirmed link is a
    decision setting ``duplicate_of``): the page stops offering it, and the pair is a labelled
    negative for the pair scorer."""

    __tablename__ = "link_verdicts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    linked_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(ZonedDateTime)


class AutoSuspension(Base):
    """Auto-routing suspended by the live guard for a task, or for one OPD's agency
    suggestions: while a row is here, such suggestions wait for review."""

    __tablename__ = "auto_suspensions"

    scope: Mapped[str] = mapped_column(String(250), primary_key=True)
    task: Mapped[str] = mapped_column(String(16))
    agency: Mapped[str | None] = mapped_column(String(200))
    suspended_at: Mapped[datetime] = mapped_column(ZonedDateTime)
    after_decision: Mapped[int] = mapped_column(Integer)
    """The last decision when it was suspended: recovery is judged on the ones after it."""
    reason: Mapped[str] = mapped_column(Text)


class DeploymentSetting(Base):
    """A setting the deployment's admins change from the UI (e.g. the PERLU DICEK share)."""

    __tablename__ = "deployment_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(ZonedDateTime)
    updated_by: Mapped[str] = mapped_column(String(100))


class CatalogueHead(Base):
    """The deployment's OPD catalogue as a whole: its region, and its version and time of its
    last change (one row; none before the deployment is set up)."""

    __tablename__ = "catalogue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    """Raised by every change: how a service sees that another process changed it."""
    changed_at: Mapped[datetime] = mapped_column(ZonedDateTime)


class CatalogueOpd(Base):
    """One OPD of the catalogue (:class:`models.catalogue.Opd`), at its place in the admin's
    order."""

    __tablename__ = "catalogue_opds"

    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    function: Mapped[str | None] = mapped_column(String(64))
    functions: Mapped[list[str]] = mapped_column(JSON)
    how: Mapped[str] = mapped_column(String(16))
    aliases: Mapped[list[str]] = mapped_column(JSON)
    description: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(200))
    suggested: Mapped[bool] = mapped_column(Boolean)


class CatalogueEdit(Base):
    """One change of the catalogue, kept for good: set up, add, rename, merge or retire, who
    made it and when, and what it named."""

    __tablename__ = "catalogue_edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(ZonedDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    edit: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, str | None]] = mapped_column(JSON)


EFFECTIVE_URGENT = func.coalesce(StoredReport.urgent, StoredReport.suggested_urgent)
"""Urgent as staff decided it, else as suggested."""
EFFECTIVE_TIER = case(
    (StoredReport.urgent.is_(True), TIER_RANK["urgent"]),
    (StoredReport.urgent.is_(False), TIER_RANK["none"]),
    else_=StoredReport.suggested_tier,
)
"""The urgency tier's rank as staff decided it (urgent or not), else as suggested."""
QUEUE_ORDER = (
    case((StoredReport.status.in_(WAITING), 0), else_=1),
    EFFECTIVE_TIER.desc(),
    StoredReport.received_at.asc(),
    StoredReport.id,
)
"""The triage order: open reports first; among them urgent, then "perlu dicek", then the rest,
each oldest first (the SLA clock)."""
