"""A throwaway PostgreSQL server (Debian's postgresql, installed by `make setup`) for the
store's tests: started in a temporary folder on a Unix socket, removed afterwards."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        pytest.fail(
            "PostgreSQL's server is not installed: `make setup` installs Debian's postgresql"
        )
    return found[-1].parent


@contextmanager
def postgres_server() -> Iterator[str]:
    """A running server; yields a libpq-style base URL (``postgresql+psycopg://...``) without
    a database name."""
    bin_dir = _bin_dir()
    base = Path(tempfile.mkdtemp(prefix="lapor-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as Debian's postgres user
        shutil.chown(base, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = base / "data"

    def run(*command: str) -> None:
        subprocess.run([*as_postgres, *command], check=True, capture_output=True, timeout=120)

    run(
        str(bin_dir / "initdb"),
        "-D",
        str(data),
        "-A",
        "trust",
        "-U",
        "lapor",
        "--no-locale",
        "-E",
        "UTF8",
    )
    run(
        str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-l", str(base / "server.log"),
        "-o", f"-k {base} -p {port} -c listen_addresses='' -c fsync=off", "start",
    )  # fmt: skip
    try:
        yield f"postgresql+psycopg://lapor@/{{database}}?host={base}&port={port}"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)


def new_database(server_url: str) -> str:
    """A fresh, empty database on the server; its SQLAlchemy URL."""
    import psycopg

    name = f"t_{uuid.uuid4().hex[:12]}"
    query = server_url.split("?", 1)[1]
    params = dict(part.split("=", 1) for part in query.split("&"))
    with psycopg.connect(
        dbname="postgres", user="lapor", host=params["host"], port=params["port"], autocommit=True
    ) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return server_url.format(database=name)
