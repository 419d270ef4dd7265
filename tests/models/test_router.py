"""The Router: suggestions for every task, behavioural tests with Indonesian examples."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core.schema import Report
from core.suggestion import Suggestion
from models.places import PlaceOffices
from models.predictions import flatten
from models.router import Router
from pipeline.evaluate import evaluate
from pipeline.registry.pyfunc import RouterModel
from tests.conftest import TINY_VECTORIZER


def report(text: str, village: str = "Singa Gembara", district: str = "Sangatta Utara") -> Report:
    return Report(id="r1", text=text, village=village, district=district)


def predict_one(router: Router, text: str, **place: str) -> Suggestion:
    return router.predict([report(text, **place)])[0]


def test_suggestion_for_every_task(router: Router) -> None:
    suggestion = predict_one(router, "Jalan poros di desa kami rusak parah dan berlubang")
    for task in ("channel", "topic", "agency"):
        answer = getattr(suggestion, task)
        assert len(answer.candidates) == 3
        scores = [c.score for c in answer.candidates]
        assert scores == sorted(scores, reverse=True)
        assert answer.label == answer.candidates[0].label
        assert answer.decision in ("auto", "review")
    assert suggestion.urgent is not None
    assert suggestion.report_id == "r1"
    json.loads(suggestion.model_dump_json())


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("lampu jalan mati sudah sebulan, gelap sekali", "Dinas Perhubungan"),
        ("sudah rekam e-KTP 3 bulan tapi belum jadi", "Dinas Kependudukan dan Pencatatan Sipil"),
        ("sampah menumpuk tidak diangkut, bau busuk", "Dinas Lingkungan Hidup"),
        ("air PDAM tidak mengalir sudah seminggu", "Perumdam Tirta Tuah Benua"),
        ("listrik padam berjam-jam setiap hari", "PLN ULP Sangatta"),
    ],
)
def test_minimum_functionality_obvious_agencies(router: Router, text: str, agency: str) -> None:
    assert predict_one(router, text).agency.label == agency


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("Bagaimana cara mengurus KTP yang hilang?", "permintaan_informasi"),
        ("Usul dibangun taman bermain di desa kami", "aspirasi"),
        ("Jalan rusak parah sudah dua bulan tidak diperbaiki", "pengaduan"),
    ],
)
def test_minimum_functionality_channels(router: Router, text: str, channel: str) -> None:
    assert predict_one(router, text).channel.label == channel


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Pak Budi", "Bu Siti"),
        ("Desa Sepaso", "Desa Sepasso"),
        ("Jl. Yos Sudarso", "Jl Yos Soedarso"),
    ],
)
def test_invariance_names_and_place_spelling_keep_the_topic(
    router: Router, first: str, second: str
) -> None:
    template = "Saya {} mau lapor sampah di {} tidak diangkut sudah dua minggu, bau sekali"
    a = predict_one(router, template.format(first, first))
    b = predict_one(router, template.format(second, second))
    assert a.topic.label == b.topic.label
    assert a.agency.label == b.agency.label


def test_directional_fire_raises_urgency(router: Router) -> None:
    calm = predict_one(router, "Rumah warga di gang kami, mohon diperhatikan")
    fire = predict_one(router, "Kebakaran rumah warga di gang kami sekarang, api makin besar!")
    assert fire.urgent.score > calm.urgent.score
    assert fire.urgent.flag
    assert "fire" in {r.code for r in fire.urgent.reasons}


def test_directional_negation_lowers_urgency(router: Router) -> None:
    live = predict_one(router, "pohon tumbang menimpa kabel listrik, berbahaya")
    over = predict_one(router, "pohon tumbang bulan lalu sudah dibersihkan, tidak ada korban")
    assert live.urgent.score > over.urgent.score
    assert over.urgent.reasons == []


def test_kecamatan_office_follows_the_report_place(router: Router) -> None:
    text = "Pelayanan kantor camat lambat, surat pengantar saya sebulan belum ditandatangani"
    for district in ("Bengalon", "Muara Wahau"):
        suggestion = predict_one(router, text, district=district, village="Desa Apa Saja")
        assert suggestion.agency.label == f"Kecamatan {district}"


def test_place_offices_learn_and_resolve() -> None:
    agency = pd.Series(["Kelurahan Ketabang", "Kelurahan Peneleh", "Dinas Sosial", None])
    places = pd.DataFrame(
        {"village": ["ketabang", "Peneleh", "Peneleh", "x"], "district": [""] * 4}
    )
    offices = PlaceOffices().fit(agency, places)
    assert offices.prefixes == {"Kelurahan": "village"}
    encoded = offices.encode(agency, places)
    assert encoded.tolist()[:3] == [
        "Kelurahan (own village)",
        "Kelurahan (own village)",
        "Dinas Sosial",
    ]
    assert (
        offices.decode("Kelurahan (own village)", {"village": "KETABANG"}) == "Kelurahan Ketabang"
    )
    assert offices.decode("Kelurahan (own village)", {"village": "Baru"}) == "Kelurahan Baru"
    assert offices.decode("Dinas Sosial", {"village": "Baru"}) == "Dinas Sosial"


def test_subtopic_falls_back_to_the_parent(router: Router) -> None:
    suggestions = router.predict_frame(
        pd.DataFrame({"id": ["a", "b"], "text": ["jalan rusak berlubang parah", "halo admin"]})
    )
    for suggestion in suggestions:
        if suggestion.topic.subtopic is not None:
            assert router.subtopic_.parents[suggestion.topic.subtopic] == suggestion.topic.label
            assert suggestion.topic.subtopic_score >= router.subtopic_.threshold


def test_thresholds_are_chosen_on_validation(router: Router) -> None:
    assert set(router.auto_thresholds_) >= {"agency", "topic", "channel"}
    for chosen in router.auto_thresholds_.values():
        assert chosen.task or chosen.withheld  # every validated region: a threshold or why not
        for threshold in chosen.task.values():
            assert 0 < threshold <= 1


def test_tasks_without_labels_are_skipped(demo_frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, _ = demo_frames
    unlabelled = (
        train[["id", "text", "district", "village"]]
        .head(300)
        .assign(agency=train["agency"].head(300))
    )
    messages: list[str] = []
    fitted = Router(vectorizer_params=TINY_VECTORIZER).fit(unlabelled, progress=messages.append)
    assert set(fitted.classifiers_) == {"agency", "function"}  # agency at both levels
    assert fitted.skipped_["channel"] == "no labels"
    assert fitted.skipped_["urgent"].startswith("no labels")
    assert any("skipping topic" in m for m in messages)
    suggestion = fitted.predict([report("ada kebakaran sekarang, api besar")])[0]
    assert suggestion.channel is None
    assert suggestion.urgent.flag  # the lexicon still works without labels


def test_personal_data_masked_at_the_boundary_never_reaches_the_features(router: Router) -> None:
    a = router.predict([report("Hubungi 081234567890 soal jalan rusak").masked()])[0]
    b = router.predict([report("Hubungi 087798765432 soal jalan rusak").masked()])[0]
    assert a.agency.score == b.agency.score


def test_pyfunc_wrapper_flattens(router: Router) -> None:
    wrapper = RouterModel()
    wrapper.router = router
    frame = pd.DataFrame({"id": ["x"], "text": ["kebakaran rumah sekarang"], "title": [None]})
    output = wrapper.predict(None, frame)
    assert output.loc[0, "report_id"] == "x"
    assert bool(output.loc[0, "urgent"]) is True
    assert json.loads(output.loc[0, "urgent_reasons"])[0]["code"] == "fire"
    assert len(json.loads(output.loc[0, "agency_top3"])) == 3
    row = flatten(router.predict([report("lampu mati")])[0])
    assert np.isfinite(row["agency_score"])


def test_sentence_features_widen_only_the_agency_task(
    demo_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    import io

    import joblib

    train, validation = demo_frames
    router = Router(vectorizer_params=TINY_VECTORIZER, sentence_features=True).fit(
        train.head(300), validation.head(150)
    )
    assert router.sentence_weights_ == {"agency": 0.5}
    text_columns = router.vectorizer_.transform(router_input := validation.head(5)).shape[1]
    assert router.classifiers_["agency"].svm_.coef_.shape[1] == text_columns + 512
    assert router.classifiers_["topic"].svm_.coef_.shape[1] == text_columns
    buffer = io.BytesIO()
    joblib.dump(router, buffer)
    buffer.seek(0)
    loaded = joblib.load(buffer)
    before, after = router.predict_frame(router_input), loaded.predict_frame(router_input)
    assert [s.agency.score for s in after] == pytest.approx([s.agency.score for s in before])


def test_supervision_is_learned_from_labelled_pengaduan_only(
    demo_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """Berkadar pengawasan where an export labels it; other channels never teach it."""
    train, validation = (frame.head(700).reset_index(drop=True) for frame in demo_frames)

    def supervised(frame: pd.DataFrame) -> pd.DataFrame:
        # a rule the text carries: reports routed to the agency of roads are "supervised"
        return frame.assign(supervision=frame["agency"].str.contains("Pekerjaan Umum"))

    router = Router(vectorizer_params=TINY_VECTORIZER).fit(
        supervised(train), supervised(validation)
    )
    assert "supervision" in router.classifiers_
    assert set(router.labels["supervision"]) == {
        "berkadar_pengawasan", "tidak_berkadar_pengawasan",
    }  # fmt: skip
    suggestion = predict_one(router, "Jalan poros desa rusak parah dan berlubang besar")
    assert suggestion.supervision.label == "berkadar_pengawasan"
    flat = flatten(suggestion)
    assert flat["supervision"] == "berkadar_pengawasan"
    assert evaluate(router, supervised(validation))["supervision"]["accuracy"] > 0.8

    few = supervised(train).assign(supervision=False)
    few.loc[few.index[few["channel"] == "pengaduan"][:5], "supervision"] = True
    messages: list[str] = []
    skipped = Router(vectorizer_params=TINY_VECTORIZER).fit(few, progress=messages.append)
    assert "supervision" not in skipped.classifiers_
    assert skipped.skipped_["supervision"].startswith("only 5 pengaduan labelled")
    assert predict_one(skipped, "Jalan rusak").supervision is None


def test_the_taxonomy_teaches_a_topic_no_training_report_has(
    demo_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    train = demo_frames[0].head(600)
    narcotics = "PENCEGAHAN DAN PEMBERANTASAN PENYALAHGUNAAN DAN PEREDARAN GELAP NARKOTIKA DAN "
    narcotics += "PREKURSOR NARKOTIKA (P4GN)"
    assert narcotics not in set(train["topic"])
    text = "Ada transaksi narkotika setiap malam di gang belakang pasar"
    taught = Router(vectorizer_params=TINY_VECTORIZER).fit(train)
    assert narcotics in taught.labels["topic"]
    assert predict_one(taught, text).topic.label == narcotics
    untaught = Router(vectorizer_params=TINY_VECTORIZER, topic_descriptions=False).fit(train)
    assert narcotics not in untaught.labels["topic"]
    assert len(untaught.training_fingerprints_) == len(taught.training_fingerprints_)
