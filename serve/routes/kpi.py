"""Disposition KPIs of the reports in the store."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from core.clock import local_now
from pipeline.kpi import compute
from serve.auth import StaffCaller
from serve.deps import StoreDep
from serve.routes import API_PREFIX, KEYED

router = APIRouter(prefix=API_PREFIX, tags=["kpi"], responses=KEYED)


@router.get("/kpi")
def kpi(store: StoreDep, _: StaffCaller) -> dict[str, Any]:
    """Working days to disposition (3-day SLA) and follow-up (5-day SLA), share within the SLA,
    backlog and overdue reports per OPD, share routed automatically, acceptance of suggestions
    and their accuracy per week."""
    return compute(store.history(), now=local_now())
