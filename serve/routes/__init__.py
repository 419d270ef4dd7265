"""One APIRouter per resource; the API lives under :data:`API_PREFIX`."""

API_PREFIX = "/api/v1"
