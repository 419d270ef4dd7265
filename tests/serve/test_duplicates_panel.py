"""The duplicates panel of a report page: the earlier report side by side with this one, and
a suggested link confirmed or rejected in one click (or key), in the UI and the API."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from core.schema import Report
from core.suggestion import DuplicateLink, Suggestion
from serve.store.records import QueueFilter
from tests.serve.conftest import Service
from tests.serve.test_api import ROAD
from tests.serve.test_ui import form_of, login

pytestmark = pytest.mark.slow


def repeated(service: Service, first: str, second: str) -> None:
    service.intake(ROAD, id=first, address="Jl. Poros Sangatta 12")
    service.intake(ROAD, id=second, address="Jl. Poros Sangatta 12")


def test_the_panel_shows_the_earlier_report_beside_this_one(service: Service) -> None:
    repeated(service, "P1", "P2")
    service.client.post(
        "/api/v1/reports/P1/decision",
        json={"action": "override", "agency": "Dinas Perhubungan", "version": 1},
        headers=service.staff,
    )
    login(service)
    page = service.client.get("/laporan/P2").text
    panel = page.split('class="side-by-side"')[1].split("</table>")[0]
    assert "Laporan ini (P2)" in panel
    assert 'Sebelumnya (<a href="/laporan/P1">P1</a>)' in panel
    assert "<th>Status</th><td>Baru</td><td>Didisposisikan</td>" in panel
    assert "Dinas Perhubungan" in panel  # the OPD the earlier report went to
    assert "Jl. Poros Sangatta 12" in panel
    assert "alamat sama, hari yang sama, teks 100% mirip" in page  # why, in Indonesian
    assert 'class="confirm-link"' in page


def test_confirming_a_link_decides_the_duplicate(service: Service) -> None:
    repeated(service, "P3", "P4")
    login(service)
    page = service.client.get("/laporan/P4")
    done = service.client.post(
        "/laporan/P4/tautan", data={**form_of(page.text), "linked": "P3", "verdict": "confirm"}
    )
    assert "ditandai duplikat dari P3" in done.text
    duplicate = service.store.report("P4")
    assert duplicate.duplicate_of == "P3"
    # the earlier report carries the work: the duplicate leaves the queue and every SLA
    assert (duplicate.status, duplicate.closed_at is not None) == ("archived", True)
    waiting, _ = service.store.queue(QueueFilter(statuses=("new", "verified")))
    assert "P4" not in {r.id for r in waiting}
    late, _ = service.store.queue(
        QueueFilter(overdue=True), now=datetime.now() + timedelta(days=30)
    )
    assert "P4" not in {r.id for r in late}
    assert "P3" in {r.id for r in late}
    assert "duplikat (dikonfirmasi)" in done.text
    assert 'class="confirm-link"' not in done.text


def test_a_link_alike_in_place_and_time_but_not_in_text_is_not_called_a_duplicate(
    service: Service,
) -> None:
    service.intake(ROAD, id="E1")
    link = DuplicateLink(
        report_id="E1", probability=0.99, reason="alamat sama, hari yang sama, teks 23% mirip",
        text_similarity=0.23,
    )  # fmt: skip
    fire = Report(id="E2", text="Kebakaran rumah di gang yang sama, api besar!")
    suggestion = Suggestion(report_id="E2", duplicates=[link])
    service.store.add_report(fire, suggestion)
    login(service)
    page = service.client.get("/laporan/E2").text
    assert "Mungkin kejadian lain di tempat yang sama" in page
    assert "Peluang masalah yang sama: 99%" not in page


def test_a_rejected_link_is_recorded_and_no_longer_offered(service: Service) -> None:
    repeated(service, "P5", "P6")
    login(service)
    page = service.client.get("/laporan/P6")
    done = service.client.post(
        "/laporan/P6/tautan", data={**form_of(page.text), "linked": "P5", "verdict": "reject"}
    )
    assert "tautan tidak ditawarkan lagi" in done.text
    assert "bukan duplikat (ditolak)" in done.text
    assert 'class="reject-link"' not in done.text
    report = service.client.get("/api/v1/reports/P6", headers=service.staff).json()
    assert report["rejected_links"] == ["P5"]
    assert report["duplicate_of"] is None
    assert report["status"] == "new"  # a rejected link decides nothing else
    again = service.client.post(
        "/api/v1/reports/P6/duplicates/P5/rejection",
        json={"version": report["version"]},
        headers=service.staff,
    )
    assert again.status_code == 409  # no longer offered
    never = service.client.post(
        "/api/v1/reports/P5/duplicates/P6/rejection", json={"version": 1}, headers=service.staff
    )
    assert (never.status_code, "not a link offered" in never.text) == (409, True)


def test_the_panel_reads_its_earlier_reports_in_one_query(service: Service) -> None:
    """However many earlier reports a page shows, they come in one query (no N+1)."""
    for n in range(1, 5):
        service.intake(ROAD, id=f"Q{n}", address="Jl. Poros Sangatta 12")
    login(service)
    statements: list[str] = []

    def note(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    def report_queries(report_id: str) -> tuple[int, int]:
        statements.clear()
        page = service.client.get(f"/laporan/{report_id}").text
        return page.count('class="side-by-side"'), sum("FROM reports" in s for s in statements)

    event.listen(service.store.engine, "before_cursor_execute", note)
    try:
        one_link, few = report_queries("Q2")
        three_links, many = report_queries("Q4")
    finally:
        event.remove(service.store.engine, "before_cursor_execute", note)
    assert (one_link, three_links) == (1, 3)
    assert many == few
