"""Agency at two levels: the function model spread over a catalogue the Router never saw
(cold start), and a deployment's own model blended in where it has labelled history."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core.schema import DATASET
from models.catalogue import Catalogue
from models.router import Router
from models.router_folder import read_router, router_config, write_router
from models.task_fitting import task_labels
from tests.conftest import TINY_VECTORIZER
from tests.models.conftest import named_catalogue

FOREIGN_NAMES = {
    # the demo's OPDs as another kabupaten spells them
    "Dinas Pekerjaan Umum dan Penataan Ruang": "DPUPR Kabupaten Contoh",
    "Dinas Kesehatan": "Dinkes Kab. Contoh",
    "Dinas Sosial": "Dinas Sosial P3A Kabupaten Contoh",
    "Dinas Lingkungan Hidup": "Dinas Lingkungan Hidup dan Kebersihan",
    "Dinas Perhubungan": "Dishub Kab. Contoh",
    "Dinas Kependudukan dan Pencatatan Sipil": "Disdukcapil Kab. Contoh",
    "Satuan Polisi Pamong Praja": "SATPOL PP",
    "Perumdam Tirta Tuah Benua": "PDAM Tirta Contoh",
}


def foreign_catalogue() -> Catalogue:
    names = [*FOREIGN_NAMES.values(), "Kecamatan Hulu", "Kecamatan Hilir"]
    return named_catalogue("Kabupaten Contoh", names)


def foreign_truth(frame: pd.DataFrame) -> np.ndarray:
    return np.array([FOREIGN_NAMES.get(a) for a in frame["agency"]], dtype=object)


def test_a_catalogue_the_model_never_saw_gets_its_own_names(
    router: Router, demo_frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    _, validation = demo_frames
    catalogue = foreign_catalogue()
    predicted = router.predict_tasks(validation, catalogue)["agency"]
    assert set(predicted.classes) == set(catalogue.names())
    truth = foreign_truth(validation)
    rows = np.array([t is not None for t in truth])
    top1 = (predicted.subset(rows).top_labels(1)[:, 0] == truth[rows]).mean()
    assert top1 >= 0.8, top1
    suggestions = router.predict_frame(validation.head(20), catalogue)
    assert {s.agency.label for s in suggestions} <= set(catalogue.names())
    # thresholds were chosen for other names: a cold-start agency is never auto-routed
    assert {s.agency.decision for s in suggestions} == {"review"}


def test_a_new_kabupaten_without_reports_of_its_own_routes_nothing_automatically(
    demo_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """Trained with a new kabupaten's catalogue but only another region's reports: no report
    of the deployment has judged any threshold, so every suggestion waits for review (the
    other region keeps its own thresholds)."""
    train, validation = (frame.assign(**{DATASET: "kutim"}) for frame in demo_frames)
    router = Router(vectorizer_params=TINY_VECTORIZER, target_precision={"agency": 0.8}).fit(
        train, validation, catalogue=foreign_catalogue()
    )
    assert router.regions_.deployment_sources == []
    for task in ("agency", "topic", "channel"):
        assert "Kabupaten Contoh" not in router.auto_thresholds_[task].task
    served = router.predict_frame(validation.drop(columns=DATASET).head(60))
    assert {s.agency.decision for s in served} == {"review"}
    assert {s.topic.decision for s in served} == {"review"}
    assert router.auto_thresholds_["topic"].task  # the demo region's own: chosen on its rows


PERMITS = "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"
PRACTICE_PERMITS = [
    "Izin praktik bidan saya sudah tiga bulan belum terbit, padahal berkas lengkap.",
    "Pengurusan surat izin praktik dokter (SIP) dipersulit, mohon kejelasan.",
    "Izin klinik pratama kami belum keluar, sudah diajukan lewat OSS.",
]


def test_a_new_kind_of_report_reaches_its_opd_through_the_function(
    demo_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """Health-practice permits, a kind of report the history never sent to the one-stop
    permit office (its OPD has no report at all): the function level knows permits are
    perizinan, so they go there, not to the civil registry."""
    train, validation = (frame[frame["agency"] != PERMITS] for frame in demo_frames)
    names = sorted(task_labels(train, "agency").dropna().unique())
    catalogue = named_catalogue("Kabupaten Kutai Timur", [*names, PERMITS])
    router = Router(vectorizer_params=TINY_VECTORIZER).fit(train, validation, catalogue=catalogue)
    reports = pd.DataFrame({"id": ["a", "b", "c"], "text": PRACTICE_PERMITS})
    predicted = router.predict_tasks(reports)
    assert list(predicted["function"].top_labels(1)[:, 0]) == ["penanaman_modal"] * 3
    assert list(predicted["agency"].top_labels(1)[:, 0]) == [PERMITS] * 3


def test_a_report_naming_its_kecamatan_routes_to_that_office(router: Router) -> None:
    text = "Pelayanan PATEN di kantor kecamatan lambat, surat pengantar belum ditandatangani camat"
    reports = pd.DataFrame(
        {"id": ["a", "b"], "text": [f"{text}, kec. Hulu", f"{text}, kec. Hilir"]}
    )
    top = router.predict_tasks(reports, foreign_catalogue())["agency"].top_labels(1)[:, 0]
    assert list(top) == ["Kecamatan Hulu", "Kecamatan Hilir"]


@pytest.fixture(scope="module")
def deployment_router(demo_frames: tuple[pd.DataFrame, pd.DataFrame]) -> Router:
    train, validation = demo_frames
    names = task_labels(train, "agency").dropna().unique().tolist()
    catalogue = named_catalogue("Kabupaten Kutai Timur", sorted(names))
    # the tiny model is right on ~80% of its 300 validation reports: a target it can prove
    return Router(vectorizer_params=TINY_VECTORIZER, target_precision={"agency": 0.8}).fit(
        train, validation, catalogue=catalogue
    )


def test_the_deployment_level_gets_the_smallest_share_within_noise_of_the_best(
    deployment_router: Router, demo_frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    _, validation = demo_frames
    scores = deployment_router.agency_.blend_scores
    assert set(scores) == {f"{w / 10:.1f}" for w in range(11)}
    best, rows = max(scores.values()), deployment_router.agency_.opd_history
    enough = best - np.sqrt(best * (1 - best) / sum(rows.values()))
    chosen = deployment_router.agency_.blend_weight
    assert scores[str(chosen)] >= enough  # the smallest share within noise of the best
    assert all(scores[w] < enough for w in scores if float(w) < chosen)
    routing = router_config(deployment_router)["agency_routing"]
    assert routing["deployment_blend_weight"] == deployment_router.agency_.blend_weight
    predicted = deployment_router.predict_tasks(validation)["agency"]
    top1 = (predicted.top_labels(1)[:, 0] == validation["agency"].to_numpy()).mean()
    assert top1 >= 0.75, top1
    assert deployment_router.known_agencies() == sorted(deployment_router.catalogue_.names())


def test_the_catalogue_and_blend_survive_save_and_load(
    deployment_router: Router, demo_frames: tuple[pd.DataFrame, pd.DataFrame], tmp_path: Path
) -> None:
    _, validation = demo_frames
    loaded = read_router(write_router(deployment_router, tmp_path / "model"))
    assert loaded.catalogue_.names() == deployment_router.catalogue_.names()
    assert loaded.agency_.blend_weight == deployment_router.agency_.blend_weight
    before = deployment_router.predict_tasks(validation.head(30))["agency"]
    after = loaded.predict_tasks(validation.head(30))["agency"]
    assert np.allclose(before.proba, after.proba)


def test_serving_an_edited_catalogue_of_the_same_deployment_keeps_the_blend(
    deployment_router: Router, demo_frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    _, validation = demo_frames
    fitted = deployment_router.catalogue_
    edited = Catalogue(fitted.region, [*fitted.opds[:-1]])  # an OPD retired since training
    suggestions = deployment_router.predict_frame(validation.head(30), edited)
    assert {s.agency.label for s in suggestions} <= set(edited.names())
    assert "auto" in {s.agency.decision for s in deployment_router.predict_frame(validation)}
