"""Decisions that conflict: a stale version, a closed report, a duplicate cycle (409), in the
API and on the report page."""

from __future__ import annotations

import pytest

from tests.serve.conftest import Service
from tests.serve.test_api import FIRE, ROAD
from tests.serve.test_ui import csrf_of, form_of, login

pytestmark = pytest.mark.slow


def decide(service: Service, report_id: str, **body: object) -> tuple[int, dict]:
    answer = service.client.post(
        f"/api/v1/reports/{report_id}/decision", json=body, headers=service.staff
    )
    return answer.status_code, answer.json()


def test_a_decision_on_a_version_someone_else_replaced_is_refused(service: Service) -> None:
    seen = service.intake(ROAD, id="C1")["version"]
    first, _ = decide(service, "C1", action="override", agency="Dinas Perhubungan", version=seen)
    late, answer = decide(service, "C1", action="override", agency="Dinas Kesehatan", version=seen)
    assert (first, late) == (201, 409)
    assert "changed since you saw it (version 1, now 2)" in answer["detail"]
    report = service.client.get("/api/v1/reports/C1", headers=service.staff).json()
    assert report["agency"] == "Dinas Perhubungan"  # the first decision stands
    assert report["version"] == 2
    assert len(report["decisions"]) == 1
    missing, answer = decide(service, "C1", action="accept")
    assert missing == 422
    assert "version" in answer["detail"]


def test_a_closed_report_takes_decisions_only_once_reopened(service: Service) -> None:
    service.intake(ROAD, id="C2")
    decide(service, "C2", action="accept", version=1)
    closed = service.client.post(
        "/api/v1/reports/C2/status", json={"status": "closed"}, headers=service.staff
    ).json()
    status, answer = decide(service, "C2", action="accept", version=closed["version"])
    assert status == 409
    assert "reopen it" in answer["detail"]
    reopened = service.client.post(
        "/api/v1/reports/C2/status",
        json={"status": "reopened", "version": closed["version"]},
        headers=service.staff,
    ).json()
    assert reopened["status"] == "dispositioned"
    assert reopened["closed_at"] is None
    again, _ = decide(service, "C2", action="override", urgent=True, version=reopened["version"])
    assert again == 201
    not_closed = service.client.post(
        "/api/v1/reports/C2/status", json={"status": "reopened"}, headers=service.staff
    )
    assert not_closed.status_code == 409


def test_duplicate_links_never_make_a_cycle(service: Service) -> None:
    for report_id in ("A", "B", "C"):
        service.intake(FIRE, id=f"D{report_id}")
    assert decide(service, "DB", action="override", duplicate_of="DA", version=1)[0] == 201
    assert decide(service, "DC", action="override", duplicate_of="DB", version=1)[0] == 201
    status, answer = decide(service, "DA", action="override", duplicate_of="DC", version=1)
    assert status == 409
    assert "cycle" in answer["detail"]
    assert service.store.report("DA").duplicate_of is None


def test_the_report_page_says_when_someone_else_decided_first(service: Service) -> None:
    service.intake(ROAD, id="C3")
    login(service)
    page = service.client.get("/laporan/C3")
    decide(service, "C3", action="override", agency="Dinas Kesehatan", version=1)
    late = service.client.post(
        "/laporan/C3/keputusan",
        data={**form_of(page.text), "action": "override", "agency": "Dinas Perhubungan"},
    )
    assert "sudah diubah orang lain" in late.text
    assert service.store.report("C3").agency == "Dinas Kesehatan"
    service.client.post("/laporan/C3/status", data={**form_of(late.text), "status": "closed"})
    closed = service.client.get("/laporan/C3")
    assert 'id="reopen"' in closed.text
    refused = service.client.post(
        "/laporan/C3/keputusan",
        data={**form_of(closed.text), "action": "override", "agency": "Dinas Perhubungan"},
    )
    assert "sudah ditutup: buka kembali untuk memutuskan" in refused.text  # in Indonesian
    reopened = service.client.post(
        "/laporan/C3/status", data={**form_of(closed.text), "status": "reopened"}
    )
    assert "dibuka kembali" in reopened.text
    assert service.store.report("C3").status == "dispositioned"
    assert csrf_of(reopened.text)
