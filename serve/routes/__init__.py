"""One APIRouter per resource; the API lives under :data:`API_PREFIX`. The error answers every
router may give are documented here once, so that the OpenAPI schema says what the API does."""

from typing import Any

from serve.schemas import ErrorOut

API_PREFIX = "/api/v1"

KEYED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No API key, or an invalid or revoked one."},
    403: {"model": ErrorOut, "description": "The key's role may not do this."},
}
"""What every endpoint that needs an API key may answer."""
WITH_BODY: dict[int | str, dict[str, Any]] = {
    **KEYED,
    400: {"model": ErrorOut, "description": "The body cannot be read (not UTF-8 JSON)."},
    413: {"model": ErrorOut, "description": "The body is over the size limit."},
}
"""... and every one that takes a body."""


def error(description: str) -> dict[str, Any]:
    """One documented error answer."""
    return {"model": ErrorOut, "description": description}
