"""OPD names as staff type them: every alias the deployment's catalogue holds is accepted on the
API, the forms and the queue filter; a refused name keeps what was typed, with the "Maksud Anda"
choices to click; a lead OPD is required beside OPD pendukung."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from core.config import get_settings
from models.duplicates.scorer import PairScorer
from models.router import Router
from serve.app import create_app
from tests.models.conftest import named_catalogue
from tests.serve.conftest import Service, service_triage
from tests.serve.test_ui import form_of, login

ROAD = "Jalan poros desa rusak parah dan berlubang, mohon segera diperbaiki."
PUPR = "Dinas Pekerjaan Umum dan Penataan Ruang"
ALIASES = {PUPR: ("Dinas PUPR", "DPUPR Kutim"), "Dinas Sosial": ("Dinsos P3A",)}


@pytest.fixture
def aliased_service(router: Router, pair_scorer: PairScorer) -> Iterator[Service]:
    """The service serving a catalogue whose OPDs carry aliases."""
    catalogue = named_catalogue("Kabupaten Kutai Timur", router.known_agencies())
    catalogue.opds = [
        dataclasses.replace(opd, aliases=ALIASES.get(opd.name, ())) for opd in catalogue.opds
    ]
    served = service_triage(router, pair_scorer)
    served.catalogue = catalogue
    app = create_app(get_settings(), load_triage=lambda: served)
    with TestClient(app, raise_server_exceptions=False) as client:
        store = app.state.store
        store.add_user("siti", "staff", "kata-sandi-siti")
        yield Service(client, store, {"X-API-Key": store.add_api_key("siti")}, {})


def test_every_alias_of_the_catalogue_is_accepted_on_the_api_and_the_filter(
    aliased_service: Service,
) -> None:
    service = aliased_service
    service.intake(ROAD, id="A1")
    decided = service.client.post(
        "/api/v1/reports/A1/decision",
        json={"action": "override", "agency": "Dinas PUPR", "supporting_agencies": ["Dinsos P3A"],
              "version": 1},
        headers=service.staff,
    )  # fmt: skip
    assert decided.status_code == 201, decided.text
    assert decided.json()["agency"] == PUPR
    assert decided.json()["supporting_agencies"] == ["Dinas Sosial"]
    queue = service.client.get(
        "/api/v1/reports", params={"agency": "DPUPR Kutim", "status": "dispositioned"},
        headers=service.staff,
    )  # fmt: skip
    assert [r["id"] for r in queue.json()["items"]] == ["A1"]


def test_a_refused_name_keeps_what_was_typed_with_choices_to_click(
    aliased_service: Service,
) -> None:
    service = aliased_service
    service.intake(ROAD, id="A2")
    login(service)
    page = service.client.get("/laporan/A2")
    refused = service.client.post(
        "/laporan/A2/keputusan",
        data={**form_of(page.text), "action": "override", "agency": "Dinas Pekerjan Umum",
              "supporting": "Dinsos P3A", "note": "jalan desa"},
    )  # fmt: skip
    assert "tidak dikenal" in refused.text
    assert 'value="Dinas Pekerjan Umum"' in refused.text  # what was typed stays in the field
    assert 'value="Dinsos P3A"' in refused.text
    assert ">jalan desa</textarea>" in refused.text
    choice = 'class="choice" data-fill="override-agency" data-typed="Dinas Pekerjan Umum"'
    assert f'{choice} data-value="{PUPR}"' in refused.text
    assert service.store.decisions() == []
    again = service.client.get("/laporan/A2")
    assert "Maksud Anda" not in again.text  # shown once


def test_a_lead_opd_is_required_beside_opd_pendukung(service: Service) -> None:
    service.intake(ROAD, id="L1")
    only_support = service.client.post(
        "/api/v1/reports/L1/decision",
        json={"action": "override", "supporting_agencies": ["Dinas Sosial"], "version": 1},
        headers=service.staff,
    )
    assert only_support.status_code == 422
    assert "lead OPD" in only_support.json()["detail"]
    assert service.store.report("L1").status == "new"
    login(service)
    page = service.client.get("/laporan/L1")
    assert 'id="accept-supporting"' in page.text  # pendukung beside an accepted suggestion
    accepted = service.client.post(
        "/laporan/L1/keputusan",
        data={**form_of(page.text), "action": "accept", "supporting": "Dinas Sosial"},
    )
    assert accepted.status_code == 200
    stored = service.store.report("L1")
    assert stored.agency is not None
    assert stored.supporting_agencies == ["Dinas Sosial"]
