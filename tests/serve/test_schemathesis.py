"""Property-based requests generated from the OpenAPI schema by schemathesis: no operation
answers 5xx, whatever the input (valid, invalid, or strange), and every answer is one the
schema documents (status code, content type, headers and body)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.serve.conftest import LiveServer

pytestmark = pytest.mark.slow


WARNINGS = "missing_auth,validation_mismatch,missing_deserializer,unused_openapi_auth"
"""Every warning but missing test data: rejecting a suggested duplicate needs a report with a
suggested link, which random ids never name (tests/serve/test_duplicates_panel.py covers it)."""
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance"
)


def test_no_server_errors_and_answers_as_documented(
    live_server: LiveServer, tmp_path: Path
) -> None:
    live_server.service.intake("Jalan berlubang di depan sekolah, tolong diperbaiki.", id="S1")
    schemathesis = Path(sys.executable).with_name("schemathesis")
    result = subprocess.run(
        [
            str(schemathesis), "run", f"{live_server.url}/openapi.json",
            "--checks", CHECKS, "--warnings", WARNINGS,
            "--header", f"X-API-Key: {live_server.service.admin['X-API-Key']}",
            "--max-examples", "30", "--seed", "7", "--workers", "1",
            "--phases", "examples,coverage,fuzzing",
            "--no-color",
        ],
        capture_output=True, text=True, timeout=600, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout, result.stdout[-4000:]
    paths = live_server.service.client.app.openapi()["paths"]
    operations = sum(len(methods) for methods in paths.values())
    assert f"Tested: {operations}" in result.stdout  # every operation of the API was exercised
