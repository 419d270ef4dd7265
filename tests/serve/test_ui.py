"""The triage UI: login, the queue, a report page, decisions, and the browser end to end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, Route

from core.schema import Report
from core.suggestion import Suggestion, UrgencyReason, UrgencySuggestion
from models.router import Router
from serve.routes.ui import highlighted
from tests.conftest import REPO
from tests.serve.conftest import KUTIM, LiveServer, Service, service_with
from tests.serve.test_api import FIRE, ROAD

pytestmark = pytest.mark.slow

ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def form_of(html: str) -> dict[str, str]:
    """The hidden fields a decision form sends: the CSRF token and the report's version."""
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    return {"csrf": csrf_of(html), "version": version}


def login(service: Service, name: str = "siti", password: str = "kata-sandi-siti") -> None:
    page = service.client.get("/login")
    response = service.client.post(
        "/login",
        data={"username": name, "password": password, "csrf": csrf_of(page.text), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def test_pages_need_a_login(service: Service) -> None:
    response = service.client.get("/laporan/X1?tab=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/laporan/X1%3Ftab%3D1"


def test_wrong_password_and_missing_csrf(service: Service) -> None:
    page = service.client.get("/login")
    wrong = service.client.post(
        "/login",
        data={"username": "siti", "password": "salah", "csrf": csrf_of(page.text)},
    )
    assert wrong.status_code == 401
    assert "salah" in wrong.text
    forged = service.client.post("/login", data={"username": "siti", "password": "x"})
    assert forged.status_code == 403


def test_login_never_redirects_off_site(service: Service) -> None:
    page = service.client.get("/login?next=//evil.example/")
    assert 'value="/antrian"' in page.text
    assert "evil" not in page.text


def test_queue_and_report_pages(service: Service) -> None:
    service.intake(ROAD, id="Q1")
    service.intake(FIRE, id="Q2")
    login(service)
    queue = service.client.get("/antrian")
    assert queue.status_code == 200
    rows = queue.text.split("<tbody>")[1]  # past the page's random CSRF token
    assert rows.index('href="/laporan/Q2"') < rows.index('href="/laporan/Q1"')  # urgent first
    assert "MENDESAK" in queue.text
    assert "sisa" in queue.text  # the SLA countdown
    report = service.client.get("/laporan/Q2")
    assert report.status_code == 200
    assert '<mark title="kebakaran" data-reason="fire">kebakaran</mark>' in report.text
    assert "112" in report.text
    assert report.text.count('class="bar"') == 3
    missing = service.client.get("/laporan/NOPE")
    assert missing.status_code == 404
    assert "NOPE" in missing.text


def test_a_report_worth_checking_today_is_marked_in_queue_and_page(service: Service) -> None:
    stored = service.intake(ROAD, id="C1")
    suggestion = Suggestion.model_validate(stored["suggestion"])
    suggestion.urgent.tier, suggestion.urgent.flag = "check", False
    report = Report(id="C2", text="Pohon besar miring di tepi jalan sekolah.", **KUTIM)
    service.store.add_report(report, suggestion.model_copy(update={"report_id": "C2"}))
    login(service)
    queue = service.client.get("/antrian").text
    assert "PERLU DICEK" in queue
    rows = queue.split("<tbody>")[1]  # not the page's random CSRF token, which may hold "C1"
    assert rows.index('href="/laporan/C2"') < rows.index(
        'href="/laporan/C1"'
    )  # "perlu dicek" first
    page = service.client.get("/laporan/C2").text
    assert "Perlu dicek hari ini" in page
    assert "MENDESAK" not in page
    assert "112" not in page


def test_a_pengaduan_shows_whether_it_is_berkadar_pengawasan(service: Service) -> None:
    stored = service.intake(ROAD, id="P1")
    suggestion = Suggestion.model_validate(stored["suggestion"])
    assert suggestion.supervision is None  # the demo model has no supervision labels
    login(service)
    assert 'id="supervision"' not in service.client.get("/laporan/P1").text
    supervision = suggestion.channel.model_copy(
        update={"label": "tidak_berkadar_pengawasan", "score": 0.81}
    )
    suggestion = suggestion.model_copy(update={"report_id": "P2", "supervision": supervision})
    suggestion.channel.label = "pengaduan"
    service.store.add_report(Report(id="P2", text=ROAD, **KUTIM), suggestion)
    page = service.client.get("/laporan/P2").text
    assert "tidak berkadar pengawasan · 81" in page


def test_form_decision_moves_to_the_next_report(service: Service) -> None:
    service.intake(ROAD, id="F1")
    service.intake("Lampu jalan di gang mati sejak seminggu.", id="F2")
    login(service)
    page = service.client.get("/laporan/F1")
    response = service.client.post(
        "/laporan/F1/keputusan",
        data={**form_of(page.text), "action": "accept"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/laporan/F2"
    assert service.store.report("F1").status == "dispositioned"
    bad = service.client.post(
        "/laporan/F2/keputusan",
        data={**form_of(page.text), "action": "override"},
    )
    assert "koreksi harus mengubah sesuatu" in bad.text  # on the page again, in Indonesian
    assert service.store.report("F2").decisions == []


def test_highlight_follows_the_reason_offsets() -> None:
    text = "Ada kebakaran di pasar, tolong."
    title = "Darurat"
    start = len(title) + 2 + text.index("kebakaran")
    suggestion = Suggestion.model_construct(
        report_id="x",
        urgent=UrgencySuggestion.model_construct(
            flag=True,
            score=0.9,
            decision="auto",
            reasons=[UrgencyReason(code="fire", phrase="kebakaran", start=start, end=start + 9)],
        ),
        duplicates=[],
    )
    pieces = highlighted(text, title, suggestion)
    assert [(p["text"], p["code"]) for p in pieces] == [
        ("Ada ", None),
        ("kebakaran", "fire"),
        (" di pasar, tolong.", None),
    ]
    assert highlighted(text, None, None) == [{"text": text, "code": None}]


def chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, without the background traffic of a desktop browser."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: `make setup` installs it")
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )


def log_in_to_the_queue(page: Page, url: str) -> None:
    page.goto(f"{url}/antrian")
    page.fill("input[name=username]", "siti")
    page.fill("input[name=password]", "kata-sandi-siti")
    page.click("button[type=submit]")
    page.wait_for_url("**/antrian")


def test_triage_in_a_real_browser(live_server: LiveServer) -> None:
    """Log in, open a report, accept its suggestion, override another's agency from the
    searchable list, and find both decisions in the store."""
    from playwright.sync_api import sync_playwright

    service = live_server.service
    service.intake(FIRE, id="B1")
    service.intake(ROAD, id="B2")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        log_in_to_the_queue(page, live_server.url)
        assert page.locator("tr[data-href]").count() == 2
        page.click("a.report-link:text('B1')")
        page.wait_for_url("**/laporan/B1")
        assert page.locator("mark[data-reason=fire]").count() >= 1
        page.screenshot(path=str(ARTIFACTS / "triage-report.png"), full_page=True)
        page.keyboard.press("a")  # accept by keyboard shortcut
        page.wait_for_url("**/laporan/B2")
        assert "saran diterima" in page.locator(".flash").inner_text()
        page.keyboard.press("o")
        page.fill("#override-agency", "Dinas Pekerjaan Umum dan Penataan Ruang")
        page.select_option("#override-channel", "aspirasi")
        page.click("#override-submit")
        page.wait_for_url("**/antrian")
        page.screenshot(path=str(ARTIFACTS / "triage-queue.png"), full_page=True)
        browser.close()
    decisions = service.store.decisions()
    assert [(d.report_id, d.action, d.user.name) for d in decisions] == [
        ("B1", "accept", "siti"),
        ("B2", "override", "siti"),
    ]
    assert decisions[1].agency == "Dinas Pekerjaan Umum dan Penataan Ruang"
    assert decisions[1].channel == "aspirasi"
    assert service.store.report("B2").status == "dispositioned"
    assert (ARTIFACTS / "triage-report.png").stat().st_size > 10_000


def test_dashboard_page(service: Service) -> None:
    service.intake(ROAD, id="D1")
    login(service)
    page = service.client.get("/dasbor")
    assert page.status_code == 200
    assert "Dasbor KPI" in page.text
    assert 'id="kpi-agencies"' in page.text
    assert "data:image/png;base64," in page.text


def test_follow_up_buttons(service: Service) -> None:
    service.intake(ROAD, id="U1")
    login(service)
    page = service.client.get("/laporan/U1")
    assert 'id="mark-responded"' not in page.text  # not forwarded yet
    service.client.post("/laporan/U1/keputusan", data={**form_of(page.text), "action": "accept"})
    page = service.client.get("/laporan/U1")
    assert 'id="mark-responded"' in page.text
    done = service.client.post(
        "/laporan/U1/status", data={"csrf": csrf_of(page.text), "status": "responded"}
    )
    assert "ditindaklanjuti" in done.text
    assert service.store.report("U1").status == "responded"
    again = service.client.post(
        "/laporan/U1/status", data={"csrf": csrf_of(page.text), "status": "responded"}
    )
    assert "sudah melewati tahap ini" in again.text


def test_api_docs_render_with_no_network(live_server: LiveServer) -> None:
    """/docs loads Swagger UI from the service itself: every other request is refused."""
    from playwright.sync_api import sync_playwright

    outside: list[str] = []

    def only_local(route: Route) -> None:
        if route.request.url.startswith(live_server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as playwright:
        browser = chromium(playwright)
        page = browser.new_page()
        page.route("**/*", only_local)
        page.goto(f"{live_server.url}/docs")
        page.wait_for_selector(".opblock-summary-path", timeout=20_000)
        paths = page.locator(".opblock-summary-path").all_inner_texts()
        browser.close()
    assert outside == []
    assert any("/api/v1/classify" in path for path in paths)


def test_a_typed_opd_that_does_not_exist_is_refused_on_the_form(service: Service) -> None:
    service.intake(ROAD, id="K1")
    login(service)
    page = service.client.get("/laporan/K1")
    assert "DPUPR · PUPR" in page.text  # the list finds an OPD by its short forms
    refused = service.client.post(
        "/laporan/K1/keputusan",
        data={**form_of(page.text), "action": "override", "agency": "Dinas Pekerjan Umum"},
    )
    assert "tidak dikenal" in refused.text
    assert service.store.report("K1").status == "new"
    assert service.store.decisions() == []


def test_the_queue_fits_a_412_px_phone(live_server: LiveServer) -> None:
    """The page never scrolls sideways on a phone; the queue table scrolls in its own box."""
    from playwright.sync_api import sync_playwright

    for report_id in ("W1", "W2"):
        live_server.service.intake(ROAD, id=report_id)
    with sync_playwright() as playwright:
        browser = chromium(playwright)
        page = browser.new_page(viewport={"width": 412, "height": 915})
        log_in_to_the_queue(page, live_server.url)
        width = page.evaluate("document.documentElement.scrollWidth")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "queue-412px.png"))  # what the phone shows
        browser.close()
    assert width <= 412


def test_paging_and_login_refuse_what_the_database_cannot_take(service: Service) -> None:
    page = service.client.get("/login")
    refused = service.client.post(
        "/login",
        data={"csrf": csrf_of(page.text), "username": "siti\x00", "password": "x"},
    )
    assert refused.status_code == 422
    login(service)
    huge = service.client.get("/antrian?page=9223372036854775807")
    assert huge.status_code == 422
    assert service.client.get("/antrian?page=2").status_code == 200


def test_pages_carry_security_headers_and_a_policy_without_inline_script(
    service: Service,
) -> None:
    page = service.client.get("/login")
    policy = page.headers["content-security-policy"]
    script_rule = next(rule for rule in policy.split(";") if "script-src" in rule)
    assert "'self'" in script_rule
    assert "unsafe-inline" not in script_rule
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    api = service.client.get("/api/v1/health")
    assert api.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in service.client.get("/docs").headers


def test_the_session_cookie_is_secure_when_the_setting_says_so(
    router: Router, monkeypatch: pytest.MonkeyPatch
) -> None:
    with service_with(router, monkeypatch, LAPOR_SESSION_COOKIE_SECURE="true") as client:
        page = client.get("/login")
    assert "secure" in page.headers["set-cookie"].lower()


def test_accepting_is_offered_only_while_a_report_waits_for_a_decision(service: Service) -> None:
    service.intake(ROAD, id="A9")
    login(service)
    page = service.client.get("/laporan/A9")
    assert 'id="accept" >' in page.text or 'id="accept">' in page.text  # enabled
    service.client.post("/laporan/A9/keputusan", data={**form_of(page.text), "action": "accept"})
    decided = service.client.get("/laporan/A9")
    assert 'id="accept" disabled' in decided.text
