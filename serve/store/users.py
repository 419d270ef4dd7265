"""Users, their passwords and API keys."""

from __future__ import annotations

import secrets

from sqlalchemy import (
    select,
)
from sqlalchemy.exc import IntegrityError

from serve.db.tables import ApiKey, User
from serve.passwords import check_password, hash_password, verify_password
from serve.store.base import StoreBase
from serve.store.records import Principal, StoreError, check_role, hash_api_key, now_local


class UserStore(StoreBase):
    def add_user(self, name: str, role: str, password: str | None = None) -> Principal:
        check_role(role)
        if password is not None:
            check_password(password)
        name = name.strip()
        if not name:
            raise StoreError("a user needs a name")
        with self.session() as session:
            user = User(
                name=name,
                role=role,
                password_hash=hash_password(password) if password else None,
                created_at=now_local(),
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
            check_password(password)
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
                    user_id=user.id,
                    key_hash=hash_api_key(key),
                    prefix=key[:8],
                    created_at=now_local(),
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
