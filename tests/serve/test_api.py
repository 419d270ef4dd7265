"""The HTTP API: suggestions, intake, the queue, decisions, auth and bad input."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from core.config import get_settings
from models.duplicates.scorer import PairScorer
from models.router import Router
from serve.app import create_app
from serve.db.tables import StoredReport
from tests.serve.conftest import KUTIM, Service, service_triage, service_with

pytestmark = pytest.mark.slow

ROAD = "Jalan poros desa berlubang besar dan tergenang, sudah dua motor jatuh minggu ini."
FIRE = "Tolong ada kebakaran rumah warga di RT 05, api membesar dan ada anak terjebak di dalam!"


def test_classify_one_report(service: Service) -> None:
    response = service.client.post(
        "/api/v1/classify", json={"text": ROAD, **KUTIM}, headers=service.staff
    )
    assert response.status_code == 200, response.text
    body = response.json()
    for task in ("channel", "topic", "agency"):
        assert body[task]["decision"] in ("auto", "review")
        assert 1 <= len(body[task]["candidates"]) <= 3
        scores = [c["score"] for c in body[task]["candidates"]]
        assert scores == sorted(scores, reverse=True)
    assert body["urgent"]["flag"] is False
    assert body["duplicates"] == []
    assert body["model_version"] == "lapor-router/test"
    assert body["elapsed_ms"] > 0
    assert service.store.queue_size() == 0  # classify stores nothing


def test_urgent_report_has_reasons(service: Service) -> None:
    body = service.client.post(
        "/api/v1/classify", json={"text": FIRE, **KUTIM}, headers=service.staff
    ).json()
    assert body["urgent"]["flag"] is True
    reason = body["urgent"]["reasons"][0]
    assert reason["code"] == "fire"
    assert FIRE[reason["start"] : reason["end"]] == reason["phrase"]


def test_batch_answers_good_items_and_names_bad_ones(service: Service) -> None:
    reports = [
        {"text": ROAD, **KUTIM},
        {"text": "   "},
        {"text": FIRE, "village": 12},
        {"text": ROAD, "kecamatan": "Sangatta"},
    ]
    response = service.client.post(
        "/api/v1/classify/batch", json={"reports": reports}, headers=service.staff
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["succeeded"], body["failed"]) == (1, 3)
    items = body["items"]
    assert [i["index"] for i in items] == [0, 1, 2, 3]
    assert items[0]["suggestion"]["agency"]["label"]
    assert "text" in items[1]["error"]
    assert "village" in items[2]["error"]
    assert "kecamatan" in items[3]["error"]


def test_batch_limit(service: Service) -> None:
    reports = [{"text": ROAD}] * 1_001
    response = service.client.post(
        "/api/v1/classify/batch", json={"reports": reports}, headers=service.staff
    )
    assert response.status_code == 413
    assert "1,000" in response.json()["detail"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": " \n\t "}, "text"),
        ({"text": "x" * 20_001}, "text"),
        ({"text": 42}, "text"),
        ({"text": ROAD, "created_at": "kemarin"}, "created_at"),
        ({"text": ROAD, "source": "pigeon"}, "source"),
        ({"text": ROAD, "desa": "Sepaso"}, "desa"),
        ({}, "text"),
    ],
)
def test_bad_report_is_a_422_naming_the_field(service: Service, payload: dict, field: str) -> None:
    response = service.client.post("/api/v1/classify", json=payload, headers=service.staff)
    assert response.status_code == 422
    assert field in response.json()["detail"]


def test_malformed_json_is_a_4xx(service: Service) -> None:
    response = service.client.post(
        "/api/v1/classify",
        content=b'{"text": "jalan rusak",',
        headers={**service.staff, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]


def test_oversized_body_is_refused(service: Service) -> None:
    response = service.client.post(
        "/api/v1/classify",
        content=b"x" * 26_000_000,
        headers={**service.staff, "Content-Type": "application/json"},
    )
    assert response.status_code == 413


def test_credentials_and_roles(service: Service) -> None:
    client = service.client
    assert client.post("/api/v1/classify", json={"text": ROAD}).status_code == 401
    wrong = client.post("/api/v1/classify", json={"text": ROAD}, headers={"X-API-Key": "nope"})
    assert wrong.status_code == 401
    assert "invalid" in wrong.json()["detail"]
    assert client.get("/api/v1/models", headers=service.staff).status_code == 403
    assert client.get("/api/v1/users", headers=service.staff).status_code == 403
    assert client.get("/api/v1/models", headers=service.admin).status_code == 200
    # an admin may do what staff may
    assert client.get("/api/v1/reports", headers=service.admin).status_code == 200


def test_admin_creates_a_machine_client(service: Service) -> None:
    created = service.client.post(
        "/api/v1/users",
        json={"name": "bot-sms", "role": "staff", "api_key": True},
        headers=service.admin,
    )
    assert created.status_code == 201
    key = created.json()["api_key"]
    ok = service.client.post("/api/v1/classify", json={"text": ROAD}, headers={"X-API-Key": key})
    assert ok.status_code == 200
    again = service.client.post(
        "/api/v1/users", json={"name": "bot-sms", "role": "staff"}, headers=service.admin
    )
    assert again.status_code == 409
    names = [u["name"] for u in service.client.get("/api/v1/users", headers=service.admin).json()]
    assert names == ["siti", "budi", "bot-sms"]


def test_intake_masks_stores_classifies_and_links_duplicates(service: Service) -> None:
    text = f"{ROAD} Hubungi saya di 081234567890, NIK 6408012345670001."
    first = service.intake(text, id="KT-1", title="Jalan rusak")
    assert first["status"] == "new"
    assert "081234567890" not in first["text"]
    assert "6408012345670001" not in first["text"]
    assert first["suggestion"]["agency"]["label"]
    assert first["overdue"] is False
    assert 0 < first["working_days_left"] <= 3.0  # the 3-working-day clock has just started
    second = service.intake(text, id="KT-2", title="Jalan rusak")
    links = second["suggestion"]["duplicates"]
    assert [link["report_id"] for link in links] == ["KT-1"]
    assert "kelurahan sama" in links[0]["reason"]
    again = service.client.post(
        "/api/v1/reports", json={"id": "KT-1", "text": ROAD}, headers=service.staff
    )
    assert again.status_code == 409
    stored = service.store.report("KT-1")
    assert "081234567890" not in stored.text


def test_generated_ids_and_lookup(service: Service) -> None:
    created = service.intake(ROAD)
    assert created["id"].startswith("LPR-")
    found = service.client.get(f"/api/v1/reports/{created['id']}", headers=service.staff)
    assert found.status_code == 200
    assert found.json()["decisions"] == []
    missing = service.client.get("/api/v1/reports/NOPE-1", headers=service.staff)
    assert missing.status_code == 404
    assert "NOPE-1" in missing.json()["detail"]


def test_queue_puts_urgent_first_then_oldest_and_filters(service: Service) -> None:
    service.intake(ROAD, id="OLD")
    service.intake("Lampu jalan di gang mati sejak seminggu.", id="NEWER")
    service.intake(FIRE, id="FIRE")
    with service.store.session() as session:  # OLD arrived a week ago: past its SLA
        week_ago = datetime.now() - timedelta(days=7)
        session.execute(
            update(StoredReport)
            .where(StoredReport.id == "OLD")
            .values(received_at=week_ago, forward_due_at=week_ago + timedelta(days=3))
        )
        session.commit()
    queue = service.client.get("/api/v1/reports", headers=service.staff).json()
    assert [r["id"] for r in queue["items"]] == ["FIRE", "OLD", "NEWER"]
    assert queue["total"] == 3
    overdue = service.client.get("/api/v1/reports?overdue=true", headers=service.staff).json()
    assert [r["id"] for r in overdue["items"]] == ["OLD"]
    assert overdue["items"][0]["working_days_left"] < 0
    urgent = service.client.get("/api/v1/reports?urgent=true", headers=service.staff).json()
    assert [r["id"] for r in urgent["items"]] == ["FIRE"]
    urgent_tier = service.client.get("/api/v1/reports?tier=urgent", headers=service.staff)
    assert [r["id"] for r in urgent_tier.json()["items"]] == ["FIRE"]
    assert urgent_tier.json()["items"][0]["urgency_tier"] == "urgent"
    rest = service.client.get("/api/v1/reports?tier=none", headers=service.staff).json()
    assert [r["id"] for r in rest["items"]] == ["OLD", "NEWER"]
    assert service.client.get("/api/v1/reports?tier=soon", headers=service.staff).status_code == 422
    paged = service.client.get("/api/v1/reports?page=2&page_size=2", headers=service.staff)
    assert [r["id"] for r in paged.json()["items"]] == ["NEWER"]
    bad = service.client.get("/api/v1/reports?status=lost", headers=service.staff)
    assert bad.status_code == 422


def test_accept_and_override_decisions(service: Service) -> None:
    road = service.intake(ROAD, id="R1")
    fire = service.intake(FIRE, id="R2")
    accepted = service.client.post(
        "/api/v1/reports/R1/decision",
        json={"action": "accept", "version": 1},
        headers=service.staff,
    )
    assert accepted.status_code == 201, accepted.text
    decision = accepted.json()
    suggested_agency = road["suggestion"]["agency"]["label"]
    assert decision["agency"] == suggested_agency
    assert decision["suggested"]["agency"] == suggested_agency
    assert decision["user"] == "siti"
    r1 = service.client.get("/api/v1/reports/R1", headers=service.staff).json()
    assert r1["status"] == "dispositioned"
    assert r1["agency"] == suggested_agency
    assert r1["response_due_at"] is not None
    assert [d["action"] for d in r1["decisions"]] == ["accept"]

    overridden = service.client.post(
        "/api/v1/reports/R2/decision",
        json={
            "version": 1,
            "action": "override",
            "agency": "Badan Penanggulangan Bencana Daerah",
            "topic": "KETENTERAMAN, KETERTIBAN UMUM, DAN PELINDUNGAN MASYARAKAT",
            "urgent": True,
            "duplicate_of": "R1",
            "note": "telepon pelapor 081298765432",
        },
        headers=service.admin,
    ).json()
    assert overridden["agency"] == "Badan Penanggulangan Bencana Daerah"
    assert overridden["suggested"]["agency"] == fire["suggestion"]["agency"]["label"]
    assert overridden["channel"] is None  # an override sets only what it names
    assert "081298765432" not in overridden["note"]
    stored = service.store.decisions()
    assert [(d.report_id, d.action, d.user.name) for d in stored] == [
        ("R1", "accept", "siti"),
        ("R2", "override", "budi"),
    ]


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"action": "override"}, 422, "must set"),
        ({"action": "approve"}, 422, "action"),
        ({"action": "accept", "topic": "JALAN"}, 422, "LAPOR"),
        ({"action": "accept", "channel": "keluhan"}, 422, "channel"),
        ({"action": "override", "duplicate_of": "NOPE"}, 422, "NOPE"),
        ({"action": "override", "duplicate_of": "D1"}, 422, "itself"),
    ],
)
def test_bad_decisions(service: Service, payload: dict, status: int, message: str) -> None:
    service.intake(ROAD, id="D1")
    response = service.client.post(
        "/api/v1/reports/D1/decision", json={"version": 1, **payload}, headers=service.staff
    )
    assert response.status_code == status
    assert message in response.json()["detail"]


def test_decision_on_an_unknown_report_is_404(service: Service) -> None:
    response = service.client.post(
        "/api/v1/reports/NOPE/decision",
        json={"action": "accept", "version": 1},
        headers=service.staff,
    )
    assert response.status_code == 404


def test_health_ready_metrics_labels(service: Service) -> None:
    client = service.client
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    ready = client.get("/api/v1/ready").json()
    assert ready == {
        "ready": True,
        "model_version": "lapor-router/test",
        "duplicates": True,
        "auto_routing_suspended": [],
        "details": [],
    }
    client.post("/api/v1/classify", json={"text": ROAD}, headers=service.staff)
    assert client.get("/api/v1/metrics").status_code == 401  # a key, or a setting that opens it
    metrics = client.get("/api/v1/metrics", headers=service.staff).text
    assert 'lapor_http_requests_total{method="POST",route="/api/v1/classify",status="200"}' in (
        metrics
    )
    assert 'lapor_model_info{version="lapor-router/test"} 1.0' in metrics
    assert "lapor_suggestions_total" in metrics
    labels = client.get("/api/v1/labels", headers=service.staff).json()
    assert "pengaduan" in labels["channels"]
    assert len(labels["topics"]) == 38
    assert labels["agencies"]
    assert not any("(own" in a for a in labels["agencies"])


def test_kpi_from_the_store(service: Service) -> None:
    road = service.intake(ROAD, id="K1")
    service.intake(FIRE, id="K2")
    service.client.post(
        "/api/v1/reports/K1/decision",
        json={"action": "accept", "version": 1},
        headers=service.staff,
    )
    service.client.post(
        "/api/v1/reports/K2/decision",
        json={"version": 1, "action": "override", "agency": "Badan Penanggulangan Bencana Daerah"},
        headers=service.staff,
    )
    kpis = service.client.get("/api/v1/kpi", headers=service.staff).json()
    assert kpis["reports"] == 2
    assert kpis["disposition"]["done"] == 2
    assert kpis["disposition"]["within_sla"] == 1.0
    fire_suggested = service.store.report("K2").suggested_agency
    accepted = 1 + (fire_suggested == "Badan Penanggulangan Bencana Daerah")
    assert kpis["acceptance"]["agency"] == {"decisions": 2, "accepted": accepted / 2}
    assert 0 <= kpis["auto_routed"] <= 1
    assert kpis["weekly"][0]["decisions"] == 2
    assert road["suggestion"]["agency"]["label"] in {r["agency"] for r in kpis["by_agency"]}
    assert service.client.get("/api/v1/kpi").status_code == 401


def test_ready_lists_drift_warnings_of_the_served_model(service: Service) -> None:
    from core.config import get_settings
    from pipeline.drift import save

    save(
        {"model_version": "lapor-router/test", "warnings": ["topic: predicted labels shifted"]},
        get_settings().drift_report,
    )
    ready = service.client.get("/api/v1/ready")
    assert ready.status_code == 200  # drift is a warning, not a reason to stop serving
    assert ready.json()["details"] == ["drift: topic: predicted labels shifted"]


def test_a_report_scores_the_same_against_the_index_live_and_after_a_restart(
    service: Service, router: Router, pair_scorer: PairScorer
) -> None:
    """Intake masks the report once, so the live index and the one rebuilt from the store
    after a restart hold the same text."""
    original = (
        "Jalan berlubang besar di depan rumah no 12, sudah tiga bulan. Hubungi saya di "
        "0812 3456 7890 atau budi.santoso@contoh.id, NIK 6408011234567890"
    )
    stored = service.intake(original, id="A1", address="Jl. Yos Sudarso No. 12")
    assert "[TELEPON]" in stored["text"]
    assert "0812" not in stored["text"]
    assert "[NIK]" in stored["text"]
    assert "[EMAIL]" in stored["text"]
    repeat = {"text": "Jalan di depan rumah no 12 berlubang besar sudah tiga bulan", **KUTIM,
              "address": "Jl. Yos Sudarso No. 12"}  # fmt: skip
    live = service.client.post("/api/v1/classify", json=repeat, headers=service.staff).json()
    restarted = create_app(get_settings(), load_triage=lambda: service_triage(router, pair_scorer))
    with TestClient(restarted) as client:
        again = client.post("/api/v1/classify", json=repeat, headers=service.staff).json()
    assert live["duplicates"], live
    assert again["duplicates"] == live["duplicates"]


def test_an_override_must_name_one_of_the_deployments_opds(service: Service) -> None:
    service.intake(ROAD, id="T1")
    typo = service.client.post(
        "/api/v1/reports/T1/decision",
        json={
            "version": 1,
            "action": "override",
            "agency": "Dinas Pekerjan Umum dan Penataan Ruang",
        },
        headers=service.staff,
    )
    assert typo.status_code == 422
    assert "is not one of the deployment's OPDs" in typo.json()["detail"]
    assert "'Dinas Pekerjaan Umum dan Penataan Ruang'" in typo.json()["detail"]  # did you mean
    assert service.store.report("T1").status == "new"
    spelled = service.client.post(
        "/api/v1/reports/T1/decision",
        json={"version": 1, "action": "override", "agency": "dinas  PERHUBUNGAN"},
        headers=service.staff,
    )
    assert spelled.status_code == 201, spelled.text
    assert service.store.report("T1").agency == "Dinas Perhubungan"  # as the deployment spells it


def test_the_queue_filter_finds_opds_by_abbreviation_or_part_of_the_name(service: Service) -> None:
    for report_id, agency in (("Q1", "Dinas Perhubungan"), ("Q2", "Dinas Kesehatan")):
        service.intake(ROAD, id=report_id)
        decided = service.client.post(
            f"/api/v1/reports/{report_id}/decision",
            json={"version": 1, "action": "override", "agency": agency},
            headers=service.staff,
        )
        assert decided.status_code == 201, decided.text
    for query, expected in (
        ("dishub", ["Q1"]),
        ("kesehatan", ["Q2"]),
        ("Dinas Perhubungan", ["Q1"]),
    ):
        page = service.client.get(
            "/api/v1/reports", params={"agency": query}, headers=service.staff
        )
        assert [r["id"] for r in page.json()["items"]] == expected, query


@pytest.mark.parametrize("created_at", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_a_time_outside_the_calendar_is_a_422_and_a_batch_answers_the_rest(
    service: Service, created_at: str
) -> None:
    one = service.client.post(
        "/api/v1/classify", json={"text": ROAD, "created_at": created_at}, headers=service.staff
    )
    assert one.status_code == 422
    assert "created_at" in one.json()["detail"]
    batch = service.client.post(
        "/api/v1/classify/batch",
        json={"reports": [{"text": ROAD, "created_at": created_at}, {"text": FIRE}]},
        headers=service.staff,
    )
    assert batch.status_code == 200, batch.text
    items = batch.json()["items"]
    assert "created_at" in items[0]["error"]
    assert items[1]["suggestion"] is not None


@pytest.mark.parametrize("report_id", ["a/b", ".", "..", "../x", "-x"])
def test_a_report_id_that_a_url_cannot_name_is_refused_at_intake(
    service: Service, report_id: str
) -> None:
    response = service.client.post(
        "/api/v1/reports", json={"id": report_id, "text": ROAD, **KUTIM}, headers=service.staff
    )
    assert response.status_code == 422
    assert service.store.queue_size() == 0


def test_a_nul_character_is_refused_in_bodies_and_urls(service: Service) -> None:
    for body in ({"text": "jalan\x00rusak"}, {"text": ROAD, "village": "Sanga\x00tta"}):
        response = service.client.post("/api/v1/reports", json=body, headers=service.staff)
        assert response.status_code == 422, body
        assert "NUL" in response.json()["detail"]
    queue = service.client.get("/api/v1/reports?agency=Dinas%00Sosial", headers=service.staff)
    assert queue.status_code == 422
    assert service.store.queue_size() == 0


def test_a_deployment_can_open_the_metrics_to_its_scraper(
    router: Router, monkeypatch: pytest.MonkeyPatch
) -> None:
    with service_with(router, monkeypatch, LAPOR_METRICS_OPEN="true") as client:
        opened = client.get("/api/v1/metrics")
    assert opened.status_code == 200
    assert "lapor_http_requests_total" in opened.text


@pytest.mark.parametrize(
    "created_at", ["0001-01-01T00:00:00", "1999-12-31T23:59:59", "2999-01-01T00:00:00", 1700000000]
)
def test_an_implausible_filing_time_is_refused_and_nothing_is_stored(
    service: Service, created_at: object
) -> None:
    body = {"id": "T1", "text": ROAD, "created_at": created_at, **KUTIM}
    response = service.client.post("/api/v1/reports", json=body, headers=service.staff)
    assert response.status_code == 422, response.text
    assert "created_at" in response.json()["detail"]
    assert service.store.queue_size() == 0
    for url in ("/api/v1/reports?page_size=500", "/api/v1/reports?page=2"):
        assert service.client.get(url, headers=service.staff).status_code == 200


def test_a_report_whose_answer_fails_is_not_stored(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    from serve.routes import reports

    def broken(row: object) -> None:
        raise RuntimeError("the answer could not be built")

    monkeypatch.setattr(reports, "report_detail", broken)
    response = service.client.post(
        "/api/v1/reports", json={"id": "T2", "text": ROAD, **KUTIM}, headers=service.staff
    )
    assert response.status_code == 500
    assert not service.store.has_report("T2")


@pytest.mark.parametrize(
    "report_id", ["3578012345670001", "6408-0123-4567-0001", "081234567890", "628123456789"]
)
def test_a_report_id_that_is_personal_data_is_refused(service: Service, report_id: str) -> None:
    response = service.client.post(
        "/api/v1/reports", json={"id": report_id, "text": ROAD, **KUTIM}, headers=service.staff
    )
    assert response.status_code == 422
    assert "personal data" in response.json()["detail"]
    assert service.store.queue_size() == 0


def test_a_batch_answers_an_item_that_is_not_an_object_on_its_own(service: Service) -> None:
    response = service.client.post(
        "/api/v1/classify/batch",
        json={"reports": ["jalan rusak", None, 7, {"text": ROAD}]},
        headers=service.staff,
    )
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [item["error"] is not None for item in items] == [True, True, True, False]
    assert "object" in items[0]["error"]


def test_a_generated_id_is_never_taken_for_personal_data(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    from serve import schemas

    monkeypatch.setattr(schemas.secrets, "token_hex", lambda n: "19261137")  # digits only
    created = service.client.post("/api/v1/reports", json={"text": ROAD}, headers=service.staff)
    assert created.status_code == 201, created.text
    assert created.json()["id"].endswith("-R19261137")
