"""The lifecycle table, exhaustively: every status against every step."""

from __future__ import annotations

from datetime import datetime

import pytest

from core.lifecycle import (
    Status,
    Step,
    StepRefusedError,
    allowed_steps,
    deadline,
    decision_step,
    stage,
    transition,
)

TABLE = """
status         verify         forward        reroute        merge     respond    close   archive  reopen
new            verified       dispositioned  -              archived  responded  closed  archived -
verified       verified       dispositioned  -              archived  responded  closed  archived -
dispositioned  dispositioned  -              dispositioned  -         responded  closed  archived -
responded      responded      -              dispositioned  -         -          closed  archived -
closed         -              -              -              -         -          -       -        dispositioned
archived       -              -              -              -         -          -       -        dispositioned
"""  # noqa: E501
"""What each step makes of each status ("-": refused), written out by hand."""
HEADER, *ROWS = (line.split() for line in TABLE.strip().splitlines())
CASES = [
    (Status(row[0]), Step(step), None if after == "-" else Status(after))
    for row in ROWS
    for step, after in zip(HEADER[1:], row[1:], strict=True)
]


def test_the_table_covers_every_status_and_step() -> None:
    assert [row[0] for row in ROWS] == [status.value for status in Status]
    assert HEADER[1:] == [step.value for step in Step]


@pytest.mark.parametrize(("status", "step", "after"), CASES)
def test_every_status_against_every_step(status: Status, step: Step, after: Status | None) -> None:
    assert (step in allowed_steps(status)) is (after is not None)
    if after is None:
        with pytest.raises(StepRefusedError, match=f"is {status} cannot {step}"):
            transition(status, step, forwarded_to="Dinas PUPR")
    else:
        assert transition(status, step, forwarded_to="Dinas PUPR") is after


def test_a_report_reopened_without_an_opd_goes_back_to_verified() -> None:
    assert transition("closed", Step.REOPEN, forwarded_to=None) is Status.VERIFIED
    assert transition("archived", Step.REOPEN, forwarded_to="") is Status.VERIFIED


@pytest.mark.parametrize(
    ("status", "agency", "rerouting", "duplicate_of", "step"),
    [
        ("new", "Dinas PUPR", False, None, Step.FORWARD),
        ("verified", "Dinas PUPR", False, "LPR-1", Step.FORWARD),
        ("new", None, False, "LPR-1", Step.MERGE),
        ("new", None, False, None, Step.VERIFY),
        ("dispositioned", "Dinas PUPR", False, None, Step.VERIFY),
        ("dispositioned", None, False, "LPR-1", Step.VERIFY),
        ("responded", "Dinsos", True, None, Step.REROUTE),
    ],
)
def test_the_step_a_decision_takes(
    status: str, agency: str | None, rerouting: bool, duplicate_of: str | None, step: Step
) -> None:
    assert (
        decision_step(status, agency=agency, rerouting=rerouting, duplicate_of=duplicate_of) is step
    )


FORWARD_DUE, RESPONSE_DUE = datetime(2026, 11, 25, 9), datetime(2026, 12, 2, 9)


@pytest.mark.parametrize(
    ("status", "due"),
    [("new", FORWARD_DUE), ("verified", FORWARD_DUE), ("dispositioned", RESPONSE_DUE),
     ("responded", None), ("closed", None), ("archived", None)],
)  # fmt: skip
def test_the_sla_clock_running_in_each_status(status: str, due: datetime | None) -> None:
    assert deadline(status, FORWARD_DUE, RESPONSE_DUE) == due


def test_stages_never_go_back_and_archived_counts_as_closed() -> None:
    assert [stage(s) for s in (None, "new", "verified", "dispositioned", "responded")] == [
        0,
        0,
        1,
        2,
        3,
    ]
    assert stage("archived") == stage("closed") == 4
