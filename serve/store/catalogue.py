"""The deployment's OPD catalogue in the database, with every change to it as a row: the one
source the service, the portal's intake, training and the batch job read it from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from models.catalogue import Catalogue, Opd
from pipeline.catalogue_edits import CatalogueChange, CatalogueEditError
from serve.db.tables import CatalogueEdit, CatalogueHead, CatalogueOpd
from serve.store.base import StoreBase
from serve.store.records import now_local

HEAD_ID = 1
"""The catalogue's one head row."""


@dataclass(frozen=True)
class CatalogueEditView:
    """One edit of the catalogue's history, as the admins' page lists it."""

    at: datetime
    actor: str
    edit: str
    name: str
    detail: dict[str, str | None]


def _opd(row: CatalogueOpd) -> Opd:
    return Opd(
        name=row.name, function=row.function, functions=tuple(row.functions), how=row.how,
        aliases=tuple(row.aliases), description=row.description, place=row.place,
        district=row.district, suggested=row.suggested,
    )  # fmt: skip


def _read(session: Session) -> Catalogue | None:
    head = session.get(CatalogueHead, HEAD_ID)
    return None if head is None else _with_opds(session, head.region)


def _with_opds(session: Session, region: str | None) -> Catalogue:
    rows = session.scalars(select(CatalogueOpd).order_by(CatalogueOpd.position))
    return Catalogue(region, [_opd(row) for row in rows])


def _write(session: Session, change: CatalogueChange, actor: str) -> None:
    """Replace the OPDs with the changed catalogue's and record the edit (not committed)."""
    now = now_local()
    head = session.get(CatalogueHead, HEAD_ID)
    if head is None:
        session.add(CatalogueHead(id=HEAD_ID, region=change.catalogue.region, version=1,
                                  changed_at=now))  # fmt: skip
    else:
        head.region, head.changed_at = change.catalogue.region, now
    session.execute(delete(CatalogueOpd))
    session.flush()
    session.add_all(
        CatalogueOpd(position=position, **asdict(opd))
        for position, opd in enumerate(change.catalogue.opds)
    )
    session.add(CatalogueEdit(at=now, actor=actor, edit=change.edit, name=change.name[:200],
                              detail=change.detail))  # fmt: skip


class CatalogueStore(StoreBase):
    def catalogue(self) -> Catalogue | None:
        """The deployment's catalogue; None before the deployment is set up."""
        with self.session() as session:
            return _read(session)

    def set_up_catalogue(self, catalogue: Catalogue, actor: str) -> None:
        """The catalogue of a deployment being set up (or set up anew), recorded as ``init``."""
        with self.session() as session:
            claim = update(CatalogueHead).where(CatalogueHead.id == HEAD_ID)
            session.execute(claim.values(version=CatalogueHead.version + 1))
            _write(session, CatalogueChange(catalogue, "init", catalogue.region or ""), actor)
            session.commit()

    def edit_catalogue(self, edit: Callable[[Catalogue], CatalogueChange], actor: str) -> Catalogue:
        """Apply ``edit`` to the current catalogue and keep both in one transaction. Two admins
        editing at once take turns, so neither edit is lost: the head row is claimed by a write
        before the catalogue is read (SQLite's write lock, PostgreSQL's row lock).
        CatalogueEditError when no deployment is set up or the edit does not apply."""
        with self.session() as session:
            claim = update(CatalogueHead).where(CatalogueHead.id == HEAD_ID)
            claimed = session.execute(claim.values(version=CatalogueHead.version + 1))
            if claimed.rowcount == 0:
                raise CatalogueEditError(code="catalogue.no_deployment")
            region = session.scalar(select(CatalogueHead.region).where(CatalogueHead.id == HEAD_ID))
            change = edit(_with_opds(session, region))
            _write(session, change, actor)
            session.commit()
            return change.catalogue

    def catalogue_version(self) -> int | None:
        """The catalogue's version, raised by every change (None: no deployment): what a
        service compares to see that another process changed it."""
        with self.session() as session:
            return session.scalar(select(CatalogueHead.version).where(CatalogueHead.id == HEAD_ID))

    def catalogue_history(self, limit: int = 100) -> list[CatalogueEditView]:
        """The newest ``limit`` edits, newest first."""
        with self.session() as session:
            rows = session.scalars(
                select(CatalogueEdit).order_by(CatalogueEdit.id.desc()).limit(limit)
            )
            return [
                CatalogueEditView(row.at, row.actor, row.edit, row.name, dict(row.detail))
                for row in rows
            ]
