"""Without a deployment, a suggestion names only an OPD of the report's own region: a model
trained on two regions never suggests one region's OPD for the other's report, and evaluate's
share of such suggestions is 0."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.schema import DATASET
from models.predictions import TaskPredictions
from models.regions import SourceAgencies, SourceRegions, region_key
from models.router import Router
from models.router_folder import router_config
from pipeline.evaluate import evaluate
from pipeline.synth.generator import generate
from tests.conftest import TINY_VECTORIZER

SAMARINDA = "Kota Samarinda"


def test_one_region_whatever_its_spelling() -> None:
    assert region_key("Kab. Bandung") == region_key("Kabupaten Bandung") == region_key("Bandung")
    assert region_key("Kota Bandung") != region_key("Kabupaten Bandung")
    assert region_key("  ") is None
    assert region_key(None) is None


def test_a_report_names_only_its_own_sources_opds() -> None:
    regions = SourceRegions.fit(
        ["x", "x", "y", "y"], ["Kab. X", "Kota Jakarta", "Kota Y", "Kota Jakarta"]
    )
    assert regions.regions([None, "y", None], ["Kabupaten X", "Kabupaten X", "Kota Z"]) == [
        "x",  # by its kabupaten
        "y",  # its own source first
        None,  # neither known: cannot be told
    ]
    sources = SourceAgencies.fit(["A", "B", "C", "C"], ["x", "x", "y", "y"])
    assert sources.agencies == {"x": ["A", "B"], "y": ["C"]}
    agency = TaskPredictions(np.array(["A", "B", "C"]), np.array([[0.2, 0.2, 0.6]] * 3))
    restricted = sources.restrict(agency, ["x", "y", None])
    assert np.allclose(restricted.proba[0], [0.5, 0.5, 0.0])
    assert np.allclose(restricted.proba[1], [0.0, 0.0, 1.0])
    assert np.allclose(restricted.proba[2], agency.proba[2])
    single = SourceAgencies.fit(["A", "B"], ["x", "x"])
    assert single.restrict(agency, [None]) is agency  # one source: all its own


def test_with_a_deployment_every_report_of_unknown_source_is_the_deployments() -> None:
    regions = SourceRegions.fit(
        ["bandung", "surabaya", "decisions"],
        ["Kab. Bandung", "Kota Surabaya", None],
        deployment="Kabupaten Bandung",
        deployment_sources=["bandung", "decisions"],
    )
    found = regions.regions(
        ["bandung", "surabaya", None, None], [None, None, "Kota Surabaya", None]
    )
    assert found == ["Kabupaten Bandung", "surabaya", "Kabupaten Bandung", "Kabupaten Bandung"]


def test_foreign_share_counts_only_other_sources_opds() -> None:
    sources = SourceAgencies.fit(["A", "B", "C"], ["x", "x", "y"])
    assert sources.foreign_share(["A", "C", "C", "D"], ["x", "x", "y", "x"]) == 0.25
    assert SourceAgencies.fit(["A"], ["x"]).foreign_share(["A"], ["x"]) is None


def second_region(frame: pd.DataFrame) -> pd.DataFrame:
    """The demo reports as another city's: its own OPD names, its regency, its source."""
    other = frame.copy()
    other["agency"] = other["agency"].map(lambda a: f"{a} {SAMARINDA}" if isinstance(a, str) else a)
    other["regency"] = SAMARINDA
    other["id"] = "smd-" + other["id"].astype(str)
    other[DATASET] = "samarinda"
    return other


@pytest.mark.slow
def test_a_model_of_two_sources_names_only_the_reports_own_sources_opds() -> None:
    kutim = pd.DataFrame(list(generate(600, seed=31))).assign(**{DATASET: "kutim"})
    samarinda = second_region(pd.DataFrame(list(generate(600, seed=32))))
    train = pd.concat([kutim.iloc[:450], samarinda.iloc[:450]], ignore_index=True)
    test = pd.concat([kutim.iloc[450:], samarinda.iloc[450:]], ignore_index=True)
    router = Router(vectorizer_params=TINY_VECTORIZER).fit(train)
    kutim_opds = set(kutim["agency"].dropna()) | router.agency_.places.office_names()
    samarinda_opds = set(samarinda["agency"].dropna())
    served = test.drop(columns=DATASET)  # as the service sees them: by their regency
    for frame in (test, served):
        for suggestion, regency in zip(router.predict_frame(frame), test["regency"], strict=True):
            named = {c.label for c in suggestion.agency.candidates}
            own = samarinda_opds if regency == SAMARINDA else kutim_opds
            assert not named & (kutim_opds | samarinda_opds) - own, (regency, named)
    assert evaluate(router, test)["agency"]["foreign_opd_share"] == 0.0
    assert set(router_config(router)["agency_routing"]["sources"]) == {"kutim", "samarinda"}
