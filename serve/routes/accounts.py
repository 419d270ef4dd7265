"""The admins' page of accounts (``/pengguna``): users with their keys, forms to add a user,
deactivate or reactivate one, reset a password, make or revoke an API key, and the audit trail
of every such change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException

from core.errors import LaporError
from serve.auth import check_csrf
from serve.deps import KeyCacheDep, StoreDep
from serve.messages import wording
from serve.read_models import audit_out, user_out
from serve.routes.forms import refuse_nul_in_forms
from serve.routes.ui import AdminUser, flash_to, render
from serve.routes.wording import AUDIT_NAMES
from serve.store.records import ROLES

router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul_in_forms)])


def _page(request: Request, store: StoreDep, user: AdminUser, new_key: str | None = None):
    return render(
        request, "pengguna.html", user=user, users=[user_out(u) for u in store.users()],
        keys=store.keys(), events=[audit_out(e) for e in store.audit_events(100)], roles=ROLES,
        ACTION_NAMES=AUDIT_NAMES, new_key=new_key,
    )  # fmt: skip


@router.get("/pengguna", response_class=HTMLResponse)
def accounts_page(request: Request, store: StoreDep, user: AdminUser) -> Response:
    return _page(request, store, user)


@router.post("/pengguna")
def change_account(
    request: Request,
    store: StoreDep,
    cache: KeyCacheDep,
    user: AdminUser,
    change: Annotated[str, Form(max_length=32)],
    csrf: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=64)] = "",
    role: Annotated[str, Form(max_length=16)] = "staff",
    password: Annotated[str, Form(max_length=200)] = "",
    key: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """One change, recorded in the audit trail with the admin's name. A new API key is shown
    on the answer page, once (never put in the session cookie)."""
    check_csrf(request, csrf)
    name = name.strip()
    try:
        if change == "add_user":
            store.add_user(name, role, password or None, actor=user.name)
            done = f"Pengguna {name} ditambahkan."
        elif change in ("activate", "deactivate"):
            store.set_active(name, change == "activate", actor=user.name)
            done = f"Pengguna {name} {'diaktifkan' if change == 'activate' else 'dinonaktifkan'}."
        elif change == "set_password":
            store.set_password(name, password, actor=user.name)
            done = f"Kata sandi {name} diganti; semua sesinya berakhir."
        elif change == "add_key":
            new_key = store.add_api_key(name, actor=user.name)
            return _page(request, store, user, new_key=new_key)
        elif change == "revoke_key":
            revoked = store.revoke_key(key, actor=user.name)
            done = f"Kunci API {revoked.id} milik {revoked.user} dicabut."
        else:
            raise HTTPException(422, "Perubahan tidak dikenal.")
    except LaporError as exc:
        return flash_to(request, "/pengguna", "error", f"Tidak disimpan: {wording(exc, 'id')}")
    cache.clear()
    return flash_to(request, "/pengguna", "ok", done)
