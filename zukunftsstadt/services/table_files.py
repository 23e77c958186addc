"""Writing tables as CSV, XLSX and ZIP files: exports and import templates.

CSV is UTF-8 with BOM and `;` (what German Excel opens directly); a cell never starts a formula.
XLSX is written with openpyxl's write-only mode into a temporary file, so a large export keeps
memory flat; text that looks like a formula is stored as text.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import select

from ..extensions import db
from ..models import SDG, Ressort, Topic
from .record_columns import Column, RecordTable, text_cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Sheet = tuple[str, list[str], Iterable[list[Any]]]  # title, header, rows


def _spool() -> IO[bytes]:
    """A temporary file the response streams and closes (deleted when closed)."""
    return tempfile.TemporaryFile()


def guard(text: str) -> str:
    """Text as a spreadsheet shows it, never as a formula (CSV injection)."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_chunks(header: list[str], rows: Iterable[list[Any]], chunk: int = 200) -> Iterator[str]:
    """A CSV file in pieces (for a streamed response): BOM, header, then the rows."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(header)
    for n, row in enumerate(rows, 1):
        writer.writerow([guard(text_cell(v)) for v in row])
        if n % chunk == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    elif isinstance(value, bool):
        value = "ja" if value else "nein"
    elif isinstance(value, Decimal):
        value = float(value)
    elif isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # text, not a formula
            return cell
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "DD.MM.YYYY"
        return cell
    return value  # plain values are written fastest


def _sheet_title(title: str) -> str:
    return "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Tabelle"


def xlsx_file(sheets: Iterable[Sheet]) -> IO[bytes]:
    """An XLSX file with one sheet per table, as an open temporary file at position 0."""
    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(_sheet_title(title))
        for i, name in enumerate(header, 1):
            sheet.column_dimensions[get_column_letter(i)].width = min(max(len(name) + 2, 12), 40)
        sheet.freeze_panes = "A2"
        head = []
        for name in header:
            cell = WriteOnlyCell(sheet, value=name)
            cell.font = bold
            head.append(cell)
        sheet.append(head)
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    if not book.worksheets:
        book.create_sheet("Leer")
    out = _spool()
    book.save(out)
    out.seek(0)
    return out


def zip_of_csv(files: Iterable[tuple[str, list[str], Iterable[list[Any]]]]) -> IO[bytes]:
    """A ZIP archive of CSV files (name, header, rows), written as the rows come."""
    out = _spool()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, header, rows in files:
            with archive.open(name, "w") as member:
                for chunk in csv_chunks(header, rows):
                    member.write(chunk.encode("utf-8"))
    out.seek(0)
    return out


# --- import templates ---------------------------------------------------------------------------

HELP_HEADER = ["Spalte", "Bedeutung", "Pflichtangabe", "Format", "Erlaubte Werte", "Beispiel"]
GENERAL_NOTES = [
    "Tragen Sie ab Zeile 2 des Blatts „Daten“ einen Eintrag je Zeile ein; Zeile 1 enthält die "
    "Spaltenüberschriften und darf nicht verändert werden.",
    "Spalten werden über ihre Überschrift erkannt; die Reihenfolge ist frei. Eine fehlende Spalte "
    "lässt den Wert vorhandener Einträge unverändert, eine leere Zelle leert ihn.",
    "Ein erneuter Import derselben Datei ändert nichts: Einträge werden über ihren Schlüssel "
    "(bei Vorhaben: das Förderkennzeichen) zugeordnet.",
    "Beginnen Sie mit einem Probelauf: er prüft jede Zeile und speichert nichts.",
    "Als CSV: Zeichensatz UTF-8 (mit oder ohne BOM), Trennzeichen Semikolon oder Komma.",
]


def allowed_values(column: Column) -> str:
    """The allowed values of a column as the help sheet shows them."""
    if column.choices:
        return "; ".join(column.choices)
    if column.type == "bool":
        return "ja; nein"
    if column.ref and column.ref[0] is Ressort:
        codes = db.session.scalars(select(Ressort.code).order_by(Ressort.code))
        return "; ".join(codes)
    if column.ref and column.ref[0] is SDG:
        return "1 bis 17"
    if column.ref and column.ref[0] is Topic:
        return "; ".join(db.session.scalars(select(Topic.key).order_by(Topic.key)))
    if column.type in ("ref", "refs"):
        return "Schlüssel aus dem Katalog (siehe Export der jeweiligen Liste)"
    return ""


def help_rows(table: RecordTable) -> list[list[str]]:
    return [[c.header, c.meaning, "ja" if c.required else "nein", c.format, allowed_values(c),
             c.example] for c in table.columns]


def template_xlsx(table: RecordTable) -> IO[bytes]:
    """An empty data sheet with German headers and drop-downs, and a help sheet."""
    book = Workbook()
    data = book.active
    data.title = "Daten"
    bold = Font(bold=True)
    data.append([c.header for c in table.columns])
    for i, column in enumerate(table.columns, 1):
        data.cell(row=1, column=i).font = bold
        letter = get_column_letter(i)
        data.column_dimensions[letter].width = min(max(len(column.header) + 2, 14), 40)
        choices = list(column.choices) if column.choices else (
            ["ja", "nein"] if column.type == "bool" else [])
        formula = '"' + ",".join(choices) + '"'
        if choices and len(formula) < 250 and not any("," in c for c in choices):
            check = DataValidation(type="list", formula1=formula, allow_blank=True)
            check.error = "Bitte wählen Sie einen der erlaubten Werte (siehe Blatt „Hilfe“)."
            check.errorTitle = "Ungültiger Wert"
            data.add_data_validation(check)
            check.add(f"{letter}2:{letter}5000")
    data.freeze_panes = "A2"
    help_sheet = book.create_sheet("Hilfe")
    help_sheet.append(HELP_HEADER)
    for cell in help_sheet[1]:
        cell.font = bold
    for row in help_rows(table):
        help_sheet.append(row)
    help_sheet.append([])
    for note in GENERAL_NOTES:
        help_sheet.append([note])
    wrap = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCDEF", (30, 50, 14, 45, 45, 30), strict=True):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows(min_row=2, max_row=len(table.columns) + 1):
        for cell in row:
            cell.alignment = wrap
    out = _spool()
    book.save(out)
    out.seek(0)
    return out


def template_csv(table: RecordTable) -> str:
    return "".join(csv_chunks([c.header for c in table.columns], []))
