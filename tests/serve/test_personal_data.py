"""Personal data planted in every free-text field of a report never comes out unmasked: not in
the store (the SQLite file and its WAL), the API's answers, the UI, or what training logs to
MLflow."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from core.config import get_settings
from pipeline.ingest.containers import write_rows
from pipeline.sources import DataSpec
from pipeline.synth.generator import generate
from pipeline.train import train
from tests.serve.conftest import Service

FIELDS = ("title", "text", "address", "village", "district", "regency", "province")


def planted(number: int) -> dict[str, str]:
    """Per field a phone number, an e-mail and a NIK nobody has."""
    return {
        field: f"{field} 0812-{7700 + number:04d}-{1000 + index:04d} "
        f"warga{number}.{field}@contoh.id 6408{number:04d}{index:08d}"
        for index, field in enumerate(FIELDS)
    }


def secrets_of(values: dict[str, str]) -> list[str]:
    return [part for value in values.values() for part in value.split()[1:]]


def test_intake_masks_every_field_before_store_api_and_ui(service: Service) -> None:
    values = planted(1)
    created = service.client.post(
        "/api/v1/reports", json={"id": "PII-1", **values}, headers=service.staff
    )
    assert created.status_code == 201, created.text
    answers = [
        created.text,
        service.client.get("/api/v1/reports/PII-1", headers=service.staff).text,
        service.client.get("/api/v1/reports", headers=service.staff).text,
        service.client.post("/api/v1/classify", json=values, headers=service.staff).text,
    ]
    page = service.client.get("/login")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    service.client.post(
        "/login", data={"csrf": token, "username": "siti", "password": "kata-sandi-siti"}
    )
    answers += [service.client.get("/laporan/PII-1").text, service.client.get("/antrian").text]
    store_file = Path(get_settings().store_url.removeprefix("sqlite:///"))
    stored = b"".join(
        path.read_bytes() for path in store_file.parent.glob(store_file.name + "*")
    ).decode("utf-8", "replace")
    for secret in secrets_of(values):
        for where, text in [("store", stored), *(("answer", a) for a in answers)]:
            assert secret not in text, (secret, where)
    assert "[TELEPON]" in answers[1]


@pytest.mark.slow
def test_training_logs_nothing_unmasked_to_mlflow(tmp_path: Path) -> None:
    rows = list(generate(400, seed=6))
    for number, row in enumerate(rows[-40:]):  # the newest rows: they end up in validation
        row.update(planted(number))
    data = tmp_path / "planted.csv"
    write_rows(rows, data)
    train(DataSpec(data, "csv"))
    logged = pd.concat(
        pd.read_parquet(path).astype(str) for path in get_settings().home.rglob("*.parquet")
    )
    text = " ".join(map(str, logged.to_numpy().ravel().tolist()))
    other_files = " ".join(
        path.read_text("utf-8", "replace")
        for path in get_settings().home.rglob("*")
        if path.is_file() and path.suffix in (".json", ".md", ".txt", ".csv", ".yaml")
    )
    for number in range(40):
        for secret in secrets_of(planted(number)):
            assert secret not in text
            assert secret not in other_files
