"""Password hashes: Argon2id at RFC 9106's cost unless the settings lower it (tests do)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from core.config import Settings, get_settings
from serve import passwords


def test_the_default_cost_is_argon2s_own() -> None:
    library = PasswordHasher()
    defaults = Settings.model_fields
    assert defaults["argon2_time_cost"].default == library.time_cost
    assert defaults["argon2_memory_kib"].default == library.memory_cost


def test_hashes_take_the_cost_the_settings_give(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAPOR_ARGON2_TIME_COST", "2")
    monkeypatch.setenv("LAPOR_ARGON2_MEMORY_KIB", "128")
    get_settings.cache_clear()
    passwords._hasher.cache_clear()
    try:
        stored = passwords.hash_password("kata-sandi-siti")
        assert "$m=128,t=2," in stored
        assert passwords.verify_password(stored, "kata-sandi-siti")
        assert not passwords.verify_password(stored, "kata-sandi-budi")
        assert not passwords.verify_password(None, "kata-sandi-siti")
    finally:
        passwords._hasher.cache_clear()
        passwords._dummy_hash.cache_clear()
