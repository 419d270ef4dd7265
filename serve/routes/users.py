"""Users and API keys (admins)."""

from __future__ import annotations

from fastapi import APIRouter

from serve.auth import AdminCaller
from serve.deps import StoreDep
from serve.routes import API_PREFIX
from serve.schemas import UserIn, UserOut

router = APIRouter(prefix=API_PREFIX, tags=["users"])


@router.get("/users", response_model=list[UserOut])
def list_users(store: StoreDep, _: AdminCaller) -> list[UserOut]:
    return [UserOut(name=u.name, role=u.role) for u in store.users()]


@router.post("/users", response_model=UserOut, status_code=201, responses={409: {}})
def add_user(body: UserIn, store: StoreDep, _: AdminCaller) -> UserOut:
    """Create a user: with a password for the UI, and/or ``api_key`` for a machine client
    (the key is in this answer only; just its hash is stored). 409 when the name is taken."""
    principal = store.add_user(body.name, body.role, body.password)
    key = store.add_api_key(principal.name) if body.api_key else None
    return UserOut(name=principal.name, role=principal.role, api_key=key)
