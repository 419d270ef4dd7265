"""Persistence of the service: reports, suggestions, staff decisions, users, API keys, login
sessions, the audit trail, the live guard's suspensions of auto-routing, and the deployment's
OPD catalogue with its history of edits.

SQLAlchemy 2 over SQLite (WAL, synchronous=FULL: a committed decision survives the process being
killed) by default, or PostgreSQL by URL. The schema is owned by the Alembic migrations in
``serve/migrations``; :meth:`StoreBase.migrate` brings a database to the latest revision.
"""

from serve.store.catalogue import CatalogueStore
from serve.store.guard import GuardStore
from serve.store.portal import PortalStore
from serve.store.reports import ReportStore
from serve.store.users import UserStore


class Store(UserStore, ReportStore, PortalStore, GuardStore, CatalogueStore):
    """The service's database: users and keys, reports and the queue, decisions and history,
    what the SP4N-LAPOR! portal shows of each report, the deployment's OPD catalogue and its
    edits.
    Every write commits before it returns."""
