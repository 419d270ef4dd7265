"""The embedded demo deployment: a queue seeded from the demo corpus and a demo login.

Only ``lapor demo`` (what ``make run`` calls) uses this; a real deployment has no default
credentials.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from core.schema import Report
from models.triage import Triage
from serve.store import Store
from serve.store.records import DecisionInput, StoreError

DEMO_USER = "demo"
HISTORY = timedelta(days=60)
"""The seeded store: the corpus' last 60 days (the duplicate window)."""
OPEN_SPAN = timedelta(days=10)
"""Seeded reports of the last ten days are still open, some already past their SLA."""
HISTORY_USER = "riwayat-demo"
"""Who "decided" the demo's older reports."""


def demo_login(store: Store) -> tuple[str, str]:
    """The demo admin with a fresh random password (printed by ``lapor demo``)."""
    password = secrets.token_urlsafe(9)
    try:
        store.add_user(DEMO_USER, "admin", password)
    except StoreError:
        store.set_password(DEMO_USER, password)
    return DEMO_USER, password


def seed_queue(store: Store, triage: Triage, reports: list[Report], now: datetime) -> int:
    """Store the corpus' last ``HISTORY`` as if it had just happened (gaps kept, the newest
    report arriving now), with suggestions and duplicate links. Reports older than
    ``OPEN_SPAN`` were already forwarded to their (corpus) agency by ``HISTORY_USER``; the rest
    wait in the queue. Nothing happens when the store has reports already."""
    if store.queue_size() > 0:
        return 0
    dated = sorted((r for r in reports if r.created_at is not None), key=lambda r: r.created_at)
    if not dated:
        return 0
    shift = now - dated[-1].created_at
    chosen = [r for r in dated if r.created_at >= dated[-1].created_at - HISTORY]
    clerk = store.user(HISTORY_USER) or store.add_user(HISTORY_USER, "staff")
    for report in chosen:
        received = (report.created_at + shift).replace(microsecond=0)
        moved = report.model_copy(update={"created_at": received})
        suggestion = triage.predict([moved])[0]  # one by one: each sees the earlier ones
        store.add_report(moved, suggestion, received_at=received)
        triage.remember(moved, suggestion)
        if received < now - OPEN_SPAN and report.agency:
            _replay_history(store, clerk, report, received, shift, now)
    return len(chosen)


def _replay_history(
    store: Store, clerk: Any, report: Report, received: datetime, shift: timedelta, now: datetime
) -> None:
    """The corpus' own disposition, follow-up and closing times (shifted like the report), so
    that the dashboard's KPIs have a history to measure."""
    handled = DecisionInput(
        action="override", agency=report.agency, topic=report.topic, channel=report.channel
    )
    disposed = report.dispositioned_at + shift if report.dispositioned_at else received
    store.add_decision(report.id, clerk, handled, at=min(disposed, now))
    for status, moment in (("responded", report.responded_at), ("closed", report.closed_at)):
        if moment is not None and moment + shift < now:
            store.record_progress(report.id, status, at=moment + shift)
