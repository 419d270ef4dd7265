"""`lapor users`: accounts of the service and their API keys."""

from __future__ import annotations

import getpass
from contextlib import closing
from typing import Annotated

import typer
from rich.table import Table

from cli.common import (
    console,
    open_store,
    user_errors,
)
from core.errors import LaporError

app = typer.Typer(help="Users of the service and their API keys.", no_args_is_help=True)
NameArgument = Annotated[str, typer.Argument(help="Login name.")]


def actor() -> str:
    """Who made a change from the command line, as the audit trail records it."""
    return f"cli:{getpass.getuser()}"


@app.command("add")
@user_errors
def users_add(
    name: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option("--role", help="staff or admin.")] = "staff",
    api_key: Annotated[
        bool, typer.Option("--api-key", help="Create an API key instead of asking a password.")
    ] = False,
) -> None:
    """Create a user: asks for a password (UI login), or with --api-key prints a new key as the
    last word of the output (an existing user gets an extra key)."""
    from serve.store.records import check_role

    check_role(role)
    store = open_store()
    try:
        if api_key:
            existing = store.user(name)
            if existing is None:
                store.add_user(name, role, actor=actor())
            elif existing.role != role:
                raise LaporError(f"user {name!r} exists with role {existing.role}")
            key = store.add_api_key(name, actor=actor())
            console.print(f"API key for {name} ({role}), shown once: {key}", highlight=False)
            return
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        store.add_user(name, role, password, actor=actor())
        console.print(f"created {role} {name}")
    finally:
        store.close()


@app.command("list")
@user_errors
def users_list() -> None:
    """Users with their roles."""
    store = open_store()
    table = Table("name", "role", "password", "active", "created")
    for user in store.users():
        table.add_row(
            user.name, user.role, "yes" if user.password_hash else "-",
            "yes" if user.active else "no", f"{user.created_at:%Y-%m-%d %H:%M}",
        )  # fmt: skip
    store.close()
    console.print(table)


@app.command("deactivate")
@user_errors
def users_deactivate(name: NameArgument) -> None:
    """Stop a user: their UI sessions end at once, their API keys within 30 s."""
    with closing(open_store()) as store:
        store.set_active(name, False, actor=actor())
    console.print(f"deactivated {name}: sessions ended, API keys refused")


@app.command("activate")
@user_errors
def users_activate(name: NameArgument) -> None:
    """Let a deactivated user in again (their keys that were not revoked work again)."""
    with closing(open_store()) as store:
        store.set_active(name, True, actor=actor())
    console.print(f"activated {name}")


@app.command("set-password")
@user_errors
def users_set_password(name: NameArgument) -> None:
    """Set a new password (asked twice); every session of the user ends."""
    password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with closing(open_store()) as store:
        store.set_password(name, password, actor=actor())
    console.print(f"new password for {name}; their sessions ended")


@app.command("keys")
@user_errors
def users_keys(
    name: Annotated[str | None, typer.Argument(help="Only this user's keys.")] = None,
) -> None:
    """API keys: id, user, first characters, created, revoked (never the keys)."""
    with closing(open_store()) as store:
        keys = store.keys(name)
    table = Table("id", "user", "starts with", "created", "revoked")
    for key in keys:
        table.add_row(
            str(key.id), key.user, key.prefix, f"{key.created_at:%Y-%m-%d %H:%M}",
            "yes" if key.revoked else "-",
        )  # fmt: skip
    console.print(table)


@app.command("revoke-key")
@user_errors
def users_revoke_key(
    key: Annotated[str, typer.Argument(help="The key's id from `lapor users keys`, or the key.")],
) -> None:
    """Revoke an API key: the service refuses it within 30 s (at once for a revocation made
    through the admin API or UI)."""
    with closing(open_store()) as store:
        revoked = store.revoke_key(key, actor=actor())
    console.print(f"revoked key {revoked.id} ({revoked.prefix}…) of {revoked.user}")


@app.command("audit")
@user_errors
def users_audit(
    limit: Annotated[int, typer.Option("--limit", min=1, help="Newest events shown.")] = 50,
) -> None:
    """Who changed which account or key, and when (newest first)."""
    with closing(open_store()) as store:
        events = store.audit_events(limit)
    table = Table("when", "who", "what", "whom", "detail")
    for event in events:
        table.add_row(
            f"{event.at:%Y-%m-%d %H:%M:%S}", event.actor, event.action, event.target,
            event.detail or "",
        )  # fmt: skip
    console.print(table)
