"""The daily loop with SP4N-LAPOR!: the portal's export into the queue (twice changes nothing),
the portal's outcome back into the store (never over a staff decision), and the decisions made
here out to the portal until it shows them."""

from __future__ import annotations

import copy
import io
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from models.duplicates.index import DuplicateIndex
from models.duplicates.scorer import PairScorer
from models.router import Router
from models.triage import Triage
from pipeline.synth.generator import generate
from pipeline.synth.portal_export import write_portal_export
from serve.intake import DISPOSITION_COLUMNS, WrongRegionError, dispositions, intake_export
from serve.messages import wording
from serve.store import Store
from serve.store.portal import PORTAL_USER
from serve.store.records import DecisionInput
from tests.serve.conftest import Service
from tests.serve.test_ui import csrf_of, login

KUTIM = "Kabupaten Kutai Timur"
INSTANSI = f"Pemerintah {KUTIM}"


@pytest.fixture
def store(sqlite_store: Store) -> Store:
    """The tests here need SQLite alone."""
    return sqlite_store


@pytest.fixture
def triage(router: Router, pair_scorer: PairScorer) -> Triage:
    served = copy.copy(router)
    served.version_ = "lapor-router/test"
    return Triage(served, DuplicateIndex(pair_scorer))


def corpus(n: int = 40) -> list[dict]:
    """Recent demo reports: the older half forwarded (some closed), the newer half new."""
    rows = list(generate(n, seed=17))
    start = datetime(2026, 11, 2, 8, 0)
    for i, row in enumerate(rows):
        row["created_at"] = start + timedelta(hours=6 * i)
        if i < n // 2:
            row["status"] = "closed" if i % 2 else "dispositioned"
            row["dispositioned_at"] = row["created_at"] + timedelta(hours=20)
            row["closed_at"] = row["created_at"] + timedelta(days=4) if i % 2 else None
            row["responded_at"] = row["closed_at"]
        else:
            row["status"] = "new"
            row["dispositioned_at"] = row["responded_at"] = row["closed_at"] = None
    return rows


def export(tmp_path: Path, rows: list[dict], name: str = "ekspor.xlsx", **options: str) -> Path:
    path = tmp_path / name
    write_portal_export(rows, path, options.get("instansi", INSTANSI), date(2026, 12, 1))
    return path


def test_an_export_imported_twice_changes_nothing(
    store: Store, triage: Triage, tmp_path: Path
) -> None:
    rows = corpus()
    path = export(tmp_path, rows)
    first = intake_export(store, triage, path, KUTIM)
    assert (len(first.new), len(first.updated), first.unchanged) == (40, 0, 0)
    assert not first.refused
    forwarded = store.report(rows[0]["id"])
    assert forwarded.status == "dispositioned"
    assert forwarded.agency == rows[0]["agency"]
    assert forwarded.dispositioned_at == rows[0]["dispositioned_at"]  # the export's own date
    assert [d.source for d in forwarded.decisions] == ["portal"]
    assert forwarded.decisions[0].user.name == PORTAL_USER
    assert store.report(rows[1]["id"]).status == "closed"
    assert store.report(rows[30]["id"]).status == "new"
    history = store.history()
    second = intake_export(store, triage, path, KUTIM)
    assert (len(second.new), len(second.updated), second.unchanged) == (0, 0, 40)
    after = store.history()
    assert after.equals(history)
    assert sum(len(store.report(r["id"]).decisions) for r in rows) == 20


def test_a_status_change_in_the_next_export_moves_the_report_along(
    store: Store, triage: Triage, tmp_path: Path
) -> None:
    rows = corpus()
    intake_export(store, triage, export(tmp_path, rows), KUTIM)
    waiting = rows[30]
    waiting.update(status="dispositioned", agency="Dinas Sosial", dispositioned_at=None)
    closing = rows[0]
    closing.update(status="closed", closed_at=datetime(2026, 11, 9, 10, 0))
    summary = intake_export(store, triage, export(tmp_path, rows, "besok.csv"), KUTIM)
    assert sorted(summary.updated) == sorted([waiting["id"], closing["id"]])
    moved = store.report(waiting["id"])
    assert (moved.status, moved.agency) == ("dispositioned", "Dinas Sosial")
    assert moved.dispositioned_at is not None  # seen forwarded by this intake: its time
    done = store.report(closing["id"])
    assert (done.status, done.closed_at) == ("closed", datetime(2026, 11, 9, 10, 0))
    rows[2]["status"] = "new"  # the portal never moves a report back
    intake_export(store, triage, export(tmp_path, rows, "lusa.csv"), KUTIM)
    assert store.report(rows[2]["id"]).status == "dispositioned"


def test_a_staff_decision_is_never_overwritten_and_leaves_the_export_once_the_portal_shows_it(
    store: Store, triage: Triage, tmp_path: Path
) -> None:
    rows = corpus()
    intake_export(store, triage, export(tmp_path, rows), KUTIM)
    siti = store.add_user("siti", "staff", "kata-sandi-siti")
    urgent, calm = rows[35], rows[31]
    store.add_decision(calm["id"], siti, DecisionInput("override", agency="Dinas Sosial"))
    store.add_decision(
        urgent["id"], siti, DecisionInput("override", agency="Dinas Kesehatan", urgent=True)
    )
    listed = dispositions(store)
    assert [r["Tracking ID"] for r in listed] == [urgent["id"], calm["id"]]  # urgent first
    assert listed[0]["Instansi Tujuan"] == "Dinas Kesehatan"
    assert listed[0]["Mendesak"] == "Ya"
    assert listed[0]["Diputuskan oleh"] == "siti"
    # the portal forwarded the calm one elsewhere, and the urgent one as decided here
    calm.update(status="dispositioned", agency="Dinas Perhubungan")
    urgent.update(status="dispositioned", agency="Dinas Kesehatan")
    intake_export(store, triage, export(tmp_path, rows, "besok.xlsx"), KUTIM)
    kept = store.report(calm["id"])
    assert (kept.agency, kept.portal_agency) == ("Dinas Sosial", "Dinas Perhubungan")
    assert [d.source for d in kept.decisions] == ["staff"]
    assert [r["Tracking ID"] for r in dispositions(store)] == [calm["id"]]
    assert dispositions(store, since=datetime.now() + timedelta(days=1)) == []


def test_an_export_of_another_regency_is_refused_in_one_sentence(
    store: Store, triage: Triage, tmp_path: Path
) -> None:
    path = export(tmp_path, corpus(4), instansi="Pemerintah Kota Surabaya")
    with pytest.raises(WrongRegionError) as refused:
        intake_export(store, triage, path, KUTIM)
    assert wording(refused.value).startswith(
        "this export is of Kota Surabaya, but the deployment is Kabupaten Kutai Timur"
    )
    assert store.queue_size() == 0
    assert len(intake_export(store, triage, path, KUTIM, force=True).new) == 4


def test_bad_rows_are_refused_by_number_and_the_rest_imported(
    store: Store, triage: Triage, tmp_path: Path
) -> None:
    rows = corpus(6)
    rows[2]["text"] = " "
    rows[4]["id"] = rows[3]["id"]  # the same Tracking ID twice
    summary = intake_export(store, triage, export(tmp_path, rows, "rusak.csv"), KUTIM)
    assert len(summary.new) == 4
    assert [issue.row for issue in summary.refused] == [3, 5]
    assert summary.needs_a_person


def test_a_batch_of_new_reports_finds_its_own_earlier_duplicates(
    store: Store, triage: Triage, tmp_path: Path
) -> None:
    rows = corpus(4)
    twin = dict(rows[3], id="KTM-TWIN", created_at=rows[3]["created_at"] + timedelta(hours=2))
    intake_export(store, triage, export(tmp_path, [*rows, twin]), KUTIM)
    links = store.report("KTM-TWIN").suggestion.duplicates
    assert [link.report_id for link in links][:1] == [rows[3]["id"]]


def test_portal_decisions_are_training_data(store: Store, triage: Triage, tmp_path: Path) -> None:
    rows = corpus(10)
    intake_export(store, triage, export(tmp_path, rows), KUTIM)
    learned = {r.id: r.agency for r in store.decided_reports()}
    assert learned == {r["id"]: r["agency"] for r in rows[:5]}
    assert store.decision_counts() == {"portal": 5}


def test_the_upload_page_imports_an_export_and_refuses_a_wrong_file_in_a_sentence(
    service: Service, tmp_path: Path
) -> None:
    login(service, "budi", "kata-sandi-budi")
    page = service.client.get("/impor")
    assert page.status_code == 200
    rows = corpus(12)
    path = export(tmp_path, rows)
    answer = service.client.post(
        "/impor",
        data={"csrf": csrf_of(page.text)},
        files={"export": ("ekspor.xlsx", path.read_bytes())},
    )
    assert answer.status_code == 200
    assert "12 baris: 12 laporan baru masuk antrian, 0 diperbarui dari portal" in answer.text
    assert service.store.report(rows[0]["id"]).agency == rows[0]["agency"]
    again = service.client.post(
        "/impor",
        data={"csrf": csrf_of(page.text)},
        files={"export": ("ekspor.xlsx", path.read_bytes())},
    )
    assert "0 laporan baru masuk antrian, 0 diperbarui dari portal, 12 tidak berubah" in again.text
    wrong = tmp_path / "bukan.csv"
    wrong.write_text("nama,alamat\nBudi,Jl. Mawar\n", encoding="utf-8")
    refused = service.client.post(
        "/impor",
        data={"csrf": csrf_of(page.text)},
        files={"export": ("bukan.csv", wrong.read_bytes())},
    )
    assert "Tidak diimpor: berkas ini tidak dapat dibaca sebagai ekspor laporan" in refused.text
    assert service.store.queue_size() == 12


def test_the_queue_button_downloads_the_decisions_to_enter_in_the_portal(
    service: Service, tmp_path: Path
) -> None:
    rows = corpus(12)
    intake_export(service.store, Triage(service.client.app.state.predictor.triage.router),
                  export(tmp_path, rows), None)  # fmt: skip
    siti = service.store.user("siti")
    service.store.add_decision(
        rows[8]["id"], siti, DecisionInput("override", agency="Dinas Sosial")
    )
    login(service)
    assert 'href="/disposisi.xlsx"' in service.client.get("/antrian").text
    download = service.client.get("/disposisi.xlsx")
    assert download.status_code == 200
    table = pd.read_excel(io.BytesIO(download.content))
    assert list(table.columns) == list(DISPOSITION_COLUMNS)
    assert table["Tracking ID"].tolist() == [rows[8]["id"]]
    assert table["Instansi Tujuan"].tolist() == ["Dinas Sosial"]
