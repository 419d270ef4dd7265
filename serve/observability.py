"""Structured JSON logs (no report text, personal data masked), Prometheus metrics, and the
middleware that records every request and refuses oversized bodies."""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from collections.abc import Callable
from typing import IO, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from pythonjsonlogger.json import JsonFormatter
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.schema import TASKS
from core.text import mask_pii

log = logging.getLogger("lapor.serve")

MAX_BODY_BYTES = 25_000_000
"""A full batch of 1,000 reports at the text limit stays under this."""


class MaskingJsonFormatter(JsonFormatter):
    """JSON lines whose message and traceback have personal data masked, in case an error
    message quotes a value. The structured fields (request id, route, status) are left as they
    are: a request id is no phone number."""

    def format(self, record: logging.LogRecord) -> str:
        record = logging.makeLogRecord(record.__dict__)  # handlers after this one see it unmasked
        record.msg, record.args = mask_pii(record.getMessage()), None
        if record.exc_info:
            record.exc_text = record.exc_text or self.formatException(record.exc_info)
            record.exc_info = None
        if record.exc_text:
            record.exc_text = mask_pii(record.exc_text)
        return super().format(record)


def configure_logging(level: str = "INFO", stream: IO[str] | None = None) -> None:
    """One JSON line per event on ``stream`` (stderr), for the service and its server."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        MaskingJsonFormatter(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    for name in ("lapor", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(level)
        logger.propagate = False
    logging.getLogger("uvicorn.access").disabled = True  # our middleware logs requests


class Metrics:
    """The service's Prometheus metrics, in a registry of its own (one per app)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "lapor_http_requests_total",
            "HTTP requests by route and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "lapor_http_request_duration_seconds",
            "HTTP request latency by route.",
            ["route"],
            buckets=(0.005, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.suggestions = Counter(
            "lapor_suggestions_total",
            "Task suggestions made, by task and decision (auto or review).",
            ["task", "decision"],
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "lapor_model_batch_size",
            "Reports per model call (concurrent requests are batched).",
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024),
            registry=self.registry,
        )
        self.decisions = Counter(
            "lapor_decisions_total",
            "Staff decisions by action.",
            ["action"],
            registry=self.registry,
        )
        self.model_info = Gauge(
            "lapor_model_info", "The model being served.", ["version"], registry=self.registry
        )

    def count_suggestion(self, suggestion: Any) -> None:
        for task in TASKS:
            answer = getattr(suggestion, task, None)
            if answer is not None:
                self.suggestions.labels(task, answer.decision).inc()


def _route_of(scope: Scope) -> str:
    """The route's template (``/api/v1/reports/{report_id}``), never the raw path with ids."""
    route = scope.get("route")
    return getattr(route, "path", None) or "unmatched"


ErrorAnswer = Callable[[Scope, str], Response]
"""The answer to an unexpected error: given the request's scope and id (HTML or JSON)."""


class RequestMiddleware:
    """Logs one JSON line per request (method, route template, status, ms, user, request id;
    never a body), feeds the metrics, answers 413 to bodies over ``MAX_BODY_BYTES``, and turns
    an unexpected error into one logged traceback and a 500 that names the request id (the
    connection stays usable: nothing is re-raised to the server)."""

    def __init__(
        self,
        app: ASGIApp,
        metrics: Metrics,
        server_error: ErrorAnswer,
        max_body: int = MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self.metrics = metrics
        self.server_error = server_error
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = uuid.uuid4().hex[:16]
        status = 500
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            await _too_large(send, self.max_body)
            self._record(scope, 413, started, request_id)
            return
        if _has_nul(scope):
            await _refuse(send, 422, "a NUL character is not allowed in the URL")
            self._record(scope, 422, started, request_id)
            return
        received = 0
        started_answer = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLargeError(self.max_body)
            return message

        async def send_with_status(message: Message) -> None:
            nonlocal status, started_answer
            if message["type"] == "http.response.start":
                status, started_answer = message["status"], True
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        scope.setdefault("state", {})["request_id"] = request_id
        try:
            await self.app(scope, counted_receive, send_with_status)
        except BodyTooLargeError:
            status = 413
            await _too_large(send, self.max_body)
        except Exception as exc:
            if started_answer:
                raise  # half an answer is out: the server can only drop the connection
            log.error("unhandled error", exc_info=exc,
                      extra={"request_id": request_id, "route": _route_of(scope)})  # fmt: skip
            await self.server_error(scope, request_id)(scope, counted_receive, send_with_status)
        finally:
            self._record(scope, status, started, request_id)

    def _record(self, scope: Scope, status: int, started: float, request_id: str) -> None:
        elapsed = time.perf_counter() - started
        route = _route_of(scope)
        self.metrics.requests.labels(scope["method"], route, str(status)).inc()
        self.metrics.latency.labels(route).observe(elapsed)
        state = scope.get("state") or {}
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": scope["method"],
                "route": route,
                "status": status,
                "ms": round(elapsed * 1000, 2),
                "user": state.get("user"),
            },
        )


class BodyTooLargeError(HTTPException):
    """A body (sent in chunks, with no length declared) that grew past the limit. An
    HTTPException, so that FastAPI's body parsing passes it on as a 413 instead of a 400."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over {limit:,} bytes: send fewer or shorter reports")


async def _too_large(send: Send, limit: int) -> None:
    detail = f"request body over {limit:,} bytes: send fewer or shorter reports"
    await _refuse(send, 413, detail)


def _has_nul(scope: Scope) -> bool:
    """A NUL character in the path or the query (PostgreSQL cannot store one)."""
    return "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b"").lower()


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
