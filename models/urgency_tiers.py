"""The two urgency tiers and how their thresholds are chosen.

``urgent`` is a high-precision flag: the report jumps the queue and the 112 pointer shows.
``check`` ("perlu dicek") is the ranked tier below it: reports that deserve a look today. Both are
read off one urgency score; the thresholds come from out-of-fold scores of real labelled reports
(cross-validation grouped so that repeats of one text stay in one fold), never from synthetic rows:

- the flag where it finds the most urgent reports while its flagged reports keep the target
  precision (default 0.6), with at least :data:`MIN_FLAGGED_POSITIVES` true urgent reports
  behind that precision (of equal recall, the highest score: no false alarm is added for
  nothing);
- the check tier down to the score where flag + check together reach the target recall
  (default 0.9), but never more than :data:`MAX_ATTENTION_SHARE` of the reports.

When the labels cannot support the target (too few urgent reports, or no score reaches the
precision), the conservative fallback applies and the reason is recorded: flag only where the
calibrated score says urgent is more likely than not (0.5) *and* within twice the labelled urgent
rate (:data:`FALLBACK_FLAG_SHARE` without labels); check as above. Either way the flag never
marks most reports.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from models.thresholds import threshold_for_recall

MIN_POSITIVES = 10
"""Labelled urgent reports needed before thresholds are read off cross-validation."""
MIN_FLAGGED_POSITIVES = 5
"""True urgent reports that must stand behind the flag's precision (a 1-of-1 is no evidence)."""
MAX_ATTENTION_SHARE = 0.25
"""At most this share of reports is flagged or marked for a check: a tier that holds everything
sorts nothing."""
FALLBACK_FLAG_SCORE = 0.5
FALLBACK_FLAG_SHARE = 0.05
"""The fallback flag's ceiling when no labelled rate is known."""
FALLBACK_CHECK_SHARE = 0.10
"""The check tier's share when no labelled urgent report says where recall lies."""


@dataclass
class UrgencyTiers:
    """The scores at which the two tiers start, how they were chosen, and what the out-of-fold
    scores say they achieve (precision, recall and shares of reports)."""

    flag: float
    check: float
    rule: str
    """"cross-validation" or "fallback"."""
    reason: str
    """One sentence for the training log and the model card."""
    evidence: dict[str, float] = field(default_factory=dict)

    def tiers(self, scores: np.ndarray) -> np.ndarray:
        """Each score's tier: "urgent", "check" or "none"."""
        scores = np.asarray(scores, dtype=float)
        return np.where(
            scores >= self.flag, "urgent", np.where(scores >= self.check, "check", "none")
        )

    def describe(self) -> dict[str, object]:
        return asdict(self)


def _share_threshold(scores: np.ndarray, share: float) -> float:
    """The score above which at most ``share`` of ``scores`` lie (ties broken upward)."""
    if len(scores) == 0:
        return 1.0
    ranked = np.sort(scores)[::-1]
    allowed = int(np.floor(share * len(ranked)))
    if allowed == 0:
        return float(np.nextafter(ranked[0], np.inf))
    cut = ranked[allowed - 1]
    # every score equal to the cut is included; if that overshoots the share, go one step up
    return float(cut if (scores >= cut).mean() <= share else np.nextafter(cut, np.inf))


def _evidence(scores: np.ndarray, truth: np.ndarray, flag: float, check: float) -> dict:
    flagged, attention = scores >= flag, scores >= check
    positives = max(int(truth.sum()), 1)
    return {
        "n": len(scores),
        "positives": int(truth.sum()),
        "flag_precision": round(float(truth[flagged].mean()), 4) if flagged.any() else 0.0,
        "flag_recall": round(float(truth[flagged].sum() / positives), 4),
        "flag_share": round(float(flagged.mean()), 4),
        "attention_recall": round(float(truth[attention].sum() / positives), 4),
        "attention_share": round(float(attention.mean()), 4),
    }


def _check_threshold(scores: np.ndarray, truth: np.ndarray, flag: float, recall: float) -> float:
    """The check tier's start: the target recall of flag + check, within the attention cap."""
    if truth.any():
        wanted = threshold_for_recall(scores, truth, recall)
    else:
        wanted = _share_threshold(scores, FALLBACK_CHECK_SHARE)
    return min(flag, max(wanted, _share_threshold(scores, MAX_ATTENTION_SHARE)))


def choose_tiers(
    scores: np.ndarray,
    truth: np.ndarray,
    target_precision: float = 0.6,
    target_recall: float = 0.9,
) -> UrgencyTiers:
    """Both thresholds from out-of-fold ``scores`` of real labelled reports (``truth``: bool),
    or the fallback (with its reason) where the labels cannot support the target."""
    scores, truth = np.asarray(scores, dtype=float), np.asarray(truth, dtype=bool)
    if truth.sum() < MIN_POSITIVES:
        return fallback_tiers(
            scores,
            truth,
            target_recall,
            f"only {int(truth.sum())} labelled urgent reports (at least {MIN_POSITIVES} are "
            "needed to choose thresholds)",
        )
    order = np.argsort(-scores, kind="stable")
    ranked, hits = scores[order], np.cumsum(truth[order])
    ends = np.flatnonzero(np.r_[ranked[1:] != ranked[:-1], True])  # ties are flagged together
    precision = hits[ends] / (ends + 1)
    supported = (precision >= target_precision) & (hits[ends] >= MIN_FLAGGED_POSITIVES)
    supported &= (ends + 1) / len(scores) <= MAX_ATTENTION_SHARE
    if not supported.any():
        best = float(precision[hits[ends] >= MIN_FLAGGED_POSITIVES].max(initial=0.0))
        return fallback_tiers(
            scores,
            truth,
            target_recall,
            f"no score reaches flag precision {target_precision:.2f} on cross-validation "
            f"(best with {MIN_FLAGGED_POSITIVES}+ urgent reports: {best:.2f})",
        )
    # the most urgent reports found at that precision; of equal recall, the fewest flagged
    candidates = np.flatnonzero(supported)
    best = candidates[np.argmax(hits[ends][candidates])]
    flag = float(ranked[ends[best]])
    check = _check_threshold(scores, truth, flag, target_recall)
    evidence = _evidence(scores, truth, flag, check)
    reason = (
        f"cross-validated on {len(scores)} real labelled reports: flag precision "
        f"{evidence['flag_precision']:.2f}, recall {evidence['flag_recall']:.2f}; flag + check "
        f"recall {evidence['attention_recall']:.2f} on {evidence['attention_share']:.0%} of reports"
    )
    return UrgencyTiers(flag, check, "cross-validation", reason, evidence)


def fallback_tiers(
    scores: np.ndarray, truth: np.ndarray | None, target_recall: float, why: str
) -> UrgencyTiers:
    """The conservative rule (see the module's docstring); ``truth`` may be None (no labels)."""
    scores = np.asarray(scores, dtype=float)
    known = truth is not None and len(truth) > 0
    truth = np.asarray(truth, dtype=bool) if known else np.zeros(len(scores), dtype=bool)
    share = min(2 * truth.mean(), FALLBACK_FLAG_SHARE * 2) if truth.any() else FALLBACK_FLAG_SHARE
    flag = max(FALLBACK_FLAG_SCORE, _share_threshold(scores, share))
    check = _check_threshold(scores, truth, flag, target_recall)
    evidence = _evidence(scores, truth, flag, check) if known else {}
    reason = (
        f"fallback: {why}; urgent only where the score is at least {FALLBACK_FLAG_SCORE} and "
        f"within the top {share:.1%} of reports"
    )
    return UrgencyTiers(flag, check, "fallback", reason, evidence)
