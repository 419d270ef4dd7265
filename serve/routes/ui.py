"""The routing staff's web UI (Bahasa Indonesia): login, the triage queue, one report with its
suggestion, the dashboard, and what every page shares (rendering, the logged-in user, messages
after a form). Server-rendered with Jinja2; forms carry a CSRF token. The report's forms are in
:mod:`serve.routes.report_forms`."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlparse

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from core.agencies import agency_hint
from core.clock import local_now, zone_name
from core.formats import angka, persen
from core.lifecycle import WAITING, allowed_steps, deadline
from core.schema import CHANNELS, LAPOR_CATEGORIES, STATUSES
from core.suggestion import Suggestion
from serve.auth import check_csrf, csrf_token, end_session, session_principal, start_session
from serve.deps import (
    LoginThrottleDep,
    PredictorDep,
    SettingsDep,
    StoreDep,
    store_of,
)
from serve.read_models import ReportPageView, report_out, report_page_view
from serve.routes.forms import form_page, indonesian_errors, refuse_nul_in_forms
from serve.routes.wording import (
    ACTION_NAMES,
    CHANNEL_NAMES,
    HOW_NAMES,
    REASON_NAMES,
    ROLE_NAMES,
    STATUS_NAMES,
    WEAK_TEXT,
    audit_detail,
    decision_text,
)
from serve.schemas import ReportOut
from serve.store.records import Principal, QueueFilter
from serve.throttle import LoginBusyError

router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul_in_forms)])
templates = Jinja2Templates(directory=Path(__file__).parent.parent / "templates")
templates.env.filters["agency_hint"] = agency_hint

PAGE_SIZE = 50
STATIC_ICON = Path(__file__).resolve().parents[1] / "static" / "favicon.svg"


def sla_text(report: ReportOut) -> str:
    """The SLA countdown as staff read it."""
    if deadline(report.status, report.forward_due_at, report.response_due_at) is None:
        return "-"
    stage = "disposisi" if report.status in WAITING else "tindak lanjut OPD"
    left = report.working_days_left
    if left < 0:
        return f"terlambat {_days(-left)} hari kerja ({stage})"
    return f"sisa {_days(left)} hari kerja ({stage})"


def _days(value: float) -> str:
    return angka(value, 1)


def _when(moment: datetime | None) -> str:
    """A stored time as staff read it, with the deployment's zone (WIB, WITA or WIT)."""
    return f"{moment:%d-%m-%Y %H:%M} {zone_name()}" if moment else "-"


templates.env.globals.update(
    WEAK_TEXT=WEAK_TEXT,
    WAITING=WAITING,
    allowed_steps=allowed_steps,
    STATUS_NAMES=STATUS_NAMES,
    ACTION_NAMES=ACTION_NAMES,
    ROLE_NAMES=ROLE_NAMES,
    HOW_NAMES=HOW_NAMES,
    decision_text=decision_text,
    audit_detail=audit_detail,
    CHANNEL_NAMES=CHANNEL_NAMES,
    REASON_NAMES=REASON_NAMES,
    sla_text=sla_text,
)
templates.env.filters["when"] = _when
templates.env.filters["pct"] = lambda score: persen(score or 0, 0)


def highlighted(
    text: str, title: str | None, suggestion: Suggestion | None
) -> list[dict[str, Any]]:
    """The report text cut into plain and highlighted pieces at the urgency reasons' phrases
    (their offsets count in "title. text")."""
    reasons = suggestion.urgent.reasons if suggestion and suggestion.urgent else []
    shift = len(title) + 2 if title else 0
    spans: list[tuple[int, int, str]] = []
    for reason in reasons:
        start, end = reason.start - shift, reason.end - shift
        if not (0 <= start < end <= len(text) and text[start:end] == reason.phrase):
            start = text.find(reason.phrase)
            end = start + len(reason.phrase)
        if start >= 0 and all(end <= s or start >= e for s, e, _ in spans):
            spans.append((start, end, reason.code))
    pieces, cursor = [], 0
    for start, end, code in sorted(spans):
        pieces.append({"text": text[cursor:start], "code": None})
        pieces.append({"text": text[start:end], "code": code})
        cursor = end
    pieces.append({"text": text[cursor:], "code": None})
    return [p for p in pieces if p["text"]]


def staff_user(request: Request, store: StoreDep) -> Principal:
    """The logged-in user; anyone else is sent to the login page (via the 401 handler)."""
    principal = session_principal(request, store)
    if principal is None:
        raise HTTPException(401, "login required")
    return principal


StaffUser = Annotated[Principal, Depends(staff_user)]


def admin_user(user: StaffUser) -> Principal:
    """A logged-in admin; staff get 403."""
    if not user.may("admin"):
        raise HTTPException(403, "Halaman ini hanya untuk admin.")
    return user


AdminUser = Annotated[Principal, Depends(admin_user)]


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    if "user" not in context:  # pages that required a login pass their user in
        context["user"] = session_principal(request, store_of(request))
    context["csrf"] = csrf_token(request)
    context["flash"] = request.session.pop("flash", None)
    return templates.TemplateResponse(request, name, context, status_code=status_code)


async def error_page(request: Request, exc: HTTPException) -> Response:
    """UI errors as pages: a missing login goes to the login page, the rest explain
    themselves."""
    if exc.status_code == 401:
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)
    return render(
        request, "error.html", exc.status_code, status=exc.status_code, message=exc.detail
    )


def refused_form(request: Request, errors: Sequence[Mapping[str, Any]]) -> Response:
    """A form the UI's validation refused: back to the form's page with the reasons, in
    Indonesian; a page's own bad query (``?page=x``) gets an error page."""
    message = indonesian_errors(errors)
    if request.method == "POST":
        return flash_to(request, form_page(request.url.path), "error", message)
    return render(request, "error.html", 422, status=422, message=message)


def server_error_page(request_id: str) -> HTMLResponse:
    """The page of a 500: a page of its own (no login, no database), naming the request id."""
    page = templates.get_template("server_error.html").render(request_id=request_id)
    return HTMLResponse(page, status_code=500)


def _safe_next(target: str | None) -> str:
    """Only a local path (no open redirect to another site)."""
    if target and target.startswith("/") and not urlparse(target).netloc and "//" not in target:
        return target
    return "/antrian"


@router.get("/", response_class=HTMLResponse)
def home() -> Response:
    return RedirectResponse("/antrian", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    throttle: LoginThrottleDep,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/antrian",
) -> Response:
    """Log in; after too many wrong passwords for the name or from the address, 429 with
    ``Retry-After`` (no password is checked then)."""
    check_csrf(request, csrf)
    name, address = username.strip(), request.client.host if request.client else "-"
    wait = throttle.retry_after(name, address)
    try:
        if wait is None:
            async with throttle.turn():
                principal = await run_in_threadpool(store.authenticate, name, password)
    except LoginBusyError:
        wait = 1
    if wait is not None:
        await asyncio.sleep(settings.login_throttled_delay_seconds)
        response = render(
            request, "login.html", 429, user=None, next=_safe_next(next),
            error=f"Terlalu banyak percobaan masuk. Coba lagi dalam {_wait_text(wait)}.",
        )  # fmt: skip
        response.headers["Retry-After"] = str(wait)
        return response
    if principal is None:
        throttle.failed(name, address)
        return render(
            request,
            "login.html",
            401,
            user=None,
            next=_safe_next(next),
            error="Nama pengguna atau kata sandi salah.",
        )
    throttle.succeeded(name, address)
    await run_in_threadpool(start_session, request, store, principal, settings.session_hours)
    return RedirectResponse(_safe_next(next), status_code=303)


def _wait_text(seconds: int) -> str:
    return f"{seconds} detik" if seconds < 120 else f"{math.ceil(seconds / 60)} menit"


@router.post("/logout")
def logout(request: Request, store: StoreDep, csrf: Annotated[str, Form()] = "") -> Response:
    """Log out: the session ends on the server, not only in this browser."""
    check_csrf(request, csrf)
    end_session(request, store)
    return RedirectResponse("/login", status_code=303)


@router.get("/antrian", response_class=HTMLResponse)
def queue_page(
    request: Request,
    store: StoreDep,
    predictor: PredictorDep,
    user: StaffUser,
    status: str = "terbuka",
    agency: str = "",
    overdue: bool = False,
    urgent: bool = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """The triage queue: open reports, urgent first, then the oldest, with the SLA countdown."""
    statuses = WAITING if status == "terbuka" else (status,) if status in STATUSES else None
    where = QueueFilter(
        statuses=statuses,
        agencies=predictor.agencies().matching(agency),
        urgent=True if urgent else None,
        overdue=True if overdue else None,
        page=max(1, page),
        page_size=PAGE_SIZE,
    )
    rows, total = store.queue(where)
    now = local_now()
    return render(
        request,
        "queue.html",
        user=user,
        reports=[report_out(r, now) for r in rows],
        total=total,
        page=where.page,
        pages=max(1, -(-total // PAGE_SIZE)),
        filters={"status": status, "agency": agency, "overdue": overdue, "urgent": urgent},
        agencies=predictor.known_agencies(),
    )


@router.get("/laporan/{report_id}", response_class=HTMLResponse)
def report_page(
    request: Request, report_id: str, store: StoreDep, predictor: PredictorDep, user: StaffUser
) -> Response:
    """One report: text with urgency phrases highlighted, the suggested OPD top 3, topic,
    channel, linked duplicates, the decisions so far, and the decision form."""
    view = report_page_view(store, report_id, local_now())
    if view is None:
        raise HTTPException(404, f"Laporan {report_id} tidak ditemukan.")
    return render(
        request,
        "report.html",
        **report_page_context(view),
        user=user,
        agencies=predictor.known_agencies(),
        draft=_draft(request, report_id),
    )


def report_page_context(view: ReportPageView) -> dict[str, object]:
    """What report.html reads, all of it from the page's read model and the label sets."""
    return {
        "report": view.report,
        "suggestion": view.suggestion,
        "pieces": highlighted(view.report.text, view.report.title, view.suggestion),
        "duplicates": view.duplicates,
        "decisions": view.decisions,
        "topics": sorted(LAPOR_CATEGORIES),
        "channels": CHANNELS,
        "next_id": view.next_id,
    }


def _draft(request: Request, report_id: str) -> dict[str, object] | None:
    """What was typed in a decision form that was refused for an unknown OPD name, to show it
    again with the "Maksud Anda" choices (once, for this report)."""
    draft = request.session.pop("draft", None)
    return draft if draft and draft.get("report") == report_id else None


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    """Browsers ask for it whatever the page says: the same icon, never a 404 in the logs."""
    return FileResponse(STATIC_ICON, media_type="image/svg+xml")


def flash_to(request: Request, target: str, kind: str, text: str) -> Response:
    """Redirect (after a form post) with a message shown once on the next page."""
    request.session["flash"] = {"kind": kind, "text": text}
    return RedirectResponse(target, status_code=303)
