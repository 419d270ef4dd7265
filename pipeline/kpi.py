"""Disposition KPIs, the figures complaint-management evaluations score: working days from
intake to disposition and to follow-up, the share within the SLA, backlog and overdue reports
per OPD, the share routed automatically, how often staff accept the suggestion, and how
accurate suggestions are week by week.

Input is a *history* frame (:data:`HISTORY_COLUMNS`), built from an imported export
(:func:`history_from_reports`) or from the service's store (``serve.store.Store.history``).
Columns an export lacks are simply missing, and the KPIs that need them are left out.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from datetime import datetime
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from core.clock import local_now
from core.formats import angka, persen
from core.schema import CLASSIFICATION_TASKS, Report
from core.workdays import FOLLOW_UP_DAYS, FORWARD_DAYS, add_working_days, working_days_between

HISTORY_COLUMNS = (
    "id",
    "agency",
    "supporting_agencies",
    "rerouted_at",
    "topic",
    "channel",
    "received_at",
    "dispositioned_at",
    "responded_at",
    "closed_at",
    "suggested_agency",
    "suggested_topic",
    "suggested_channel",
    "agency_decision",
    "decided_at",
)
"""``supporting_agencies``: OPD pendukung (a list); ``rerouted_at``: when the report was last
forwarded to another OPD (its follow-up clock starts there); ``agency_decision``: the
suggestion's ``auto``/``review``; ``decided_at``: when staff decided (their decision is the truth
the suggestion is scored against)."""


def history_from_reports(reports: Iterable[Report]) -> pd.DataFrame:
    """An imported export as history (its own time stamps; no suggestions)."""
    rows = [
        {
            "id": r.id,
            "agency": r.agency,
            "topic": r.topic,
            "channel": r.channel,
            "received_at": r.created_at,
            "dispositioned_at": r.dispositioned_at,
            "responded_at": r.responded_at,
            "closed_at": r.closed_at,
        }
        for r in reports
    ]
    return normalise(pd.DataFrame(rows, columns=list(HISTORY_COLUMNS)))


def normalise(frame: pd.DataFrame) -> pd.DataFrame:
    """Naive datetimes; missing optional columns added empty."""
    frame = frame.copy()
    for column in HISTORY_COLUMNS:
        if column not in frame:
            frame[column] = None
    for column in (
        "received_at",
        "dispositioned_at",
        "rerouted_at",
        "responded_at",
        "closed_at",
        "decided_at",
    ):
        values = pd.to_datetime(frame[column], errors="coerce")
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)
        frame[column] = values
    return frame[frame["received_at"].notna()].reset_index(drop=True)


def _working_days(starts: pd.Series, ends: pd.Series) -> pd.Series:
    out = [
        working_days_between(s.to_pydatetime(), e.to_pydatetime())
        if pd.notna(s) and pd.notna(e)
        else np.nan
        for s, e in zip(starts, ends, strict=True)
    ]
    return pd.Series(out, index=starts.index, dtype=float)


def _stage(
    done_days: pd.Series, pending_since: pd.Series, limit: int, now: datetime
) -> dict[str, Any]:
    """One SLA stage: finished reports' working days, and unfinished ones already late."""
    done = done_days.dropna()
    late_pending = int(
        sum(add_working_days(s.to_pydatetime(), limit) < now for s in pending_since.dropna())
    )
    judged = len(done) + late_pending
    return {
        "done": len(done),
        "median_working_days": round(float(done.median()), 2) if len(done) else None,
        "p90_working_days": round(float(done.quantile(0.9)), 2) if len(done) else None,
        "within_sla": round(float((done <= limit).sum() / judged), 4) if judged else None,
        "pending_overdue": late_pending,
        "sla_working_days": limit,
    }


def compute(history: pd.DataFrame, now: datetime | None = None) -> dict[str, Any]:
    """Every KPI the history allows, as a JSON-ready dict."""
    now = now or local_now()
    frame = normalise(history)
    received, disposed = frame["received_at"], frame["dispositioned_at"]
    responded = frame["responded_at"]
    # the follow-up clock runs from disposition, or from intake where no disposition stage is
    # recorded (exports of systems where the OPD answers directly)
    follow_from = frame["rerouted_at"].where(
        frame["rerouted_at"].notna(), disposed.where(disposed.notna(), received)
    )
    has_disposition = bool(disposed.notna().any())
    out: dict[str, Any] = {"reports": len(frame), "as_of": now.isoformat(timespec="minutes")}
    if len(frame):
        out["period"] = {
            "from": received.min().isoformat(timespec="minutes"),
            "to": received.max().isoformat(timespec="minutes"),
        }
    finished = frame["closed_at"].notna()
    stages = {
        "disposition": _stage(
            _working_days(received, disposed),
            received[disposed.isna() & responded.isna() & ~finished],
            FORWARD_DAYS,
            now,
        ),
        "follow_up": _stage(
            _working_days(follow_from, responded),
            follow_from[responded.isna() & ~finished & (disposed.notna() | (not has_disposition))],
            FOLLOW_UP_DAYS,
            now,
        ),
    }
    for name, stage in stages.items():
        if stage["done"] or stage["pending_overdue"]:  # a stage the history records at all
            out[name] = stage
    if not has_disposition and responded.notna().any():
        # answered reports but no disposition time: the export does not record that stage
        # (it would otherwise read as 0% within the SLA)
        out["disposition"] = {"recorded": False, "sla_working_days": FORWARD_DAYS}
    rerouted = frame["rerouted_at"].notna()
    if rerouted.any():
        out["rerouted"] = {
            "reports": int(rerouted.sum()),
            "share_of_forwarded": round(float(rerouted.sum() / disposed.notna().sum()), 4),
        }
    out["by_agency"] = _by_agency(frame, follow_from, now)
    decisions = frame["agency_decision"].dropna()
    if len(decisions):
        out["auto_routed"] = round(float((decisions == "auto").mean()), 4)
    out["acceptance"] = _acceptance(frame)
    out["weekly"] = _weekly(frame)
    return out


def _by_agency(frame: pd.DataFrame, follow_from: pd.Series, now: datetime) -> list[dict]:
    """Reports, backlog (not yet followed up) and overdue reports per OPD, worst first. A
    report disposed to several OPDs counts for each of them (``supporting``: how many of an
    OPD's reports it supports rather than leads)."""
    agency = frame["agency"].where(frame["agency"].notna(), frame["suggested_agency"])
    open_ = frame["responded_at"].isna() & frame["closed_at"].isna()
    forwarded = frame["dispositioned_at"].notna()
    deadline = [
        add_working_days(start.to_pydatetime(), FOLLOW_UP_DAYS if sent else FORWARD_DAYS)
        for start, sent in zip(
            follow_from.where(forwarded, frame["received_at"]), forwarded, strict=True
        )
    ]
    overdue = open_ & pd.Series([d < now for d in deadline], index=frame.index)
    table = pd.DataFrame(
        {
            "agency": agency.fillna("(belum ditentukan)"),
            "open": open_,
            "late": overdue,
            "support": False,
        }
    )
    helpers = frame["supporting_agencies"].map(
        lambda names: list(names) if isinstance(names, (list, tuple)) else []
    )
    supporting = pd.DataFrame(
        {"agency": helpers, "open": open_, "late": overdue, "support": True}
    ).explode("agency")
    table = pd.concat([table, supporting.dropna(subset=["agency"])], ignore_index=True)
    grouped = table.groupby("agency").agg(
        reports=("open", "size"),
        backlog=("open", "sum"),
        overdue=("late", "sum"),
        supporting=("support", "sum"),
    )
    grouped = grouped.sort_values(["overdue", "backlog", "reports"], ascending=False)
    return [
        {
            "agency": name,
            "reports": int(r.reports),
            "backlog": int(r.backlog),
            "overdue": int(r.overdue),
            "supporting": int(r.supporting),
        }
        for name, r in grouped.iterrows()
    ]


def _acceptance(frame: pd.DataFrame) -> dict[str, Any]:
    """Share of staff decisions equal to the suggestion, per task (only decided reports)."""
    decided = frame[frame["decided_at"].notna()]
    out = {}
    for task in CLASSIFICATION_TASKS:
        pairs = decided[[task, f"suggested_{task}"]].dropna()
        if len(pairs):
            out[task] = {
                "decisions": len(pairs),
                "accepted": round(float((pairs[task] == pairs[f"suggested_{task}"]).mean()), 4),
            }
    return out


def _weekly(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Suggestion accuracy against staff decisions, per ISO week of the decision."""
    decided = frame[frame["decided_at"].notna()].copy()
    if decided.empty:
        return []
    decided["week"] = decided["decided_at"].dt.to_period("W-SUN").dt.start_time
    rows = []
    for week, group in decided.groupby("week"):
        row: dict[str, Any] = {"week": week.date().isoformat(), "decisions": len(group)}
        for task in CLASSIFICATION_TASKS:
            pairs = group[[task, f"suggested_{task}"]].dropna()
            if len(pairs):
                row[f"{task}_accuracy"] = round(
                    float((pairs[task] == pairs[f"suggested_{task}"]).mean()), 4
                )
        rows.append(row)
    return rows


def plots(history: pd.DataFrame, kpis: dict[str, Any]) -> dict[str, str]:
    """PNG charts as base64 strings (for inline <img>): days to disposition/follow-up,
    backlog per OPD, weekly suggestion accuracy."""
    import matplotlib  # heavy: only plots

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # heavy: only plots

    with plt.rc_context({"text.parse_math": False}):  # an OPD named "$…$" is text, not TeX
        return _charts(plt, history, kpis)


def _charts(plt: ModuleType, history: pd.DataFrame, kpis: dict[str, Any]) -> dict[str, str]:
    frame = normalise(history)
    charts: dict[str, str] = {}

    def save(fig: Any, name: str) -> None:
        buffer = io.BytesIO()
        fig.tight_layout()
        fig.savefig(buffer, format="png", dpi=90)
        plt.close(fig)
        charts[name] = base64.b64encode(buffer.getvalue()).decode()

    stages = [
        ("disposisi", frame["received_at"], frame["dispositioned_at"], FORWARD_DAYS),
        (
            "tindak lanjut",
            frame["dispositioned_at"].where(
                frame["dispositioned_at"].notna(), frame["received_at"]
            ),
            frame["responded_at"],
            FOLLOW_UP_DAYS,
        ),
    ]
    days = [(name, _working_days(a, b).dropna(), limit) for name, a, b, limit in stages]
    days = [d for d in days if len(d[1])]
    if days:
        fig, axes = plt.subplots(1, len(days), figsize=(5 * len(days), 3.2), squeeze=False)
        for ax, (name, values, limit) in zip(axes[0], days, strict=True):
            ax.hist(values.clip(upper=limit * 4), bins=30, color="#0b5cab")
            ax.axvline(limit, color="#b42318", linestyle="--", label=f"SLA {limit} hari kerja")
            ax.set_title(f"Hari kerja sampai {name}")
            ax.legend()
        save(fig, "days")
    top = [row for row in kpis.get("by_agency", []) if row["backlog"]][:12]
    if top:
        fig, ax = plt.subplots(figsize=(8, 0.35 * len(top) + 1))
        names = [row["agency"][:45] for row in top][::-1]
        ax.barh(
            names, [row["backlog"] for row in top][::-1], color="#9db7d5", label="belum selesai"
        )
        ax.barh(names, [row["overdue"] for row in top][::-1], color="#b42318", label="terlambat")
        ax.set_title("Tunggakan per OPD")
        ax.legend()
        save(fig, "backlog")
    weekly = kpis.get("weekly") or []
    if weekly:
        fig, ax = plt.subplots(figsize=(8, 3))
        weeks = [row["week"] for row in weekly]
        for task, label in (("agency", "OPD"), ("topic", "topik"), ("channel", "jenis")):
            values = [row.get(f"{task}_accuracy") for row in weekly]
            if any(v is not None for v in values):
                ax.plot(
                    weeks, [np.nan if v is None else v for v in values], marker="o", label=label
                )
        ax.set_ylim(0, 1.05)
        ax.set_title("Ketepatan saran per minggu (dibanding keputusan petugas)")
        ax.tick_params(axis="x", rotation=45)
        ax.legend()
        save(fig, "weekly")
    return charts


def render_html(kpis: dict[str, Any], charts: dict[str, str], standalone: bool = True) -> str:
    """The KPI report as HTML (a whole page, or a fragment for the UI's dashboard)."""
    from jinja2 import Environment, PackageLoader, select_autoescape  # only the HTML report

    env = Environment(
        loader=PackageLoader("pipeline", "resources"), autoescape=select_autoescape(["html"])
    )
    env.filters["pct"] = persen
    env.filters["num"] = lambda value, decimals=0: "-" if value is None else angka(value, decimals)
    return env.get_template("kpi_report.html").render(
        kpis=kpis, charts=charts, standalone=standalone
    )
