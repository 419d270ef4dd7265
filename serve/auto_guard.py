"""The live guard of auto-routing. Thresholds promise a precision (95% by default) that was
proven on validation reports; this checks the promise where it is used. From what staff decide
on suggestions the model routed automatically (accepted, corrected, re-routed), it measures the
recent precision per task and per suggested OPD, and suspends auto-routing of a task or an OPD
as soon as the upper end of that precision's exact 95% interval falls below the target: the
shortfall is then beyond reasonable doubt, not one unlucky week. While suspended, such
suggestions are held for review (``TaskSuggestion.held`` says why), staff decisions on them
keep being measured, and auto-routing resumes once the decisions made since the suspension show
the target precision again. Every suspension and resumption is in the audit trail; the Dasbor
and ``/api/v1/ready`` show the figures."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from core.schema import CLASSIFICATION_TASKS
from core.suggestion import Suggestion, TaskSuggestion
from models.thresholds import TARGET_PRECISION, possible_precision
from serve.store import Store
from serve.store.guard import AutoOutcome

RECENT_WINDOW = 100
"""The latest automatically routed suggestions (per task, per OPD) whose precision is watched."""
RECOVERY_ROWS = 20
"""Decisions since a suspension that must show the target precision before it is lifted."""


@dataclass(frozen=True)
class Scope:
    """A task's auto-routing, or one OPD's (agency suggestions naming it)."""

    task: str
    agency: str | None = None

    @property
    def key(self) -> str:
        return self.task if self.agency is None else f"{self.task}:{self.agency}"

    @property
    def label(self) -> str:
        return self.task if self.agency is None else f"{self.task} → {self.agency}"


@dataclass(frozen=True)
class ScopeFigures:
    """A scope's recent auto-routed suggestions and what they show."""

    scope: Scope
    n: int
    right: int
    target: float
    suspended_since: datetime | None
    reason: str | None

    @property
    def precision(self) -> float | None:
        return self.right / self.n if self.n else None

    @property
    def upper_bound(self) -> float:
        return possible_precision(self.right, self.n)

    @property
    def fallen_short(self) -> bool:
        """The target is out of reach beyond reasonable doubt."""
        return self.upper_bound < self.target

    @property
    def recovered(self) -> bool:
        """Enough decisions since the suspension, at the target precision."""
        return self.n >= RECOVERY_ROWS and self.right >= self.target * self.n

    def describe(self) -> str:
        return (
            f"{self.scope.label}: {self.right} of {self.n} recent automatic suggestions right "
            f"(upper bound {self.upper_bound:.2f}, target {self.target:.2f})"
        )


class AutoGuard:
    """Measures, suspends, resumes, and holds the suggestions of suspended scopes."""

    def __init__(self, targets: dict[str, float], window: int = RECENT_WINDOW) -> None:
        self.targets = {task: targets.get(task, TARGET_PRECISION) for task in CLASSIFICATION_TASKS}
        self.window = window
        self._held: dict[str, str] = {}
        """scope key -> the reason, for the suspensions in force (read from the store)."""

    def load(self, store: Store) -> None:
        """The suspensions in force, as the store has them (at start-up)."""
        self._held = {found.scope: found.reason for found in store.suspensions()}

    def figures(self, store: Store) -> list[ScopeFigures]:
        """Every task's and every suggested OPD's recent figures: the latest ``window``
        outcomes, or for a suspended scope those decided since its suspension."""
        suspended = {found.scope: found for found in store.suspensions()}
        outcomes = store.auto_outcomes()
        scopes = [Scope(task) for task in CLASSIFICATION_TASKS]
        scopes += [Scope("agency", a) for a in sorted({o.agency for o in outcomes if o.agency})]
        out = []
        for scope in scopes:
            found = suspended.get(scope.key)
            after = found.after_decision if found else 0
            judged = [o.right for o in self._of(scope, outcomes) if o.decision > after]
            judged = judged[: self.window]
            out.append(
                ScopeFigures(
                    scope,
                    len(judged),
                    sum(judged),
                    self.targets[scope.task],
                    found.suspended_at if found else None,
                    found.reason if found else None,
                )
            )
        return out

    @staticmethod
    def _of(scope: Scope, outcomes: Iterable[AutoOutcome]) -> Iterable[AutoOutcome]:
        return (
            o
            for o in outcomes
            if o.task == scope.task and (scope.agency is None or o.agency == scope.agency)
        )

    def review(self, store: Store) -> list[str]:
        """Suspend the scopes whose recent precision fell short of the target, resume those
        that recovered; what changed, one line each (also in the audit trail)."""
        changes = []
        for figures in self.figures(store):
            key = figures.scope.key
            if figures.suspended_since is None and figures.fallen_short:
                reason = f"suspended: {figures.describe()}"
                store.suspend_auto(key, figures.scope.task, figures.scope.agency, reason)
                changes.append(reason)
            elif figures.suspended_since is not None and figures.recovered:
                reason = f"resumed: since the suspension, {figures.describe()}"
                store.resume_auto(key, reason)
                changes.append(reason)
        self.load(store)
        return changes

    def suspended(self) -> dict[str, str]:
        """The suspensions in force: scope key -> why."""
        return dict(self._held)

    def hold(self, suggestions: list[Suggestion]) -> list[Suggestion]:
        """The suggestions with every automatic answer of a suspended scope held for review."""
        if not self._held:
            return suggestions
        return [self._held_one(suggestion) for suggestion in suggestions]

    def _held_one(self, suggestion: Suggestion) -> Suggestion:
        changed: dict[str, TaskSuggestion] = {}
        for task in CLASSIFICATION_TASKS:
            answer: TaskSuggestion | None = getattr(suggestion, task)
            if answer is None or answer.decision != "auto":
                continue
            scopes = [Scope(task), *([Scope(task, answer.label)] if task == "agency" else [])]
            reason = next((self._held[s.key] for s in scopes if s.key in self._held), None)
            if reason is not None:
                changed[task] = answer.model_copy(update={"decision": "review", "held": reason})
        return suggestion.model_copy(update=changed) if changed else suggestion
