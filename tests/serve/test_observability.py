"""JSON request logs without report text or personal data."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from serve.observability import configure_logging
from tests.serve.conftest import Service

pytestmark = pytest.mark.slow


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    names = ("lapor", "uvicorn", "uvicorn.error", "uvicorn.access")
    saved = {n: (logging.getLogger(n).handlers[:], logging.getLogger(n).propagate) for n in names}
    stream = io.StringIO()
    configure_logging("INFO", stream)
    yield stream
    for name, (handlers, propagate) in saved.items():
        logger = logging.getLogger(name)
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.disabled = False


def test_request_logs_are_json_without_text_or_pii(
    service: Service, json_logs: io.StringIO
) -> None:
    secret_text = "Rumah saya kebanjiran, hubungi 081234567890 atau budi@contoh.id"
    service.intake(secret_text, id="L1")
    service.client.get("/api/v1/reports/NOPE", headers=service.staff)
    logging.getLogger("lapor.serve").warning("caller gave 081298765432 and 6408012345670001")
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines() if line]
    requests = [line for line in lines if line["message"] == "request"]
    assert {(r["method"], r["route"], r["status"]) for r in requests} >= {
        ("POST", "/api/v1/reports", 201),
        ("GET", "/api/v1/reports/{report_id}", 404),
    }
    assert all(r["user"] == "siti" and r["ms"] >= 0 and r["request_id"] for r in requests)
    everything = "\n".join(json.dumps(line) for line in lines)
    for private in (
        "kebanjiran",
        "081234567890",
        "budi@contoh.id",
        "081298765432",
        "6408012345670001",
    ):
        assert private not in everything


def test_masking_keeps_request_ids_and_masks_messages_and_tracebacks(
    json_logs: io.StringIO,
) -> None:
    log = logging.getLogger("lapor.serve")
    request_id = "0123456789d84650"  # hex, with a long run of digits
    try:
        raise ValueError("bad NIK 6408011234567890 in the form")
    except ValueError:
        log.exception("call me on 081234567890", extra={"request_id": request_id})
    line = json.loads(json_logs.getvalue().strip().splitlines()[-1])
    assert line["request_id"] == request_id
    assert line["message"] == "call me on [TELEPON]"
    assert "6408011234567890" not in line["exc_info"]
    assert "[NIK]" in line["exc_info"]
