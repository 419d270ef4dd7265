"""The admins' OPD catalogue page: edits take effect at once, staff may not edit."""

from __future__ import annotations

from core.config import get_settings
from models.functions import FunctionResolver
from pipeline.deployment import CatalogueRow
from serve.deployment import Deployment
from tests.serve.conftest import Service
from tests.serve.test_ui import csrf_of, login

AGENCIES = ["Dinas Perhubungan", "Dinas Lingkungan Hidup", "Dinas Sosial"]


def deploy(service: Service) -> None:
    rows = [CatalogueRow(name) for name in AGENCIES]
    deployment = Deployment(get_settings().home, service.store)
    deployment.set_up("Kabupaten Kutai Timur", rows, FunctionResolver(), actor="siti")


def test_an_admin_renames_an_opd_and_suggestions_follow(service: Service) -> None:
    deploy(service)
    login(service, "budi", "kata-sandi-budi")
    page = service.client.get("/opd")
    assert page.status_code == 200
    assert "Dinas Perhubungan" in page.text
    assert "Kabupaten Kutai Timur disiapkan" in page.text  # the set-up is the first edit
    response = service.client.post(
        "/opd",
        data={"csrf": csrf_of(page.text), "edit": "rename", "name": "Dinas Perhubungan",
              "new_name": "Dinas Perhubungan dan Perparkiran"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "OPD Dinas Perhubungan: diganti nama." in response.text
    assert "budi" in response.text  # the history says who
    answer = service.client.post(
        "/api/v1/classify", json={"text": "lampu lalu lintas mati di simpang"},
        headers=service.staff,
    )  # fmt: skip
    assert answer.json()["agency"]["label"] == "Dinas Perhubungan dan Perparkiran"
    refused = service.client.post(
        "/opd",
        data={"csrf": csrf_of(response.text), "edit": "add", "name": "dinas sosial"},
    )
    assert "Tidak disimpan" in refused.text
    assert "sudah ada di daftar sebagai" in refused.text


def test_staff_cannot_edit_the_catalogue(service: Service) -> None:
    deploy(service)
    login(service)
    assert service.client.get("/opd").status_code == 403
    page = service.client.get("/antrian")
    response = service.client.post(
        "/opd", data={"csrf": csrf_of(page.text), "edit": "retire", "name": "Dinas Sosial"}
    )
    assert response.status_code == 403


def test_without_a_deployment_the_page_says_how_to_set_one_up(service: Service) -> None:
    login(service, "budi", "kata-sandi-budi")
    page = service.client.get("/opd")
    assert "lapor deployment init" in page.text
