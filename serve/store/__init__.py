"""Persistence of the service: reports, suggestions, staff decisions, users, API keys, login
sessions, the audit trail and the live guard's suspensions of auto-routing.

SQLAlchemy 2 over SQLite (WAL, synchronous=FULL: a committed decision survives the process being
killed) by default, or PostgreSQL by URL. The schema is owned by the Alembic migrations in
``serve/migrations``; :meth:`StoreBase.migrate` brings a database to the latest revision.
"""

from serve.store.guard import GuardStore
from serve.store.portal import PortalStore
from serve.store.reports import ReportStore
from serve.store.users import UserStore


class Store(UserStore, ReportStore, PortalStore, GuardStore):
    """The service's database: users and keys, reports and the queue, decisions and history,
    what the SP4N-LAPOR! portal shows of each report.
    Every write commits before it returns."""
