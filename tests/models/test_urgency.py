"""Urgency lexicon: reasons with spans, negation, past/resolved and proposal cues."""

from __future__ import annotations

import numpy as np
import pytest

from models.urgency import UrgencyScorer, danger_features, find_dangers, reasons


def test_reasons_point_at_the_text() -> None:
    text = "Tolong!! Ada KEBAKARAN rumah di Jl. Mawar, api makin besar"
    found = reasons(text)
    assert [(r.code, r.phrase) for r in found] == [
        ("fire", "KEBAKARAN"),
        ("fire", "api makin besar"),
    ]
    for reason in found:
        assert text[reason.start : reason.end] == reason.phrase


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("pohon besar tumbang menimpa rumah", "tree"),
        ("kabel listrik putus menjuntai ke jalan", "electric"),
        ("banjir setinggi dada, warga terjebak", "flood"),
        ("anak saya hilang sejak kemarin sore", "missing_person"),
        ("ada buaya di dekat anak-anak bermain", "animal"),
        ("bau gas bocor dari rumah tetangga", "gas"),
        ("jembatan hampir ambruk", "structure"),
        ("ODGJ mengamuk membawa parang", "person_in_crisis"),
        ("pasien ditolak di IGD, kondisinya kritis", "medical"),
        ("anak tetangga dipukuli tiap malam", "violence"),
    ],
)
def test_minimum_functionality_reason_codes(text: str, code: str) -> None:
    assert code in {r.code for r in reasons(text)}


@pytest.mark.parametrize(
    "text",
    [
        "tidak ada korban jiwa dalam kejadian itu",
        "alhamdulillah tidak terjadi kebakaran",
        "bukan kebakaran, hanya asap sampah",
    ],
)
def test_negated_dangers_are_not_reasons(text: str) -> None:
    assert find_dangers(text)
    assert all(m.negated for m in find_dangers(text))
    assert reasons(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Kebakaran minggu lalu sudah padam, mohon bantuan untuk korban",
        "banjir kemarin sudah surut",
        "usul dibangun tanggul karena daerah kami rawan banjir",
    ],
)
def test_past_or_proposed_dangers_are_not_reasons(text: str) -> None:
    assert find_dangers(text)
    assert reasons(text) == []


def test_ordinary_complaints_have_no_danger() -> None:
    assert reasons("jalan berlubang dan lampu jalan mati sudah sebulan") == []
    assert danger_features("sampah menumpuk di depan pasar").sum() == 0


def test_default_weighting_without_labels_ranks_live_danger_first() -> None:
    texts = [
        "Tolong kebakaran sekarang api makin besar!!",
        "kebakaran bulan lalu sudah padam, tidak ada korban",
        "jalan rusak parah",
    ]
    scorer = UrgencyScorer.lexicon_only()
    scores = scorer.predict_proba(UrgencyScorer.features(texts))[:, 1]
    assert scores[0] > 0.5
    assert max(scores[1], scores[2]) < 0.2
    assert scorer.predict(UrgencyScorer.features(texts)).tolist() == [True, False, False]


def test_fitted_scorer_learns_from_labels() -> None:
    texts = ["kebakaran besar sekarang"] * 10 + ["jalan rusak"] * 30
    y = np.array([True] * 10 + [False] * 30)
    scorer = UrgencyScorer().fit(UrgencyScorer.features(texts), y)
    proba = scorer.predict_proba(UrgencyScorer.features(["ada kebakaran", "lampu mati"]))[:, 1]
    assert proba[0] > proba[1]
