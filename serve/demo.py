"""The embedded demo deployment: a queue seeded from the demo corpus and a demo login.

Only ``lapor demo`` (what ``make run`` calls) uses this; a real deployment has no default
credentials.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core.schema import Report
from core.suggestion import Suggestion
from models.triage import Triage
from pipeline.synth.portal_export import write_portal_export
from serve.intake import IntakeSummary, intake_export
from serve.store import Store
from serve.store.records import StoreError

DEMO_USER = "demo"
HISTORY = timedelta(days=60)
"""The seeded store: the corpus' last 60 days (the duplicate window)."""
OPEN_SPAN = timedelta(days=10)
"""Seeded reports of the last ten days are still open, some already past their SLA."""
EXPORT_NAME = "ekspor-sp4n-lapor-demo.xlsx"
"""The demo's morning export, written under the demo's folder (``lapor intake`` it again)."""
DEMO_REGENCY = "Kabupaten Kutai Timur"
DEMO_CHECK_SHARE = 0.15
"""The demo's PERLU DICEK share: its corpus says urgency so plainly that the model's flag alone
reaches the recall target and leaves the check tier empty; real queues have one."""


def demo_login(store: Store) -> tuple[str, str]:
    """The demo admin with a fresh random password (printed by ``lapor demo``)."""
    password = secrets.token_urlsafe(9)
    try:
        store.add_user(DEMO_USER, "admin", password)
    except StoreError:
        store.set_password(DEMO_USER, password)
    return DEMO_USER, password


def seed_queue(
    store: Store,
    triage: Triage,
    reports: list[Report],
    now: datetime,
    folder: Path,
    region: str | None = None,
    finish: Callable[[list[Suggestion]], list[Suggestion]] = lambda suggestions: suggestions,
) -> IntakeSummary | None:
    """The morning intake, as a deployment runs it: the corpus' last ``HISTORY`` written as
    the portal's export (``folder``/:data:`EXPORT_NAME`, the real layout, as if it had just
    happened: gaps kept, the newest report arriving now) and imported into the queue (the
    suggestions served as ``finish`` serves them: :meth:`serve.predictor.Predictor.finish`). Reports
    older than ``OPEN_SPAN`` were already forwarded in the portal to their (corpus) agency, some
    followed up and closed since, with the corpus' own times; the rest wait. Nothing happens
    (None) when the store has reports already."""
    if store.queue_size() > 0:
        return None
    dated = sorted((r for r in reports if r.created_at is not None), key=lambda r: r.created_at)
    if not dated:
        return None
    shift = now - dated[-1].created_at
    rows = [
        portal_view(report, shift, now)
        for report in dated
        if report.created_at >= dated[-1].created_at - HISTORY
    ]
    path = folder / EXPORT_NAME
    write_portal_export(rows, path, f"Pemerintah {region or DEMO_REGENCY}", now.date())
    return intake_export(store, triage, path, region, finish=finish)


def portal_view(report: Report, shift: timedelta, now: datetime) -> dict[str, Any]:
    """A corpus report as the portal shows it ``now``: its times moved by ``shift``, its
    status the furthest stage reached by then (none within ``OPEN_SPAN``: still waiting)."""
    row = report.model_dump()
    row["created_at"] = (report.created_at + shift).replace(microsecond=0)
    stages = {"new": None}
    for status, field in (
        ("dispositioned", "dispositioned_at"),
        ("responded", "responded_at"),
        ("closed", "closed_at"),
    ):
        moment = row[field] + shift if row[field] is not None else None
        row[field] = moment.replace(microsecond=0) if moment is not None else None
        if moment is not None and moment < now:
            stages[status] = moment
    waiting = row["created_at"] >= now - OPEN_SPAN or not report.agency
    if not waiting and len(stages) == 1:  # forwarded without a time of its own: on arrival
        row["dispositioned_at"] = stages["dispositioned"] = row["created_at"]
    row["status"] = "new" if waiting else list(stages)[-1]
    return row
