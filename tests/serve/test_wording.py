"""The UI speaks Bahasa Indonesia: roles and how an OPD's function was found in words, a
decision history that says what changed, no 404 for the browser's icon."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.clock import use_zone
from core.config import get_settings
from core.lifecycle import STATUSES
from models.duplicates.scorer import PairScorer
from models.router import Router
from serve.routes.wording import STATUS_NAMES, decision_text
from serve.schemas import DecisionOut
from tests.serve.conftest import Service, running_service
from tests.serve.test_api import ROAD
from tests.serve.test_ui import login


def _decision(user: str, source: str = "staff", **changed: object) -> DecisionOut:
    columns: dict[str, object] = dict.fromkeys(
        ("channel", "topic", "agency", "supporting_agencies", "urgent", "duplicate_of", "note")
    )
    return DecisionOut(
        **(columns | changed), id=1, report_id="W1", user=user, source=source,
        suggested={}, model_version=None, created_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
    )  # fmt: skip


def test_a_decision_says_only_what_it_changed() -> None:
    corrected = _decision("siti", action="override", agency="Dinas Sosial", urgent=True)
    assert decision_text(corrected) == "siti mengoreksi: OPD → Dinas Sosial; mendesak → ya"
    duplicate = _decision("demo", action="override", duplicate_of="K1")
    assert decision_text(duplicate) == "demo mengoreksi: duplikat dari K1"
    moved = _decision(
        "sp4n-lapor", "portal", action="reroute", agency="Dishub", note="bukan kewenangan"
    )
    assert decision_text(moved) == (
        "SP4N-LAPOR! (portal) meneruskan ke OPD lain: OPD → Dishub; alasan: “bukan kewenangan”"
    )


def test_pages_name_roles_in_indonesian_and_the_icon_is_served(service: Service) -> None:
    assert service.client.get("/favicon.ico").status_code == 200
    service.intake(ROAD, id="W1")
    login(service, "budi", "kata-sandi-budi")
    accounts = service.client.get("/pengguna").text
    assert "<td>petugas</td>" in accounts
    assert "(role staff)" not in accounts
    assert "budi (admin)" in accounts
    service.client.post(
        "/api/v1/reports/W1/decision",
        json={"action": "override", "agency": "Dinas Sosial", "version": 1},
        headers=service.staff,
    )
    page = service.client.get("/laporan/W1").text
    assert "siti mengoreksi: OPD → Dinas Sosial</li>" in page
    topics = page.split('id="override-topic"')[1].split("</select>")[0]
    names = [part.split('"')[1] for part in topics.split('<option value="')[2:]]
    assert names == sorted(names)


def test_times_are_the_deployments_with_its_zone(
    router: Router, pair_scorer: PairScorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Kalimantan Timur deployment on a UTC server: times are WITA, labelled so in the UI
    and given with +08:00 on the API."""
    monkeypatch.setenv("LAPOR_TIMEZONE", "WITA")
    get_settings.cache_clear()
    try:
        with running_service(router, pair_scorer) as service:
            answer = service.intake(ROAD, id="Z1")
            received = datetime.fromisoformat(answer["received_at"])
            assert received.utcoffset() == timedelta(hours=8)
            assert abs(received - datetime.now(UTC)) < timedelta(minutes=1)
            login(service)
            page = service.client.get("/laporan/Z1").text
            assert f"{received:%d-%m-%Y %H:%M} WITA" in page
    finally:
        use_zone("WIB")


def test_every_status_has_one_name_for_staff() -> None:
    assert list(STATUS_NAMES) == list(STATUSES)
    assert len(set(STATUS_NAMES.values())) == len(STATUSES)
