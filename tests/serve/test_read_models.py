"""The pages' read models: the report page renders from plain models alone (no store, no ORM
row), and the view the store builds holds no ORM row a template could load lazily from."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

import serve
from core.schema import Report
from core.suggestion import Candidate, DuplicateLink, Suggestion, TaskSuggestion
from models.router import Router
from serve.db.tables import Base
from serve.read_models import DuplicateView, ReportPageView, report_page_view
from serve.routes.ui import report_page_context, templates
from serve.schemas import DecisionOut, ReportOut
from serve.store import Store
from serve.store.records import DecisionInput, Principal
from tests.serve.conftest import KUTIM
from tests.serve.test_store import suggest

FILED = datetime(2026, 3, 2, 9, 0)
STAFF = Principal(1, "siti", "staff")


def _report(report_id: str, status: str = "verified", **fields: object) -> ReportOut:
    columns: dict[str, object] = {
        "id": report_id, "title": None, "text": "Jalan berlubang di depan pasar.",
        "created_at": FILED, "received_at": FILED, "source": "web", "regency": "Kutai Timur",
        "district": "Sangatta Utara", "village": "Swarga Bara", "address": None,
        "status": status, "forward_due_at": FILED + timedelta(days=3), "response_due_at": None,
        "responded_at": None, "closed_at": None, "overdue": False, "working_days_left": 2.5,
        "channel": None, "topic": None, "agency": None, "supporting_agencies": None,
        "rerouted_at": None, "urgent": None, "urgency_tier": "none", "duplicate_of": None,
        "version": 1, "suggestion": None,
    }  # fmt: skip
    return ReportOut(**(columns | fields))


def _agency(label: str) -> TaskSuggestion:
    return TaskSuggestion(
        label=label, score=0.8, decision="review", candidates=[Candidate(label=label, score=0.8)]
    )


def _bare_request() -> Request:
    """A request of an app with nothing but the static files (what base.html links to)."""
    static = StaticFiles(directory=Path(serve.__file__).parent / "static")
    app = Starlette(routes=[Mount("/static", app=static, name="static")])
    scope = {"type": "http", "app": app, "router": app.router, "path": "/", "headers": []}
    return Request(scope | {"query_string": b"", "server": ("lapor", 80), "scheme": "http"})


def test_the_report_page_renders_from_its_read_model_alone() -> None:
    links = [
        DuplicateLink(report_id="L-1", probability=0.9, reason="tempat sama, 2 hari"),
        DuplicateLink(report_id="L-2", probability=0.7, reason="kata mirip"),
        DuplicateLink(report_id="L-3", probability=0.6, reason="desa sama"),
    ]
    suggestion = Suggestion(report_id="R-9", agency=_agency("Dinas PUPR"), duplicates=links)
    decision = DecisionOut(
        id=1, report_id="R-9", user="siti", source="staff", action="override", channel=None,
        topic=None, agency="Dinas Perhubungan", supporting_agencies=["DLH"], urgent=True,
        duplicate_of=None, note="bukan jalan kabupaten", suggested={"agency": "Dinas PUPR"},
        model_version="lapor-router/3", created_at=FILED + timedelta(hours=1),
    )  # fmt: skip
    view = ReportPageView(
        report=_report("R-9", suggestion=suggestion),
        decisions=[decision],
        duplicates=[
            DuplicateView(links[0], _report("L-1"), None),
            DuplicateView(links[1], None, None),
            DuplicateView(links[2], _report("L-3"), "rejected"),
        ],
        next_id="R-10",
    )
    html = templates.get_template("report.html").render(
        **report_page_context(view),
        request=_bare_request(),
        user=STAFF,
        agencies=["Dinas PUPR"],
        csrf="t",
        flash=None,
    )
    assert "siti mengoreksi: OPD → Dinas Perhubungan (pendukung: DLH); mendesak → ya; " in html
    assert "catatan: “bukan jalan kabupaten”" in html
    assert 'href="/laporan/R-10" id="next-report"' in html
    assert html.count('class="confirm-link"') == 1  # L-1 only: L-2 unknown, L-3 judged
    assert "Laporan L-2 tidak ada di penyimpanan." in html
    assert "bukan duplikat (ditolak)" in html
    assert "Dinas PUPR" in html


def _orm_rows(value: object) -> list[object]:
    """Every ORM row reachable from ``value`` through models, dataclasses and lists."""
    if isinstance(value, Base):
        return [value]
    if isinstance(value, BaseModel):
        children = [getattr(value, name) for name in type(value).model_fields]
    elif hasattr(value, "__dataclass_fields__"):
        children = [getattr(value, name) for name in value.__dataclass_fields__]
    elif isinstance(value, list | tuple):
        children = list(value)
    else:
        return []
    return [row for child in children for row in _orm_rows(child)]


def test_the_stored_reports_page_view_holds_no_orm_row(sqlite_store: Store, router: Router) -> None:
    earlier = Report(id="E-1", text="Lampu jalan mati di gang masjid.", **KUTIM)
    sqlite_store.add_report(earlier, suggest(router, earlier), received_at=FILED)
    later = Report(id="E-2", text="Lampu jalan di gang masjid mati lagi.", **KUTIM)
    link = DuplicateLink(report_id="E-1", probability=0.9, reason="tempat sama")
    suggestion = suggest(router, later).model_copy(update={"duplicates": [link]})
    sqlite_store.add_report(later, suggestion, received_at=FILED + timedelta(hours=2))
    admin = sqlite_store.add_user("budi", "admin", "kata-sandi-budi")
    sqlite_store.add_decision("E-2", admin, DecisionInput(action="accept", version=1))

    view = report_page_view(sqlite_store, "E-2", FILED + timedelta(hours=3))
    assert view is not None
    assert _orm_rows(view) == []
    assert [d.user for d in view.decisions] == ["budi"]
    assert view.duplicates[0].earlier is not None
    assert view.duplicates[0].earlier.id == "E-1"
    assert report_page_view(sqlite_store, "E-404", FILED) is None
