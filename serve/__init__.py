"""The FastAPI service and the routing-staff web UI."""
