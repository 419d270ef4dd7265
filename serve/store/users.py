"""Users, their passwords and API keys."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from serve.db.tables import ApiKey, User
from serve.passwords import check_password
from serve.store.records import (
    Principal,
    StoreError,
    check_role,
    check_user_name,
    now_local,
    token_digest,
)
from serve.store.sessions import SessionStore, end_user_sessions, record_audit


@dataclass(frozen=True)
class KeyInfo:
    """An API key as admins see it: never the key, only its id and first characters."""

    id: int
    user: str
    prefix: str
    created_at: datetime
    revoked: bool


def _user(session: Session, name: str) -> User:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise StoreError(code="user.unknown", name=name)
    return user


class UserStore(SessionStore):
    def add_user(
        self, name: str, role: str, password: str | None = None, actor: str = "system"
    ) -> Principal:
        check_role(role)
        if password is not None:
            check_password(password)
        name = name.strip()
        check_user_name(name)
        with self.session() as session:
            user = User(
                name=name,
                role=role,
                password_hash=self.passwords.hash(password) if password else None,
                created_at=now_local(),
            )
            session.add(user)
            record_audit(session, actor, "add_user", name, f"role {role}")
            try:
                session.commit()
            except IntegrityError as exc:
                raise StoreError(code="user.exists", name=name) from exc
            return Principal(user.id, user.name, user.role)

    def set_password(self, name: str, password: str, actor: str = "system") -> None:
        """A new password; every session of the user ends (a stolen cookie with it)."""
        check_password(password)
        with self.session() as session:
            user = _user(session, name)
            user.password_hash = self.passwords.hash(password)
            end_user_sessions(session, user.id)
            record_audit(session, actor, "set_password", name)
            session.commit()

    def set_active(self, name: str, active: bool, actor: str = "system") -> User:
        """Deactivate (sessions end, keys stop working) or reactivate a user. The last active
        admin cannot be deactivated: nobody could then manage accounts without SQL."""
        with self.session() as session:
            user = _user(session, name)
            if not active and actor == name:
                raise StoreError(code="user.deactivate_self")
            if user.active == active:
                code = "user.already_active" if active else "user.already_inactive"
                raise StoreError(code=code, name=name)
            if not active and user.role == "admin":
                admins = session.scalar(
                    select(func.count()).where(User.role == "admin", User.active)
                )
                if admins <= 1:
                    raise StoreError(code="user.last_admin", name=name)
            user.active = active
            if not active:
                end_user_sessions(session, user.id)
            record_audit(session, actor, "activate" if active else "deactivate", name)
            session.commit()
            return user

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
            if not self.passwords.verify(stored, password) or user is None:
                return None
            return Principal(user.id, user.name, user.role)

    def add_api_key(self, name: str, actor: str = "system") -> str:
        """A new key for user ``name``; only its hash is kept, so this is the one time it is
        seen."""
        key = "lpr_" + secrets.token_urlsafe(32)
        with self.session() as session:
            user = _user(session, name)
            session.add(
                ApiKey(
                    user_id=user.id,
                    key_hash=token_digest(key),
                    prefix=key[:8],
                    created_at=now_local(),
                )
            )
            record_audit(session, actor, "add_key", name, key[:8])
            session.commit()
        return key

    def keys(self, name: str | None = None) -> list[KeyInfo]:
        """API keys (of one user, or all), oldest first."""
        with self.session() as session:
            query = select(ApiKey, User.name).join(User).order_by(ApiKey.id)
            if name is not None:
                query = query.where(User.name == _user(session, name).name)
            return [
                KeyInfo(key.id, user, key.prefix, key.created_at, key.revoked)
                for key, user in session.execute(query)
            ]

    def revoke_key(self, key: str, actor: str = "system", keep: str | None = None) -> KeyInfo:
        """Revoke a key named by its id (``lapor users keys``) or given whole (a leaked one);
        never ``keep``, the key the request was made with (that would lock the caller out)."""
        with self.session() as session:
            if key.startswith("lpr_"):
                digest = token_digest(key)
                found = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest))
            else:
                found = session.get(ApiKey, int(key)) if key.isdigit() else None
            if found is None:
                raise StoreError(code="key.unknown", key=key[:8])
            if keep is not None and found.key_hash == token_digest(keep):
                raise StoreError(code="key.in_use")
            if found.revoked:
                raise StoreError(code="key.revoked", key_id=found.id)
            found.revoked = True
            record_audit(
                session, actor, "revoke_key", found.user.name, f"key {found.id} {found.prefix}"
            )
            session.commit()
            return KeyInfo(found.id, found.user.name, found.prefix, found.created_at, True)

    def principal_for_key(self, key: str) -> Principal | None:
        with self.session() as session:
            found = session.scalar(
                select(ApiKey).where(
                    ApiKey.key_hash == token_digest(key), ApiKey.revoked.is_(False)
                )
            )
            if found is None or not found.user.active:
                return None
            return Principal(found.user.id, found.user.name, found.user.role)
