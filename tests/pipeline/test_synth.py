"""The synthetic Kutai Timur demo deployment."""

from __future__ import annotations

from collections import Counter

import pytest

from core.schema import CHANNELS, LAPOR_CATEGORIES, REPORT_FIELDS, URGENT_REASONS, Report
from pipeline.synth.gazetteer import KECAMATAN_VILLAGES, OPD, agency_names
from pipeline.synth.generator import generate


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return list(generate(3_000, seed=7))


def test_deterministic_for_a_seed() -> None:
    assert list(generate(200, seed=5)) == list(generate(200, seed=5))
    assert list(generate(50, seed=5)) != list(generate(50, seed=6))


def test_deployment_facts() -> None:
    assert len(KECAMATAN_VILLAGES) == 18
    assert all(len(villages) >= 4 for villages in KECAMATAN_VILLAGES.values())
    assert len(OPD) >= 25
    assert {
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        "Dinas Kesehatan",
        "RSUD Kudungga",
        "Badan Penanggulangan Bencana Daerah",
        "PLN ULP Sangatta",
    } <= set(OPD.values())
    assert "Kecamatan Sangatta Utara" in agency_names()


def test_every_row_is_a_valid_fully_labelled_report(rows: list[dict]) -> None:
    for row in rows[:500]:
        assert set(row) == set(REPORT_FIELDS)
        report = Report.model_validate(row)
        assert report.regency == "Kabupaten Kutai Timur"
        assert report.topic in LAPOR_CATEGORIES
        assert report.channel in CHANNELS
        assert report.agency in agency_names()
        assert report.subtopic
        assert report.urgent is not None
        assert report.village in KECAMATAN_VILLAGES[report.district]


def test_label_mix(rows: list[dict]) -> None:
    channels = Counter(r["channel"] for r in rows)
    assert set(channels) == set(CHANNELS)
    assert channels["pengaduan"] > channels["aspirasi"] > 50
    assert channels["permintaan_informasi"] > 50
    urgent = [r for r in rows if r["urgent"]]
    assert 0.02 < len(urgent) / len(rows) < 0.1
    assert all(r["urgent_reason"] in URGENT_REASONS for r in urgent)
    assert all(r["urgent_reason"] is None for r in rows if not r["urgent"])
    assert len({r["agency"] for r in rows}) >= 35
    kecamatan_offices = [r for r in rows if r["agency"].startswith("Kecamatan ")]
    assert all(r["agency"] == f"Kecamatan {r['district']}" for r in kecamatan_offices)


def test_duplicate_chains_repeat_an_earlier_problem(rows: list[dict]) -> None:
    by_id = {r["id"]: r for r in rows}
    repeats = [r for r in rows if r["duplicate_of"]]
    assert 0.04 < len(repeats) / len(rows) < 0.12
    for repeat in repeats:
        original = by_id[repeat["duplicate_of"]]
        assert original["created_at"] < repeat["created_at"]
        assert (repeat["created_at"] - original["created_at"]).days <= 45
        assert (original["village"], original["agency"]) == (repeat["village"], repeat["agency"])
        assert original["text"] != repeat["text"]


def test_intake_and_history_times(rows: list[dict]) -> None:
    created = [r["created_at"] for r in rows]
    assert created == sorted(created)
    weekdays = Counter(c.weekday() for c in created)
    assert weekdays[1] > 1.5 * weekdays[6]  # Tuesday busier than Sunday
    hours = Counter(c.hour for c in created)
    assert hours[9] > 5 * hours[3]
    for row in rows:
        times = [row[k] for k in ("created_at", "dispositioned_at", "responded_at", "closed_at")]
        present = [t for t in times if t is not None]
        assert present == sorted(present)
        assert times[: len(present)] == present  # no follow-up without a disposition
    statuses = Counter(r["status"] for r in rows)
    assert statuses["closed"] > statuses["new"] > 0


def test_reports_read_informally(rows: list[dict]) -> None:
    texts = " ".join(r["text"].lower() for r in rows)
    for informal in (" yg ", " tdk ", " jln ", " sdh "):
        assert informal in texts or informal.strip() in texts.split()
    assert sum(r["text"].islower() for r in rows) > len(rows) * 0.3


def test_the_demo_is_as_unsure_as_real_data(rows: list[dict]) -> None:
    """Identical problems go to different OPDs (a dinas or the kecamatan office; PUPR, Perkim
    or DLH for drainage), and some texts are vague."""
    owners: dict[str, Counter] = {}
    for row in rows:
        owners.setdefault(row["source_topic"], Counter())[row["agency"]] += 1
    shared = [key for key, counts in owners.items() if len(counts) > 1]
    assert {"drainase", "sampah", "bansos", "satpol"} <= set(shared)
    drainage = owners["drainase"]
    assert drainage["Dinas Perumahan dan Kawasan Permukiman"] > 0
    assert drainage.most_common(1)[0][0] == "Dinas Pekerjaan Umum dan Penataan Ruang"
    assert all(len(owners[key]) == 1 for key in ("jalan_rusak", "air_pdam", "ktp_kk"))
    short = [r for r in rows if len(r["text"].split()) <= 8 and r["channel"] == "pengaduan"]
    assert len(short) > 0.02 * len(rows)
