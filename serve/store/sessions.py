"""UI login sessions kept on the server, and the audit trail of accounts and keys."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from serve.db.tables import AuditEvent, LoginSession, User
from serve.store.base import StoreBase
from serve.store.records import Principal, now_local, token_digest


def record_audit(
    session: Session, actor: str, action: str, target: str, detail: str | None = None
) -> None:
    """An audit event, in the same transaction as the change it records."""
    session.add(AuditEvent(at=now_local(), actor=actor, action=action, target=target,
                           detail=detail))  # fmt: skip


def end_user_sessions(session: Session, user_id: int) -> None:
    """End every live session of a user (password change, deactivation), in ``session``'s
    transaction."""
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now_local())
    )


class SessionStore(StoreBase):
    def open_session(self, user_id: int, hours: float) -> str:
        """A new session for the user, valid ``hours``; the token is returned once (the cookie
        carries it) and only its hash is kept."""
        token = secrets.token_urlsafe(32)
        now = now_local()
        with self.session() as session:
            session.add(
                LoginSession(
                    token_hash=token_digest(token),
                    user_id=user_id,
                    created_at=now,
                    expires_at=now + timedelta(hours=hours),
                )
            )
            session.commit()
        return token

    def session_principal(self, token: str) -> Principal | None:
        """The user of a live session: not revoked, not expired, the user still active."""
        with self.session() as session:
            found = session.scalar(
                select(LoginSession).where(
                    LoginSession.token_hash == token_digest(token),
                    LoginSession.revoked_at.is_(None),
                    LoginSession.expires_at > now_local(),
                )
            )
            user = session.get(User, found.user_id) if found else None
            return Principal(user.id, user.name, user.role) if user and user.active else None

    def end_session(self, token: str) -> None:
        with self.session() as session:
            session.execute(
                update(LoginSession)
                .where(LoginSession.token_hash == token_digest(token))
                .where(LoginSession.revoked_at.is_(None))
                .values(revoked_at=now_local())
            )
            session.commit()

    def audit_events(self, limit: int = 200) -> list[AuditEvent]:
        """The newest first."""
        with self.session() as session:
            query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
            return list(session.scalars(query))
