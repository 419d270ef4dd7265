"""Password hashes: Argon2id at RFC 9106's cost unless the composition root lowers it (the
tests do, through the settings)."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher

from cli.common import open_store
from core.config import Settings
from serve.passwords import PasswordHashing
from serve.store import Store


def test_the_default_cost_is_argon2s_own() -> None:
    library = PasswordHasher()
    defaults = Settings.model_fields
    assert defaults["argon2_time_cost"].default == library.time_cost
    assert defaults["argon2_memory_kib"].default == library.memory_cost
    assert PasswordHashing() == PasswordHashing(library.time_cost, library.memory_cost)


def test_hashes_take_the_cost_they_are_given() -> None:
    hashing = PasswordHashing(time_cost=2, memory_kib=128)
    stored = hashing.hash("kata-sandi-siti")
    assert "$m=128,t=2," in stored
    assert hashing.verify(stored, "kata-sandi-siti")
    assert not hashing.verify(stored, "kata-sandi-budi")
    assert not hashing.verify(None, "kata-sandi-siti")
    assert not hashing.verify("not a hash", "kata-sandi-siti")


def test_the_store_hashes_at_the_cost_its_opener_reads_from_the_settings(tmp_path: Path) -> None:
    """The command line (and the service) pass the settings' cost; the tests set it low."""
    store = open_store()
    assert store.passwords == PasswordHashing(time_cost=1, memory_kib=64)
    store.close()
    given = Store(f"sqlite:///{tmp_path / 'store.db'}", passwords=PasswordHashing(2, 96))
    given.migrate()
    given.add_user("siti", "staff", "kata-sandi-siti")
    assert "$m=96,t=2," in (given.users()[0].password_hash or "")
    assert given.authenticate("siti", "kata-sandi-siti") is not None
    assert given.authenticate("siti", "kata-sandi-budi") is None
    given.close()
