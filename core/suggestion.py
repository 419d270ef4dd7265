"""What the model answers for one report: each task's best label with its probability and
candidates, the urgency tier with its reasons, and the earlier reports it may repeat. Staff
decide; the service stores and serves these as they are."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from core.schema import CLASSIFICATION_TASKS, UrgencyTier


class Candidate(BaseModel):
    """One candidate label with its calibrated probability."""

    label: str
    score: float = Field(ge=0.0, le=1.0)


class TaskSuggestion(BaseModel):
    """A task's answer: the best label, its probability, the top 3, and auto or review."""

    label: str
    score: float = Field(ge=0.0, le=1.0)
    decision: Literal["auto", "review"]
    candidates: list[Candidate]
    held: str | None = None
    """Why a suggestion the model would route automatically waits for review: the live guard
    suspended auto-routing for its task or OPD (None: not held)."""

    @property
    def model_auto(self) -> bool:
        """Whether the model routes it automatically (held by the live guard or not)."""
        return self.decision == "auto" or self.held is not None


class TopicSuggestion(TaskSuggestion):
    """The LAPOR! main category, plus a sub-category when the model is sure of one."""

    subtopic: str | None = None
    subtopic_score: float | None = None


class UrgencyReason(BaseModel):
    """A phrase that made a report look urgent, where it is in the text, and its reason code."""

    code: str
    phrase: str
    start: int
    end: int


class UrgencySuggestion(BaseModel):
    """Urgency tier (``urgent``: the flag; ``check``: "perlu dicek", worth a look today),
    probability and the human-readable reasons behind it."""

    flag: bool
    tier: UrgencyTier = "none"
    score: float = Field(ge=0.0, le=1.0)
    decision: Literal["auto", "review"]
    reasons: list[UrgencyReason]

    @model_validator(mode="before")
    @classmethod
    def _tier_of_older_suggestions(cls, data: object) -> object:
        """Suggestions stored before the tiers existed carry only the flag."""
        if isinstance(data, dict) and "tier" not in data and "flag" in data:
            return {**data, "tier": "urgent" if data["flag"] else "none"}
        return data


class DuplicateLink(BaseModel):
    """An earlier report about the same problem."""

    report_id: str
    probability: float = Field(ge=0.0, le=1.0)
    """The pair scorer's probability that both reports are about the same problem (place,
    time and text together)."""
    reason: str
    text_similarity: float | None = Field(default=None, ge=0.0, le=1.0)
    """How alike the two texts are alone (the larger of TF-IDF and sentence-embedding cosine):
    a link that is likely on place and time but whose texts differ may be another event at the
    same place."""


class Suggestion(BaseModel):
    """Everything the Router suggests for one report; staff decide."""

    report_id: str
    channel: TaskSuggestion | None = None
    topic: TopicSuggestion | None = None
    agency: TaskSuggestion | None = None
    supervision: TaskSuggestion | None = None
    """Berkadar pengawasan or not (meaningful when the report is a pengaduan)."""
    urgent: UrgencySuggestion | None = None
    duplicates: list[DuplicateLink] = Field(default_factory=list)
    model_version: str | None = None

    def labels(self) -> dict[str, str | bool]:
        """The suggested label of each task the model answered (urgent: the flag)."""
        out: dict[str, str | bool] = {
            task: answer.label
            for task in CLASSIFICATION_TASKS
            if (answer := getattr(self, task)) is not None
        }
        if self.urgent is not None:
            out["urgent"] = self.urgent.flag
        return out

    def auto_tasks(self) -> list[str]:
        """The tasks whose answer the model routes automatically (held or not)."""
        return [
            task
            for task in CLASSIFICATION_TASKS
            if (answer := getattr(self, task)) is not None and answer.model_auto
        ]
