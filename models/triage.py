"""Triage: a Router serving a deployment's OPD catalogue and, where a scorer is registered, the
index of earlier reports it links duplicates from. Composed where it is used (the service, the
demo, the batch job, which links duplicates with its own pass)."""

from __future__ import annotations

from dataclasses import dataclass

from core.schema import Report
from core.suggestion import Suggestion
from models.catalogue import Catalogue
from models.duplicates.index import DuplicateIndex
from models.router import Router
from models.urgency_tiers import UrgencyTiers


@dataclass
class Triage:
    """Suggestions for (masked) reports, each with its links to earlier reports of the same
    problem when a duplicate index is present."""

    router: Router
    index: DuplicateIndex | None = None
    catalogue: Catalogue | None = None
    """The deployment's catalogue as edited since training (or one the model never saw, where
    only the function level applies); None: the one the Router was fitted with."""

    @property
    def version(self) -> str | None:
        return self.router.version_

    def predict(self, reports: list[Report]) -> list[Suggestion]:
        suggestions = self.router.predict(reports, self.catalogue)
        for suggestion, report in zip(suggestions, reports, strict=True):
            self.link_duplicates(report, suggestion)
        return suggestions

    @property
    def urgency_tiers(self) -> UrgencyTiers | None:
        """The tiers urgency scores are named by (None: the model has no urgency task)."""
        return self.router.urgency_.tiers if self.router.urgency_ is not None else None

    def known_agencies(self) -> list[str]:
        """The OPDs a suggestion may name: the list staff pick a correction from."""
        return self.router.known_agencies(self.catalogue)

    def serving_catalogue(self) -> Catalogue | None:
        """The catalogue suggestions name agencies from."""
        return self.router.serving_catalogue(self.catalogue)

    def link_duplicates(self, report: Report, suggestion: Suggestion) -> Suggestion:
        """``suggestion`` with its links to the indexed reports of the same problem (a batch
        of new reports in arrival order: link each one, store it, remember it, then the
        next, so that a batch's later reports find its earlier ones)."""
        if self.index is not None:
            suggestion.duplicates = self.index.find(report, *_agency_topic(suggestion))
        return suggestion

    def intake(self, report: Report) -> Suggestion:
        """The suggestion for a new report; it then joins the duplicate index. Call it only
        once the report is stored, so the index never holds a report the store lost."""
        suggestion = self.predict([report])[0]
        self.remember(report, suggestion)
        return suggestion

    def remember(self, report: Report, suggestion: Suggestion) -> None:
        """Add a stored report, with its suggestion, to the duplicate index."""
        if self.index is not None:
            self.index.add(report, *_agency_topic(suggestion))

    def remember_many(self, reports: list[Report]) -> None:
        """Add stored reports (each with its final or suggested labels) to the index."""
        if self.index is not None and reports:
            self.index.add_many(reports)


def _agency_topic(suggestion: Suggestion) -> tuple[str | None, str | None]:
    """What the duplicate index compares a report by (its indexed reports carry theirs)."""
    return (
        suggestion.agency.label if suggestion.agency else None,
        suggestion.topic.label if suggestion.topic else None,
    )
