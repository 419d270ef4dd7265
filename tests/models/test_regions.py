"""Without a deployment, a suggestion names only an OPD of the report's own region: a model
trained on two regions never suggests one region's OPD for the other's report, and evaluate's
share of such suggestions is 0."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.predictions import TaskPredictions
from models.regions import agencies_by_region, foreign_share, own_region_only, region_key
from models.router import Router
from pipeline.evaluate import evaluate
from pipeline.synth.generator import generate
from tests.conftest import TINY_VECTORIZER

SAMARINDA = "Kota Samarinda"


def test_one_region_whatever_its_spelling() -> None:
    assert region_key("Kab. Bandung") == region_key("Kabupaten Bandung") == region_key("Bandung")
    assert region_key("Kota Bandung") != region_key("Kabupaten Bandung")
    assert region_key("  ") is None
    assert region_key(None) is None


def test_own_region_only_keeps_a_rows_regions_classes() -> None:
    by_region = agencies_by_region(["A", "B", "C", None], ["Kab. X", "Kab. X", "Kota Y", "Kota Y"])
    assert by_region == {"x": ["A", "B"], "kota y": ["C"]}
    agency = TaskPredictions(np.array(["A", "B", "C"]), np.array([[0.2, 0.2, 0.6]] * 4))
    restricted = own_region_only(agency, ["Kabupaten X", "Kota Y", "Kota Z", None], by_region)
    assert np.allclose(restricted.proba[0], [0.5, 0.5, 0.0])
    assert np.allclose(restricted.proba[1], [0.0, 0.0, 1.0])
    assert np.allclose(restricted.proba[2], 0.0)  # a region without an OPD the model knows
    assert np.allclose(restricted.proba[3], agency.proba[3])  # no region, two known: unknown
    one = own_region_only(agency, [None], {"x": ["A", "B"]})
    assert np.allclose(one.proba[0], [0.5, 0.5, 0.0])  # one region known: it is that one


def test_labels_only_rows_without_a_region_carry_may_be_named_anywhere() -> None:
    by_region = agencies_by_region(["A", "B", "A", "N"], ["X", "Kota Y", None, None])
    assert by_region == {"": ["N"], "kota y": ["B"], "x": ["A"]}
    agency = TaskPredictions(np.array(["A", "B", "N"]), np.array([[0.5, 0.3, 0.2]] * 2))
    restricted = own_region_only(agency, ["X", None], by_region)
    assert np.allclose(restricted.proba[0], [0.5 / 0.7, 0.0, 0.2 / 0.7])
    assert agencies_by_region(["A"], [None]) == {}  # no region anywhere: nothing to restrict
    assert foreign_share(["N", "B"], ["X", "X"], by_region) == 0.5


def test_foreign_share_counts_only_other_regions_opds() -> None:
    by_region = {"x": ["A", "B"], "kota y": ["C"]}
    assert foreign_share(["A", "C", "C", "D"], ["X", "X", "Kota Y", "X"], by_region) == 0.25
    assert foreign_share(["A"], ["X"], {"x": ["A"]}) is None


def second_region(frame: pd.DataFrame) -> pd.DataFrame:
    """The demo reports as another city's: its own OPD names and its regency."""
    other = frame.copy()
    other["agency"] = other["agency"].map(lambda a: f"{a} {SAMARINDA}" if isinstance(a, str) else a)
    other["regency"] = SAMARINDA
    other["id"] = "smd-" + other["id"].astype(str)
    return other


@pytest.mark.slow
def test_a_model_of_two_regions_names_only_the_reports_own_regions_opds() -> None:
    kutim = pd.DataFrame(list(generate(900, seed=31)))
    samarinda = second_region(pd.DataFrame(list(generate(900, seed=32))))
    train = pd.concat([kutim.iloc[:700], samarinda.iloc[:700]], ignore_index=True)
    test = pd.concat([kutim.iloc[700:], samarinda.iloc[700:]], ignore_index=True)
    router = Router(vectorizer_params=TINY_VECTORIZER).fit(train)
    kutim_opds = set(kutim["agency"].dropna()) | router.places_.office_names()
    samarinda_opds = set(samarinda["agency"].dropna())
    for suggestion, regency in zip(router.predict_frame(test), test["regency"], strict=True):
        named = {c.label for c in suggestion.agency.candidates}
        own = samarinda_opds if regency == SAMARINDA else kutim_opds
        assert named, suggestion
        assert not named & (kutim_opds | samarinda_opds) - own, (regency, named)
    assert evaluate(router, test)["agency"]["foreign_opd_share"] == 0.0
    elsewhere = router.predict_frame(test.head(2).assign(regency="Kabupaten Berau"))
    assert [s.agency for s in elsewhere] == [None, None]  # no OPD of Berau is known
