"""The one message table: every code the services raise is worded there, in both languages, and
the API answers in English while the UI says the same refusal in Indonesian."""

import re
import string
from pathlib import Path

import pytest

from core.errors import LaporError
from serve.messages import MESSAGES, wording
from serve.store.records import StoreError
from tests.serve.conftest import Service
from tests.serve.test_ui import csrf_of, login

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    path
    for package in ("core", "models", "pipeline", "serve", "cli")
    for path in (ROOT / package).rglob("*.py")
    if path.name != "messages.py"
]


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_every_code_raised_is_worded_and_every_wording_is_raised_somewhere() -> None:
    source = "\n".join(path.read_text(encoding="utf-8") for path in SOURCES)
    raised = set(re.findall(r"\bcode=\"([a-z_]+\.[a-z_]+)\"", source))
    assert raised, "the scan found no coded error at all"
    assert raised - MESSAGES.keys() == set()
    quoted = set(re.findall(r"\"([a-z_]+\.[a-z_]+)\"", source))
    assert MESSAGES.keys() - quoted == set(), "table entries nothing raises"


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_both_wordings_take_the_same_facts(code: str) -> None:
    english, indonesian = MESSAGES[code]
    assert _placeholders(indonesian) <= _placeholders(english)
    facts = dict.fromkeys(_placeholders(english), "X-7")
    error = LaporError(code=code, **facts)
    assert wording(error, "en") != wording(error, "id")


def test_an_error_without_a_code_is_its_own_sentence_in_both_languages() -> None:
    error = LaporError("data.csv: no such file")
    assert wording(error, "en") == wording(error, "id") == "data.csv: no such file"


def test_a_coded_error_names_its_code_and_facts_in_logs() -> None:
    error = StoreError(code="user.unknown", name="budi")
    assert str(error) == "user.unknown(name='budi')"
    assert wording(error) == "no user 'budi'"
    assert wording(error, "id") == "Tidak ada pengguna budi."


def test_the_api_answers_in_english_and_the_ui_in_indonesian(service: Service) -> None:
    """One refusal (an admin deactivating themself), both readers, one table."""
    api = service.client.post("/api/v1/users/budi/deactivate", headers=service.admin)
    assert api.status_code == 409
    assert api.json() == {
        "detail": "you cannot deactivate yourself: ask another admin",
        "code": "user.deactivate_self",
    }
    login(service, "budi", "kata-sandi-budi")
    form = {"csrf": csrf_of(service.client.get("/pengguna").text)}
    page = service.client.post("/pengguna", data={**form, "change": "deactivate", "name": "budi"})
    assert "Tidak disimpan: Anda tidak dapat menonaktifkan diri sendiri: minta admin lain." in (
        page.text
    )
    assert "yourself" not in page.text
