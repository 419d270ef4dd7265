"""Request and response bodies of the HTTP API (the OpenAPI schema at ``/docs`` comes from here)."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)

from core.clock import as_local, local_now, with_offset
from core.schema import (
    CHANNELS,
    LAPOR_CATEGORIES,
    MAX_TEXT_CHARS,
    SOURCES,
    STATUSES,
    Report,
    UrgencyTier,
    check_report_id,
    check_report_time,
)
from core.suggestion import Suggestion
from serve.passwords import MIN_PASSWORD_LENGTH
from serve.store.records import USER_NAME_PATTERN

ShortText = Field(default=None, max_length=500)


def _with_zone(value: datetime) -> datetime:
    """The store's wall-clock time with the deployment zone's offset, as RFC 3339 asks."""
    return with_offset(value)


LocalTime = Annotated[datetime, AfterValidator(_with_zone)]
"""A time the API answers with: always with its UTC offset."""


class ErrorOut(BaseModel):
    """Every 4xx and 5xx of the API: one sentence saying what is wrong."""

    detail: str
    code: str | None = Field(
        default=None,
        description="What a refusal of the service's rules is, for a client to branch on "
        "(e.g. report.stale, route.already_forwarded); the sentence in `detail` may change.",
    )
    request_id: str | None = Field(default=None, description="On a 500: quote it.")


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="Where: body, query or path, then the field.")
    msg: str
    type: str | None


class ValidationErrorOut(BaseModel):
    """A 422: the refused fields in one sentence (``detail``) and one by one (``errors``;
    empty when the input was well formed but names something the deployment refuses)."""

    detail: str
    code: str | None = Field(
        default=None, description="Set when the input was well formed but a rule refused it."
    )
    errors: list[FieldError] = []


class ClientInput(BaseModel):
    """What a client sends: a NUL character is refused in every text (PostgreSQL cannot store
    one, and no report needs one)."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: object) -> object:
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("contains a NUL character")
        return value


REPORT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"
"""Report ids: letters, digits and . _ : - , starting with a letter or digit (no "/", ".",
".."): every id can be opened, decided and closed by its URL."""


class ReportIn(ClientInput):
    """A citizen report as sent by a client. Unknown fields are refused by name."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={
            "examples": [
                {
                    "title": "Jalan rusak parah",
                    "text": "Jalan poros di Desa Sangatta Utara berlubang besar, sudah dua "
                    "motor jatuh minggu ini. Mohon segera diperbaiki.",
                    "regency": "Kutai Timur",
                    "district": "Sangatta Utara",
                    "village": "Sangatta Utara",
                }
            ]
        },
    )

    id: Annotated[str, AfterValidator(check_report_id)] | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=REPORT_ID_PATTERN,
        description="The report's id in the source system (never a NIK or phone number); "
        "generated when missing.",
    )
    title: str | None = ShortText
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    created_at: datetime | None = Field(
        default=None,
        description="When the citizen filed it (default: now): an RFC 3339 date-time from "
        "2000-01-01 to tomorrow.",
    )
    source: Literal[SOURCES] = "web"  # type: ignore[valid-type]
    province: str | None = ShortText
    regency: str | None = Field(default=None, max_length=500, description="kabupaten/kota")
    district: str | None = Field(default=None, max_length=500, description="kecamatan")
    village: str | None = Field(default=None, max_length=500, description="kelurahan/desa")
    address: str | None = Field(default=None, max_length=2_000)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("text is empty")
        return value

    @field_validator("created_at", mode="before")
    @classmethod
    def _a_date_time_text(cls, value: object) -> object:
        """A number is not a date-time (pydantic would read it as seconds since 1970)."""
        if value is not None and not isinstance(value, str | datetime):
            raise ValueError("must be an RFC 3339 date-time such as 2026-12-01T08:30:00+08:00")
        return value

    @field_validator("created_at")
    @classmethod
    def _local_time(cls, value: datetime | None) -> datetime | None:
        """The deployment's local clock, as the store and the exports keep times, within the
        plausible window (a time whose offset moves it outside the calendar is refused, not a
        500)."""
        if value is not None and value.tzinfo is not None:
            try:
                value = as_local(value)
            except (OverflowError, ValueError):
                raise ValueError("the time is outside the representable range") from None
        return check_report_time(value)

    def to_report(self) -> Report:
        """The canonical Report: an id and a filing time (now) when missing."""
        data = self.model_dump()
        data["id"] = self.id or new_report_id()
        data["created_at"] = self.created_at or local_now()
        return Report(**data)


def new_report_id() -> str:
    """A fresh id: the date, then "R" and 8 random hex digits (the letter keeps date and number
    from ever reading as one 16-digit NIK, which an id may not be)."""
    return f"LPR-{local_now():%Y%m%d}-R{secrets.token_hex(4).upper()}"


class ClassifyResponse(Suggestion):
    """The Suggestion for one report, with the server's time spent on it."""

    elapsed_ms: float


class BatchRequest(ClientInput):
    """Up to ``batch_limit`` reports; each is checked on its own, so one bad item does not sink
    the rest."""

    model_config = ConfigDict(extra="forbid")

    reports: list[JsonValue] = Field(
        min_length=1, description="Report objects; an item that is not one is answered on its own."
    )


class BatchItem(BaseModel):
    index: int
    suggestion: Suggestion | None = None
    error: str | None = None


class BatchResponse(BaseModel):
    items: list[BatchItem]
    succeeded: int
    failed: int
    model_version: str | None
    elapsed_ms: float


class DecisionIn(ClientInput):
    """A staff decision: ``accept`` takes the suggestion (fields given here override parts of
    it); ``override`` sets what is given; ``reroute`` forwards a report already forwarded to
    another OPD (``agency``), with the reason in ``note``: the new OPD's follow-up clock starts
    then."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    action: Literal["accept", "override", "reroute"]
    agency: str | None = Field(default=None, min_length=1, max_length=200)
    supporting_agencies: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        default=None,
        max_length=10,
        description="OPD pendukung: other OPDs the report is disposed to for their part, besides "
        "the main `agency` (each one of the deployment's OPDs).",
    )
    topic: str | None = None
    channel: Literal[CHANNELS] | None = None  # type: ignore[valid-type]
    urgent: bool | None = None
    duplicate_of: str | None = Field(default=None, min_length=1, max_length=64)
    note: str | None = Field(default=None, max_length=2_000)
    version: int = Field(
        ge=1,
        le=2**31 - 1,
        description="The report's `version` the decision was made on (from GET "
        "/reports/{id}): 409 when another change came first, so no decision silently "
        "overwrites another.",
    )

    @field_validator("topic")
    @classmethod
    def _known_topic(cls, value: str | None) -> str | None:
        if value is not None and value not in LAPOR_CATEGORIES:
            raise ValueError("not one of the LAPOR! categories (see GET /api/v1/labels)")
        return value

    @model_validator(mode="after")
    def _override_sets_something(self) -> DecisionIn:
        fields = (self.agency, self.topic, self.channel, self.urgent, self.duplicate_of)
        if self.action == "override" and all(
            v is None for v in (*fields, self.supporting_agencies)
        ):
            raise ValueError("an override must set agency, topic, channel, urgent or duplicate_of")
        if self.action == "reroute" and (self.agency is None or not self.note):
            raise ValueError("a reroute needs the new agency and the reason in note")
        return self


class ProgressIn(ClientInput):
    """The OPD's follow-up (``responded``), the report's closing (``closed``), or reopening a
    closed report (``reopened``) so that it can be decided again."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["responded", "closed", "reopened"]
    version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="As in a decision: 409 when stale."
    )


class DecisionOut(BaseModel):
    id: int
    report_id: str
    user: str
    source: Literal["staff", "portal"] = Field(
        description="Who decided: staff here, or the SP4N-LAPOR! portal (its export)."
    )
    action: str
    channel: str | None
    topic: str | None
    agency: str | None
    supporting_agencies: list[str] | None
    urgent: bool | None
    duplicate_of: str | None
    note: str | None
    suggested: dict[str, Any]
    model_version: str | None
    created_at: LocalTime


class ReportOut(BaseModel):
    """A stored report (personal data masked), its SLA clock, the decided labels and the latest
    suggestion."""

    id: str
    title: str | None
    text: str
    created_at: LocalTime
    received_at: LocalTime
    source: str
    regency: str | None
    district: str | None
    village: str | None
    address: str | None
    status: Literal[STATUSES]  # type: ignore[valid-type]
    forward_due_at: LocalTime
    response_due_at: LocalTime | None
    responded_at: LocalTime | None
    closed_at: LocalTime | None
    overdue: bool
    working_days_left: float = Field(description="Until the current deadline; negative = late.")
    channel: str | None
    topic: str | None
    agency: str | None
    supporting_agencies: list[str] | None = Field(description="OPD pendukung besides `agency`.")
    rerouted_at: LocalTime | None = Field(description="When last forwarded to another OPD.")
    urgent: bool | None
    urgency_tier: UrgencyTier = Field(
        description="urgent, check (perlu dicek) or none: as staff decided urgency, else as "
        "suggested; the queue sorts by it before the SLA clock."
    )
    duplicate_of: str | None
    version: int = Field(description="Raised by every change; a decision sends the one it saw.")
    suggestion: Suggestion | None


class ReportDetail(ReportOut):
    decisions: list[DecisionOut]
    rejected_links: list[str] = Field(
        default=[], description="Suggested duplicates that staff judged wrong (no longer offered)."
    )


class VersionIn(ClientInput):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2**31 - 1, description="The report's version it was judged on.")


class ReportPage(BaseModel):
    items: list[ReportOut]
    total: int
    page: int
    page_size: int


class ModelVersionOut(BaseModel):
    name: str
    version: str
    aliases: list[str]
    created_at: LocalTime | None
    run_id: str | None
    metrics: dict[str, float]


class ModelsOut(BaseModel):
    serving: str | None
    versions: list[ModelVersionOut]


class UserIn(ClientInput):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=64, pattern=USER_NAME_PATTERN)
    role: Literal["staff", "admin"]
    password: str | None = Field(default=None, min_length=MIN_PASSWORD_LENGTH, max_length=200)
    api_key: bool = Field(default=False, description="Also create an API key (returned once).")


class UserOut(BaseModel):
    name: str
    role: str
    active: bool = True
    password: bool = Field(default=False, description="Whether the user can log in to the UI.")
    api_key: str | None = Field(default=None, description="A new key: in this answer only.")


class PasswordIn(ClientInput):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=MIN_PASSWORD_LENGTH, max_length=200)


class KeyOut(BaseModel):
    """An API key as admins see it: its id and first characters, never the key."""

    id: int
    user: str
    prefix: str
    created_at: LocalTime
    revoked: bool


class NewKeyOut(BaseModel):
    api_key: str = Field(description="Shown this once; only its hash is stored.")


class AuditOut(BaseModel):
    at: LocalTime
    actor: str
    action: str
    target: str
    detail: str | None


class Labels(BaseModel):
    channels: list[str]
    topics: list[str]
    agencies: list[str]


class Health(BaseModel):
    status: Literal["ok"]


class Ready(BaseModel):
    ready: bool
    model_version: str | None
    duplicates: bool
    auto_routing_suspended: list[str] = []
    """Where the live guard suspended auto-routing: a task, or ``agency:<OPD>``."""
    details: list[str]
