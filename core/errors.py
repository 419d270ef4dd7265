"""Errors a user can act on. The CLI prints them as one line (no traceback) and exits non-zero."""


class LaporError(Exception):
    """A problem with the user's input or environment, explained in one line; ``pesan`` says it
    in Indonesian for the staff's UI (the CLI and the API answer in English)."""

    def __init__(self, message: str = "", *, pesan: str | None = None) -> None:
        super().__init__(message)
        self.pesan = pesan or message


class IngestError(LaporError):
    """An import cannot start: unreadable file, unknown format, missing required column."""
