"""`lapor users`: accounts of the service and their API keys."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cli.common import (
    console,
    open_store,
    user_errors,
)
from core.errors import LaporError
from serve.store.records import check_role

app = typer.Typer(help="Users of the service and their API keys.", no_args_is_help=True)


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
    check_role(role)
    store = open_store()
    try:
        if api_key:
            existing = store.user(name)
            if existing is None:
                store.add_user(name, role)
            elif existing.role != role:
                raise LaporError(f"user {name!r} exists with role {existing.role}")
            key = store.add_api_key(name)
            console.print(f"API key for {name} ({role}), shown once: {key}", highlight=False)
            return
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        store.add_user(name, role, password)
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
