"""The whole triage flow in a real browser on the realistic demo queue: a report in review, a
correction by abbreviation, a confirmed duplicate link, a re-route; screenshots of the queue,
the review case, the duplicates panel and the dashboard are kept in test-artifacts/."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.config import get_settings
from core.schema import Report
from pipeline.synth.generator import generate
from serve.demo import seed_queue
from serve.store.records import QueueFilter
from tests.serve.conftest import LiveServer
from tests.serve.test_ui import ARTIFACTS, chromium, log_in_to_the_queue

pytestmark = pytest.mark.slow


def test_the_whole_flow_on_the_demo_queue(live_server: LiveServer) -> None:
    from playwright.sync_api import sync_playwright

    service = live_server.service
    store = service.store
    triage = service.client.app.state.predictor.triage
    reports = [Report.model_validate(r) for r in generate(1_500, seed=3)]
    now = datetime.now().replace(microsecond=0)
    assert seed_queue(store, triage, reports, now, get_settings().home).new
    open_rows, _ = store.queue(QueueFilter(statuses=("new",), page_size=1_000))
    review = next(
        (r for r in open_rows if r.suggestion.agency and r.suggestion.agency.decision == "review"),
        None,
    )
    assert review is not None, "the demo queue has no report in review"
    original = next(r for r in open_rows if r.id != review.id)
    repeat = service.intake(
        original.text, id="ULANG-1", village=original.village, district=original.district,
        regency=original.regency, address=original.address,
    )  # fmt: skip
    # the original, and any other report of the same problem the corpus repeats it in
    linked = [d["report_id"] for d in repeat["suggestion"]["duplicates"]]
    assert original.id in linked
    forwarded, _ = store.queue(QueueFilter(statuses=("dispositioned",), page_size=1))
    moved = forwarded[0]
    target = next(a for a in triage.router.known_agencies() if a != moved.agency)
    ARTIFACTS.mkdir(exist_ok=True)

    with sync_playwright() as playwright:
        browser = chromium(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        log_in_to_the_queue(page, live_server.url)
        assert page.locator("text=perlu ditinjau").count() >= 1
        page.screenshot(path=str(ARTIFACTS / "flow-queue.png"), full_page=True)

        # a report in review: the correction form is open; the OPD named by its abbreviation
        page.goto(f"{live_server.url}/laporan/{review.id}")
        assert page.locator("#override[open]").count() == 1
        page.screenshot(path=str(ARTIFACTS / "flow-review.png"), full_page=True)
        page.fill("#override-agency", "PUPR")
        page.click("#override-submit")
        page.wait_for_load_state()
        assert "saran dikoreksi" in page.locator(".flash").inner_text()

        # a suggested duplicate, side by side, confirmed with one key
        page.goto(f"{live_server.url}/laporan/ULANG-1")
        panel = page.locator("table.side-by-side").first
        assert linked[0] in panel.inner_text()
        panel.screenshot(path=str(ARTIFACTS / "flow-duplicates.png"))
        page.keyboard.press("d")  # confirms the first, closest link
        page.wait_for_load_state()
        assert f"ditandai duplikat dari {linked[0]}" in page.locator(".flash").inner_text()

        # a forwarded report re-routed with a reason
        page.goto(f"{live_server.url}/laporan/{moved.id}")
        page.click("#reroute summary")
        page.fill("#reroute-agency", target)
        page.fill("#reroute-note", "bukan kewenangan OPD sebelumnya")
        page.click("#reroute-submit")
        page.wait_for_load_state()
        assert f"diteruskan ke {target}" in page.locator(".flash").inner_text()

        page.goto(f"{live_server.url}/dasbor")
        page.screenshot(path=str(ARTIFACTS / "flow-dashboard.png"), full_page=True)
        browser.close()

    assert store.report(review.id).agency == "Dinas Pekerjaan Umum dan Penataan Ruang"
    assert store.report("ULANG-1").duplicate_of == linked[0]
    rerouted = store.report(moved.id)
    assert (rerouted.agency, rerouted.rerouted_at is not None) == (target, True)
    for name in ("queue", "review", "duplicates", "dashboard"):
        assert (ARTIFACTS / f"flow-{name}.png").stat().st_size > 5_000
