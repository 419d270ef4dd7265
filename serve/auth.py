"""Who may call what: API keys (``X-API-Key``) for machine clients, login sessions for the UI.

Passwords are hashed with Argon2id (:mod:`serve.passwords`); API keys are stored as SHA-256
hashes. Roles: ``staff`` (queue, decisions) and ``admin`` (also models and users).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated

from cachetools import TTLCache
from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader
from starlette.concurrency import run_in_threadpool

from serve.deps import KeyCacheDep, SettingsDep, StoreDep
from serve.store import Store
from serve.store.records import Principal, token_digest

api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="A key from `lapor users add NAME --api-key`."
)


KEY_CACHE_SECONDS = 30
"""A verified API key is trusted this long without asking the store (a revoked key stops
working within this time); saves a database round trip on every API call."""


def key_cache() -> TTLCache:
    return TTLCache(maxsize=10_000, ttl=KEY_CACHE_SECONDS)


async def api_principal(
    request: Request,
    store: StoreDep,
    cache: KeyCacheDep,
    key: Annotated[str | None, Security(api_key_header)],
) -> Principal:
    """The caller of an API endpoint, from its key: 401 without a valid one."""
    if not key:
        raise HTTPException(401, "missing API key: send it in the X-API-Key header")
    digest = token_digest(key)
    principal = cache.get(digest)
    if principal is None:
        principal = await run_in_threadpool(store.principal_for_key, key)
        if principal is None:
            raise HTTPException(401, "invalid or revoked API key")
        cache[digest] = principal
    request.state.user = principal.name
    return principal


async def metrics_reader(
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    cache: KeyCacheDep,
    key: Annotated[str | None, Security(api_key_header)],
) -> Principal | None:
    """Who may read the metrics: anyone with a key, or anyone at all when the deployment opened
    them (``LAPOR_METRICS_OPEN``)."""
    if settings.metrics_open:
        return None
    return await api_principal(request, store, cache, key)


MetricsReader = Annotated[Principal | None, Depends(metrics_reader)]


def require(role: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency that lets ``role`` (or an admin) through and answers 403 to anyone else."""

    async def check(principal: Annotated[Principal, Depends(api_principal)]) -> Principal:
        if not principal.may(role):
            raise HTTPException(403, f"this needs the {role} role (you are {principal.role})")
        return principal

    return check


SESSION_TOKEN = "sid"
"""The key of the server-side session's token in the signed cookie."""


def session_principal(request: Request, store: Store) -> Principal | None:
    """The user logged in to the UI, if any: the cookie's token must name a live session on the
    server (logout, a password change or deactivation ends it; a copied cookie dies with it)."""
    token = request.session.get(SESSION_TOKEN)
    if not isinstance(token, str):
        return None
    principal = store.session_principal(token)
    if principal is not None:
        request.state.user = principal.name
    return principal


def start_session(request: Request, store: Store, principal: Principal, hours: float) -> None:
    """Log in: the session the cookie held before ends, and a fresh one (with a fresh CSRF
    token) starts, so a session fixed before login is never the logged-in one."""
    end_session(request, store)
    request.session[SESSION_TOKEN] = store.open_session(principal.id, hours)


def end_session(request: Request, store: Store) -> None:
    token = request.session.get(SESSION_TOKEN)
    if isinstance(token, str):
        store.end_session(token)
    request.session.clear()


def csrf_token(request: Request) -> str:
    """The session's anti-forgery token for the UI's forms (made on first use)."""
    token = request.session.get("csrf")
    if token is None:
        token = secrets.token_urlsafe(24)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise HTTPException(403, "the form has expired: reload the page and try again")


StaffCaller = Annotated[Principal, Depends(require("staff"))]
"""An API caller with the staff (or admin) role."""
AdminCaller = Annotated[Principal, Depends(require("admin"))]
"""An API caller with the admin role."""
