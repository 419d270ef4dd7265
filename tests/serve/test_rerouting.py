"""Re-routing a forwarded report to another OPD (with a reason; the new OPD's follow-up clock
starts then) and disposing one report to a main OPD and supporting ones; the KPIs count each."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.serve.conftest import Service
from tests.serve.test_api import ROAD
from tests.serve.test_ui import form_of, login

pytestmark = pytest.mark.slow


def decide(service: Service, report_id: str, **body: object) -> tuple[int, dict]:
    answer = service.client.post(
        f"/api/v1/reports/{report_id}/decision", json=body, headers=service.staff
    )
    return answer.status_code, answer.json()


def report(service: Service, report_id: str) -> dict:
    return service.client.get(f"/api/v1/reports/{report_id}", headers=service.staff).json()


def test_a_forwarded_report_is_rerouted_with_a_reason(service: Service) -> None:
    service.intake(ROAD, id="RR1")
    status, _ = decide(
        service, "RR1", action="override", version=1, agency="Dishub",
        topic="PEKERJAAN UMUM DAN PENATAAN RUANG",
        supporting_agencies=["DLH", "dinas perhubungan"],
    )  # fmt: skip
    assert status == 201
    first = report(service, "RR1")
    assert first["agency"] == "Dinas Perhubungan"
    assert first["supporting_agencies"] == ["Dinas Lingkungan Hidup"]  # the main one dropped
    assert first["status"] == "dispositioned"
    moved, answer = decide(service, "RR1", action="override", version=2, agency="Dinas Kesehatan")
    assert (moved, "re-route it" in answer["detail"]) == (409, True)
    reasonless, _ = decide(service, "RR1", action="reroute", version=2, agency="Dinas Kesehatan")
    assert reasonless == 422
    status, _ = decide(
        service, "RR1", action="reroute", version=2, agency="PUPR",
        note="bukan kewenangan Dishub: jalan kabupaten",
    )  # fmt: skip
    assert status == 201
    rerouted = report(service, "RR1")
    assert rerouted["agency"] == "Dinas Pekerjaan Umum dan Penataan Ruang"
    assert rerouted["status"] == "dispositioned"
    assert rerouted["rerouted_at"] is not None
    restarted = datetime.fromisoformat(rerouted["response_due_at"])
    assert restarted >= datetime.fromisoformat(first["response_due_at"])
    assert [d["action"] for d in rerouted["decisions"]] == ["override", "reroute"]
    assert rerouted["decisions"][1]["note"] == "bukan kewenangan Dishub: jalan kabupaten"
    same, _ = decide(
        service, "RR1", action="reroute", version=3,
        agency="Dinas Pekerjaan Umum dan Penataan Ruang", note="lagi",
    )  # fmt: skip
    assert same == 409
    trained = {r.id: r for r in service.store.decided_reports()}["RR1"]
    assert trained.agency == "Dinas Pekerjaan Umum dan Penataan Ruang"  # the last OPD
    assert trained.topic == "PEKERJAAN UMUM DAN PENATAAN RUANG"  # the first decision's topic


def test_an_open_report_is_not_rerouted(service: Service) -> None:
    service.intake(ROAD, id="RR2")
    status, answer = decide(service, "RR2", action="reroute", version=1, agency="PUPR", note="x")
    assert (status, "not forwarded yet" in answer["detail"]) == (409, True)


def test_the_kpis_count_rerouted_and_supporting_opds(service: Service) -> None:
    for report_id in ("RK1", "RK2"):
        service.intake(ROAD, id=report_id)
    decide(
        service, "RK1", action="override", version=1, agency="Dishub", supporting_agencies=["DLH"]
    )
    decide(service, "RK2", action="override", version=1, agency="Dishub")
    decide(service, "RK2", action="reroute", version=2, agency="PUPR", note="jalan kabupaten")
    kpis = service.client.get("/api/v1/kpi", headers=service.staff).json()
    assert kpis["reports"] == 2
    assert kpis["rerouted"] == {"reports": 1, "share_of_forwarded": 0.5}
    by_agency = {row["agency"]: row for row in kpis["by_agency"]}
    assert by_agency["Dinas Lingkungan Hidup"]["reports"] == 1
    assert by_agency["Dinas Lingkungan Hidup"]["supporting"] == 1
    assert by_agency["Dinas Perhubungan"]["reports"] == 1  # RK2 left it
    assert by_agency["Dinas Pekerjaan Umum dan Penataan Ruang"]["reports"] == 1
    login(service)
    dashboard = service.client.get("/dasbor").text
    assert "Diteruskan ulang<b>50,0%</b>1 laporan ke OPD lain" in dashboard
    assert "<th>Sebagai pendukung</th>" in dashboard


def test_the_report_page_reroutes_and_names_supporting_opds(service: Service) -> None:
    service.intake(ROAD, id="RU1")
    login(service)
    page = service.client.get("/laporan/RU1")
    decided = service.client.post(
        "/laporan/RU1/keputusan",
        data={**form_of(page.text), "action": "override", "agency": "Dishub",
              "supporting": "DLH; Satpol PP"},
    )  # fmt: skip
    assert decided.status_code == 200
    page = service.client.get("/laporan/RU1")
    assert "OPD pendukung: Dinas Lingkungan Hidup, Satuan Polisi Pamong Praja" in page.text
    assert 'id="reroute-form"' in page.text
    moved = service.client.post(
        "/laporan/RU1/keputusan",
        data={**form_of(page.text), "action": "reroute", "agency": "PUPR",
              "note": "bukan kewenangan Dishub"},
    )  # fmt: skip
    assert "diteruskan ke Dinas Pekerjaan Umum dan Penataan Ruang" in moved.text
    assert "meneruskan ke OPD lain" in moved.text
    assert "diteruskan ulang" in moved.text
    reasonless = service.client.post(
        "/laporan/RU1/keputusan",
        data={**form_of(moved.text), "action": "reroute", "agency": "Dishub"},
    )
    assert "meneruskan ke OPD lain perlu OPD baru dan alasannya" in reasonless.text
