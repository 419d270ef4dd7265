"""Security headers on every answer, and a Content-Security-Policy without inline script on the
UI's pages (the API docs page runs Swagger UI's own inline start-up script, so it is left out)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

UI_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
"""Scripts only from the service's own files; inline style attributes (the confidence bars)
and data: images (the dashboard's charts) are allowed."""
EVERY_ANSWER = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]
DOCS_PATHS = ("/docs", "/openapi.json", "/static/docs")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = not scope.get("path", "").startswith(DOCS_PATHS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", [])) + EVERY_ANSWER
                if policy:
                    headers.append((b"content-security-policy", UI_POLICY.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
