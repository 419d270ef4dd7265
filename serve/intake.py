"""The morning intake of the SP4N-LAPOR! export (``lapor intake``, the admin page ``/impor``).
The portal is the system of record: the reports the store does not have join the queue (masked
at the import boundary, classified in batches, linked to earlier reports of the same problem);
the reports it has are brought up to date from the portal (its status along the lifecycle, the
OPD it shows as the portal's own decision, never over a staff decision made here). Matched by
``Tracking ID``: running the same export twice changes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from core.errors import LaporError
from core.schema import PORTAL_CHANNELS, Report
from core.suggestion import Suggestion
from models.regions import region_key
from models.triage import Triage
from pipeline.ingest.reader import ReportReader, RowIssue
from serve.store import Store
from serve.store.records import naive_local, now_local

BATCH = 256
"""New reports classified together (the model's batch)."""
INSTANSI = re.compile(r"^\s*pemerintah\s+", re.IGNORECASE)


ModelRunner = Callable[[Callable[[list[Report]], None], list[Report]], None]
"""How an intake runs a batch's model work: ``runner(work, batch)``."""


class WrongRegionError(LaporError):
    """An export of another regency than the deployment's."""


@dataclass
class IntakeSummary:
    """What an intake did, row by row."""

    rows: int = 0
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    refused: list[RowIssue] = field(default_factory=list)

    @property
    def needs_a_person(self) -> bool:
        """Rows were refused: someone should look at the export (the exit code says so)."""
        return bool(self.refused)

    def describe(self) -> str:
        return (
            f"{self.rows:,} rows: {len(self.new):,} new, {len(self.updated):,} updated from the "
            f"portal, {self.unchanged:,} unchanged, {len(self.refused):,} refused"
        )


def export_region(title_block: dict[str, str]) -> str | None:
    """The regency an export belongs to, from its title block ("Nama Instansi: Pemerintah
    Kabupaten Bandung"); None where it does not say."""
    instansi = next((v for k, v in title_block.items() if k.casefold() == "nama instansi"), None)
    return INSTANSI.sub("", instansi).strip() if instansi else None


def check_region(title_block: dict[str, str], deployment: str | None) -> None:
    """WrongRegionError, in one sentence, when the export names another regency."""
    exported = export_region(title_block)
    if deployment and exported and region_key(exported) != region_key(deployment):
        raise WrongRegionError(code="intake.wrong_region", exported=exported, deployment=deployment)


def read_export(path: Path) -> tuple[list[tuple[int, Report]], list[RowIssue], dict[str, str]]:
    """An export's reports by row number, the rows refused (by number, with the reason) and
    its title block. A row without a ``Tracking ID`` is refused: intake matches by it."""
    reader = ReportReader(path, "auto")
    reports, refused = [], []
    for number, item in reader.numbered():
        if isinstance(item, RowIssue):
            refused.append(item)
        elif not item.id:
            refused.append(RowIssue(number, "no Tracking ID: intake matches reports by it"))
        else:
            reports.append((number, item))
    return reports, refused, reader.stats.title_block


def intake_export(
    store: Store,
    triage: Triage,
    path: Path,
    deployment: str | None,
    force: bool = False,
    finish: Callable[[list[Suggestion]], list[Suggestion]] = lambda suggestions: suggestions,
    progress: Callable[[int, int], None] = lambda done, total: None,
    on_model: ModelRunner = lambda work, batch: work(batch),
) -> IntakeSummary:
    """Import an export (any layout ``data inspect`` reads) into the store: new reports join
    the queue, known ones are updated from the portal. ``deployment``: the deployment's regency;
    an export of another is refused unless ``force``. ``finish``: how the deployment serves the
    model's suggestions (:meth:`serve.predictor.Predictor.finish`: the live guard's holds and the
    check share). ``progress(done, total)`` after each batch
    of new reports; ``on_model(work, batch)`` runs a batch's model work where the caller's
    model runs (the service: its model thread, one batch at a time, so that single reports are
    answered between an upload's batches)."""
    reports, refused, title_block = read_export(Path(path))
    if not force:
        check_region(title_block, deployment)
    summary = IntakeSummary(rows=len(reports) + len(refused), refused=refused)
    now = now_local()
    known = store.known_report_ids([r.id for _, r in reports])
    fresh = [r for _, r in reports if r.id not in known]

    def classify_and_store(batch: list[Report]) -> None:
        """Suggestions for a batch, then each report in order: linked to the earlier reports
        of the same problem, stored, and only then remembered by the duplicate index."""
        suggestions = finish(triage.router.predict(batch))
        for report, suggestion in zip(batch, suggestions, strict=True):
            triage.link_duplicates(report, suggestion)
            received = naive_local(report.created_at) if report.created_at else now
            store.add_report(report, suggestion, received_at=min(received, now))
            triage.remember(report, suggestion)

    for start in range(0, len(fresh), BATCH):
        batch = fresh[start : start + BATCH]
        on_model(classify_and_store, batch)
        summary.new += [r.id for r in batch]
        progress(min(start + BATCH, len(fresh)), len(fresh))
    added = set(summary.new)
    for _, report in reports:
        changed = store.apply_portal(report, report.id in added, now)
        if report.id in added:
            continue
        if changed:
            summary.updated.append(report.id)
        else:
            summary.unchanged += 1
    return summary


DISPOSITION_COLUMNS = (
    "Tracking ID", "Klasifikasi Laporan", "Kategori", "Instansi Tujuan", "Instansi Pendukung",
    "Mendesak", "Diputuskan oleh", "Waktu Keputusan",
)  # fmt: skip
"""The dispositions export, in the order a verifier enters them in the portal."""


def dispositions(store: Store, since: datetime | None = None) -> list[dict[str, str]]:
    """One row per report decided here (since ``since``) that the portal does not show
    forwarded to that OPD yet: urgent first, then the oldest. The next intake of the portal's
    export drops the ones it shows done."""
    return [
        dict(
            zip(
                DISPOSITION_COLUMNS,
                (
                    row.report_id,
                    PORTAL_CHANNELS.get(row.channel or "", ""),
                    row.category or "",
                    row.agency,
                    "; ".join(row.supporting),
                    "Ya" if row.urgent else "Tidak",
                    row.decided_by,
                    f"{row.decided_at:%Y-%m-%d %H:%M}",
                ),
                strict=True,
            )
        )
        for row in store.decided_here(since)
    ]
