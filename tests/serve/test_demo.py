"""The embedded demo deployment: a seeded queue with history and duplicate links, and a demo
login that changes at every start."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from core.schema import Report
from models.duplicates.scorer import PairScorer
from models.router import Router
from pipeline.synth.generator import generate
from serve.check_tier import CheckTier
from serve.demo import DEMO_CHECK_SHARE, EXPORT_NAME, OPEN_SPAN, demo_login, seed_queue
from serve.intake import intake_export
from serve.policy import ServingPolicy
from serve.store import Store
from serve.store.portal import PORTAL_USER
from serve.store.records import QueueFilter
from tests.conftest import CHEAP_PASSWORDS
from tests.serve.conftest import service_triage

pytestmark = pytest.mark.slow


def test_seeded_queue_and_login(router: Router, pair_scorer: PairScorer, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'demo.db'}", passwords=CHEAP_PASSWORDS)
    store.migrate()
    reports = [Report.model_validate(r) for r in generate(1_500, seed=3)]
    now = datetime(2026, 11, 20, 12, 0)
    served = service_triage(router, pair_scorer)
    check_tier = CheckTier(served.urgency_tiers).load(store)
    check_tier.set_share(store, DEMO_CHECK_SHARE, "demo")
    policy = ServingPolicy(check_tier=check_tier)
    seeded = seed_queue(store, served, reports, now, tmp_path, None, policy.finish)
    assert seeded.new
    assert not seeded.refused
    assert (tmp_path / EXPORT_NAME).is_file()  # the portal's export in the real layout
    assert seed_queue(store, served, reports, now, tmp_path) is None  # only into an empty store
    rows, total = store.queue(QueueFilter(page_size=1_000), now=now)
    assert total == len(seeded.new)
    assert max(r.received_at for r in rows) == now
    open_rows = [r for r in rows if r.status == "new"]
    assert open_rows
    # both tiers show, as on real data: MENDESAK and PERLU DICEK
    assert {r.urgency_tier for r in rows} >= {"urgent", "check", "none"}
    assert all(r.received_at >= now - OPEN_SPAN for r in open_rows)
    handled = {r.status for r in rows if r.status != "new"}
    assert handled <= {"dispositioned", "responded", "closed"}
    assert "responded" in handled or "closed" in handled  # the corpus' follow-up, replayed
    assert {(d.user.name, d.source) for d in store.decisions()} == {(PORTAL_USER, "portal")}
    again = intake_export(store, served, tmp_path / EXPORT_NAME, None)  # the loop, idempotent
    assert (len(again.new), len(again.updated)) == (0, 0)
    stored = {r.id for r in rows}
    truth = {r.id: r.duplicate_of for r in reports if r.duplicate_of in stored and r.id in stored}
    linked = {
        r.id: {link.report_id for link in r.suggestion.duplicates} for r in rows if r.id in truth
    }
    assert truth
    assert sum(truth[i] in linked[i] for i in truth) >= len(truth) // 2
    name, password = demo_login(store)
    assert store.authenticate(name, password).role == "admin"
    _, new_password = demo_login(store)
    assert store.authenticate(name, password) is None
    assert store.authenticate(name, new_password) is not None
    assert now - timedelta(days=61) <= min(r.received_at for r in rows)
