"""The two urgency tiers: thresholds from real labels' cross-validation, or the fallback."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from models.router import Router
from models.urgency_tiers import (
    FALLBACK_FLAG_SCORE,
    MAX_ATTENTION_SHARE,
    MIN_FLAGGED_POSITIVES,
    UrgencyTiers,
    choose_tiers,
    fallback_tiers,
)
from tests.conftest import TINY_VECTORIZER


def scored(n: int, positives: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Scores where urgent reports score higher on average, with overlap."""
    rng = np.random.default_rng(seed)
    truth = np.zeros(n, dtype=bool)
    truth[:positives] = True
    scores = np.clip(np.where(truth, 0.6, 0.1) + rng.normal(0, 0.12, n), 0, 1)
    return scores, truth


def test_thresholds_reach_the_target_precision_on_separable_scores() -> None:
    scores, truth = scored(1_000, 40)
    tiers = choose_tiers(scores, truth, target_precision=0.6, target_recall=0.9)
    assert tiers.rule == "cross-validation"
    flagged = scores >= tiers.flag
    assert truth[flagged].mean() >= 0.6
    assert truth[flagged].sum() >= MIN_FLAGGED_POSITIVES
    assert tiers.check <= tiers.flag
    assert truth[scores >= tiers.check].mean() <= 1
    assert truth[scores >= tiers.check].sum() >= 0.9 * truth.sum()
    assert tiers.evidence["flag_precision"] == pytest.approx(truth[flagged].mean(), abs=1e-4)


def test_a_tiny_validation_does_not_produce_a_near_zero_threshold() -> None:
    """The old rule (recall 0.9 on a handful of urgent rows) put the flag at 0.004 and flagged
    96% of real reports; with three urgent rows the fallback applies instead."""
    scores = np.r_[np.full(97, 0.01), [0.004, 0.3, 0.9]]
    truth = np.r_[np.zeros(97, dtype=bool), [True, True, True]]
    tiers = choose_tiers(scores, truth)
    assert tiers.rule == "fallback"
    assert "only 3 labelled urgent reports" in tiers.reason
    assert tiers.flag >= FALLBACK_FLAG_SCORE
    assert (scores >= tiers.flag).mean() <= 0.1
    assert (scores >= tiers.check).mean() <= MAX_ATTENTION_SHARE


def test_an_unreachable_precision_falls_back_and_never_flags_most_reports() -> None:
    rng = np.random.default_rng(1)
    truth = rng.random(2_000) < 0.05
    scores = rng.random(2_000)  # no signal at all: no threshold reaches precision 0.6
    tiers = choose_tiers(scores, truth)
    assert tiers.rule == "fallback"
    assert "no score reaches flag precision 0.60" in tiers.reason
    assert (scores >= tiers.flag).mean() <= 2 * truth.mean() + 1e-9
    assert (scores >= tiers.check).mean() <= MAX_ATTENTION_SHARE


def test_without_labels_the_shares_are_fixed() -> None:
    scores = np.linspace(0, 1, 1_000)
    tiers = fallback_tiers(scores, None, 0.9, "no urgency labels")
    assert tiers.flag >= FALLBACK_FLAG_SCORE
    assert 0 < (scores >= tiers.flag).mean() <= 0.05
    assert (scores >= tiers.check).mean() == pytest.approx(0.10, abs=0.002)
    assert tiers.evidence == {}


def test_tiers_of_scores() -> None:
    tiers = UrgencyTiers(flag=0.7, check=0.3, rule="cross-validation", reason="test")
    assert tiers.tiers(np.array([0.9, 0.7, 0.5, 0.3, 0.1])).tolist() == [
        "urgent", "urgent", "check", "check", "none",
    ]  # fmt: skip


def with_urgency(frame: pd.DataFrame, labelled: int) -> pd.DataFrame:
    """``frame`` with its urgency labels kept on the first ``labelled`` rows only."""
    out = frame.reset_index(drop=True).copy()
    out["urgent"] = out["urgent"].astype(object)
    out.loc[labelled:, "urgent"] = None
    return out


def test_the_router_chooses_tiers_by_cross_validation_on_its_own_labels(
    demo_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    train, _ = demo_frames
    messages: list[str] = []
    router = Router(vectorizer_params=TINY_VECTORIZER).fit(train, progress=messages.append)
    assert router.urgency_.tiers.rule == "cross-validation"
    assert router.urgency_.tiers.evidence["n"] == train["urgent"].notna().sum()
    assert any(m.startswith("urgency tiers: cross-validated") for m in messages)
    suggestions = router.predict_frame(train.head(300))
    assert {s.urgent.tier for s in suggestions} >= {"urgent", "none"}
    assert all(s.urgent.flag == (s.urgent.tier == "urgent") for s in suggestions)


def test_extra_rows_never_choose_a_threshold(
    demo_frames: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """Real rows with two urgency labels and synthetic extras with many: the fallback."""
    train, _ = demo_frames
    real = with_urgency(train.iloc[:600], 0)
    real.loc[real.index[:2], "urgent"] = [True, False]
    extra = train.iloc[600:]
    messages: list[str] = []
    router = Router(vectorizer_params=TINY_VECTORIZER).fit(
        real, extra=extra, progress=messages.append
    )
    assert router.urgency_.tiers.rule == "fallback"
    assert "1 real labelled urgent reports" in router.urgency_.tiers.reason
    assert "extra rows never choose a threshold" in router.urgency_.tiers.reason
    flags = [s.urgent.flag for s in router.predict_frame(real)]
    assert np.mean(flags) <= 0.05 + 1e-9


def test_past_full_recall_the_flag_adds_no_false_alarms() -> None:
    """Separable scores: every urgent report scores above every other; the flag stops at the
    last urgent one instead of sinking until precision falls to the target."""
    scores = np.r_[np.linspace(0.9, 0.8, 20), np.linspace(0.5, 0.0, 480)]
    truth = np.r_[np.ones(20, dtype=bool), np.zeros(480, dtype=bool)]
    tiers = choose_tiers(scores, truth, target_precision=0.6)
    assert tiers.flag == pytest.approx(0.8)
    assert tiers.evidence["flag_precision"] == 1.0
    assert tiers.evidence["flag_recall"] == 1.0
