"""Users, their API keys and the audit trail of accounts (admins). Every change is recorded
with who made it; a deactivated user's sessions end and keys stop at once."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, Security

from serve.auth import AdminCaller, api_key_header
from serve.deps import KeyCacheDep, StoreDep
from serve.read_models import audit_out, user_out
from serve.routes import API_PREFIX, WITH_BODY, error
from serve.schemas import AuditOut, KeyOut, NewKeyOut, PasswordIn, UserIn, UserOut

router = APIRouter(prefix=API_PREFIX, tags=["users"], responses=WITH_BODY)
CHANGES = {409: error("The change cannot be made (unknown user or key, already done, ...).")}


@router.get("/users", response_model=list[UserOut])
def list_users(store: StoreDep, _: AdminCaller) -> list[UserOut]:
    return [user_out(u) for u in store.users()]


@router.post("/users", response_model=UserOut, status_code=201, responses=CHANGES)
def add_user(body: UserIn, store: StoreDep, admin: AdminCaller) -> UserOut:
    """Create a user: with a password for the UI, and/or ``api_key`` for a machine client
    (the key is in this answer only; just its hash is stored). 409 when the name is taken."""
    principal = store.add_user(body.name, body.role, body.password, actor=admin.name)
    key = store.add_api_key(principal.name, actor=admin.name) if body.api_key else None
    return UserOut(
        name=principal.name, role=principal.role, password=bool(body.password), api_key=key
    )


@router.post("/users/{name}/deactivate", response_model=UserOut, responses=CHANGES)
def deactivate(name: str, store: StoreDep, cache: KeyCacheDep, admin: AdminCaller) -> UserOut:
    """The user can no longer log in or call the API: sessions end and keys stop at once."""
    user = store.set_active(name, False, actor=admin.name)
    cache.clear()
    return user_out(user)


@router.post("/users/{name}/activate", response_model=UserOut, responses=CHANGES)
def activate(name: str, store: StoreDep, admin: AdminCaller) -> UserOut:
    return user_out(store.set_active(name, True, actor=admin.name))


@router.put("/users/{name}/password", status_code=204, responses=CHANGES)
def set_password(name: str, body: PasswordIn, store: StoreDep, admin: AdminCaller) -> Response:
    """Reset a password; every session of the user ends."""
    store.set_password(name, body.password, actor=admin.name)
    return Response(status_code=204)


@router.post("/users/{name}/keys", response_model=NewKeyOut, status_code=201, responses=CHANGES)
def add_key(name: str, store: StoreDep, admin: AdminCaller) -> NewKeyOut:
    return NewKeyOut(api_key=store.add_api_key(name, actor=admin.name))


@router.get("/keys", response_model=list[KeyOut], responses=CHANGES)
def list_keys(
    store: StoreDep, _: AdminCaller, user: Annotated[str | None, Query(max_length=64)] = None
) -> list[KeyOut]:
    """API keys (of one user, or all): ids and first characters, never the keys."""
    return [KeyOut(**vars(key)) for key in store.keys(user)]


@router.delete("/keys/{key_id}", response_model=KeyOut, responses=CHANGES)
def revoke_key(
    key_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    store: StoreDep,
    cache: KeyCacheDep,
    admin: AdminCaller,
    own_key: Annotated[str | None, Security(api_key_header)],
) -> KeyOut:
    """Revoke a key: it stops working at once (409 for the key this request is made with)."""
    key = store.revoke_key(str(key_id), actor=admin.name, keep=own_key)
    cache.clear()
    return KeyOut(**vars(key))


@router.get("/audit", response_model=list[AuditOut])
def audit_trail(
    store: StoreDep, _: AdminCaller, limit: Annotated[int, Query(ge=1, le=1_000)] = 200
) -> list[AuditOut]:
    """Who changed which account or key, and when; newest first."""
    return [audit_out(event) for event in store.audit_events(limit)]
