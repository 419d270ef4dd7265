"""Suggestions without storing anything: one report, or a batch with per-item errors."""

from __future__ import annotations

import time

from fastapi import APIRouter, HTTPException, Response
from fastapi.responses import JSONResponse
from pydantic import JsonValue, ValidationError
from starlette.concurrency import run_in_threadpool

from core.schema import CHANNELS, LAPOR_CATEGORIES, Report
from serve.auth import StaffCaller
from serve.deps import MetricsDep, PredictorDep, SettingsDep
from serve.routes import API_PREFIX, WITH_BODY
from serve.schemas import BatchItem, BatchRequest, BatchResponse, ClassifyResponse, Labels, ReportIn

router = APIRouter(prefix=API_PREFIX, tags=["classify"], responses=WITH_BODY)


def validation_message(exc: ValidationError) -> str:
    """Pydantic's errors as one line naming each field (never echoing the values)."""
    return "; ".join(
        f"{'.'.join(str(p) for p in error['loc']) or 'report'}: {error['msg']}"
        for error in exc.errors()[:5]
    )


@router.post("/classify", response_model=ClassifyResponse, response_class=JSONResponse)
async def classify_one(
    report: ReportIn, predictor: PredictorDep, metrics: MetricsDep, _: StaffCaller
) -> Response:
    """Channel, topic, agency (top 3, ``auto`` or ``review``), urgency with reasons, and links
    to earlier stored reports about the same problem. Nothing is stored."""
    started = time.perf_counter()
    suggestion = (await predictor.suggest([report.to_report().masked()]))[0]
    metrics.count_suggestion(suggestion)
    answer = ClassifyResponse.model_construct(
        **dict(suggestion), elapsed_ms=round((time.perf_counter() - started) * 1000, 2)
    )
    # the Router builds valid Suggestions: serialised directly, not validated a second time
    return Response(answer.model_dump_json(), media_type="application/json")


def _checked(index: int, raw: JsonValue) -> Report | BatchItem:
    """One batch item as a masked Report, or the item's error."""
    if not isinstance(raw, dict):
        return BatchItem(index=index, error=f"must be a JSON object (a report), not {raw!r:.40}")
    try:
        return ReportIn.model_validate(raw).to_report().masked()
    except ValidationError as exc:
        return BatchItem(index=index, error=validation_message(exc))


def _check_all(raws: list[JsonValue]) -> list[Report | BatchItem]:
    return [_checked(index, raw) for index, raw in enumerate(raws)]


@router.post("/classify/batch", response_model=BatchResponse)
async def classify_batch(
    batch: BatchRequest,
    predictor: PredictorDep,
    metrics: MetricsDep,
    settings: SettingsDep,
    _: StaffCaller,
) -> BatchResponse:
    """Up to 1,000 reports. Each item is checked on its own: a bad one gets an ``error`` naming
    the field, the good ones are answered. Checking and masking run off the event loop, and the
    model takes the batch in slices (:class:`serve.predictor.Predictor`), so single reports sent
    meanwhile are answered between them."""
    limit = settings.batch_limit
    if len(batch.reports) > limit:
        raise HTTPException(413, f"{len(batch.reports):,} reports in one batch; at most {limit:,}")
    started = time.perf_counter()
    checked = await run_in_threadpool(_check_all, batch.reports)
    items = [item for item in checked if isinstance(item, BatchItem)]
    good = [(index, r) for index, r in enumerate(checked) if isinstance(r, Report)]
    if good:
        suggestions = await predictor.suggest([report for _, report in good], bulk=True)
        for (index, _), suggestion in zip(good, suggestions, strict=True):
            metrics.count_suggestion(suggestion)
            items.append(BatchItem(index=index, suggestion=suggestion))
    items.sort(key=lambda item: item.index)
    return BatchResponse(
        items=items,
        succeeded=len(good),
        failed=len(items) - len(good),
        model_version=predictor.version,
        elapsed_ms=round((time.perf_counter() - started) * 1000, 2),
    )


@router.get("/labels", response_model=Labels)
def labels(predictor: PredictorDep, _: StaffCaller) -> Labels:
    """What a decision may set: the channels, the LAPOR! topics, the agencies the model knows."""
    return Labels(
        channels=list(CHANNELS),
        topics=list(LAPOR_CATEGORIES),
        agencies=predictor.known_agencies(),
    )
