"""The Router as an estimator: refits rebuild everything, and it saves and loads on its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from core.schema import Report
from models.linear import PLACE_BUCKETS, ReportVectorizer
from models.persistence import FORMAT_VERSION, ModelFormatError
from models.router import Router
from models.router_folder import read_router, router_config, write_router
from tests.conftest import REPO, TINY_VECTORIZER
from tests.models.saved_formats import write_in_format


def test_hyperparameters_are_stored_verbatim() -> None:
    router = Router(vectorizer_params=TINY_VECTORIZER, task_params={"agency": {"C": 1.0}})
    assert router.get_params()["vectorizer_params"] is TINY_VECTORIZER
    assert router.get_params()["task_params"] == {"agency": {"C": 1.0}}
    assert router.get_params()["target_precision"] is None


def test_clone_and_set_params_follow_the_estimator_contract(
    demo_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    router = Router(vectorizer_params=TINY_VECTORIZER, task_params={"agency": {"C": 1.0}})
    copy = clone(router)
    assert copy is not router
    assert copy.get_params() == router.get_params()
    assert copy.set_params(urgent_target_recall=0.8) is copy
    assert copy.urgent_target_recall == 0.8
    assert router.urgent_target_recall == 0.9
    train, validation = (frame.head(400) for frame in demo_frames)
    fitted = clone(router).fit(train, validation)
    unfitted = clone(fitted)
    assert unfitted.get_params() == router.get_params()
    assert not hasattr(unfitted, "classifiers_")
    assert set(router_config(fitted)["hyperparameters"]) == set(router.get_params())


def test_a_refit_without_a_tasks_labels_drops_that_task(
    demo_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    train, validation = (frame.head(500) for frame in demo_frames)
    router = Router(vectorizer_params=TINY_VECTORIZER).fit(train, validation)
    assert "channel" in router.classifiers_
    router.fit(train.assign(channel=None), validation.assign(channel=None))
    assert "channel" not in router.classifiers_
    assert router.skipped_["channel"] == "no labels"
    suggestion = router.predict([Report(id="x", text="Jalan rusak parah di desa kami")])[0]
    assert suggestion.channel is None
    assert suggestion.agency is not None


def test_location_features_survive_a_refit() -> None:
    first = pd.DataFrame(
        {"text": ["jalan rusak", "lampu mati"] * 10, "village": ["Alpha", "Beta"] * 10}
    )
    second = pd.DataFrame(
        {"text": ["jalan rusak", "lampu mati"] * 10, "village": ["Gamma", "Delta"] * 10}
    )
    vectorizer = ReportVectorizer(min_df=1, location_weight=1.0).fit(first)
    vectorizer.transform(first)
    vectorizer.fit(second)
    place_block = vectorizer.transform(second)[:, -2 * PLACE_BUCKETS :].toarray()
    assert place_block.sum(axis=1).tolist() == [1.0] * len(second)  # the village; no district
    fresh = ReportVectorizer(min_df=1, location_weight=1.0).fit(second).transform(second)
    assert (vectorizer.transform(second) != fresh).nnz == 0


def test_save_then_load_predicts_the_same_without_mlflow(router: Router, tmp_path: Path) -> None:
    version_before = router.version_
    folder = write_router(router, tmp_path / "router", training={"rows": {"train": 1}})
    assert router.version_ == version_before  # saving changes nothing
    config = json.loads((folder / "config.json").read_text())
    assert config["format_version"] == FORMAT_VERSION
    assert set(config["labels"]) >= {"agency", "topic", "channel", "urgent"}
    assert "scikit-learn" in config["library_versions"]
    loaded = read_router(folder, version="lapor-router/9")
    reports = [
        Report(id="a", text="Pohon tumbang menimpa kabel listrik", village="Singa Gembara"),
        Report(id="b", text="Mohon info jadwal pembuatan KTP", district="Sangatta Utara"),
    ]
    assert [s.model_dump(exclude={"model_version"}) for s in loaded.predict(reports)] == [
        s.model_dump(exclude={"model_version"}) for s in router.predict(reports)
    ]
    assert loaded.predict(reports)[0].model_version == "lapor-router/9"


@pytest.mark.parametrize("version", [8, 9, 10])
def test_a_folder_of_an_older_readable_format_loads_and_predicts_the_same(
    router: Router, tmp_path: Path, version: int
) -> None:
    """Format 8 saved each vocabulary as a dict; 8 and 9 kept the parts of the urgency and the
    agency's routing apart; 8 to 10 kept the sub-topic's parts apart."""
    loaded = read_router(write_in_format(router, tmp_path / "router", version))
    assert loaded.vectorizer_.word_.vocabulary_ == router.vectorizer_.word_.vocabulary_
    assert loaded.urgency_ is not None
    assert router.urgency_ is not None
    assert loaded.urgency_.threshold == router.urgency_.threshold
    assert loaded.urgency_.tiers.describe() == router.urgency_.tiers.describe()
    assert loaded.agency_.places.office_names() == router.agency_.places.office_names()
    assert loaded.agency_.opd_history == router.agency_.opd_history
    assert loaded.subtopic_ is not None
    assert router.subtopic_ is not None
    assert loaded.subtopic_.parents == router.subtopic_.parents
    assert loaded.subtopic_.threshold == router.subtopic_.threshold
    assert "subtopic" not in loaded.classifiers_
    assert loaded.labels == router.labels
    report = Report(id="a", text="Pohon tumbang menimpa kabel listrik", village="Singa Gembara")
    assert loaded.predict([report])[0].model_dump() == router.predict([report])[0].model_dump()


def test_a_folder_of_another_format_version_is_refused_in_one_sentence(
    router: Router, tmp_path: Path
) -> None:
    folder = write_router(router, tmp_path / "router")
    config = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**config, "format_version": 0}))
    with pytest.raises(ModelFormatError, match="format version 0, but this code reads format"):
        read_router(folder)
    libraries = {**config["library_versions"], "scikit-learn": "0.24.2"}
    (folder / "config.json").write_text(json.dumps({**config, "library_versions": libraries}))
    with pytest.raises(ModelFormatError, match="saved with scikit-learn 0.24.2"):
        read_router(folder)
    with pytest.raises(ModelFormatError, match="no config.json"):
        read_router(tmp_path)


@pytest.mark.parametrize("keep", [0, 100, 0.5])
def test_a_truncated_estimators_file_is_refused_in_one_sentence(
    router: Router, tmp_path: Path, keep: float
) -> None:
    folder = write_router(router, tmp_path / "router")
    estimators = folder / "estimators.skops"
    content = estimators.read_bytes()
    estimators.write_bytes(content[: int(keep * len(content)) if keep < 1 else keep])
    with pytest.raises(ModelFormatError, match="missing, truncated or not a saved model"):
        read_router(folder)


def test_an_unfitted_router_says_so(tmp_path: Path) -> None:
    with pytest.raises(NotFittedError):
        write_router(Router(), tmp_path / "router")
    assert not np.any([p.exists() for p in (tmp_path / "router").glob("*")])


class Intruder:
    """A type no saved Router contains: loading must refuse to rebuild it."""


def test_a_folder_holding_an_untrusted_type_is_refused(router: Router, tmp_path: Path) -> None:
    import skops.io

    folder = write_router(router, tmp_path / "router")
    payload = skops.io.load(
        folder / "estimators.skops",
        trusted=skops.io.get_untrusted_types(file=folder / "estimators.skops"),
    )
    payload["state"]["intruder_"] = Intruder()
    skops.io.dump(payload, folder / "estimators.skops")
    with pytest.raises(ModelFormatError, match="types this code does not trust: .*Intruder"):
        read_router(folder)


def test_the_router_knows_which_rows_it_was_trained_on(
    router: Router, demo_frames: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    train, validation = demo_frames
    assert router.seen_in_training(train).all()
    unseen = validation[~validation["text"].isin(train["text"])]
    assert not router.seen_in_training(unseen).any()
    resent = unseen.head(3).assign(
        id=["new-1", "new-2", "new-3"],
        title=train["title"].head(3).values,
        text=train["text"].head(3).values,
    )
    assert router.seen_in_training(resent).all()  # the same text under another id
    assert len(router.training_fingerprints_) <= 2 * len(train)  # hashes, not texts


def test_saving_and_loading_a_linear_router_imports_no_torch(
    router: Router, tmp_path: Path
) -> None:
    """skops' import walks every scikit-learn package, whose torch adapter imported torch
    (about 1 s of every command's start-up) though no linear model needs it."""
    folder = write_router(router, tmp_path / "router")
    script = (
        "import sys\n"
        "from models.router_folder import read_router, write_router\n"
        f"router = read_router({str(folder)!r})\n"
        f"write_router(router, {str(tmp_path / 'again')!r})\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "import sklearn.externals.array_api_compat.torch  # still there for whoever needs it\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
