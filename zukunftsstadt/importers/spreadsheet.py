"""Import of a filled template (XLSX or CSV) for one record kind.

- Columns are found by their German header (see `services.record_columns`); a missing optional
  column leaves the field as it is, an empty cell empties it.
- Idempotent by the natural key (FKZ for projects, the key otherwise): each row is new, changed,
  unchanged or rejected (line, the header being line 1, column and German reason; every
  problem of a row is listed). Changes go through `editing.stage(..., source="import",
  source_ref="<file>:<line>")`, so history and the search outbox apply.
- Permissions as in the forms: an account imports only the kinds it may create, and changes
  or creates only records of its Ressorts; publishing needs the right to publish. New records
  are drafts unless the column Veröffentlichungsstatus says otherwise.
- Dry run: the same work in one transaction that is rolled back at the end, so rows may refer
  to rows above them and nothing is written. A real run commits every `batch_size` rows.
- A database error rejects its row; the other rows of the batch are written again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, BinaryIO

from sqlalchemy import func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from .. import permissions
from ..extensions import db
from ..models import SDG, Municipality, Organisation, Project, ResearchPriority, Ressort, User
from ..services import editing, records
from ..services.record_columns import TABLES, Column, RecordTable
from .csvformat import header_key
from .fk_layout import FileFormatError
from .report import Problem
from .spreadsheet_cells import CellError, blank_value, is_blank, parse
from .spreadsheet_reader import read_table
from .spreadsheet_report import SpreadsheetReport

__all__ = ["FileFormatError", "SpreadsheetImport", "SpreadsheetReport", "can_import"]

BATCH_SIZE = 500
WHOLE_ROW = "(ganze Zeile)"
Progress = Callable[[int, int], None]  # done, total


def can_import(user: Any, kind: str) -> bool:
    """Who may import a kind: who may create it in a form (the command line may all)."""
    return user is None or permissions.can_create(user, kind)


class RowRejected(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


class SpreadsheetImport:
    def __init__(self, kind: str, filename: str, *, dry_run: bool = False,
                 actor: User | None = None, batch_size: int = BATCH_SIZE,
                 progress: Progress | None = None) -> None:
        self.table: RecordTable = TABLES[kind]
        self.filename = filename
        self.dry_run = dry_run
        self.actor = actor
        self.batch_size = max(1, batch_size)
        self.progress = progress or (lambda _done, _total: None)
        self.report = SpreadsheetReport(filename, dry_run)
        self._found: dict[tuple[type, str], Any] = {}  # lookups of the current batch
        self._existing: dict[str, Any] = {}  # records of the current batch, by key

    # The file

    def run(self, raw: BinaryIO) -> SpreadsheetReport:
        started = time.monotonic()
        source = read_table(raw, self.filename)
        self.report.layout = f"{self.table.label}, {source.layout}"
        self.columns = self._columns(source.header)
        batch: list[tuple[int, list[Any]]] = []
        try:
            for line, cells in source.rows:
                self.report.rows += 1
                batch.append((line, cells))
                if len(batch) >= self.batch_size:
                    self._write(batch)
                    batch = []
                    self.progress(source.position(), source.total)
            if batch:
                self._write(batch)
        finally:
            if self.dry_run:
                db.session.rollback()
        self.progress(source.total, source.total)
        self.report.seconds = time.monotonic() - started
        return self.report

    def _columns(self, header: list[str]) -> dict[int, Column]:
        known = {header_key(c.header): c for c in self.table.columns}
        known.update({header_key(c.name): c for c in self.table.columns})
        found: dict[int, Column] = {}
        for position, name in enumerate(header):
            if not name.strip():
                continue
            column = known.get(header_key(name))
            if column is None:
                self.report.warn(Problem(1, name[:80], "Unbekannte Spalte; sie wird nicht "
                                         "gelesen. Die Spalten stehen im Blatt „Hilfe“ der "
                                         "Vorlage."))
            elif column in found.values():
                raise FileFormatError(f"Die Spalte „{column.header}“ kommt zweimal vor.")
            else:
                found[position] = column
        missing = [c.header for c in self.table.columns
                   if c.required and c not in found.values()]
        if missing:
            raise FileFormatError(
                f"Das ist keine Tabelle für {self.table.label}: es fehlen die Pflichtspalten "
                + ", ".join(f"„{m}“" for m in missing)
                + ". Bitte verwenden Sie die Vorlage (Zeile 1: Spaltenüberschriften).")
        return found

    # Transactions

    def _write(self, batch: list[tuple[int, list[Any]]]) -> None:
        parsed = [(line, *self._parse(line, cells)) for line, cells in batch]
        while parsed:
            part = SpreadsheetReport(self.filename, self.dry_run)
            self._found.clear()  # objects expire at commit and vanish at rollback
            line = 0
            try:
                self._prefetch(parsed)
                for line, values, problems in parsed:
                    self._row(line, dict(values), problems, part)
                if not self.dry_run:
                    records.commit()
            except (SQLAlchemyError, records.Conflict) as exc:
                db.session.rollback()
                reason = str(getattr(exc, "orig", None) or exc).splitlines()[0][:200]
                self.report.reject_row([Problem(line, WHOLE_ROW, "Die Datenbank hat die Zeile "
                                                f"abgelehnt: {reason}")])
                parsed = [row for row in parsed if row[0] != line]
                continue
            self.report.merge(part)
            return

    # Rows

    def _prefetch(self, parsed: list[tuple[int, dict[str, Any], list[Problem]]]) -> None:
        """The batch's existing records with their links, in one query per relation."""
        keys = {values[self.table.key] for _, values, problems in parsed
                if not problems and values.get(self.table.key)}
        column = getattr(self.table.model, self.table.key)
        self._existing = {getattr(r, self.table.key): r for r in db.session.scalars(
            select(self.table.model).where(column.in_(keys)).options(*self.table.loads))}

    def _row(self, line: int, values: dict[str, Any], problems: list[Problem],
             part: SpreadsheetReport) -> None:
        key_column = self.table.column(self.table.key)
        key = values.get(self.table.key)
        if problems:
            part.reject_row([Problem(p.line, p.column, p.reason, key or "") for p in problems])
            return
        try:
            with db.session.no_autoflush:
                record, creating = self._record(line, key, key_column)
                resolved = self._resolve(line, values)
                changed, links = self._apply(line, record, creating, resolved)
        except RowRejected as exc:
            part.reject_row([Problem(p.line, p.column, p.reason, key or "")
                             for p in exc.problems])
            unsaved = self._existing.get(key)
            if unsaved is not None and unsaved.id is None:
                del self._existing[key]  # a later row with this key starts afresh
            return
        if creating or changed:
            editing.stage(record, self.actor, source="import",
                          source_ref=f"{self.filename}:{line}", links=links)
        part.tally(creating, changed)

    def _parse(self, line: int, cells: list[Any]) -> tuple[dict[str, Any], list[Problem]]:
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for position, column in self.columns.items():
            cell = cells[position] if position < len(cells) else None
            if is_blank(cell):
                if column.required:
                    problems.append(Problem(line, column.header, "Pflichtangabe fehlt."))
                elif column.type == "choice":
                    continue  # an empty choice keeps the value (or the default)
                else:
                    nullable = _nullable(self.table.model, column.name)
                    values[column.name] = blank_value(column, nullable)
                continue
            try:
                values[column.name] = parse(column, cell)
            except CellError as exc:
                problems.append(Problem(line, column.header, str(exc)))
        return values, problems

    def _record(self, line: int, key: str, column: Column) -> tuple[Any, bool]:
        model = self.table.model
        record = self._existing.get(key)
        if record is None:  # not in the catalogue, nor earlier in this batch
            record = self._existing[key] = model(**{self.table.key: key},
                                                 publication_status="draft")
            return record, True
        if self.actor is not None and not permissions.can_read(self.actor, record):
            # the same words as for any key one cannot use: nothing about a record one may
            # not read (a confidential programme, another Ressort's draft) is confirmed
            raise RowRejected([Problem(line, column.header, f"„{key}“ kann hier nicht "
                                       "verwendet werden. Bitte prüfen Sie den Wert; bei Fragen "
                                       "hilft die Koordination.")])
        if record.deleted_at is not None:
            raise RowRejected([Problem(line, column.header, f"Der Eintrag „{key}“ ist gelöscht "
                                       "(Papierkorb); die Koordination kann ihn "
                                       "wiederherstellen.")])
        if self.actor is not None and not permissions.can_edit(self.actor, record):
            raise RowRejected([Problem(line, column.header, f"Sie dürfen den Eintrag „{key}“ "
                                       "nicht ändern (er gehört nicht zu Ihren Ressorts).")])
        return record, False

    def _resolve(self, line: int, values: dict[str, Any]) -> dict[str, Any]:
        """Keys, codes and AGS to records; every unknown one is a problem of its column."""
        problems: list[Problem] = []
        for column in self.table.columns:
            if column.name not in values or column.type not in ("ref", "refs", "places"):
                continue
            value = values[column.name]
            try:
                if column.type == "places":
                    values[column.name] = self._places(value)
                elif column.type == "ref":
                    values[column.name] = None if value is None else self._lookup(column, value)
                else:
                    values[column.name] = [self._lookup(column, v) for v in dict.fromkeys(value)]
            except CellError as exc:
                problems.append(Problem(line, column.header, str(exc)))
        if problems:
            raise RowRejected(problems)
        return values

    def _places(self, entries: list[str]) -> list[Any]:
        """Kommunen by AGS (seven digits are padded) or name, as the forms take them."""
        found: list[Any] = []
        unknown: list[str] = []
        for entry in entries:
            entry = entry.zfill(8) if entry.isdigit() and len(entry) == 7 else entry
            cache_key = (Municipality, entry)
            if cache_key not in self._found:
                try:
                    self._found[cache_key] = editing.resolve_municipalities(entry)[0]
                except (editing.InputError, IndexError):
                    unknown.append(entry)
                    continue
            if self._found[cache_key] not in found:
                found.append(self._found[cache_key])
        if unknown:
            try:
                editing.resolve_municipalities("; ".join(unknown))
            except editing.InputError as exc:  # the forms' message, naming every unknown one
                raise CellError(str(exc)) from None
        return found

    def _lookup(self, column: Column, value: str) -> Any:
        """The record a key names; remembered until the next commit or rollback."""
        assert column.ref is not None
        cache_key = (column.ref[0], value)
        found = self._found.get(cache_key)
        if found is None:
            found = self._found[cache_key] = self._find(column, value)
        return found

    def _find(self, column: Column, value: str) -> Any:
        assert column.ref is not None
        model, attr = column.ref
        if model is SDG:
            number = int(value) if value.isdigit() else 0
            found = db.session.get(SDG, number) if 1 <= number <= 17 else None
        elif model is Ressort:
            found = db.session.scalar(select(Ressort).where(
                func.upper(Ressort.code) == value.upper()))
        else:
            query = select(model).where(getattr(model, attr) == value)
            if model is Organisation:
                query = select(model).where(or_(Organisation.key == value,
                                                Organisation.name == value)).order_by(model.id)
            if model is Project:
                query = select(model).where(Project.fkz == value.upper().replace(" ", ""))
            if hasattr(model, "deleted_at"):
                query = query.where(model.deleted_at.is_(None))
            found = db.session.scalars(query).first()
            if found is not None and self.actor is not None and not permissions.can_name(
                    self.actor, found):
                found = None
        if found is None:
            raise CellError(f"„{value[:60]}“ ist im Katalog nicht bekannt.")
        return found

    def _apply(self, line: int, record: Any, creating: bool,
               values: dict[str, Any]) -> tuple[bool, dict[str, list[Any]]]:
        """Copy the values into the record; whether something changed, and the changed links
        by name for the history (as a form's edit records them)."""
        status = values.pop("publication_status", None)
        originals: dict[str, Any] = {}
        for name, value in values.items():
            current = getattr(record, name)
            if self.actor is not None and not creating:
                value = self._with_hidden_links(current, value)
            if isinstance(value, list):
                if {id(v) for v in value} != {id(v) for v in current}:
                    originals[name] = list(current)
                    setattr(record, name, value)
            elif current is not value and current != value:
                originals[name] = current
                setattr(record, name, value)
        problems = self._check(line, record, creating, status)
        if problems:
            # Put every value back: links also changed the other side (backrefs), and a
            # half-filled record must not reach the database through them.
            for name, original in originals.items():
                setattr(record, name, original)
            if creating and record in db.session:
                db.session.expunge(record)
            raise RowRejected(problems)
        changed = bool(originals)
        if status and status != record.publication_status:
            record.publication_status = status
            changed = True
        links = {name: [editing.names(before), editing.names(getattr(record, name))]
                 for name, before in originals.items() if isinstance(before, list)}
        return changed, links

    def _with_hidden_links(self, current: Any, value: Any) -> Any:
        """Links the importer may not see were not in their export: keep them."""
        if isinstance(value, list) and isinstance(current, list):
            return value + [v for v in current
                            if not permissions.can_name(self.actor, v) and v not in value]
        if value is None and current is not None and not permissions.can_name(
                self.actor, current):
            return current
        return value

    def _check(self, line: int, record: Any, creating: bool, status: str | None) -> list[Problem]:
        problems = []
        start, end = getattr(record, "start_date", None), getattr(record, "end_date", None)
        if start and end and end < start:
            problems.append(Problem(line, "Ende", "Das Ende darf nicht vor dem Beginn liegen."))
        if isinstance(record, ResearchPriority) and _cycle(record):
            problems.append(Problem(line, "Übergeordneter Schwerpunkt (Schlüssel)",
                                    "Ein Schwerpunkt kann nicht sich selbst oder einem seiner "
                                    "Unterpunkte untergeordnet werden."))
        if self.actor is None:
            return problems
        if not permissions.can_edit(self.actor, record):
            problems.append(Problem(line, WHOLE_ROW, "Der Eintrag gehört nicht zu Ihren "
                                    "Ressorts; Sie dürfen ihn nicht anlegen oder dorthin "
                                    "verschieben."))
        elif status and status != record.publication_status and not self._may_move(
                record, creating, status):
            problems.append(Problem(line, "Veröffentlichungsstatus", "Diesen Status dürfen Sie "
                                    "nicht setzen (Veröffentlichen nur durch die Koordination "
                                    "oder mit ihrer Freigabe für das Ressort)."))
        return problems

    def _may_move(self, record: Any, creating: bool, status: str) -> bool:
        if permissions.is_coordination(self.actor):
            return True
        if not creating:
            return permissions.can_move(self.actor, record, status)
        ressort = getattr(record, "ressort", None)
        return status in ("draft", "submitted") or (
            status == "published" and bool(ressort and ressort.editors_may_publish))


def _nullable(model: type, name: str) -> bool:
    column = model.__table__.columns.get(name)  # type: ignore[attr-defined]
    return column is None or bool(column.nullable)


def _cycle(record: ResearchPriority) -> bool:
    seen: set[int] = set()
    parent = record.parent
    while parent is not None and id(parent) not in seen:
        if parent is record:
            return True
        seen.add(id(parent))
        parent = parent.parent
    return False


def import_stream(kind: str, raw: BinaryIO, filename: str, **options: Any) -> SpreadsheetReport:
    return SpreadsheetImport(kind, filename, **options).run(raw)
