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
from tests.conftest import training_setup
from tests.serve.conftest import Service
from tests.serve.test_ui import login

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


def intake_answers(service: Service, report_id: str, values: dict[str, str]) -> list[str]:
    """Intake a report, then what the API and the report page (logged in) show of it."""
    created = service.client.post(
        "/api/v1/reports", json={"id": report_id, **values}, headers=service.staff
    )
    assert created.status_code == 201, created.text
    answers = [
        created.text,
        service.client.get(f"/api/v1/reports/{report_id}", headers=service.staff).text,
    ]
    login(service)
    return [*answers, service.client.get(f"/laporan/{report_id}").text]


def stored_text() -> str:
    """The store's SQLite file and its WAL, as text."""
    store_file = Path(get_settings().store_url.removeprefix("sqlite:///"))
    return b"".join(
        path.read_bytes() for path in store_file.parent.glob(store_file.name + "*")
    ).decode("utf-8", "replace")


def test_intake_masks_every_field_before_store_api_and_ui(service: Service) -> None:
    values = planted(1)
    answers = intake_answers(service, "PII-1", values)
    answers += [
        service.client.get("/api/v1/reports", headers=service.staff).text,
        service.client.post("/api/v1/classify", json=values, headers=service.staff).text,
        service.client.get("/antrian").text,
    ]
    stored = stored_text()
    for secret in secrets_of(values):
        for where, text in [("store", stored), *(("answer", a) for a in answers)]:
            assert secret not in text, (secret, where)
    assert "[TELEPON]" in answers[1]


SPELLED = {
    "text": "NIK 6408\u00a07319\u00a04466\u00a08821, hp (0812) 9911-7702, surel "
    "warga.tujuh at contoh dot id, nama saya Wiryawan Sastrodikromo",
    "title": "a.n. Kusumawardhani Prawirosentono",
    "address": "Gg. Melati, HP 0812\u20139911\u20137733",
}
SPELLED_SECRETS = [
    "7319\u00a04466",
    "7319 4466",
    "9911-7702",
    "9911-7733",
    "warga.tujuh",
    "Sastrodikromo",
    "Kusumawardhani",
]


def test_personal_data_in_unusual_spellings_is_masked_everywhere(service: Service) -> None:
    answers = intake_answers(service, "PII-2", SPELLED)
    stored = stored_text()
    for secret in SPELLED_SECRETS:
        for where, text in [("store", stored), *(("answer", a) for a in answers)]:
            assert secret not in text, (secret, where)
    assert "[NAMA]" in answers[1]


@pytest.mark.slow
def test_training_logs_nothing_unmasked_to_mlflow(tmp_path: Path) -> None:
    rows = list(generate(400, seed=6))
    for number, row in enumerate(rows[-40:]):  # the newest rows: they end up in validation
        row.update(planted(number))
    data = tmp_path / "planted.csv"
    write_rows(rows, data)
    train(DataSpec(data, "csv"), training_setup())
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


REPORTER = "Suharjo Wibisono"
HIDDEN = {
    "text": f"nama saya {REPORTER}, NIK 6408\u00a00199\u00a01177\u00a00001, hp (0812) 9911-7702, "
    "surel suharjo at contoh dot id",
    "title": "atas nama Kartosuwiryo Mangunkusumo",
}
ONE_REPORTS_PLACES = {
    "district": "Gang Kenanga Belakang Rumah Pak Sastrowardoyo",
    "village": "Dusun Kalisampurnoharjo Wetan",
    "address": "Jl. Kalisampurnoharjo Gg. Sastrowardoyo No. 9",
}
WRITTEN_AS_IS = [
    "Suharjo",
    "Wibisono",
    "6408 0199 1177 0001",
    "64080199",
    "9911-7702",
    "99117702",
    "suharjo at contoh",
    "Kartosuwiryo",
    "Mangunkusumo",
]
PLACE_WORDS = ["Sastrowardoyo", "Kalisampurnoharjo", "Gang Kenanga Belakang"]


def readable_bytes(path: Path) -> bytes:
    """A file's bytes, a zip archive's (skops, MLflow) members decompressed."""
    import zipfile

    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return b"".join(archive.read(name) for name in archive.namelist())
    return path.read_bytes()


def found_in(content: bytes, value: str) -> bool:
    """``value`` in any case, as UTF-8 (JSON, text) or UTF-32 (numpy string arrays)."""
    lowered = content.lower()
    return (
        any(value.lower().encode(encoding) in lowered for encoding in ("utf-8", "utf-32-le"))
        or value.casefold().encode("utf-32-le") in content
    )


@pytest.mark.slow
def test_a_trained_model_keeps_no_personal_data_nor_one_reports_place_fields(
    tmp_path: Path,
) -> None:
    rows = list(generate(600, seed=8))
    for row in rows[::20]:  # spread over training and validation
        row.update(HIDDEN)
    rows[5].update(ONE_REPORTS_PLACES)  # among the oldest: a training row
    data = tmp_path / "planted.csv"
    write_rows(rows, data)
    train(DataSpec(data, "csv"), training_setup())
    files = [path for path in get_settings().home.rglob("*") if path.is_file()]
    assert any(path.suffix == ".skops" for path in files)
    for path in files:
        content = readable_bytes(path)
        for value in WRITTEN_AS_IS:
            assert not found_in(content, value), (value, path)
        if path.suffix != ".parquet":  # the model and its records, not the validation data
            for value in PLACE_WORDS:
                assert not found_in(content, value), (value, path)
