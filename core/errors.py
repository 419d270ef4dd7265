"""Errors a user can act on. The CLI prints them as one line (no traceback) and exits non-zero."""


class LaporError(Exception):
    """A problem with the user's input or environment, explained in one line."""


class IngestError(LaporError):
    """An import cannot start: unreadable file, unknown format, missing required column."""
