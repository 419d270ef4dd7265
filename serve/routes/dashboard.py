"""The Dasbor: the disposition KPIs, the live guard's recent precision of "saran pasti" per task
and OPD, and the PERLU DICEK tier's share, which admins may set."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from core.clock import local_now
from models.urgency_tiers import MAX_ATTENTION_SHARE
from pipeline.kpi import compute, plots, render_html
from serve.auth import check_csrf
from serve.auto_guard import RECOVERY_ROWS
from serve.check_tier import CheckShareError
from serve.deps import PredictorDep, StoreDep
from serve.routes.forms import refuse_nul_in_forms
from serve.routes.ui import AdminUser, StaffUser, flash_to, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_nul_in_forms)])


@router.get("/dasbor", response_class=HTMLResponse)
def dashboard(
    request: Request, store: StoreDep, predictor: PredictorDep, user: StaffUser
) -> Response:
    """The KPI dashboard: SLA shares, handling times, backlog per OPD, suggestion accuracy,
    the live guard's figures, and the check tier's share."""
    history = store.history()
    kpis = compute(history, now=local_now())
    fragment = render_html(kpis, plots(history, kpis), standalone=False)
    policy = predictor.policy
    guarded = policy.guard.figures(store) if policy.guard is not None else []
    return render(
        request,
        "dashboard.html",
        user=user,
        fragment=fragment,
        guarded=[f for f in guarded if f.n or f.suspended_since is not None],
        recovery_rows=RECOVERY_ROWS,
        check=policy.check_tier.figures() if policy.check_tier is not None else None,
        max_check=MAX_ATTENTION_SHARE,
    )


@router.post("/dasbor/perlu-dicek")
async def set_check_share(
    request: Request,
    store: StoreDep,
    predictor: PredictorDep,
    user: AdminUser,
    share: Annotated[str, Form(max_length=10)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Set the PERLU DICEK share (percent of reports below the flag), or back to the model's
    own threshold with an empty value; audited, in force from the next report."""
    check_csrf(request, csrf)
    tier = predictor.policy.check_tier
    if tier is None:
        return flash_to(request, "/dasbor", "error", "Model ini tidak menilai urgensi.")
    text = share.strip().replace(",", ".").removesuffix("%")
    try:
        value = None if not text else float(text) / 100
        await run_in_threadpool(tier.set_share, store, value, user.name)
    except (ValueError, CheckShareError):
        return flash_to(
            request, "/dasbor", "error",
            f"Tidak disimpan: isi persen 0 sampai {MAX_ATTENTION_SHARE:.0%}, atau kosongkan untuk "
            "memakai ambang model.",
        )  # fmt: skip
    shown = "ambang model" if value is None else f"{value * 100:g}% laporan"
    return flash_to(request, "/dasbor", "ok", f"PERLU DICEK kini: {shown}.")
