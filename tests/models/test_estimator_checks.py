"""The leaf estimators keep scikit-learn's estimator contract, and the Router's fast path gives
exactly what the validated methods (and LinearSVC itself) give."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError
from sklearn.svm import LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from models.linear import CalibratedLinearClassifier
from models.urgency import UrgencyScorer


@parametrize_with_checks([CalibratedLinearClassifier(), UrgencyScorer()])
def test_scikit_learn_estimator_checks(estimator: BaseEstimator, check: object) -> None:
    check(estimator)


@pytest.mark.parametrize("n_classes", [2, 4])
def test_the_unchecked_fast_path_equals_the_validated_methods(n_classes: int) -> None:
    rng = np.random.default_rng(0)
    X = sp.random(120, 40, density=0.2, format="csr", random_state=1, dtype=np.float32)
    y = np.array([f"class-{i % n_classes}" for i in range(120)], dtype=object)
    classifier = CalibratedLinearClassifier(C=0.5).fit(X, y)
    rows = X[rng.choice(120, size=15)]
    np.testing.assert_array_equal(
        classifier.predict_proba_unchecked(rows), classifier.predict_proba(rows)
    )
    svm = LinearSVC(C=0.5, class_weight="balanced", random_state=0).fit(X, y)
    np.testing.assert_allclose(classifier.decision_function(rows), svm.decision_function(rows))
    np.testing.assert_array_equal(classifier.predict(rows), svm.predict(rows))


def test_an_unfitted_classifier_raises_not_fitted() -> None:
    with pytest.raises(NotFittedError):
        CalibratedLinearClassifier().predict_proba(np.zeros((1, 3)))
    with pytest.raises(NotFittedError):
        UrgencyScorer().predict(np.zeros((1, 9)))


def test_the_urgency_fast_path_equals_logistic_regression() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(80, 10))
    y = X[:, 0] + rng.normal(scale=0.5, size=80) > 0
    scorer = UrgencyScorer(class_weight=None).fit(X, y)
    np.testing.assert_allclose(scorer.predict_proba_unchecked(X), scorer.model_.predict_proba(X))
    np.testing.assert_allclose(scorer.predict_proba(X), scorer.model_.predict_proba(X))
    lexicon = UrgencyScorer.lexicon_only()
    rows = np.abs(X[:, :9])
    np.testing.assert_array_equal(
        lexicon.predict_proba_unchecked(rows), lexicon.predict_proba(rows)
    )
