"""How the deployment serves the model's suggestions, wherever they are made (the service, the
morning intake, the demo's seeding): auto-routing held where the live guard suspended it, the
urgency tier below the flag set by the deployment's check share."""

from __future__ import annotations

from dataclasses import dataclass

from core.suggestion import Suggestion
from serve.auto_guard import AutoGuard
from serve.check_tier import CheckTier


@dataclass
class ServingPolicy:
    guard: AutoGuard | None = None
    check_tier: CheckTier | None = None

    def finish(self, suggestions: list[Suggestion]) -> list[Suggestion]:
        """The model's suggestions as the deployment serves them."""
        if self.guard is not None:
            suggestions = self.guard.hold(suggestions)
        if self.check_tier is not None:
            suggestions = self.check_tier.apply(suggestions)
        return suggestions
