"""Duplicate detection: exact and reworded repeats, another village, the window, clusters."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from core.schema import Report
from models.duplicates import scorer as scorer_module
from models.duplicates.embeddings import Embeddings
from models.duplicates.features import (
    COLUMN,
    FEATURES,
    MAX_CANDIDATES,
    Entry,
    address_features,
    reason,
    signature,
)
from models.duplicates.index import DuplicateIndex
from models.duplicates.scorer import PairScorer
from pipeline.dedupe import find_links, synthetic_pairs

pytestmark = pytest.mark.slow
START = datetime(2024, 3, 4, 9, 0)


@pytest.fixture(scope="module")
def scorer() -> PairScorer:
    pairs, labels = synthetic_pairs(1_500, seed=13)
    texts = [a.text for a, _ in pairs] + [b.text for _, b in pairs]
    return PairScorer().fit(texts, pairs, labels)


def report(
    report_id: str, text: str, village: str = "Sepaso", days: float = 0, **fields: str
) -> Report:
    """A report as the service indexes it: with its (suggested) topic and agency."""
    lamp = "lampu" in text.lower()
    fields.setdefault("topic", "PERHUBUNGAN" if lamp else "PEKERJAAN UMUM DAN PENATAAN RUANG")
    fields.setdefault("agency", "Dinas Perhubungan" if lamp else "Dinas PUPR")
    if lamp:
        fields.setdefault("address", "Gg. Mawar RT 11")
    return Report(
        id=report_id,
        text=text,
        created_at=START + timedelta(days=days),
        regency="Kabupaten Kutai Timur",
        district=fields.pop("district", "Bengalon"),
        village=village,
        address=fields.pop("address", "Jl. Poros Sangatta-Bengalon RT 04"),
        **fields,
    )


ROAD = (
    "Jalan poros di desa Sepaso rusak parah dan berlubang besar, sudah dua minggu tidak diperbaiki"
)
REWORDED = (
    "Melaporkan lagi, kondisi jalan poros Sepaso makin hancur, lubangnya dalam dan motor "
    "sering jatuh, mohon segera diperbaiki"
)


def linked(index: DuplicateIndex, new: Report) -> list[str]:
    return [link.report_id for link in index.find(new)]


def test_exact_repeat_is_linked(scorer: PairScorer) -> None:
    index = DuplicateIndex(scorer)
    index.add(report("a", ROAD))
    links = index.find(report("b", ROAD, days=1))
    assert [link.report_id for link in links] == ["a"]
    assert links[0].probability >= scorer.threshold_
    assert links[0].reason.startswith("alamat sama, 1 hari sebelumnya, teks ")


def test_reworded_repeat_is_linked(scorer: PairScorer) -> None:
    index = DuplicateIndex(scorer)
    index.add(report("a", ROAD))
    index.add(report("x", "Lampu jalan di gang mawar mati sudah sebulan", days=1))
    assert linked(index, report("b", REWORDED, days=3)) == ["a"]


def test_same_problem_in_another_village_is_not_a_duplicate(scorer: PairScorer) -> None:
    index = DuplicateIndex(scorer)
    index.add(report("a", ROAD))
    elsewhere = ROAD.replace("Sepaso", "Tepian Langsat")
    other = report("b", elsewhere, village="Tepian Langsat", days=2, address="Jl. Pendidikan RT 17")
    assert linked(index, other) == []


def test_same_words_for_the_house_next_door_is_not_a_duplicate(scorer: PairScorer) -> None:
    """Template complaints sent house by house: identical words, another house number."""
    text = "Mohon pemangkasan pohon di depan rumah karena rindang dan dikhawatirkan roboh"
    index = DuplicateIndex(scorer)
    index.add(report("a", text, address="Jl. Poros Sangatta-Bengalon No. 39 RT 04"))
    next_door = report("b", text, days=0.01, address="Jl. Poros Sangatta-Bengalon No. 41 RT 04")
    same_house = report("c", text, days=0.02, address="Jl. Poros Sangatta-Bengalon No. 39 RT 04")
    assert linked(index, next_door) == []
    assert linked(index, same_house) == ["a"]


def test_address_features_name_one_spot() -> None:
    def features(a: Report, b: Report) -> dict[str, float]:
        return address_features(Entry.of(a), Entry.of(b))

    house_39 = report("a", ROAD, address="Jl. Mawar No.39 RT 04")
    house_41 = report("b", ROAD, address="jl  mawar no 41 rt 04")
    assert features(house_39, house_39) == {
        "same_address": 1.0, "house_number_differs": 0.0, "house_number_same": 1.0,
        "street_word_overlap": 1.0, "address_numbers_same": 1.0,
        "address_numbers_disjoint": 0.0, "address_missing": 0.0, "street_in_other_report": 1.0,
    }  # fmt: skip
    next_door = features(house_39, house_41)
    assert next_door["house_number_differs"] == 1.0
    assert next_door["same_address"] == 0.0
    assert next_door["street_word_overlap"] == 1.0  # "mawar"; jl., no., rt are filler
    landmark = report(
        "c", "Lampu mati di depan masjid Al Ikhlas Gang Mawar", address="Masjid Al Ikhlas"
    )
    street = report("d", "Lampu penerangan jalan padam", address="Gg. Mawar RT 11")
    named = features(street, landmark)
    assert named["street_word_overlap"] == 0.0
    assert named["street_in_other_report"] == 1.0  # the street is only in the other's text
    assert features(report("e", ROAD, address=""), house_39)["address_missing"] == 1.0


def test_a_repeat_at_the_same_address_stays_a_candidate_in_a_busy_kelurahan(
    scorer: PairScorer,
) -> None:
    """Forty near-identical reports about other spots outrank a reworded repeat by MinHash;
    the repeated address keeps it among the candidates."""
    index = DuplicateIndex(scorer)
    index.add(report("original", REWORDED, address="Jl. Poros Sangatta-Bengalon No. 7"))
    index.add_many(
        [
            report(f"busy{i}", f"{ROAD} nomor {i}", days=0.1, address=f"Jl. Kenanga RT {i:02d}")
            for i in range(40)
        ]
    )
    entry = Entry.of(report("repeat", ROAD, days=1, address="Jl. Poros Sangatta-Bengalon No. 7"))
    positions = index.candidates(entry, signature(entry.text))
    assert len(positions) == MAX_CANDIDATES
    assert "original" in {index.entries[p].id for p in positions}


def test_outside_the_window_is_not_a_duplicate(scorer: PairScorer) -> None:
    index = DuplicateIndex(scorer, window_days=60)
    index.add(report("a", ROAD))
    assert linked(index, report("b", ROAD, days=61)) == []
    assert linked(index, report("c", ROAD, days=59)) == ["a"]


def test_other_regency_is_never_a_candidate(scorer: PairScorer) -> None:
    index = DuplicateIndex(scorer)
    index.add(report("a", ROAD))
    far = report("b", ROAD, days=1).model_copy(update={"regency": "Kota Bontang"})
    assert linked(index, far) == []


def test_a_cluster_of_three(scorer: PairScorer) -> None:
    reports = [
        report("first", ROAD),
        report("lamp", "Lampu jalan di depan masjid mati, gelap sekali", days=1, village="Kandolo"),
        report("second", REWORDED, days=4),
        report("third", ROAD + " Tolong pak!", days=9),
    ]
    links = find_links(scorer, reports).set_index("id")
    assert pd.isna(links.loc["first", "duplicate_of"])
    assert links.loc["second", "duplicate_of"] == "first"
    assert links.loc["third", "duplicate_of"] in {"first", "second"}
    assert (links.loc[["first", "second", "third"], "cluster"] == "first").all()
    assert (links.loc[["first", "second", "third"], "cluster_size"] == 3).all()
    assert links.loc["lamp", "cluster_size"] == 1


def test_adding_one_report_does_not_rebuild(scorer: PairScorer) -> None:
    index = DuplicateIndex(scorer)
    index.add_many([report(f"r{i}", f"{ROAD} nomor {i}", days=i / 10) for i in range(50)])
    sorted_keys = index._sorted_keys
    index.add(report("new", REWORDED, days=6))
    assert index._sorted_keys is sorted_keys  # the bulk part is untouched
    assert index._recent_count == 1
    assert len(index) == 51
    assert "new" in linked(index, report("again", REWORDED, days=7))
    index.compact()
    assert index._recent_count == 0
    assert index._sorted_keys.shape[1] == 51


def test_probabilities_are_calibrated_and_ordered(scorer: PairScorer) -> None:
    pairs, labels = synthetic_pairs(600, seed=99)
    proba = scorer.predict_proba_pairs(pairs)
    assert ((proba >= 0) & (proba <= 1)).all()
    assert proba[labels == 1].mean() > proba[labels == 0].mean() + 0.3


def test_signature_and_reason_helpers() -> None:
    a, b = signature("jalan rusak parah sekali"), signature("jalan rusak parah sekali")
    assert (a == b).all()
    assert np.mean(signature("lampu jalan mati") == a) < 0.5
    features = np.zeros(len(FEATURES))
    features[[COLUMN["tfidf_cosine"], COLUMN["same_village"]]] = [0.91, 1]
    assert reason(features, 2.0) == "kelurahan sama, 2 hari sebelumnya, teks 91% mirip"
    features[[COLUMN["same_address"], COLUMN["embedding_cosine"]]] = [1, 0.95]
    assert reason(features, 0.2) == "alamat sama, hari yang sama, teks 95% mirip"
    assert reason(features, -20.4).startswith("alamat sama, 20 hari sesudahnya")
    features[[COLUMN["same_address"], COLUMN["house_number_differs"]]] = [0, 1]
    assert reason(features, float("nan")).startswith(
        "kelurahan sama, nomor rumah lain, tanggal tidak diketahui"
    )
    entry = Entry.of(report("z", "Rumah No. 23 RT 05 rusak", address="Gg. Mawar 7"))
    assert {"23", "05", "7"} <= set(entry.numbers)


def test_direct_probabilities_equal_scikit_learn(scorer: PairScorer) -> None:
    from models.duplicates.features import CHEAP_FEATURES
    from models.duplicates.scorer import _positive_proba

    rng = np.random.default_rng(0)
    features = rng.random((20, len(scorer.stage_b_.coef_[0])))
    cheap = features[:, : len(CHEAP_FEATURES)]
    assert np.allclose(
        _positive_proba(scorer.stage_a_, cheap), scorer.stage_a_.predict_proba(cheap)[:, 1]
    )
    assert np.allclose(
        _positive_proba(scorer.stage_b_, features), scorer.stage_b_.predict_proba(features)[:, 1]
    )


def test_embeddings_of_a_batch_larger_than_the_cache() -> None:
    embedder = Embeddings(cache_size=2)
    texts = ["jalan rusak", "air mati", "lampu padam", "jalan rusak"]
    vectors = embedder.vectors(texts)
    assert vectors.shape == (4, 512)
    np.testing.assert_allclose(vectors[0], vectors[3])
    assert len(embedder._cache) == 2


def test_threshold_has_the_best_f1_and_stays_clear_of_the_weakest_positive() -> None:
    from models.duplicates.scorer import best_f1_threshold

    separable = np.array([0.02, 0.05, 0.11, 0.83, 0.97, 0.99])
    labels = np.array([0, 0, 0, 1, 1, 1])
    assert best_f1_threshold(separable, labels) == 0.5  # half the best F1, not 0.83 or 0.12
    overlapping = np.array([0.1, 0.3, 0.35, 0.4, 0.6, 0.7, 0.8, 0.9])
    labels = np.array([0, 1, 0, 0, 1, 0, 1, 1])
    threshold = best_f1_threshold(overlapping, labels)
    assert 0.4 < threshold <= 0.6  # the best F1 (0.75) flags exactly 0.6 and above


def test_the_tfidf_cache_never_drops_a_row_the_request_needs(
    scorer: PairScorer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full cache evicted rows of the texts being scored (a KeyError in a 100k backlog)."""
    monkeypatch.setattr(scorer_module, "TFIDF_CACHE_SIZE", 3)
    scorer.__dict__.pop("_tfidf_cache", None)
    scorer._tfidf(["jalan rusak", "lampu mati", "sampah menumpuk"])
    rows = scorer._tfidf(["jalan rusak", "banjir", "pohon tumbang", "jalan rusak"])
    assert rows.shape[0] == 4
    assert list(scorer._tfidf_cache) == ["jalan rusak", "banjir", "pohon tumbang"]


def test_a_backlog_indexed_whole_links_only_later_to_earlier(scorer: PairScorer) -> None:
    index = DuplicateIndex(scorer)
    index.add_many([report("a", ROAD), report("b", ROAD), report("c", ROAD, days=3)])
    assert [link.report_id for link in index.find_indexed(0)] == []  # nothing before it
    assert [link.report_id for link in index.find_indexed(1)] == ["a"]  # same day, after a
    assert {link.report_id for link in index.find_indexed(2)} == {"a", "b"}
