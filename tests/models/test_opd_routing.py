"""Which rows teach the deployment-level agency model, and how its share is chosen."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.opd_routing import (
    blend,
    catalogue_columns,
    choose_blend_weight,
    deployment_labels,
    onto_catalogue,
)
from models.predictions import TaskPredictions
from tests.models.conftest import named_catalogue

CATALOGUE = named_catalogue(
    "Kabupaten Contoh", ["Dinas Sosial", "Badan Pendapatan Daerah", "DPUPR Kab. Contoh"]
)


def test_only_sources_mostly_labelled_with_catalogue_names_are_the_deployments_own() -> None:
    labels = pd.Series(
        ["Dinas Sosial", "DPUPR Kab. Contoh", "Badan Pendapatan Daerah", "Dinas Sosial Kab. Contoh",
         "Dinas Sosial Kota Lain", "Dinas Kebersihan", "Badan Pendapatan Daerah", "DPUPR", None]
    )  # fmt: skip
    sources = pd.Series(["contoh"] * 4 + ["kota_lain"] * 5)
    own = deployment_labels(labels, CATALOGUE, sources)
    assert own.tolist() == [
        "Dinas Sosial", "DPUPR Kab. Contoh", "Badan Pendapatan Daerah", "Dinas Sosial",
        None, None, None, None, None,
    ]  # fmt: skip
    # without sources, every row the catalogue knows counts
    assert deployment_labels(labels, CATALOGUE, None).notna().sum() == 6


def test_rows_of_no_source_beside_named_sources_are_a_group_of_their_own() -> None:
    """Synthetic extras carry no source; with a manifest's named sources beside them, the
    import used to fail comparing a missing value with a name."""
    labels = pd.Series(["Dinas Sosial", "Dinas Sosial", "Dinas Kebersihan", "Dinas Pariwisata"])
    sources = pd.Series(["contoh", None, None, None], dtype=object)
    own = deployment_labels(labels, CATALOGUE, sources)
    assert own.tolist() == ["Dinas Sosial", None, None, None]


def test_the_blend_share_is_the_smallest_within_noise_of_the_best() -> None:
    rows = 100
    spread = np.tile([0.6, 0.4], (rows, 1))  # the function level says column 0
    deployment = np.tile([0.0, 1.0], (rows, 1))  # the deployment's history says column 1
    truth = np.ones(rows, dtype=int)
    weight, scores = choose_blend_weight(spread, deployment, truth)
    assert weight == 0.2  # the smallest share that moves the answer to column 1
    assert scores["0.0"] == 0.0
    assert scores["1.0"] == 1.0
    # two more right of 100 is within noise: the function level keeps the reports
    truth = np.zeros(rows, dtype=int)
    spread = np.tile([0.6, 0.4], (rows, 1))
    spread[91:] = [0.4, 0.6]  # the function level gets 91 right ...
    deployment = np.tile([0.6, 0.4], (rows, 1))
    deployment[93:] = [0.0, 1.0]  # ... the deployment level, blended in, two more
    weight, scores = choose_blend_weight(spread, deployment, truth)
    assert (scores["0.0"], scores["0.5"]) == (0.91, 0.93)
    assert weight == 0.0
    assert choose_blend_weight(spread[:5], deployment[:5], truth[:5]) == (0.0, {})


def test_rows_the_deployment_level_cannot_place_keep_the_function_level() -> None:
    spread = np.array([[0.7, 0.3], [0.7, 0.3]])
    deployment = np.array([[0.0, 1.0], [0.0, 0.0]])
    mixed = blend(spread, deployment, 0.5)
    assert np.allclose(mixed, [[0.35, 0.65], [0.7, 0.3]])


def test_deployment_level_columns_follow_each_rows_own_office() -> None:
    """A generic own-office class names a different OPD row by row; the others one OPD each
    (or none the catalogue has)."""
    classes = np.array(["Dinas Sosial", "KANTOR_KELURAHAN", "Dinas Hilang"], dtype=object)
    labels = np.array(
        [["Dinas Sosial", "DPUPR Kab. Contoh", "Dinas Hilang"],
         ["Dinas Sosial", "Badan Pendapatan Daerah", "Dinas Hilang"],
         ["Dinas Sosial", "Kantor Lain", "Dinas Hilang"]],
        dtype=object,
    )  # fmt: skip
    proba = np.array([[0.5, 0.3, 0.2], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8]])
    names = CATALOGUE.names()
    sosial, pupr, bapenda = (names.index(n) for n in ("Dinas Sosial", "DPUPR Kab. Contoh",
                                                     "Badan Pendapatan Daerah"))  # fmt: skip
    resolved = TaskPredictions(classes, proba, labels)
    assert catalogue_columns(CATALOGUE, resolved).tolist() == [
        [sosial, pupr, -1], [sosial, bapenda, -1], [sosial, -1, -1],
    ]  # fmt: skip
    assert (
        catalogue_columns(CATALOGUE, TaskPredictions(classes, proba)).tolist()
        == [[sosial, -1, -1]] * 3
    )
    spread = onto_catalogue(CATALOGUE, resolved)
    assert spread[0, pupr] == pytest.approx(0.3 / 0.8)
    assert spread[2, sosial] == pytest.approx(1.0)  # the own office it names is not here
