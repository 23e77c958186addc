"""Reading a table from a spreadsheet file: XLSX (first sheet that is not the help) or CSV.

CSV: UTF-8 with or without BOM (ISO-8859-15 is recognised too), `;` or `,` as separator
(decided by the header line), quoted cells with line breaks. A leading apostrophe that an
export put before `=`, `+`, `-` or `@` (so that no spreadsheet runs it as a formula) is removed.
Rows come with their line number in the file, the header being line 1; empty rows are skipped.
Both formats are read as a stream, so memory stays flat however long the table is.
"""

from __future__ import annotations

import csv
import itertools
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from .csvformat import open_text
from .fk_layout import FileFormatError

GUARDED = ("'=", "'+", "'-", "'@")
HELP_SHEET = "hilfe"
# An XLSX is a ZIP; openpyxl holds its shared strings in memory, so a small file that unpacks
# to gigabytes would exhaust it. 100 MB unpacked is far more than any real template holds.
MAX_UNPACKED = 100 * 2**20
UNREADABLE_XLSX = ("Die Datei ist keine lesbare XLSX-Arbeitsmappe. Bitte speichern Sie sie in "
                   "Excel als „Excel-Arbeitsmappe (*.xlsx)“ oder als CSV.")


@dataclass
class Table:
    header: list[str]
    rows: Iterator[tuple[int, list[Any]]]  # (line, cells)
    total: int  # for the progress: bytes (CSV) or rows (XLSX)
    position: Callable[[], int]
    layout: str  # "XLSX" or "CSV (;)" …


def read_table(raw: BinaryIO, filename: str) -> Table:
    head = raw.read(4)
    raw.seek(0)
    if head.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        return _xlsx(raw)
    return _csv(raw)


def _empty(cells: list[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _xlsx(raw: BinaryIO) -> Table:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(raw) as archive:
            unpacked = sum(item.file_size for item in archive.infolist())
    except zipfile.BadZipFile:
        unpacked = 0  # openpyxl below says what is wrong with the file
    raw.seek(0)
    if unpacked > MAX_UNPACKED:
        raise FileFormatError(
            f"Die Arbeitsmappe ist entpackt größer als {MAX_UNPACKED // 2**20} MB und wird nicht "
            "gelesen. Bitte teilen Sie sie auf oder speichern Sie sie als CSV.")
    try:
        book = load_workbook(raw, read_only=True, data_only=True)
        sheets = [s for s in book.worksheets if s.title.strip().lower() != HELP_SHEET]
        if not sheets:
            raise FileFormatError("Die Arbeitsmappe enthält kein Tabellenblatt mit Daten.")
        sheet = sheets[0]
        rows = sheet.iter_rows(values_only=True)
        first = next(rows, None)
    except FileFormatError:
        raise
    except Exception as exc:  # openpyxl and its XML parsers raise many kinds
        raise FileFormatError(UNREADABLE_XLSX) from exc
    if first is None or _empty(list(first)):
        raise FileFormatError("Die erste Zeile des Tabellenblatts muss die Spaltenüberschriften "
                              "enthalten; sie ist leer.")
    header = ["" if c is None else str(c) for c in first]
    done = [1]

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        try:
            for line, cells in enumerate(rows, start=2):
                done[0] = line
                values = list(cells)
                if not _empty(values):
                    yield line, values
        except Exception as exc:  # broken sheet XML further down
            raise FileFormatError(f"Zeile {done[0] + 1}: {UNREADABLE_XLSX}") from exc
        finally:
            book.close()

    return Table(header, numbered(), sheet.max_row or 1, lambda: done[0],
                 f"XLSX, Blatt „{sheet.title}“")


def _csv(raw: BinaryIO) -> Table:
    size = _size(raw)
    text, counter = open_text(raw)
    try:
        first = text.readline()
    except UnicodeDecodeError as exc:
        raise FileFormatError("Die Datei ist weder eine XLSX-Arbeitsmappe noch eine "
                              "CSV-Datei in UTF-8.") from exc
    if not first.strip():
        raise FileFormatError("Die Datei ist leer oder ihre erste Zeile (die "
                              "Spaltenüberschriften) ist leer.")
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
    try:
        header = next(reader)
    except csv.Error as exc:
        raise FileFormatError(f"Zeile 1 (Spaltenüberschriften): {_csv_reason(exc)}") from exc

    def numbered() -> Iterator[tuple[int, list[Any]]]:
        start = reader.line_num + 1
        try:
            for cells in reader:
                line, start = start, reader.line_num + 1
                if not _empty(cells):
                    yield line, [_unguard(c) for c in cells]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise FileFormatError(f"Zeile {start}: die Datei ist ab hier nicht lesbar "
                                  f"({_csv_reason(exc)}).") from exc

    return Table(header, numbered(), size, lambda: counter.bytes_read,
                 f"CSV, Trennzeichen „{delimiter}“")


def _csv_reason(exc: Exception) -> str:
    """Python's csv and codec messages in German."""
    if isinstance(exc, UnicodeDecodeError):
        return "Zeichen, die weder UTF-8 noch ISO-8859-15 sind"
    if "field larger than field limit" in str(exc):
        return (f"eine Zelle ist länger als {csv.field_size_limit() // 1024} KiB; vermutlich "
                "fehlt ein schließendes Anführungszeichen")
    return "die Zeile ist keine gültige CSV-Zeile"


def _size(raw: BinaryIO) -> int:
    try:
        position = raw.tell()
        end = raw.seek(0, 2)
        raw.seek(position)
        return end
    except (OSError, ValueError):
        return 0


def _unguard(cell: str) -> str:
    return cell[1:] if cell.startswith(GUARDED) else cell
