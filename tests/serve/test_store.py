"""The store on SQLite and on a real PostgreSQL server: migrations, reports, the queue, decisions,
users; and a decision acknowledged over HTTP survives the server being killed at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import joblib
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from core.schema import Report
from core.suggestion import Suggestion
from models.router import Router
from models.triage import Triage
from serve.db.tables import Base
from serve.passwords import PasswordPolicyError
from serve.store import Store
from serve.store.records import DecisionInput, QueueFilter, StoreError
from tests.conftest import CHEAP_PASSWORDS
from tests.serve.conftest import KUTIM
from tests.serve.postgres import new_database

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 20, 9, 0)  # a Friday


def suggest(router: Router, report: Report):
    return router.predict([report])[0]


def test_migrations_create_exactly_the_models_schema(store: Store) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    store.migrate()  # idempotent


def test_reports_queue_and_decisions(store: Store, router: Router) -> None:
    staff = store.add_user("siti", "staff", "kata-sandi-siti")
    reports = [
        Report(id="A", text="Jalan berlubang di depan sekolah, tolong diperbaiki.", **KUTIM),
        Report(id="B", text="Kebakaran di pasar, api besar, warga terjebak!", **KUTIM),
        Report(id="C", text="Mohon info jadwal posyandu bulan depan.", **KUTIM),
    ]
    for offset, report in enumerate(reports):
        store.add_report(report, suggest(router, report), received_at=NOW + timedelta(hours=offset))
    with pytest.raises(StoreError, match="report.exists"):
        store.add_report(reports[0], suggest(router, reports[0]))
    rows, total = store.queue(QueueFilter(), now=NOW)
    assert total == 3
    assert [r.id for r in rows] == ["B", "A", "C"]  # urgent first, then the oldest
    assert rows[1].forward_due_at == datetime(2026, 11, 25, 9, 0)  # Friday + 3 working days
    late, _ = store.queue(QueueFilter(overdue=True), now=NOW + timedelta(days=6))
    assert [r.id for r in late] == ["B", "A", "C"]
    decision = store.add_decision("A", staff, DecisionInput(action="accept"))
    assert decision.agency == decision.suggested_agency
    stored = store.report("A")
    assert stored.status == "dispositioned"
    assert stored.response_due_at is not None
    store.add_decision("C", staff, DecisionInput(action="override", channel="permintaan_informasi"))
    assert store.report("C").status == "verified"  # no agency decided yet: not forwarded
    open_rows, _ = store.queue(QueueFilter(statuses=("new", "verified")), now=NOW)
    assert [r.id for r in open_rows] == ["B", "C"]
    by_agency, _ = store.queue(QueueFilter(agencies=(decision.agency,)), now=NOW)
    assert "A" in [r.id for r in by_agency]
    with pytest.raises(KeyError):
        store.add_decision("NOPE", staff, DecisionInput(action="accept"))
    assert [d.report_id for d in store.decisions()] == ["A", "C"]
    assert [r.id for r in store.recent_reports(days=100_000)] == ["A", "B", "C"]


def test_users_passwords_and_keys(store: Store) -> None:
    admin = store.add_user("budi", "admin", "kata-sandi-budi")
    assert store.authenticate("budi", "kata-sandi-budi") == admin
    assert store.authenticate("budi", "salah") is None
    assert store.authenticate("nobody", "kata-sandi-budi") is None
    key = store.add_api_key("budi")
    assert store.principal_for_key(key) == admin
    assert store.principal_for_key(key + "x") is None
    with pytest.raises(StoreError, match="user.exists"):
        store.add_user("budi", "staff")
    with pytest.raises(StoreError, match="user.bad_role"):
        store.add_user("tono", "root")
    with pytest.raises(StoreError, match="user.unknown"):
        store.add_api_key("tono")
    store.set_password("budi", "kata-sandi-baru")
    assert store.authenticate("budi", "kata-sandi-baru") == admin
    with pytest.raises(PasswordPolicyError, match=r"password.too_short\(minimum=8\)"):
        store.set_password("budi", "pendek")
    with pytest.raises(PasswordPolicyError, match=r"password.too_short\(minimum=8\)"):
        store.add_user("tono", "staff", "pendek")


SERVER = """
import sys, joblib, uvicorn
from core.config import get_settings
from serve.app import create_app
from models.triage import Triage
router = joblib.load(sys.argv[1])
app = create_app(get_settings(), load_triage=lambda: Triage(router))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[2]), log_config=None)
"""


def test_an_acknowledged_decision_survives_a_kill(
    router: Router, tmp_path: Path, lapor_home: Path
) -> None:
    """The server is SIGKILLed right after answering 201: the decision is in the database."""
    import socket

    router_path = tmp_path / "router.joblib"
    joblib.dump(router, router_path)
    store = Store(
        f"sqlite:///{(lapor_home / 'store' / 'lapor.db').resolve()}", passwords=CHEAP_PASSWORDS
    )
    store.migrate()
    store.add_user("siti", "staff")
    headers = {"X-API-Key": store.add_api_key("siti")}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(router_path), str(port)],
        env={**os.environ, "LAPOR_HOME": str(lapor_home)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        created = httpx.post(
            f"{base}/reports", json={"id": "K1", "text": "Jalan rusak parah."}, headers=headers
        )
        assert created.status_code == 201
        decided = httpx.post(
            f"{base}/reports/K1/decision",
            json={
                "version": 1,
                "action": "override",
                "agency": "Dinas Pekerjaan Umum dan Penataan Ruang",
            },
            headers=headers,
        )
        server.send_signal(signal.SIGKILL)
        assert decided.status_code == 201
    finally:
        server.kill()
        server.wait(timeout=30)
    reopened = Store(store.url, passwords=CHEAP_PASSWORDS)
    assert [(d.report_id, d.agency) for d in reopened.decisions()] == [
        ("K1", "Dinas Pekerjaan Umum dan Penataan Ruang")
    ]
    assert reopened.report("K1").status == "dispositioned"


def test_the_service_on_postgresql(
    postgres: str, router: Router, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Intake, queue and a decision through the API with the store on PostgreSQL."""
    from fastapi.testclient import TestClient

    from core.config import get_settings
    from serve.app import create_app

    monkeypatch.setenv("LAPOR_DATABASE_URL", new_database(postgres))
    get_settings.cache_clear()
    app = create_app(get_settings(), load_triage=lambda: Triage(router))
    with TestClient(app) as client:
        app.state.store.add_user("siti", "staff")
        headers = {"X-API-Key": app.state.store.add_api_key("siti")}
        assert app.state.store.engine.dialect.name == "postgresql"
        created = client.post(
            "/api/v1/reports",
            json={"id": "P1", "text": "Banjir di jalan.", **KUTIM},
            headers=headers,
        )
        assert created.status_code == 201, created.text
        decided = client.post(
            "/api/v1/reports/P1/decision", json={"action": "accept", "version": 1}, headers=headers
        )
        assert decided.status_code == 201
        queue = client.get("/api/v1/reports?status=dispositioned", headers=headers).json()
        assert [r["id"] for r in queue["items"]] == ["P1"]


def test_walking_next_visits_every_open_report_once_in_queue_order(
    store: Store, router: Router
) -> None:
    staff = store.add_user("siti", "staff", "kata-sandi-siti")
    texts = {
        "A": "Jalan berlubang di depan sekolah, tolong diperbaiki.",
        "B": "Kebakaran di pasar, api besar, warga terjebak!",
        "C": "Mohon info jadwal posyandu bulan depan.",
        "D": "Lampu jalan mati di gang mawar sejak seminggu.",
        "E": "Rumah terbakar sekarang, ada orang di dalam, tolong!",
    }
    for offset, (report_id, text) in enumerate(texts.items()):
        report = Report(id=report_id, text=text, **KUTIM)
        store.add_report(report, suggest(router, report), received_at=NOW + timedelta(hours=offset))
    order = [r.id for r in store.queue(QueueFilter(), now=NOW)[0]]
    walked, current = [order[0]], order[0]
    while (current := store.next_open_report(current)) is not None:
        walked.append(current)
        assert len(walked) <= len(order), walked
    assert walked == order
    store.add_decision(order[0], staff, DecisionInput(action="accept"))  # accept and next
    assert store.next_open_report(order[0]) == order[1]
    store.add_decision(order[2], staff, DecisionInput(action="accept"))
    assert store.next_open_report(order[2]) == order[3]


def with_tier(suggestion: Suggestion, tier: str) -> Suggestion:
    suggestion.urgent.tier, suggestion.urgent.flag = tier, tier == "urgent"
    return suggestion


def test_the_queue_puts_urgent_then_check_then_the_rest_and_next_walks_them(
    store: Store, router: Router
) -> None:
    staff = store.add_user("siti", "staff", "kata-sandi-siti")
    tiers = {"A": "none", "B": "check", "C": "urgent", "D": "check", "E": "none"}
    for offset, (report_id, tier) in enumerate(tiers.items()):
        report = Report(id=report_id, text=f"Laporan nomor {offset} tentang jalan.", **KUTIM)
        suggestion = with_tier(suggest(router, report), tier)
        store.add_report(report, suggestion, received_at=NOW + timedelta(hours=offset))
    rows, _ = store.queue(QueueFilter(), now=NOW)
    assert [r.id for r in rows] == ["C", "B", "D", "A", "E"]
    assert [r.urgency_tier for r in rows] == ["urgent", "check", "check", "none", "none"]
    checks, total = store.queue(QueueFilter(tier="check"), now=NOW)
    assert ([r.id for r in checks], total) == (["B", "D"], 2)
    walked, current = ["C"], "C"
    while (current := store.next_open_report(current)) is not None:
        walked.append(current)
        assert len(walked) <= len(tiers), walked
    assert walked == ["C", "B", "D", "A", "E"]
    # staff who mark a "check" report as not urgent move it among the rest
    store.add_decision("B", staff, DecisionInput(action="override", channel="pengaduan",
                                                 urgent=False))  # fmt: skip
    assert store.report("B").urgency_tier == "none"
    assert store.next_open_report("D") == "A"
