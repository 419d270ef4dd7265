"""The embedded demo deployment: a queue seeded from the demo corpus and a demo login.

Only ``lapor demo`` (what ``make run`` calls) uses this; a real deployment has no default
credentials.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from models.router import suggested_agency_topic
from pipeline.schema import Report
from serve.store import Store, StoreError

DEMO_USER = "demo"
QUEUE_SIZE = 150
QUEUE_SPAN = timedelta(days=6)
"""The seeded reports arrive over the last six days, so some are already past their SLA."""


def demo_login(store: Store) -> tuple[str, str]:
    """The demo admin with a fresh random password (printed by ``lapor demo``)."""
    password = secrets.token_urlsafe(9)
    try:
        store.add_user(DEMO_USER, "admin", password)
    except StoreError:
        store.set_password(DEMO_USER, password)
    return DEMO_USER, password


def seed_queue(store: Store, router: Any, reports: list[Report], now: datetime) -> int:
    """Store the newest ``QUEUE_SIZE`` demo reports as if received over the last days (their
    order kept, the newest arriving now), with suggestions and duplicate links; nothing when
    the store has reports already."""
    if store.queue_size() > 0:
        return 0
    chosen = sorted((r for r in reports if r.created_at is not None), key=lambda r: r.created_at)[
        -QUEUE_SIZE:
    ]
    if not chosen:
        return 0
    first, last = chosen[0].created_at, chosen[-1].created_at
    span = max(last - first, timedelta(seconds=1))
    for report in chosen:
        received = (now - QUEUE_SPAN * ((last - report.created_at) / span)).replace(microsecond=0)
        moved = report.model_copy(update={"created_at": received})
        suggestion = router.predict([moved])[0]  # one by one: each sees the earlier ones
        if router.duplicates is not None:
            router.duplicates.add(moved, *suggested_agency_topic(suggestion))
        store.add_report(moved, suggestion, received_at=received)
    return len(chosen)
