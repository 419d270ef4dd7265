"""Errors as a person and a client see them: a bug is one logged traceback and a 500 naming the
request id (a page on the UI, JSON on the API) on a connection that stays usable; a refused
form comes back on its page in Indonesian; a chunked body over the limit is a 413."""

from __future__ import annotations

import io
import json
from datetime import datetime

import httpx
import pytest

from serve import observability
from tests.serve.conftest import LiveServer, Service
from tests.serve.test_observability import json_logs  # noqa: F401 (a fixture)
from tests.serve.test_ui import csrf_of, login

pytestmark = pytest.mark.slow


def broken_queue(*args: object) -> None:
    raise RuntimeError("a bug in the queue")


def test_a_bug_is_a_500_page_on_the_ui_and_json_on_the_api_logged_once(
    service: Service,
    monkeypatch: pytest.MonkeyPatch,
    json_logs: io.StringIO,  # noqa: F811
) -> None:
    login(service)
    monkeypatch.setattr(service.store, "queue", broken_queue)
    page = service.client.get("/antrian")
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    request_id = page.headers["x-request-id"]
    assert f'<code id="request-id">{request_id}</code>' in page.text
    assert "RuntimeError" not in page.text
    assert page.headers["x-frame-options"] == "DENY"  # the 500 carries the security headers
    api = service.client.get("/api/v1/reports", headers=service.staff)
    assert api.status_code == 500
    assert api.json() == {
        "detail": "internal error; quote this request id",
        "request_id": api.headers["x-request-id"],
    }
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines() if line]
    errors = [line for line in lines if line["level"] == "ERROR"]
    assert [e["request_id"] for e in errors] == [request_id, api.headers["x-request-id"]]
    assert all("a bug in the queue" in e["exc_info"] for e in errors)


def test_the_connection_stays_usable_after_a_500(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = live_server.service
    monkeypatch.setattr(service.store, "queue", broken_queue)
    with httpx.Client(base_url=live_server.url, headers=service.staff) as client:
        assert client.get("/api/v1/reports").status_code == 500
        assert client.get("/api/v1/health").status_code == 200  # same keep-alive connection
        pool = client._transport._pool  # one connection served both
        assert len(pool.connections) == 1


def test_a_refused_form_comes_back_on_its_page_in_indonesian(service: Service) -> None:
    service.intake("Jalan berlubang di depan pasar.", id="V1")
    login(service)
    page = service.client.get("/laporan/V1")
    refused = service.client.post(
        "/laporan/V1/keputusan",
        data={"csrf": csrf_of(page.text), "version": "satu"},  # no action, a bad version
        follow_redirects=False,
    )
    assert refused.status_code == 303
    assert refused.headers["location"] == "/laporan/V1"
    shown = service.client.get("/laporan/V1").text
    assert "Tindakan: wajib diisi" in shown
    assert "Versi laporan: harus berupa bilangan bulat" in shown
    queue = service.client.get("/antrian?page=abc")
    assert queue.status_code == 422
    assert "Halaman: harus berupa bilangan bulat" in queue.text
    assert queue.headers["content-type"].startswith("text/html")


def test_a_chunked_body_over_the_limit_is_a_413(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    middleware = service.client.app.middleware_stack
    while not isinstance(middleware, observability.RequestMiddleware):
        middleware = middleware.app
    monkeypatch.setattr(middleware, "max_body", 10_000)

    def chunks() -> object:
        yield b'{"reports": ['
        for _ in range(100):
            yield b'{"text": "' + b"jalan rusak " * 20 + b'"},'
        yield b'{"text": "akhir"}]}'

    answer = service.client.post(
        "/api/v1/classify/batch",
        content=chunks(),
        headers={**service.staff, "Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert "over 10,000 bytes" in answer.json()["detail"]


def test_the_schema_documents_the_errors_and_times_carry_their_offset(service: Service) -> None:
    schema = service.client.get("/openapi.json").json()
    decision = schema["paths"]["/api/v1/reports/{report_id}/decision"]["post"]["responses"]
    assert {"401", "403", "404", "409", "413", "422"} <= decision.keys()
    invalid = schema["components"]["schemas"]["HTTPValidationError"]
    assert invalid["properties"]["detail"]["type"] == "string"  # the shape the API answers
    refused = service.client.post("/api/v1/classify", json={}, headers=service.staff).json()
    assert isinstance(refused["detail"], str)
    assert refused["errors"][0]["loc"] == ["body", "text"]
    report = service.intake("Lampu jalan mati.", id="Z1")
    assert datetime.fromisoformat(report["received_at"]).tzinfo is not None
    assert datetime.fromisoformat(report["forward_due_at"]).utcoffset() is not None


def _full_disk(dbapi_connection: object, _record: object) -> None:
    """SQLite's own 'database or disk is full': the database may not grow past its size."""
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    pages = cursor.execute("PRAGMA page_count").fetchone()[0]
    cursor.execute(f"PRAGMA max_page_count = {pages}")
    cursor.close()


def test_a_full_disk_is_a_503_that_ready_reports_until_a_write_succeeds(
    service: Service,
) -> None:
    from sqlalchemy import event

    store = service.store
    long_text = "Jalan berlubang di depan pasar, mohon segera diperbaiki. " * 300
    event.listen(store.engine, "connect", _full_disk)
    store.engine.dispose()
    try:
        refused = service.client.post(
            "/api/v1/reports", json={"id": "F1", "text": long_text}, headers=service.staff
        )
        assert refused.status_code == 503, refused.text
        assert "cannot save anything now (disk full)" in refused.json()["detail"]
        assert not service.store.has_report("F1")
        ready = service.client.get("/api/v1/ready")
        assert ready.status_code == 503
        assert "store cannot write: disk full" in ready.json()["details"]
    finally:
        event.remove(store.engine, "connect", _full_disk)
        store.engine.dispose()
    assert service.client.get("/api/v1/ready").status_code == 503  # until a write succeeds
    service.intake(long_text, id="F2")
    assert service.client.get("/api/v1/ready").status_code == 200


def test_ready_warns_before_sqlites_disk_is_full(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from serve.store import base

    monkeypatch.setattr(
        base.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(100, 99, 2**20)
    )
    ready = service.client.get("/api/v1/ready")
    assert ready.status_code == 503
    assert "store cannot write: 1 MiB free on the store's disk" in ready.json()["details"]


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("DELETE", "/api/v1/reports", "GET, POST"),
        ("PUT", "/api/v1/classify", "POST"),
        ("PATCH", "/api/v1/reports/X/decision", "POST"),
        ("DELETE", "/antrian", "GET"),
        ("PUT", "/login", "GET, POST"),
    ],
)
def test_a_405_names_every_method_the_path_takes(
    service: Service, method: str, url: str, allowed: str
) -> None:
    response = service.client.request(method, url, headers=service.staff)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
