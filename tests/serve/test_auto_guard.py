"""The live guard of auto-routing: a simulated stream of staff decisions on automatically routed
suggestions whose accuracy drops suspends auto-routing (for the task, or for one OPD), new
suggestions of that scope are held for review, and auto-routing resumes once decisions show the
target precision again; every change is audited and shown on /ready and the Dasbor."""

from __future__ import annotations

from core.schema import Report
from core.suggestion import Suggestion
from serve.auto_guard import RECOVERY_ROWS, AutoGuard
from serve.store import Store
from serve.store.records import DecisionInput, Principal
from tests.serve.conftest import KUTIM, Service
from tests.serve.test_ui import login

TARGETS = {"agency": 0.95, "topic": 0.95, "channel": 0.95}


def auto_suggestion(report_id: str, agency: str, decision: str = "auto") -> Suggestion:
    answer = {"label": agency, "score": 0.99, "decision": decision,
              "candidates": [{"label": agency, "score": 0.99}]}  # fmt: skip
    return Suggestion.model_validate(
        {"report_id": report_id, "channel": None, "topic": None, "agency": answer,
         "supervision": None, "urgent": None, "duplicates": [], "model_version": "test/1"}
    )  # fmt: skip


class Stream:
    """Reports arriving with an auto-routed OPD suggestion, each decided by staff at once."""

    def __init__(self, store: Store, guard: AutoGuard, staff: Principal) -> None:
        self.store, self.guard, self.staff, self.count = store, guard, staff, 0

    def decide(self, suggested: str, decided: str) -> None:
        self.count += 1
        report_id = f"R{self.count:04d}"
        report = Report(id=report_id, text=f"laporan nomor {self.count}", **KUTIM)
        self.store.add_report(report, auto_suggestion(report_id, suggested))
        action = "accept" if decided == suggested else "override"
        self.store.add_decision(report_id, self.staff, DecisionInput(action, agency=decided))
        self.guard.review(self.store)


def test_a_drop_in_accuracy_suspends_auto_routing_until_it_recovers(sqlite_store: Store) -> None:
    guard = AutoGuard(TARGETS)
    stream = Stream(sqlite_store, guard, sqlite_store.add_user("siti", "staff", "kata-sandi-siti"))
    for _ in range(40):
        stream.decide("Dinas A", "Dinas A")
    assert guard.suspended() == {}  # 40 of 40 right
    drop = 0
    while "agency" not in guard.suspended():
        stream.decide("Dinas A", "Dinas B")  # the stream's accuracy drops
        drop += 1
        assert drop <= 7, "a fall to 40 of 47 right must suspend auto-routing"
    assert drop >= 4  # three wrong in 43 are within what 95% allows
    assert "agency" in guard.suspended()["agency"]

    held = guard.hold([auto_suggestion("NEW", "Dinas A")])[0]
    assert held.agency.decision == "review"
    assert "suspended" in held.agency.held
    assert held.auto_tasks() == ["agency"]  # still measured as the model's automatic answer

    for _ in range(RECOVERY_ROWS - 1):
        stream.decide("Dinas A", "Dinas A")
    assert "agency" in guard.suspended()  # not yet enough decisions since the suspension
    stream.decide("Dinas A", "Dinas A")
    assert "agency" not in guard.suspended()
    assert guard.hold([auto_suggestion("NEWER", "Dinas A")])[0].agency.decision == "auto"

    trail = [(e.actor, e.action, e.target) for e in sqlite_store.audit_events()]
    assert ("penjaga-otomatis", "auto_suspended", "agency") in trail
    assert ("penjaga-otomatis", "auto_resumed", "agency") in trail
    assert AutoGuard(TARGETS).figures(sqlite_store)  # a restarted service reads the same store


def test_one_opd_falling_short_is_suspended_alone(sqlite_store: Store) -> None:
    guard = AutoGuard(TARGETS)
    stream = Stream(sqlite_store, guard, sqlite_store.add_user("siti", "staff", "kata-sandi-siti"))
    for i in range(120):
        stream.decide("Dinas A", "Dinas A")
        if i % 12 == 0:  # Dinas C: right 3 times, then wrong
            stream.decide("Dinas C", "Dinas C" if i < 36 else "Dinas D")
    assert set(guard.suspended()) == {"agency:Dinas C"}
    held, kept = guard.hold([auto_suggestion("X", "Dinas C"), auto_suggestion("Y", "Dinas A")])
    assert (held.agency.decision, kept.agency.decision) == ("review", "auto")
    figures = {f.scope.key: f for f in guard.figures(sqlite_store)}
    assert figures["agency"].precision > 0.9
    assert figures["agency:Dinas C"].fallen_short


def test_a_reroute_makes_the_auto_routed_opd_wrong(sqlite_store: Store) -> None:
    staff = sqlite_store.add_user("siti", "staff", "kata-sandi-siti")
    report = Report(id="R1", text="jalan rusak parah", **KUTIM)
    sqlite_store.add_report(report, auto_suggestion("R1", "Dinas A"))
    sqlite_store.add_decision("R1", staff, DecisionInput("accept"))
    assert [o.right for o in sqlite_store.auto_outcomes()] == [True]
    sqlite_store.add_decision("R1", staff, DecisionInput("reroute", agency="Dinas B", note="x"))
    assert [o.right for o in sqlite_store.auto_outcomes()] == [False]


def test_reviewed_suggestions_are_not_measured(sqlite_store: Store) -> None:
    staff = sqlite_store.add_user("siti", "staff", "kata-sandi-siti")
    report = Report(id="R1", text="jalan rusak parah", **KUTIM)
    sqlite_store.add_report(report, auto_suggestion("R1", "Dinas A", decision="review"))
    sqlite_store.add_decision("R1", staff, DecisionInput("override", agency="Dinas B"))
    assert sqlite_store.auto_outcomes() == []


def test_ready_and_the_dasbor_show_a_suspension(service: Service) -> None:
    store = service.store
    known = service.client.app.state.predictor.triage.router.known_agencies()[:2]
    for i in range(12):
        report_id = f"G{i:03d}"
        report = Report(id=report_id, text=f"laporan uji {i}", **KUTIM)
        store.add_report(report, auto_suggestion(report_id, known[0]))
        decided = service.client.post(
            f"/api/v1/reports/{report_id}/decision",
            json={"action": "override", "agency": known[1], "version": 1},
            headers=service.staff,
        )
        assert decided.status_code == 201, decided.text
    ready = service.client.get("/api/v1/ready").json()
    assert "agency" in ready["auto_routing_suspended"]
    assert any(line.startswith("auto-routing suspended: agency:") for line in ready["details"])
    assert ready["ready"] is True  # the service still serves; it routes nothing automatically
    login(service)
    page = service.client.get("/dasbor")
    assert page.status_code == 200
    assert "dihentikan sejak" in page.text
    assert f"<td>agency → {known[0]}</td>" in page.text


def test_an_automatic_suggestion_says_it_waits_for_one_click(service: Service) -> None:
    """ "Auto" forwards nothing by itself: the words say the report waits for one click."""
    known = service.client.app.state.predictor.triage.router.known_agencies()[0]
    report = Report(id="SIAP1", text="laporan uji saran pasti", **KUTIM)
    service.store.add_report(report, auto_suggestion("SIAP1", known))
    login(service)
    queue = service.client.get("/antrian").text
    assert "saran pasti, tinggal terima" in queue
    assert "diteruskan otomatis" not in queue
    page = service.client.get("/laporan/SIAP1").text
    assert "saran pasti: terima dengan satu klik" in page
    assert service.store.report("SIAP1").status == "new"
