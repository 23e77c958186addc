"""Import of the Förderkatalog des Bundes (CSV export) into the catalogue's projects.

- Streams the file (see `csvformat`), both layouts (see `fk_layout`); bookkeeping rows
  (Sammelvorhabenbuchung, "nur zum Zweck der Auszahlung") are skipped and counted.
- Idempotent by FKZ: each row is new, changed, unchanged or rejected (line, column, German
  reason). Changes go through `editing.stage(..., source="import", source_ref="<file>:<line>")`,
  so history and the search outbox apply; a commit follows every `batch_size` rows.
- Empty cells, and amounts of 0 ("not disclosed"), never erase what the catalogue knows.
- Partners with the same FKZ stem (03SF0712A, 03SF0712B) share one Verbund.
- Kommune: the executing unit's Gemeindekennziffer (else the recipient's) is matched by AGS
  and added to the project's places. An AGS the catalogue does not know is reported as a note
  (Hinweis) and the row is imported without it: a Kommune needs its Land and BBSR city type,
  which the file does not give, so none is invented.
- Ressort: the code in the file is stored as `ressort_at_funding`; today's Ressort follows the
  successor chain (`lookups.current_ressort`) and the report counts each mapping (BMBF → BMFTR).
  An unknown Ressort is a note, not a rejection.
- Programme: set only when the project has none and a programme's key, title or short title
  equals the file's Förderprofil; otherwise the project stays without a programme.
- New projects and organisations are published: the Förderkatalog is itself public.
- Dry run: the same work, rolled back batch by batch, so the report is the same and nothing is
  written. (A FKZ repeated in one file counts as new twice in a dry run, once in a real one.)
- A database error in a batch rolls it back and retries its rows one at a time, so a single
  bad row is rejected and never stops the import.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Municipality, Project, User, verbund_stem
from ..services import editing, records
from .csvformat import open_text, split_cells
from .csvformat import records as csv_records
from .fk_layout import FileFormatError, FkRow, RowError, is_bookkeeping, parse_row, read_header
from .lookups import Lookups
from .report import ImportReport, Problem

__all__ = ["FileFormatError", "ImportReport", "import_file", "import_stream"]

BATCH_SIZE = 500
WHOLE_ROW = "(ganze Zeile)"
Progress = Callable[[int], None]  # bytes read so far


class FoerderkatalogImport:
    def __init__(self, filename: str, *, dry_run: bool = False, actor: User | None = None,
                 batch_size: int = BATCH_SIZE, progress: Progress | None = None) -> None:
        self.filename = filename
        self.dry_run = dry_run
        self.actor = actor
        self.batch_size = max(1, batch_size)
        self.progress = progress or (lambda _n: None)
        self.report = ImportReport(filename, dry_run)
        self.lookups = Lookups(actor)
        self._dry_created: set[str] = set()  # organisations "created" in earlier dry batches

    def run(self, raw: BinaryIO) -> ImportReport:
        started = time.monotonic()
        text, counter = open_text(raw)
        header = text.readline()
        if not header:
            raise FileFormatError("Die Datei ist leer.")
        layout = read_header(split_cells(header.rstrip("\r\n")))
        self.report.layout = layout.name
        batch: list[FkRow] = []
        rows = csv_records(text, first_line=2,
                           fits=lambda record: len(split_cells(record)) == layout.width)
        for line, record in rows:
            if not record.strip(";\t "):
                continue
            self.report.rows += 1
            if is_bookkeeping(record):
                self.report.skipped += 1
                continue
            try:
                batch.append(parse_row(layout, line, split_cells(record)))
            except RowError as exc:
                self.report.reject(Problem(line, exc.column, exc.reason,
                                           _fkz_guess(layout, record)))
            if len(batch) >= self.batch_size:
                self._write(batch)
                batch = []
                self.progress(counter.bytes_read)
        if batch:
            self._write(batch)
        self.progress(counter.bytes_read)
        self.report.seconds = time.monotonic() - started
        return self.report

    # Transactions

    def _write(self, batch: list[FkRow]) -> None:
        part = ImportReport(self.filename, self.dry_run)
        try:
            self._apply(batch, part)
            self._finish()
        except (SQLAlchemyError, records.Conflict):
            self._rollback()
            for row in batch:
                self._write_alone(row)
            return
        self.report.merge(part)

    def _write_alone(self, row: FkRow) -> None:
        part = ImportReport(self.filename, self.dry_run)
        try:
            self._apply([row], part)
            self._finish()
        except (SQLAlchemyError, records.Conflict) as exc:
            self._rollback()
            reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
            self.report.reject(Problem(row.line, WHOLE_ROW,
                                       f"Die Datenbank hat die Zeile abgelehnt: {reason}",
                                       row.fkz))
            return
        self.report.merge(part)

    def _finish(self) -> None:
        if self.dry_run:
            self._rollback()
        else:
            records.commit()

    def _rollback(self) -> None:
        db.session.rollback()
        self.lookups.clear()

    # Rows

    def _apply(self, batch: list[FkRow], part: ImportReport) -> None:
        fkzs = list({row.fkz for row in batch})
        existing = {p.fkz: p for p in db.session.scalars(
            select(Project).where(Project.fkz.in_(fkzs))
            .options(selectinload(Project.municipalities)))}
        wanted = {row.ags[0][0] for row in batch if row.ags}
        places = {m.ags: m for m in db.session.scalars(
            select(Municipality).where(Municipality.ags.in_(wanted)))} if wanted else {}
        for row in batch:
            project = existing.get(row.fkz)
            creating = project is None
            if project is None:
                project = existing[row.fkz] = Project(fkz=row.fkz, publication_status="published")
            with db.session.no_autoflush:
                changed = self._fill(project, row, part, places)
            if creating or changed:
                editing.stage(project, self.actor, source="import",
                             source_ref=f"{self.filename}:{row.line}")
            part.tally(creating, changed)

    def _fill(self, project: Project, row: FkRow, part: ImportReport,
              places: dict[str, Municipality]) -> bool:
        """Copy the row into the project; True when something changed."""
        ref = f"{self.filename}:{row.line}"
        values: dict[str, Any] = {
            "title": row.title, "executing_unit": row.executing_unit,
            "start_date": row.start, "end_date": row.end, "budget_eur": row.amount,
            "ressort_at_funding_id": self._ressort(row, part),
            "lead_organisation_id": self._organisation(row, part, ref),
            "verbund_id": None,
        }
        stem = verbund_stem(row.fkz)
        if stem:
            values["verbund_id"] = self.lookups.verbund_id(stem, row.verbund_title)
        if project.programme_id is None:
            values["programme_id"] = self.lookups.programme_id(row.profile)
        changed = False
        for name, value in values.items():
            if value is None or value == "":
                continue  # empty cells and undisclosed amounts never erase known values
            if getattr(project, name) != value:
                setattr(project, name, value)
                changed = True
        municipality = self._municipality(row, part, places)
        if municipality is not None and municipality not in project.municipalities:
            project.municipalities.append(municipality)
            changed = True
        return changed

    def _ressort(self, row: FkRow, part: ImportReport) -> int | None:
        if not row.ressort:
            part.warn(Problem(row.line, "Ressort", "Das Ressort fehlt; das Vorhaben wird ohne "
                              "Ressort übernommen", row.fkz))
            return None
        found = self.lookups.ressort(row.ressort)
        if found is None:
            part.warn(Problem(row.line, "Ressort", f"Das Ressort „{row.ressort}“ ist nicht im "
                              "Katalog; das Vorhaben wird ohne Ressort übernommen", row.fkz))
            return None
        ressort_id, today = found
        if today != row.ressort:
            part.ressort_mapping[f"{row.ressort} → {today}"] += 1
        return ressort_id

    def _organisation(self, row: FkRow, part: ImportReport, ref: str) -> int | None:
        organisation_id, created = self.lookups.organisation_id(
            row.recipient, row.recipient_city, ref)
        if created:
            if self.dry_run:
                if row.recipient in self._dry_created:
                    return organisation_id
                if len(self._dry_created) < 200_000:
                    self._dry_created.add(row.recipient)
            part.organisations_created += 1
        return organisation_id

    def _municipality(self, row: FkRow, part: ImportReport,
                      places: dict[str, Municipality]) -> Municipality | None:
        if not row.ags:
            return None
        ags, column = row.ags[0]
        if len(ags) != 8 or not ags.isdigit():
            part.warn(Problem(row.line, column, f"„{ags[:20]}“ ist keine gültige "
                              "Gemeindekennziffer (8 Ziffern); das Vorhaben wird ohne Kommune "
                              "übernommen", row.fkz))
            return None
        municipality = places.get(ags)
        if municipality is None:
            part.warn(Problem(row.line, column, f"Die Gemeindekennziffer {ags} ist nicht im "
                              "Katalog; das Vorhaben wird ohne diese Kommune übernommen",
                              row.fkz))
        return municipality


def _fkz_guess(layout: Any, record: str) -> str:
    cells = split_cells(record)
    position = layout.index.get("fkz", 0)
    return cells[position][:40] if position < len(cells) else ""


def import_stream(raw: BinaryIO, filename: str, **options: Any) -> ImportReport:
    """Import an open binary stream (an upload); see FoerderkatalogImport for the options."""
    return FoerderkatalogImport(filename, **options).run(raw)


def import_file(path: str | Path, **options: Any) -> ImportReport:
    path = Path(path)
    with path.open("rb") as raw:
        return import_stream(raw, path.name, **options)
