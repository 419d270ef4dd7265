"""The linear family: report vectorizer and calibrated linear classifier."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import skops.io
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer

from models.linear import (
    PLACE_BUCKETS,
    CalibratedLinearClassifier,
    ReportVectorizer,
    fit_temperature,
    make_linear_classifier,
    place_key,
    tfidf,
)
from pipeline.synth.generator import generate
from tests.conftest import TINY_VECTORIZER


def frame(texts: list[str], villages: list[str] | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "title": [None] * len(texts),
            "text": texts,
            "district": ["Bengalon"] * len(texts),
            "village": villages or ["Sepaso"] * len(texts),
        }
    )


def test_vectorizer_features_text_and_place() -> None:
    data = frame(
        ["jalan rusak parah", "jln rusak prh", "lampu mati"], ["Sepaso", "Sepaso", "Kandolo"]
    )
    vectorizer = ReportVectorizer(min_df=1).fit(data)
    matrix = vectorizer.transform(data)
    assert sp.issparse(matrix)
    assert matrix.shape[0] == 3
    # slang is normalised before featurising: the two spellings share word features
    words = vectorizer.word_.transform(["jalan rusak parah"]).toarray()
    again = vectorizer.transform(frame(["jln rusak prh"])).toarray()[:, : words.shape[1]]
    assert np.allclose(again, words, atol=1e-6)
    assert vectorizer.transform(frame(["x"], ["Tempat Baru"])).shape[1] == matrix.shape[1]
    without_place = ReportVectorizer(min_df=1, location=False).fit(data).transform(data)
    places = matrix[:, without_place.shape[1] :]
    assert places.shape[1] == 2 * PLACE_BUCKETS  # hashed kecamatan and kelurahan columns
    # the same village (whatever its spelling) shares its column, another has its own
    spelled = vectorizer.transform(frame(["x"], ["Kel. SEPASO"]))[:, without_place.shape[1] :]
    assert (spelled != places[0]).nnz == 0
    assert (places[0] != places[2]).nnz > 0
    assert place_key("Kel. Swarga-Bara") == place_key("swarga bara") == "swargabara"


def test_a_saved_vectorizer_is_a_handful_of_nodes_whatever_its_vocabulary(
    tmp_path: Path,
) -> None:
    """skops saves every numpy integer as an array of its own and every dict entry as a schema
    node: a vocabulary of numpy columns (what max_features leaves) made a small model's file
    tens of thousands of arrays, and a real city's vocabulary a schema of millions of lines,
    seconds to save and to load. Saved, each vocabulary is one string; loaded, the same dict."""
    texts = [f"jalan rusak nomor {n} di gang {n % 7} dekat pasar {n % 3}" for n in range(60)]
    schema_lines = []
    for terms in (10, 80):
        vectorizer = ReportVectorizer(min_df=1, max_word_features=terms, max_char_features=terms)
        vectorizer.fit(frame(texts)).transform(frame(texts))  # fills its word cache
        for fitted in (vectorizer.word_, vectorizer.char_):
            assert {type(column) for column in fitted.vocabulary_.values()} == {int}
        path = tmp_path / f"vectorizer-{terms}.skops"
        skops.io.dump(vectorizer, path)
        with zipfile.ZipFile(path) as saved:
            assert len(saved.namelist()) < 20
            schema_lines.append(len(saved.read("schema.json").splitlines()))
    assert schema_lines[0] == schema_lines[1]  # as a dict: 10 lines more per term; the cache
    # of each word's n-gram columns is not saved (else 80 terms would have more words cached)
    loaded = skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))
    assert loaded.word_.vocabulary_ == vectorizer.word_.vocabulary_
    assert loaded.char_.vocabulary_ == vectorizer.char_.vocabulary_
    assert (loaded.transform(frame(texts)) != vectorizer.transform(frame(texts))).nnz == 0
    assert "vocabulary_" in vectorizer.word_.__dict__  # saving left the fitted object whole


def test_estimator_contract() -> None:
    model = make_linear_classifier(classifier__C=0.3, vectorizer__min_df=1)
    assert model.get_params()["classifier__C"] == 0.3
    cloned = clone(model)
    assert cloned.get_params()["vectorizer__min_df"] == 1
    assert not hasattr(cloned.named_steps["classifier"], "classes_")


def test_calibrated_classifier_probabilities_and_rare_classes() -> None:
    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.random((60, 8)))
    y = np.array(["a"] * 40 + ["b"] * 19 + ["c"])  # "c" seen once
    model = CalibratedLinearClassifier(calibration_folds=3).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (60, 3)
    assert np.allclose(proba.sum(axis=1), 1)
    assert list(model.classes_) == ["a", "b", "c"]
    assert model.temperature_ > 0
    assert (model.predict(X) == model.classes_[proba.argmax(axis=1)]).all()
    with pytest.raises(ValueError, match="at least two classes"):
        CalibratedLinearClassifier().fit(X[:5], np.array(["a"] * 5))


def test_binary_classifier_gives_two_columns() -> None:
    X = sp.csr_matrix(np.eye(10))
    y = np.array([True, False] * 5)
    proba = CalibratedLinearClassifier(calibration_folds=2).fit(X, y).predict_proba(X)
    assert proba.shape == (10, 2)


def test_temperature_scaling_softens_overconfident_scores() -> None:
    scores = np.array([[5.0, -5.0]] * 10)
    truth = np.array([0] * 7 + [1] * 3)  # right only 70% of the time
    temperature = fit_temperature(scores, truth)
    assert temperature > 3  # probabilities pulled towards 0.7


def test_learns_the_demo_agencies(demo_frames: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, validation = demo_frames
    model = make_linear_classifier(
        **{f"vectorizer__{k}": v for k, v in TINY_VECTORIZER.items()}
    ).fit(train, train["agency"].to_numpy(dtype=object))
    accuracy = (model.predict(validation) == validation["agency"].to_numpy(dtype=object)).mean()
    assert accuracy > 0.7  # the demo's OPDs share problems as real ones do: about 0.8 at best


def test_direct_linear_scores_equal_scikit_learn() -> None:
    """The direct linear scores give what scikit-learn's decision function gives."""
    data = frame(
        ["jalan rusak parah", "lampu mati", "air pdam keruh", "sampah menumpuk"],
        ["Sepaso", "Kandolo", "Sepaso", "Kandolo"],
    )
    vectorizer = ReportVectorizer(min_df=1).fit(data)
    X = vectorizer.transform(data)
    model = CalibratedLinearClassifier(calibration_folds=2).fit(X, np.array(["a", "b", "a", "c"]))
    assert np.allclose(
        model.decision_function(X),
        model.svm_.decision_function(X)[:, np.argsort(model.svm_.classes_)],
    )


def test_tfidf_equals_scikit_learns_transform_to_the_bit() -> None:
    """The Router's TF-IDF skips scikit-learn's validation and counts character n-grams word
    by word through a cache, not scikit-learn's arithmetic: the matrices are the same, for one
    report and for many, with the cache empty and full, and for options the Router does not
    use (where a vectorizer lower-cases, its text is not cut into words first)."""
    reports = pd.DataFrame(list(generate(120, seed=5)))
    vectorizer = ReportVectorizer(**TINY_VECTORIZER).fit(reports)
    normalized, stemmed = vectorizer._texts(reports)
    others = TfidfVectorizer(norm=None, dtype=np.float64).fit(normalized)
    lowercasing = TfidfVectorizer(analyzer="char_wb", sublinear_tf=True).fit(normalized)
    word_columns: dict[str, tuple[int, ...]] = {}
    for fitted, texts in ((vectorizer.word_, stemmed), (vectorizer.char_, normalized),
                          (others, normalized), (lowercasing, normalized)):  # fmt: skip
        for part in (texts[:1], texts[40:], ["", "jalan  jalan\tjalan", "Σ ΑΣ"], texts[:60]):
            ours, theirs = tfidf(fitted, part, word_columns), fitted.transform(part)
            assert ours.dtype == theirs.dtype
            for name in ("data", "indices", "indptr"):
                np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))
    assert "jalan" in word_columns  # the character n-grams were counted word by word
    assert all(word == word.strip() for word in word_columns)
