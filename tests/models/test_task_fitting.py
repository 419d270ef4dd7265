"""Fitting one task: the "auto" class weighting judged on the newest rows, which rows count."""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.router import Router
from models.router_folder import router_config
from models.task_fitting import (
    AUTO_CLASS_WEIGHT,
    extras_needed,
    fit_task_classifier,
    newest_rows,
    row_seconds,
    task_labels,
    unlearnable,
)
from tests.conftest import TINY_VECTORIZER


def shifted_labels(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One noisy feature; class "b" is rare in the older rows and common in the newest."""
    rng = np.random.default_rng(seed)
    old = np.where(rng.random(800) < 0.1, "b", "a")
    new = np.where(rng.random(200) < 0.5, "b", "a")
    y = np.r_[old, new].astype(object)
    features = (np.where(y == "b", 1.0, 0.0) + rng.normal(0, 0.6, len(y)))[:, None]
    times = np.arange(len(y), dtype=float)
    return features, y, times


def test_auto_class_weight_is_judged_on_the_newest_rows_as_production_sees_them() -> None:
    features, y, times = shifted_labels()
    auto = {"C": 0.3, "class_weight": AUTO_CLASS_WEIGHT}
    chosen = fit_task_classifier("agency", auto, features, y, times)
    assert chosen.class_weight == "balanced"  # the newest rows' classes are balanced
    undated = np.full(len(y), np.nan)
    # judged on all rows, mostly "a": unweighted wins
    assert fit_task_classifier("agency", auto, features, y, undated).class_weight is None
    fixed = {"C": 0.3, "class_weight": "balanced"}  # an explicit weighting is kept as given
    assert fit_task_classifier("agency", fixed, features, y, undated).class_weight == "balanced"


def test_the_router_records_the_weighting_it_chose(
    demo_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    train, _ = demo_frames
    router = Router(vectorizer_params=TINY_VECTORIZER).fit(train)
    for task in ("agency", "topic", "channel"):
        chosen = router.task_params_[task]["class_weight"]
        assert chosen in (None, "balanced")
        assert router.classifiers_[task].class_weight == chosen
    assert router_config(router)["hyperparameters"]["task_params"]["agency"]["class_weight"] in (
        None, "balanced",
    )  # fmt: skip


def test_newest_rows_leave_undated_rows_to_training() -> None:
    times = np.r_[np.arange(500, dtype=float), [np.nan] * 100]
    newest = newest_rows(times, 0.2)
    assert newest.sum() == 100
    assert newest[400:500].all()
    assert not newest[500:].any()
    assert newest_rows(times[:100], 0.2) is None  # 20 rows: too few to judge


def test_supervision_counts_only_on_a_pengaduan_and_needs_both_classes() -> None:
    frame = pd.DataFrame({
        "channel": ["pengaduan", "aspirasi", "pengaduan", None],
        "supervision": [True, False, False, True],
    })  # fmt: skip
    assert task_labels(frame, "supervision").tolist() == [
        "berkadar_pengawasan", None, "tidak_berkadar_pengawasan", None,
    ]  # fmt: skip
    assert unlearnable("supervision", pd.Series(["a"] * 30 + ["b"] * 19)).startswith("only 19")
    assert unlearnable("supervision", pd.Series(["a"] * 30 + ["b"] * 20)) is None
    assert unlearnable("topic", pd.Series([], dtype=object)) == "no labels"


def test_row_seconds_reads_dates_and_leaves_the_rest_undated() -> None:
    frame = pd.DataFrame({"created_at": ["2023-01-01T00:00:00+07:00", "bukan tanggal", None]})
    seconds = row_seconds(frame)
    assert seconds[0] == pd.Timestamp("2022-12-31T17:00:00Z").timestamp()
    assert np.isnan(seconds[1:]).all()
    assert np.isnan(row_seconds(pd.DataFrame({"text": ["x"]}))).all()


def test_extra_rows_join_a_task_only_where_real_labels_are_too_few() -> None:
    plenty = pd.Series(["pengaduan"] * 300 + ["aspirasi"] * 40 + ["permintaan_informasi"] * 35)
    assert not extras_needed("channel", plenty)
    assert extras_needed("channel", plenty[plenty != "aspirasi"])  # a class never labelled
    assert extras_needed("channel", pd.Series(["pengaduan"] * 300 + ["aspirasi"] * 5))
    assert extras_needed("channel", pd.Series([None] * 10, dtype=object))
    assert extras_needed("urgent", pd.Series([1.0] * 300 + [0.0] * 500))  # urgency: always
