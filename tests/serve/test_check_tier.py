"""The PERLU DICEK tier as the deployment sets it: a share of the reports below the flag, the
most urgent-looking first; set from the Dasbor by an admin (audited), or the model's own."""

from __future__ import annotations

import numpy as np
import pytest

from core.suggestion import Suggestion
from models.urgency_tiers import UrgencyTiers
from serve.check_tier import CheckShareError, CheckTier
from serve.store import Store
from tests.serve.conftest import Service
from tests.serve.test_ui import csrf_of, login

TIERS = UrgencyTiers(flag=0.9, check=0.9, rule="cross-validation", reason="test",
                     evidence={"attention_share": 0.03, "flag_share": 0.03})  # fmt: skip


@pytest.fixture
def store(sqlite_store: Store) -> Store:
    """The tests here need SQLite alone."""
    return sqlite_store


def scored(score: float, tier: str = "none") -> Suggestion:
    urgent = {"flag": tier == "urgent", "tier": tier, "score": score, "decision": "review",
              "reasons": []}  # fmt: skip
    return Suggestion.model_validate({"report_id": "x", "urgent": urgent})


def test_the_share_set_puts_that_share_below_the_flag_in_the_check_tier(store: Store) -> None:
    tier = CheckTier(TIERS).load(store)
    scores = np.linspace(0.0, 0.95, 400)
    unchanged = tier.apply([scored(s, "urgent" if s >= 0.9 else "none") for s in scores])
    assert {s.urgent.tier for s in unchanged} == {"urgent", "none"}  # the model's: no check
    tier.set_share(store, 0.15, "budi")
    served = tier.apply([scored(s, "urgent" if s >= 0.9 else "none") for s in scores])
    tiers = np.array([s.urgent.tier for s in served])
    assert abs((tiers == "check").mean() - 0.15) < 0.01
    assert (tiers[scores >= 0.9] == "urgent").all()  # the flag is never touched
    checked = scores[tiers == "check"]
    assert checked.min() > scores[(tiers == "none")].max()  # the most urgent-looking first
    assert store.setting("check_share") == "0.1500"
    assert ("budi", "set_setting", "check_share") in {
        (e.actor, e.action, e.target) for e in store.audit_events()
    }
    assert CheckTier(TIERS).load(store).share == 0.15  # a restarted service keeps it
    with pytest.raises(CheckShareError):
        tier.set_share(store, 0.4, "budi")
    tier.set_share(store, None, "budi")
    assert {s.urgent.tier for s in tier.apply([scored(0.5)])} == {"none"}


def test_admins_see_and_set_the_share_on_the_dasbor(service: Service) -> None:
    login(service, "budi", "kata-sandi-budi")
    page = service.client.get("/dasbor")
    assert 'id="perlu-dicek"' in page.text
    saved = service.client.post(
        "/dasbor/perlu-dicek", data={"share": "12,5", "csrf": csrf_of(page.text)}
    )
    assert "PERLU DICEK kini: 12.5% laporan." in saved.text
    assert service.store.setting("check_share") == "0.1250"
    refused = service.client.post(
        "/dasbor/perlu-dicek", data={"share": "40", "csrf": csrf_of(page.text)}
    )
    assert "Tidak disimpan: isi persen 0 sampai 25%" in refused.text
    assert service.store.setting("check_share") == "0.1250"
