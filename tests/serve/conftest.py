"""A service on a small Router with a duplicate index, an isolated store, and API keys."""

from __future__ import annotations

import copy
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.config import get_settings
from models.duplicates.index import DuplicateIndex
from models.duplicates.scorer import PairScorer
from models.router import Router
from models.triage import Triage
from serve.app import create_app, server_config
from serve.store import Store
from tests.conftest import CHEAP_PASSWORDS

KUTIM = {"regency": "Kutai Timur", "district": "Sangatta Utara", "village": "Swarga Bara"}


def service_triage(router: Router, scorer: PairScorer) -> Triage:
    """The shared Router (as version lapor-router/test) with a fresh, empty duplicate index."""
    served = copy.copy(router)
    served.version_ = "lapor-router/test"
    return Triage(served, DuplicateIndex(scorer))


@dataclass
class Service:
    client: TestClient
    store: Store
    staff: dict[str, str]
    admin: dict[str, str]

    def intake(self, text: str, **fields: object) -> dict:
        response = self.client.post(
            "/api/v1/reports", json={"text": text, **KUTIM, **fields}, headers=self.staff
        )
        assert response.status_code == 201, response.text
        return response.json()


@contextmanager
def running_service(
    router: Router, scorer: PairScorer, template: Path | None = None
) -> Iterator[Service]:
    """The service on the store the settings name, with a staff user and an admin; a SQLite
    store starts as a copy of ``template`` (already migrated) where one is given."""
    store_url = get_settings().store_url
    if template is not None and store_url.startswith("sqlite:///"):
        target = Path(store_url.removeprefix("sqlite:///"))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
        target.chmod(0o600)
    served = service_triage(router, scorer)
    app = create_app(get_settings(), load_triage=lambda: served)
    with TestClient(app, raise_server_exceptions=False) as client:
        store = app.state.store
        store.add_user("siti", "staff", "kata-sandi-siti")
        store.add_user("budi", "admin", "kata-sandi-budi")
        yield Service(
            client=client,
            store=store,
            staff={"X-API-Key": store.add_api_key("siti")},
            admin={"X-API-Key": store.add_api_key("budi")},
        )


@pytest.fixture(scope="session")
def migrated_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite store migrated per test process, copied for each service: migrating from
    scratch costs about 0.15 s, a store already at the head 0.01 s."""
    path = tmp_path_factory.mktemp("template") / "lapor.db"
    template = Store(f"sqlite:///{path}")
    template.migrate()
    template.close()
    return path


@pytest.fixture
def service(router: Router, pair_scorer: PairScorer, migrated_store: Path) -> Iterator[Service]:
    with running_service(router, pair_scorer, migrated_store) as running:
        yield running


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty store on SQLite alone (tests of rules, not of the databases)."""
    opened = Store(f"sqlite:///{tmp_path / 'store.db'}", passwords=CHEAP_PASSWORDS)
    opened.migrate()
    yield opened
    opened.close()


@pytest.fixture
def postgres_service(
    postgres: str, router: Router, pair_scorer: PairScorer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Service]:
    """The same service with its store on a fresh PostgreSQL database."""
    from tests.serve.postgres import new_database

    monkeypatch.setenv("LAPOR_DATABASE_URL", new_database(postgres))
    get_settings.cache_clear()
    with running_service(router, pair_scorer) as running:
        yield running


@contextmanager
def service_with(
    router: Router, monkeypatch: pytest.MonkeyPatch, **environment: str
) -> Iterator[TestClient]:
    """The service over the shared Router (no duplicate index), its settings read after the
    given environment variables are set: for tests of one setting."""
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    with TestClient(create_app(get_settings(), load_triage=lambda: Triage(router))) as client:
        yield client


@dataclass
class LiveServer:
    url: str
    service: Service


@pytest.fixture
def live_server(service: Service) -> Iterator[LiveServer]:
    """The same app served over real HTTP by uvicorn in a thread (for the browser and
    schemathesis)."""
    import socket
    import threading
    import time

    import uvicorn

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(server_config(service.client.app, "127.0.0.1", port, lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    yield LiveServer(f"http://127.0.0.1:{port}", service)
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    from tests.serve.postgres import postgres_server

    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty store on SQLite and on a fresh PostgreSQL database."""
    from tests.serve.postgres import new_database

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = new_database(request.getfixturevalue("postgres"))
    opened = Store(url, passwords=CHEAP_PASSWORDS)
    opened.migrate()
    yield opened
    opened.close()
