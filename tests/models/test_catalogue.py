"""The deployment's catalogue: spellings, and function probabilities spread over its OPDs."""

from __future__ import annotations

import numpy as np
import pytest

from models.catalogue import Catalogue, Opd, office_place

CATALOGUE = Catalogue(
    "Kabupaten Contoh",
    [
        Opd("Dinas PUPR", "pekerjaan_umum", ("pekerjaan_umum",), "rule", ("Dinas PU",)),
        Opd("Dinas Sosial", "sosial", ("sosial",), "rule"),
        Opd("Dinas Sosial dan Tenaga Kerja", "sosial", ("sosial", "tenaga_kerja"), "rule"),
        Opd("Kecamatan Hulu", "kecamatan", ("kecamatan",), "gazetteer", place="Hulu"),
        Opd("Kecamatan Hilir", "kecamatan", ("kecamatan",), "gazetteer", place="Hilir"),
        Opd(
            "Desa Batu Putih",
            "kelurahan_desa",
            ("kelurahan_desa",),
            "gazetteer",
            place="Batu Putih",
            district="Hilir",
        ),
        Opd(
            "Desa Air Hitam",
            "kelurahan_desa",
            ("kelurahan_desa",),
            "gazetteer",
            place="Air Hitam",
            district="Hulu",
        ),
    ],
)
FUNCTIONS = np.array(["kecamatan", "kelurahan_desa", "pekerjaan_umum", "sosial"], dtype=object)


def column(name: str) -> int:
    return CATALOGUE.names().index(name)


def test_spellings_of_a_name_find_its_opd() -> None:
    assert CATALOGUE.canonical("DINAS PU Kab. Contoh") == "Dinas PUPR"
    assert CATALOGUE.canonical("dinas sosial kabupaten contoh") == "Dinas Sosial"
    assert CATALOGUE.canonical("Dinas Perhubungan") is None
    assert CATALOGUE.canonical("Dinas Sosial Kota Lain") is None  # another region's
    assert office_place("Kecamatan Pangalengan Kabupaten Bandung") == "Pangalengan"
    assert office_place("Kelurahan Wonorejo - Rungkut") == "Wonorejo"


def test_a_function_share_is_split_between_its_opds_in_proportion_to_history() -> None:
    proba = np.array([[0.0, 0.0, 0.2, 0.8]])
    even = CATALOGUE.spread(FUNCTIONS, proba, [{}])[0]
    assert even[column("Dinas PUPR")] == 0.2
    assert even[column("Dinas Sosial")] == even[column("Dinas Sosial dan Tenaga Kerja")] == 0.4
    learned = CATALOGUE.spread(FUNCTIONS, proba, [{}], {"Dinas Sosial": 3})[0]
    assert learned[column("Dinas Sosial")] == pytest.approx(0.8 * 4 / 5)
    again = CATALOGUE.spread(FUNCTIONS, proba, [{}], {"Dinas Sosial": 3})[0]
    np.testing.assert_array_equal(again, learned)  # the same plan, kept for this history
    assert CATALOGUE.spread_plan({"Dinas Sosial": 3}) is CATALOGUE.spread_plan({"Dinas Sosial": 3})
    assert CATALOGUE.spread_plan() is CATALOGUE.spread_plan({})
    assert CATALOGUE.spread_plan() is not CATALOGUE.spread_plan({"Dinas Sosial": 3})


def test_an_own_office_share_goes_to_the_office_of_the_reports_place() -> None:
    proba = np.array([[0.5, 0.5, 0.0, 0.0]] * 4)
    rows = [
        {"district": "Hulu", "village": "Air Hitam"},  # the report's fields
        {"text": "Jalan di desa batu putih rusak, mohon dicek pak camat"},  # named in the text
        {"text": "Mohon bantuan ke Kec. Hulu"},
        {"text": "tanpa tempat"},
    ]
    spread = CATALOGUE.spread(FUNCTIONS, proba, rows)
    assert spread[0, column("Kecamatan Hulu")] == spread[0, column("Desa Air Hitam")] == 0.5
    # the village named in the text gives its office and its kecamatan's
    assert spread[1, column("Desa Batu Putih")] == spread[1, column("Kecamatan Hilir")] == 0.5
    # no village known: the kelurahan/desa share goes to the kecamatan's office too
    assert spread[2, column("Kecamatan Hulu")] == 1.0
    # unknown place: every office of the level alike
    assert spread[3, column("Kecamatan Hulu")] == spread[3, column("Kecamatan Hilir")] == 0.25
    assert np.allclose(spread.sum(axis=1), 1)


def test_functions_no_opd_serves_lose_their_share() -> None:
    functions = np.array(["listrik_pln", "sosial"], dtype=object)
    spread = CATALOGUE.spread(functions, np.array([[0.9, 0.1]]), [{}])[0]
    assert spread[column("Dinas Sosial")] == 0.5
    assert spread.sum() == 1


def test_a_desa_not_yet_routed_to_sends_its_share_to_its_kecamatan() -> None:
    quiet = Catalogue(
        CATALOGUE.region,
        [
            Opd(o.name, o.function, o.functions, o.how, o.aliases, place=o.place,
                district=o.district, suggested=not o.name.startswith("Desa"))
            for o in CATALOGUE.opds
        ],
    )  # fmt: skip
    proba = np.array([[0.0, 1.0, 0.0, 0.0]])
    rows = [{"text": "Lampu jalan di Batu Putih padam"}]  # a long name, without "desa"
    spread = quiet.spread(FUNCTIONS, proba, rows)[0]
    assert spread[column("Kecamatan Hilir")] == 1.0
    # once staff have routed to a desa office, its reports go there
    learned = quiet.spread(FUNCTIONS, proba, rows, {"Desa Batu Putih": 2})[0]
    assert learned[column("Desa Batu Putih")] == 1.0
