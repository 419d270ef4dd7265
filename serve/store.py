"""Persistence of the service: reports, suggestions, staff decisions, users and API keys.

SQLAlchemy 2 over SQLite (WAL, synchronous=FULL: a committed decision survives the process being
killed) by default, or PostgreSQL by URL. The schema is owned by the Alembic migrations in
``serve/migrations``; :meth:`Store.migrate` brings a database to the latest revision.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    case,
    create_engine,
    event,
    func,
    or_,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    selectinload,
)

from core.errors import LaporError
from core.schema import TASKS, Report, Suggestion
from core.text import mask_pii
from core.workdays import FOLLOW_UP_DAYS, FORWARD_DAYS, add_working_days
from pipeline.kpi import HISTORY_COLUMNS
from serve.passwords import hash_password, verify_password

MIGRATIONS = Path(__file__).parent / "migrations"
ROLES = ("staff", "admin")
OPEN_STATUSES = ("new", "verified")
"""Reports still waiting for admin staff to verify and forward them."""


class StoreError(LaporError):
    """A store operation that cannot be done as asked (unknown user, id conflict, ...)."""


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)

    user: Mapped[User] = relationship()


class StoredReport(Base):
    """A report as received (personal data masked), its SLA clock and the final labels."""

    __tablename__ = "reports"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    received_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    source: Mapped[str] = mapped_column(String(16))
    province: Mapped[str | None] = mapped_column(String(200))
    regency: Mapped[str | None] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(200))
    village: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    forward_due_at: Mapped[datetime] = mapped_column(DateTime)
    response_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    dispositioned_at: Mapped[datetime | None] = mapped_column(DateTime)
    responded_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # what the model suggested (denormalised for sorting and filtering the queue)
    suggested_agency: Mapped[str | None] = mapped_column(String(200), index=True)
    suggested_topic: Mapped[str | None] = mapped_column(String(200))
    suggested_urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    urgency_score: Mapped[float] = mapped_column(Float, default=0.0)
    # what staff decided
    channel: Mapped[str | None] = mapped_column(String(32))
    topic: Mapped[str | None] = mapped_column(String(200))
    agency: Mapped[str | None] = mapped_column(String(200), index=True)
    urgent: Mapped[bool | None] = mapped_column(Boolean)
    duplicate_of: Mapped[str | None] = mapped_column(String(64))

    suggestions: Mapped[list[StoredSuggestion]] = relationship(
        back_populates="report", order_by="StoredSuggestion.id"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="report", order_by="Decision.id"
    )

    @property
    def suggestion(self) -> Suggestion | None:
        """The latest suggestion made for this report."""
        if not self.suggestions:
            return None
        return Suggestion.model_validate(self.suggestions[-1].payload)

    def as_report(self) -> Report:
        return Report(
            id=self.id,
            title=self.title,
            text=self.text,
            created_at=self.created_at,
            source=self.source,
            province=self.province,
            regency=self.regency,
            district=self.district,
            village=self.village,
            address=self.address,
            agency=self.agency or self.suggested_agency,
            topic=self.topic or self.suggested_topic,
        )


class StoredSuggestion(Base):
    __tablename__ = "suggestions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[str] = mapped_column(ForeignKey("reports.id"), index=True)
    model_version: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)

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
    urgent: Mapped[bool | None] = mapped_column(Boolean)
    duplicate_of: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)
    suggested_channel: Mapped[str | None] = mapped_column(String(32))
    suggested_topic: Mapped[str | None] = mapped_column(String(200))
    suggested_agency: Mapped[str | None] = mapped_column(String(200))
    suggested_urgent: Mapped[bool | None] = mapped_column(Boolean)
    model_version: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)

    report: Mapped[StoredReport] = relationship(back_populates="decisions")
    user: Mapped[User] = relationship()


_URGENT = func.coalesce(StoredReport.urgent, StoredReport.suggested_urgent)
"""Urgent as staff decided it, else as suggested."""
_QUEUE_ORDER = (
    case((StoredReport.status.in_(OPEN_STATUSES), 0), else_=1),
    _URGENT.desc(),
    StoredReport.received_at.asc(),
    StoredReport.id,
)
"""The triage order: open reports first, urgent ones first among them, then the oldest."""


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
    agency: str | None = None
    urgent: bool | None = None
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


def hash_api_key(key: str) -> str:
    """API keys are random 256-bit tokens, so a plain SHA-256 is a safe way to store them."""
    return hashlib.sha256(key.encode()).hexdigest()


def _set_sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _naive_local(moment: datetime) -> datetime:
    """The store keeps naive local times (the deployment's clock, like the exports do)."""
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


class Store:
    """The service's database. Every write commits before it returns."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, pool_pre_ping=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _set_sqlite_pragmas)

    def migrate(self) -> None:
        """Bring the database to the latest Alembic revision."""
        from alembic import command  # only migrations
        from alembic.config import Config  # only migrations

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(select(1))

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    # --- users and keys -------------------------------------------------------------------

    def add_user(self, name: str, role: str, password: str | None = None) -> Principal:
        if role not in ROLES:
            raise StoreError(f"unknown role {role!r} (expected one of {', '.join(ROLES)})")
        name = name.strip()
        if not name:
            raise StoreError("a user needs a name")
        with self.session() as session:
            user = User(
                name=name,
                role=role,
                password_hash=hash_password(password) if password else None,
                created_at=_now(),
            )
            session.add(user)
            try:
                session.commit()
            except IntegrityError as exc:
                raise StoreError(f"user {name!r} already exists") from exc
            return Principal(user.id, user.name, user.role)

    def set_password(self, name: str, password: str) -> None:
        with self.session() as session:
            user = session.scalar(select(User).where(User.name == name))
            if user is None:
                raise StoreError(f"no user {name!r}")
            user.password_hash = hash_password(password)
            session.commit()

    def user(self, name: str) -> Principal | None:
        with self.session() as session:
            user = session.scalar(select(User).where(User.name == name, User.active))
            return Principal(user.id, user.name, user.role) if user else None

    def users(self) -> list[User]:
        with self.session() as session:
            return list(session.scalars(select(User).order_by(User.id)))

    def authenticate(self, name: str, password: str) -> Principal | None:
        """The user when the password matches (always spends one hash, found or not)."""
        with self.session() as session:
            user = session.scalar(select(User).where(User.name == name, User.active))
            stored = user.password_hash if user else None
            if not verify_password(stored, password) or user is None:
                return None
            return Principal(user.id, user.name, user.role)

    def add_api_key(self, name: str) -> str:
        """A new key for user ``name``; only its hash is kept, so this is the one time it is
        seen."""
        key = "lpr_" + secrets.token_urlsafe(32)
        with self.session() as session:
            user = session.scalar(select(User).where(User.name == name))
            if user is None:
                raise StoreError(f"no user {name!r}")
            session.add(
                ApiKey(
                    user_id=user.id, key_hash=hash_api_key(key), prefix=key[:8], created_at=_now()
                )
            )
            session.commit()
        return key

    def principal_for_key(self, key: str) -> Principal | None:
        with self.session() as session:
            found = session.scalar(
                select(ApiKey).where(
                    ApiKey.key_hash == hash_api_key(key), ApiKey.revoked.is_(False)
                )
            )
            if found is None or not found.user.active:
                return None
            return Principal(found.user.id, found.user.name, found.user.role)

    def principal(self, user_id: int) -> Principal | None:
        with self.session() as session:
            user = session.get(User, user_id)
            return Principal(user.id, user.name, user.role) if user and user.active else None

    # --- reports ---------------------------------------------------------------------------

    def add_report(
        self, report: Report, suggestion: Suggestion, received_at: datetime | None = None
    ) -> StoredReport:
        """Store a received report (masked where it entered: ``Report.masked()``) with its
        suggestion; its SLA clock starts now."""
        received = received_at or _now()
        created = _naive_local(report.created_at) if report.created_at else received
        urgent = suggestion.urgent
        row = StoredReport(
            id=report.id,
            title=report.title,
            text=report.text,
            created_at=created,
            received_at=received,
            source=report.source,
            province=report.province,
            regency=report.regency,
            district=report.district,
            village=report.village,
            address=report.address,
            status="new",
            forward_due_at=add_working_days(received, FORWARD_DAYS),
            suggested_agency=suggestion.labels().get("agency"),
            suggested_topic=suggestion.labels().get("topic"),
            suggested_urgent=bool(urgent and urgent.flag),
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
                session.commit()
            except IntegrityError as exc:
                raise StoreError(f"report {report.id!r} already exists") from exc
        return self.report(report.id)  # type: ignore[return-value]

    def queue_size(self) -> int:
        with self.session() as session:
            return session.scalar(select(func.count()).select_from(StoredReport)) or 0

    def has_report(self, report_id: str) -> bool:
        with self.session() as session:
            return session.get(StoredReport, report_id) is not None

    def report(self, report_id: str) -> StoredReport | None:
        """One report with its suggestions and decisions loaded."""
        with self.session() as session:
            return session.scalar(
                select(StoredReport)
                .where(StoredReport.id == report_id)
                .options(
                    selectinload(StoredReport.suggestions),
                    selectinload(StoredReport.decisions).selectinload(Decision.user),
                )
            )

    def queue(
        self, where: QueueFilter, now: datetime | None = None
    ) -> tuple[list[StoredReport], int]:
        """Reports matching ``where``: urgent first, then the oldest (the SLA clock)."""
        now = now or _now()
        query = select(StoredReport)
        if where.statuses:
            query = query.where(StoredReport.status.in_(where.statuses))
        if where.agency:
            query = query.where(
                func.coalesce(StoredReport.agency, StoredReport.suggested_agency) == where.agency
            )
        if where.urgent is not None:
            query = query.where(_URGENT.is_(where.urgent))
        overdue = or_(
            (StoredReport.status.in_(OPEN_STATUSES)) & (StoredReport.forward_due_at < now),
            (StoredReport.status == "dispositioned") & (StoredReport.response_due_at < now),
        )
        if where.overdue is True:
            query = query.where(overdue)
        elif where.overdue is False:
            query = query.where(~overdue)
        with self.session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            rows = session.scalars(
                query.order_by(*_QUEUE_ORDER)
                .offset((where.page - 1) * where.page_size)
                .limit(where.page_size)
                .options(selectinload(StoredReport.suggestions))
            ).all()
        return list(rows), int(total)

    def recent_reports(self, days: int) -> list[Report]:
        """Reports received in the last ``days`` days (to seed the duplicate index)."""
        return self.reports_since(_now() - timedelta(days=days))

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
        """The next report in the queue order that is still open (for "accept and next")."""
        with self.session() as session:
            return session.scalar(
                select(StoredReport.id)
                .where(StoredReport.status.in_(OPEN_STATUSES), StoredReport.id != after_id)
                .order_by(*_QUEUE_ORDER)
                .limit(1)
            )

    # --- decisions -------------------------------------------------------------------------

    def add_decision(
        self,
        report_id: str,
        principal: Principal,
        decision: DecisionInput,
        at: datetime | None = None,
    ) -> Decision:
        """Record a staff decision (made now, or ``at`` for imported history) and move the
        report on: with an agency decided it is forwarded (dispositioned) and its follow-up
        clock starts. Committed before returning."""
        now = at or _now()
        with self.session() as session:
            row = session.get(StoredReport, report_id, with_for_update=True)
            if row is None:
                raise KeyError(report_id)
            stored = session.scalars(
                select(StoredSuggestion)
                .where(StoredSuggestion.report_id == report_id)
                .order_by(StoredSuggestion.id.desc())
                .limit(1)
            ).first()
            suggestion = Suggestion.model_validate(stored.payload) if stored else None
            suggested = suggestion.labels() if suggestion is not None else {}
            final = dict(suggested) if decision.action == "accept" else {}
            for field in TASKS:
                value = getattr(decision, field)
                if value is not None:
                    final[field] = value
            record = Decision(
                report_id=report_id,
                user_id=principal.id,
                action=decision.action,
                channel=final.get("channel"),
                topic=final.get("topic"),
                agency=final.get("agency"),
                urgent=final.get("urgent"),
                duplicate_of=decision.duplicate_of,
                note=mask_pii(decision.note) if decision.note else None,
                suggested_channel=suggested.get("channel"),
                suggested_topic=suggested.get("topic"),
                suggested_agency=suggested.get("agency"),
                suggested_urgent=suggested.get("urgent"),
                model_version=suggestion.model_version if suggestion else None,
                created_at=now,
            )
            session.add(record)
            for field in TASKS:
                if final.get(field) is not None:
                    setattr(row, field, final[field])
            if decision.duplicate_of:
                row.duplicate_of = decision.duplicate_of
            if row.agency and row.status in OPEN_STATUSES:
                row.status = "dispositioned"
                row.dispositioned_at = now
                row.response_due_at = add_working_days(now, FOLLOW_UP_DAYS)
            elif row.status == "new":
                row.status = "verified"
            session.commit()
            session.refresh(record)
            return record

    def history(self) -> pd.DataFrame:
        """Every report with its time stamps, latest suggestion and latest decision, as the
        history frame of :mod:`pipeline.kpi` (and the decisions retraining learns from)."""
        rows = []
        with self.session() as session:
            reports = session.scalars(
                select(StoredReport).options(
                    selectinload(StoredReport.suggestions), selectinload(StoredReport.decisions)
                )
            )
            for report in reports:
                suggestion = report.suggestion
                decision = report.decisions[-1] if report.decisions else None
                rows.append(
                    {
                        "id": report.id,
                        "agency": report.agency,
                        "topic": report.topic,
                        "channel": report.channel,
                        "received_at": report.received_at,
                        "dispositioned_at": report.dispositioned_at,
                        "responded_at": report.responded_at,
                        "closed_at": report.closed_at,
                        "suggested_agency": report.suggested_agency,
                        "suggested_topic": report.suggested_topic,
                        "suggested_channel": suggestion.labels().get("channel")
                        if suggestion
                        else None,
                        "agency_decision": suggestion.agency.decision
                        if suggestion and suggestion.agency
                        else None,
                        "decided_at": decision.created_at if decision else None,
                    }
                )
        return pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))

    def record_progress(self, report_id: str, status: str, at: datetime | None = None) -> None:
        """The OPD followed the report up (``responded``) or it was ``closed``: the stages the
        follow-up KPIs measure. Committed before returning."""
        if status not in ("responded", "closed"):
            raise StoreError(f"unknown progress {status!r} (expected responded or closed)")
        now = at or _now()
        with self.session() as session:
            row = session.get(StoredReport, report_id, with_for_update=True)
            if row is None:
                raise KeyError(report_id)
            if status == "responded":
                if row.status not in (*OPEN_STATUSES, "dispositioned"):
                    raise StoreError(f"report {report_id!r} is already {row.status}")
                row.responded_at = now
            else:
                if row.status == "closed":
                    raise StoreError(f"report {report_id!r} is already closed")
                row.closed_at = now
            row.status = status
            session.commit()

    def decided_reports(self) -> list[Report]:
        """Reports a person has decided, labelled with that (latest) decision: training data.
        A label the decision left open stays empty; the model's own suggestion is never used
        as truth."""
        out = []
        with self.session() as session:
            rows = session.scalars(
                select(StoredReport)
                .where(StoredReport.decisions.any())
                .options(selectinload(StoredReport.decisions))
            )
            for row in rows:
                decision = row.decisions[-1]
                out.append(
                    row.as_report().model_copy(
                        update={
                            "channel": decision.channel,
                            "topic": decision.topic,
                            "agency": decision.agency,
                            "urgent": decision.urgent,
                            "duplicate_of": decision.duplicate_of,
                        }
                    )
                )
        return out

    def decisions(self, since: datetime | None = None) -> list[Decision]:
        with self.session() as session:
            query = select(Decision).order_by(Decision.id).options(selectinload(Decision.user))
            if since is not None:
                query = query.where(Decision.created_at >= since)
            return list(session.scalars(query))
