"""KPI arithmetic on hand-made histories with weekends and holidays."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from cli.main import app
from core.schema import Report
from pipeline.kpi import compute, history_from_reports, plots, render_html

NOW = datetime(2026, 12, 31, 12, 0)


def history() -> pd.DataFrame:
    rows = [
        # Friday -> Wednesday: exactly 3 working days (the weekend does not count)
        ("A", "Dinas PUPR", "2026-11-20 10:00", "2026-11-25 10:00", "2026-11-27 10:00"),
        # Wednesday before Christmas -> Tuesday: 2 working days (24 Dec joint leave, 25 holiday)
        ("B", "Dinas PUPR", "2026-12-23 09:00", "2026-12-29 09:00", None),
        # Monday -> Friday an hour later: 4 working days and a bit, late
        ("C", "Dinas Kesehatan", "2026-11-16 09:00", "2026-11-20 10:00", "2026-11-23 10:00"),
        # never forwarded, long past its 3 days
        ("D", "Dinas Kesehatan", "2026-12-01 09:00", None, None),
        # just arrived: not late yet
        ("E", None, "2026-12-31 08:00", None, None),
    ]
    return pd.DataFrame(
        rows, columns=["id", "agency", "received_at", "dispositioned_at", "responded_at"]
    )


def test_disposition_and_follow_up_in_working_days() -> None:
    kpis = compute(history(), now=NOW)
    disposition = kpis["disposition"]
    assert disposition["done"] == 3
    assert disposition["median_working_days"] == 3.0
    assert disposition["pending_overdue"] == 1  # D; E is still within its 3 days
    assert disposition["within_sla"] == pytest.approx(2 / 4)
    follow_up = kpis["follow_up"]
    assert follow_up["done"] == 2  # A: 2 working days; C: Fri -> Mon = 1
    assert follow_up["median_working_days"] == 1.5
    assert follow_up["pending_overdue"] == 0  # B was forwarded on the 29th: due 5 January
    assert follow_up["within_sla"] == 1.0


def test_backlog_and_overdue_per_agency() -> None:
    rows = {row["agency"]: row for row in compute(history(), now=NOW)["by_agency"]}
    assert rows["Dinas Kesehatan"] == {
        "agency": "Dinas Kesehatan", "reports": 2, "backlog": 1, "overdue": 1, "supporting": 0,
    }  # fmt: skip
    assert rows["Dinas PUPR"]["backlog"] == 1  # B, not yet followed up, not late
    assert rows["Dinas PUPR"]["overdue"] == 0
    assert rows["(belum ditentukan)"]["backlog"] == 1


def test_acceptance_auto_share_and_weekly_accuracy() -> None:
    frame = history()
    frame["suggested_agency"] = ["Dinas PUPR", "Dinas Sosial", "Dinas Kesehatan", None, "X"]
    frame["agency_decision"] = ["auto", "review", "auto", "review", "review"]
    frame["decided_at"] = [
        "2026-11-25 10:00", "2026-12-29 09:00", "2026-11-20 10:00", None, None,
    ]  # fmt: skip
    kpis = compute(frame, now=NOW)
    assert kpis["auto_routed"] == 0.4
    assert kpis["acceptance"]["agency"] == {"decisions": 3, "accepted": pytest.approx(2 / 3, 1e-3)}
    assert [(w["week"], w["decisions"], w["agency_accuracy"]) for w in kpis["weekly"]] == [
        ("2026-11-16", 1, 1.0),
        ("2026-11-23", 1, 1.0),
        ("2026-12-28", 1, 0.0),
    ]


def test_html_report_with_charts() -> None:
    frame = history()
    kpis = compute(frame, now=NOW)
    charts = plots(frame, kpis)
    assert {"days", "backlog"} <= set(charts)
    html = render_html(kpis, charts)
    assert html.startswith("<!doctype html>")
    assert "data:image/png;base64," in html
    assert "50,0%" in html  # disposition within SLA, written as Indonesian readers do
    assert "50.0%" not in html
    assert "Dinas Kesehatan" in html
    assert not render_html(kpis, charts, standalone=False).startswith("<!doctype")


def test_history_from_an_export_and_the_command(tmp_path: Path) -> None:
    reports = [
        Report(id="1", text="a", created_at=datetime(2026, 11, 20, 10), agency="X",
               dispositioned_at=datetime(2026, 11, 23, 10)),
        Report(id="2", text="b", created_at=datetime(2026, 11, 20, 10), agency="X"),
    ]  # fmt: skip
    frame = history_from_reports(reports)
    assert list(frame["id"]) == ["1", "2"]
    assert compute(frame, now=NOW)["disposition"]["within_sla"] == 0.5
    data = tmp_path / "export.csv"
    pd.DataFrame(
        {
            "id": ["1", "2"], "text": ["jalan rusak", "lampu mati"], "agency": ["X", "Y"],
            "created_at": ["2026-11-20 10:00", "2026-11-20 11:00"],
            "dispositioned_at": ["2026-11-23 10:00", None],
        }
    ).to_csv(data, index=False)  # fmt: skip
    out, report = tmp_path / "kpi.json", tmp_path / "kpi.html"
    result = CliRunner().invoke(
        app, ["kpi", "--data", str(data), "--json", str(out), "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["disposition"]["done"] == 1
    assert "data:image/png;base64," in report.read_text()


def test_an_opd_name_with_dollar_signs_is_drawn_as_text() -> None:
    """matplotlib would read "$...$" as TeX and fail on it: the dashboard broke for everyone."""
    frame = history()
    frame.loc[frame["id"] == "D", "agency"] = r"Dinas $\frac{x}{$ Sosial $\nosuchsymbol$"
    kpis = compute(frame, now=NOW)
    charts = plots(frame, kpis)
    assert "backlog" in charts


def test_a_stage_the_export_does_not_record_says_so() -> None:
    frame = history().assign(dispositioned_at=None)  # answered, but no disposition times
    frame.loc[frame["id"] == "B", "responded_at"] = "2026-12-30 09:00"
    kpis = compute(frame, now=NOW)
    assert kpis["disposition"] == {"recorded": False, "sla_working_days": 3}
    assert kpis["follow_up"]["done"] >= 1
    assert "tidak tercatat di data ini" in render_html(kpis, {})
