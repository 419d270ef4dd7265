"""The PERLU DICEK tier as the deployment wants it. The model's tiers come from cross-validation
on real labels: where the flag alone already reaches the recall target (the demo corpus, whose
urgent reports say so plainly) the check tier below it is empty, while on real exports the cap
puts a quarter of the queue there. A deployment's admins see the tier's share on the Dasbor and
may set it: the check tier then holds that share of reports below the flag, the most urgent-
looking first, read off the urgency scores of the latest reports (the ones stored, and those
classified since). Unset, the model's own threshold applies."""

from __future__ import annotations

from collections import deque

import numpy as np

from core.suggestion import Suggestion
from models.urgency_tiers import MAX_ATTENTION_SHARE, UrgencyTiers
from serve.store import Store

CHECK_SHARE = "check_share"
"""The setting's key (a share of reports, 0 to :data:`MAX_ATTENTION_SHARE`)."""
RECENT_SCORES = 2_000
"""The latest reports whose urgency scores place the check threshold."""
RECOMPUTE_EVERY = 100
"""New scores after which the threshold is placed again."""


class CheckShareError(ValueError):
    """A share outside what the tier may hold."""


class CheckTier:
    """Re-tiers suggestions below the flag to hold the deployment's check share."""

    def __init__(self, tiers: UrgencyTiers | None) -> None:
        self.tiers = tiers
        self.share: float | None = None
        self.threshold: float | None = None
        self._scores: deque[float] = deque(maxlen=RECENT_SCORES)
        self._since_placed = 0

    def load(self, store: Store) -> CheckTier:
        """The share set for the deployment, and the latest reports' scores."""
        value = store.setting(CHECK_SHARE)
        self.share = float(value) if value is not None else None
        self._scores.extend(reversed(store.recent_urgency_scores(RECENT_SCORES)))
        self._place()
        return self

    def set_share(self, store: Store, share: float | None, actor: str) -> None:
        """Set the check tier's share (None: back to the model's own threshold); audited."""
        if share is not None and not 0 <= share <= MAX_ATTENTION_SHARE:
            raise CheckShareError(
                f"the check tier may hold 0 to {MAX_ATTENTION_SHARE:.0%} of reports, not "
                f"{share:.0%}"
            )
        store.set_setting(CHECK_SHARE, None if share is None else f"{share:.4f}", actor)
        self.share = share
        self._place()

    def _place(self) -> None:
        """The score from which ``share`` of the recent reports below the flag are checked."""
        self._since_placed = 0
        if self.share is None or self.tiers is None or not self._scores:
            self.threshold = None
            return
        scores = np.fromiter(self._scores, dtype=float)
        below = np.sort(scores[scores < self.tiers.flag])[::-1]
        wanted = round(self.share * len(scores))
        if wanted == 0 or len(below) == 0:
            self.threshold = np.inf
        else:
            self.threshold = float(below[min(wanted, len(below)) - 1])

    def apply(self, suggestions: list[Suggestion]) -> list[Suggestion]:
        """The suggestions with the tier below the flag set by the deployment's share."""
        scores = [s.urgent.score for s in suggestions if s.urgent is not None]
        self._scores.extend(scores)
        self._since_placed += len(scores)
        if self.share is not None and (
            self.threshold is None or self._since_placed >= RECOMPUTE_EVERY
        ):
            self._place()
        if self.threshold is None:
            return suggestions
        out = []
        for suggestion in suggestions:
            urgent = suggestion.urgent
            if urgent is not None and urgent.tier != "urgent":
                tier = "check" if urgent.score >= self.threshold else "none"
                if tier != urgent.tier:
                    urgent = urgent.model_copy(update={"tier": tier})
                    suggestion = suggestion.model_copy(update={"urgent": urgent})
            out.append(suggestion)
        return out

    def figures(self) -> dict[str, float | None]:
        """What the Dasbor shows: the share set (None: the model's), the model's own check
        share on its cross-validation, and the share the recent reports would get now."""
        scores = np.fromiter(self._scores, dtype=float)
        evidence = self.tiers.evidence if self.tiers else {}
        own = evidence.get("attention_share", 0.0) - evidence.get("flag_share", 0.0)
        flag = self.tiers.flag if self.tiers else np.inf
        check = self.threshold if self.threshold is not None else (
            self.tiers.check if self.tiers else np.inf
        )  # fmt: skip
        recent = float(((scores >= check) & (scores < flag)).mean()) if len(scores) else None
        return {"set": self.share, "model": round(own, 4) if evidence else None, "recent": recent}
