"""Errors a user can act on. The CLI prints them as one line (no traceback) and exits non-zero."""

from __future__ import annotations


class LaporError(Exception):
    """A problem with the user's input or environment. A domain refusal names its ``code`` and
    the facts behind it (``params``): ``serve.messages`` words it, in English for the API and
    the CLI and in Indonesian for the staff's UI. A one-off problem of a command's input is
    raised as its own English sentence, without a code."""

    def __init__(self, message: str = "", *, code: str | None = None, **params: object) -> None:
        self.code, self.params = code, params
        facts = ", ".join(f"{name}={value!r}" for name, value in params.items())
        super().__init__(message or f"{code}({facts})")


class IngestError(LaporError):
    """An import cannot start: unreadable file, unknown format, missing required column."""
