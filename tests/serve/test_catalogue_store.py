"""The deployment's catalogue in the store: its OPDs and every edit as rows, edits that never
lose one another, and the files an older deployment kept imported by the migration."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from core.config import get_settings
from models.catalogue import Catalogue, Opd
from models.duplicates.scorer import PairScorer
from models.router import Router
from pipeline.catalogue_edits import CatalogueEditError, add_opd, rename_opd, retire_opd
from serve.deployment import Deployment
from serve.store import Store
from tests.conftest import CHEAP_PASSWORDS
from tests.serve.conftest import Service, running_service

pytestmark = pytest.mark.slow


def _catalogue(*names: str) -> Catalogue:
    opds = [Opd(name, "sosial", ("sosial",), "explicit", (f"{name} Kutim",)) for name in names]
    office = Opd("Kecamatan Bengalon", "kecamatan", ("kecamatan",), "gazetteer",
                 place="Bengalon", suggested=False)  # fmt: skip
    return Catalogue("Kabupaten Kutai Timur", [*opds, office])


def test_the_catalogue_and_every_edit_are_rows(store: Store) -> None:
    with pytest.raises(CatalogueEditError) as nothing:
        store.edit_catalogue(lambda c: retire_opd(c, "Dinas Sosial"), "budi")
    assert nothing.value.code == "catalogue.no_deployment"
    assert store.catalogue() is None
    catalogue = _catalogue("Dinas Sosial", "Dinas Perhubungan")
    store.set_up_catalogue(catalogue, "lapor deployment init")
    assert store.catalogue() == catalogue  # every field of every OPD, in order
    store.edit_catalogue(lambda c: rename_opd(c, "Dinas Perhubungan", "Dishub"), "budi")
    edited = store.edit_catalogue(lambda c: retire_opd(c, "Dinas Sosial"), "siti")
    assert store.catalogue() == edited
    assert edited.names() == ["Dishub", "Kecamatan Bengalon"]
    assert edited.canonical("Dinas Perhubungan") == "Dishub"
    with pytest.raises(CatalogueEditError):  # a refused edit changes nothing
        store.edit_catalogue(lambda c: retire_opd(c, "Dinas Sosial"), "siti")
    assert store.catalogue() == edited
    history = [(e.edit, e.actor, e.name, e.detail) for e in store.catalogue_history()]
    assert history == [
        ("retire", "siti", "Dinas Sosial", {}),
        ("rename", "budi", "Dinas Perhubungan", {"new_name": "Dishub"}),
        ("init", "lapor deployment init", "Kabupaten Kutai Timur", {}),
    ]


def test_admins_editing_at_once_lose_no_edit(store: Store) -> None:
    store.set_up_catalogue(_catalogue("Dinas Sosial"), "demo")
    names = [f"UPT Layanan {n}" for n in range(8)]
    start = threading.Barrier(len(names))
    failures: list[BaseException] = []

    def add(name: str) -> None:
        start.wait()
        try:
            store.edit_catalogue(lambda c: add_opd(c, name, "sosial", ()), name)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=add, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert set(names) <= set(store.catalogue().names())
    assert len(store.catalogue_history()) == len(names) + 1


def test_the_migration_imports_the_files_an_older_deployment_kept(tmp_path: Path) -> None:
    folder = tmp_path / "home" / "deployment"
    folder.mkdir(parents=True)
    opds = [
        {"name": "Dinas Sosial", "function": "sosial", "functions": ["sosial"], "how": "rule",
         "aliases": ["Dinsos"], "description": "", "place": None, "district": None,
         "suggested": True},
        {"name": "Desa Sepaso", "function": "kelurahan_desa", "functions": ["kelurahan_desa"],
         "how": "gazetteer", "aliases": [], "description": "", "place": "Sepaso",
         "district": "Bengalon", "suggested": False},
    ]  # fmt: skip
    saved = {"region": "Kabupaten Kutai Timur", "opds": opds}
    (folder / "catalogue.json").write_text(json.dumps(saved), encoding="utf-8")
    edits = [
        {"at": "2026-11-02T01:30:00+00:00", "by": "budi", "edit": "add", "name": "Dinas Sosial",
         "function": "sosial"},
        {"at": "2026-11-03T02:00:00+00:00", "by": "siti", "edit": "rename", "name": "Dinsos",
         "new_name": "Dinas Sosial"},
    ]  # fmt: skip
    lines = "".join(json.dumps(edit) + "\n" for edit in edits)
    (folder / "history.jsonl").write_text(lines, encoding="utf-8")
    store = Store(f"sqlite:///{tmp_path / 'store.db'}", passwords=CHEAP_PASSWORDS)
    store.migrate(tmp_path / "home")
    catalogue = store.catalogue()
    assert catalogue is not None
    assert catalogue.region == "Kabupaten Kutai Timur"
    assert catalogue.opd("Dinsos").name == "Dinas Sosial"
    assert catalogue.opd("Desa Sepaso").district == "Bengalon"
    assert not catalogue.opd("Desa Sepaso").suggested
    history = store.catalogue_history()
    assert [(e.edit, e.actor, e.detail) for e in history] == [
        ("rename", "siti", {"new_name": "Dinas Sosial"}),
        ("add", "budi", {"function": "sosial"}),
    ]
    assert history[1].at.isoformat().startswith("2026-11-02T")
    store.close()


def test_a_deployment_is_set_up_once_unless_replaced(sqlite_store: Store, tmp_path: Path) -> None:
    from models.functions import FunctionResolver
    from pipeline.deployment import CatalogueRow, DeploymentError

    deployment = Deployment(tmp_path, sqlite_store)
    rows = [CatalogueRow("Dinas Sosial")]
    first = deployment.set_up("Kabupaten Kutai Timur", rows, FunctionResolver())
    assert sqlite_store.catalogue() == first
    with pytest.raises(DeploymentError, match="--force"):
        deployment.set_up("Kabupaten Kutai Timur", rows, FunctionResolver())
    again = deployment.set_up("Kabupaten Kutai Timur", [], FunctionResolver(), replace=True)
    assert "Dinas Sosial" not in again.names()
    assert [e.edit for e in deployment.history()] == ["init", "init"]


def _agencies(service: Service) -> list[str]:
    return service.client.get("/api/v1/labels", headers=service.staff).json()["agencies"]


def _eventually(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_the_service_follows_a_catalogue_changed_outside_it(
    router: Router,
    pair_scorer: PairScorer,
    migrated_store: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`lapor deployment init --force` (another process, its own store connection) while the
    service runs: suggestions and the correction list follow without a restart."""
    monkeypatch.setenv("LAPOR_CATALOGUE_CHECK_SECONDS", "0.05")
    get_settings.cache_clear()
    with running_service(router, pair_scorer, migrated_store) as service:
        assert "Dinas Sosial dan PPPA" not in _agencies(service)
        other = Store(get_settings().store_url)  # as the command line opens it
        other.set_up_catalogue(_catalogue("Dinas Sosial dan PPPA"), "lapor deployment init")
        assert _eventually(lambda: "Dinas Sosial dan PPPA" in _agencies(service))
        other.edit_catalogue(lambda c: rename_opd(c, "Dinas Sosial dan PPPA", "Dinsos"), "cli")
        assert _eventually(lambda: "Dinsos" in _agencies(service))
        assert "Dinas Sosial dan PPPA" not in _agencies(service)
        other.close()
