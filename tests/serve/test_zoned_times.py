"""Times in the store carry their offset: PostgreSQL keeps timestamptz, SQLite keeps UTC, and
the code above the store reads the deployment's wall clock; an older store is converted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from core.clock import use_zone
from core.schema import Report
from models.router import Router
from serve.db.engine import MIGRATIONS
from serve.db.tables import User
from serve.store import Store
from tests.conftest import CHEAP_PASSWORDS
from tests.serve.conftest import KUTIM
from tests.serve.postgres import new_database

pytestmark = pytest.mark.slow

FILED = datetime(2026, 11, 20, 9, 30)
"""09:30 in Kutai Timur (WITA, UTC+8) is 01:30 UTC."""


@pytest.fixture
def wita() -> Iterator[None]:
    use_zone("WITA")
    yield
    use_zone("WIB")


def raw_received_at(store: Store, report_id: str) -> datetime:
    with store.engine.connect() as connection:
        value = connection.execute(
            text("SELECT received_at FROM reports WHERE id = :id"), {"id": report_id}
        ).scalar_one()
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def test_a_time_is_stored_as_its_instant_and_read_as_the_wall_clock(
    store: Store, router: Router, wita: None
) -> None:
    report = Report(id="A", text="Lampu jalan mati sejak seminggu.", **KUTIM)
    store.add_report(report, router.predict([report])[0], received_at=FILED)
    stored = raw_received_at(store, "A")
    if store.engine.dialect.name == "postgresql":
        assert stored == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    else:
        assert stored == datetime(2026, 11, 20, 1, 30)
    assert store.report("A").received_at == FILED
    use_zone("WIB")  # the same moment in another zone: an hour earlier on the wall clock
    assert store.report("A").received_at == datetime(2026, 11, 20, 8, 30)


def test_an_aware_time_is_stored_as_the_same_instant(
    store: Store, router: Router, wita: None
) -> None:
    report = Report(id="B", text="Sampah menumpuk di pasar.", **KUTIM)
    in_jakarta = datetime(2026, 11, 20, 8, 30, tzinfo=ZoneInfo("Asia/Jakarta"))
    store.add_report(report, router.predict([report])[0], received_at=in_jakarta)
    assert store.report("B").received_at == FILED


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_the_migration_converts_wall_clock_times_of_an_older_store(
    dialect: str, tmp_path: Path, request: pytest.FixtureRequest, wita: None
) -> None:
    url = (
        f"sqlite:///{tmp_path / 'old.db'}"
        if dialect == "sqlite"
        else new_database(request.getfixturevalue("postgres"))
    )
    store = Store(url, passwords=CHEAP_PASSWORDS)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
        connection.execute(
            text(
                "INSERT INTO users (name, role, active, created_at) "
                "VALUES ('siti', 'staff', :active, :created)"
            ),
            {"active": True, "created": "2026-11-20 09:30:00.000000"},
        )
    store.migrate()
    with store.engine.connect() as connection:
        raw = connection.execute(text("SELECT created_at FROM users")).scalar_one()
    if dialect == "sqlite":
        assert raw == "2026-11-20 01:30:00.000000"
    else:
        assert raw == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    with store.session() as session:
        assert session.scalars(select(User.created_at)).one() == FILED
    store.close()
