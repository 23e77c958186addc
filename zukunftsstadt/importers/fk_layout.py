"""The columns of the Förderkatalog export, in its current and its older layout.

Current layout: FKZ; Ressort; Referat; Administrierende Stelle; Arb.-Einh.;
Förderempfänger /Auftragnehmer; Gemeindekennziffer; Stadt/Gemeinde; Ort; Bundesland; Staat;
Ausführende Stelle; (the five place columns again); Thema des geförderten Vorhabens;
Leistungsplansystematik; Klartext Leistungsplansystematik; Laufzeit von; Laufzeit bis;
Förder- / Auftragssumme (Anteil des Bundes) in EUR; Förderprofil; Projekt; Förderart.
Older layout: PT instead of Administrierende Stelle, Zuwendungsempfänger, Thema,
Fördersumme in EUR, Verbundprojekt.

Columns are found by name, so their order may vary; the five place columns belong to the
recipient before the column "Ausführende Stelle" and to the executing unit after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .csvformat import header_key, parse_amount, parse_date

FKZ = re.compile(r"^[0-9A-Z][0-9A-Z./-]{3,39}$")
BOOKKEEPING = ("sammelvorhabenbuchung", "nur zum zweck der auszahlung")
_AGS = re.compile(r"^\d{7,8}$")

# field -> header names (reduced by header_key) it may have
ALIASES: dict[str, tuple[str, ...]] = {
    "fkz": ("fkz", "förderkennzeichen"),
    "ressort": ("ressort",),
    "referat": ("referat",),
    "agency": ("administrierendestelle", "pt", "projektträger"),
    "unit": ("arb.-einh.", "arbeitseinheit"),
    "recipient": ("förderempfänger/auftragnehmer", "zuwendungsempfänger", "förderempfänger"),
    "executing": ("ausführendestelle",),
    "title": ("themadesgefördertenvorhabens", "thema"),
    "lps": ("leistungsplansystematik",),
    "lps_text": ("klartextleistungsplansystematik",),
    "start": ("laufzeitvon",),
    "end": ("laufzeitbis",),
    "amount": ("förder-/auftragssumme(anteildesbundes)ineur", "fördersummeineur",
               "förder-/auftragssummeineur"),
    "profile": ("förderprofil",),
    "verbund": ("projekt", "verbundprojekt"),
    "kind": ("förderart",),
}
PLACE = {"gemeindekennziffer": "ags", "stadt/gemeinde": "city", "ort": "place",
         "bundesland": "state", "staat": "country"}
OLD_LAYOUT_MARKS = {"zuwendungsempfänger", "fördersummeineur", "verbundprojekt", "thema"}
REQUIRED = ("fkz", "ressort", "title", "start", "end", "amount")
LABELS = {"fkz": "FKZ", "ressort": "Ressort", "title": "Thema des geförderten Vorhabens",
          "start": "Laufzeit von", "end": "Laufzeit bis",
          "amount": "Förder- / Auftragssumme (Anteil des Bundes) in EUR"}
_BY_KEY = {alias: name for name, aliases in ALIASES.items() for alias in aliases}


class FileFormatError(ValueError):
    """The file as a whole cannot be read (said in German)."""


class RowError(ValueError):
    """A row is rejected: the column and the German reason."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass
class Layout:
    name: str  # "aktuell" or "älter"
    index: dict[str, int]  # field -> cell position
    header: list[str]  # column names as in the file

    @property
    def width(self) -> int:
        return len(self.header)

    def column(self, name: str) -> str:
        """The column's name as the file writes it (for reports)."""
        position = self.index.get(name)
        if position is None:
            return LABELS.get(name, name)
        label = self.header[position]
        if name.startswith("recipient_"):
            return f"{label} (Förderempfänger)"
        if name.startswith("executing_"):
            return f"{label} (Ausführende Stelle)"
        return label


def read_header(cells: list[str]) -> Layout:
    index: dict[str, int] = {}
    seen_executing = False
    for position, name in enumerate(cells):
        key = header_key(name)
        if key in PLACE:
            field_name = ("executing_" if seen_executing else "recipient_") + PLACE[key]
        elif key in _BY_KEY:
            field_name = _BY_KEY[key]
            seen_executing = seen_executing or field_name == "executing"
        else:
            continue  # columns we do not use are allowed
        index.setdefault(field_name, position)
    missing = [LABELS[name] for name in REQUIRED if name not in index]
    if missing:
        raise FileFormatError(
            "Die Kopfzeile (Zeile 1) ist keine Förderkatalog-Kopfzeile: es fehlen die Spalten "
            + ", ".join(f"„{m}“" for m in missing) + ". Erwartet wird der CSV-Export des "
            "Förderkatalogs (Trennzeichen „;“)."
        )
    old = any(header_key(name) in OLD_LAYOUT_MARKS for name in cells)
    return Layout("älter" if old else "aktuell", index, cells)


@dataclass
class FkRow:
    """One project row of the file, parsed and checked."""

    line: int
    fkz: str
    ressort: str
    title: str
    recipient: str
    recipient_city: str
    executing_unit: str
    ags: list[tuple[str, str]] = field(default_factory=list)  # (AGS, column)
    start: date | None = None
    end: date | None = None
    amount: Decimal | None = None
    verbund_title: str = ""
    profile: str = ""


def is_bookkeeping(record: str) -> bool:
    """Sammelvorhabenbuchungen and rows "nur zum Zweck der Auszahlung" are no projects."""
    lowered = record.lower()
    return any(mark in lowered for mark in BOOKKEEPING)


def parse_row(layout: Layout, line: int, cells: list[str]) -> FkRow:
    """A checked row, or RowError naming the column and the reason in German."""
    if len(cells) != layout.width:
        raise RowError("(ganze Zeile)", f"Die Zeile hat {len(cells)} statt {layout.width} "
                       "Spalten (Trennzeichen „;“ oder Anführungszeichen prüfen)")

    def get(name: str) -> str:
        position = layout.index.get(name)
        return cells[position] if position is not None else ""

    fkz = get("fkz").upper().replace(" ", "")
    if not fkz:
        raise RowError(layout.column("fkz"), "Das Förderkennzeichen fehlt")
    if not FKZ.match(fkz):
        raise RowError(layout.column("fkz"), f"„{fkz[:60]}“ ist kein gültiges Förderkennzeichen")
    title = get("title")
    if not title:
        raise RowError(layout.column("title"), "Das Thema des Vorhabens fehlt")
    if len(title) > 500:
        raise RowError(layout.column("title"), "Das Thema ist länger als 500 Zeichen")
    ressort = get("ressort").upper()
    if len(ressort) > 20:
        raise RowError(layout.column("ressort"), f"„{ressort[:40]}“ ist kein Ressortkürzel")
    recipient, executing = get("recipient"), get("executing")
    if len(recipient) > 300:
        raise RowError(layout.column("recipient"), "Der Name ist länger als 300 Zeichen")
    if len(executing) > 300:
        raise RowError(layout.column("executing"), "Der Name ist länger als 300 Zeichen")
    dates = {}
    for name in ("start", "end"):
        try:
            dates[name] = parse_date(get(name))
        except ValueError as exc:
            raise RowError(layout.column(name), str(exc)) from exc
    if dates["start"] and dates["end"] and dates["end"] < dates["start"]:
        raise RowError(layout.column("end"), "Das Laufzeitende liegt vor dem Laufzeitbeginn")
    try:
        amount = parse_amount(get("amount"))
    except ValueError as exc:
        raise RowError(layout.column("amount"), str(exc)) from exc
    places = []
    for prefix in ("executing_", "recipient_"):  # where the work is done comes first
        value = get(prefix + "ags").replace(" ", "")
        if value:
            places.append((value.zfill(8) if _AGS.match(value) else value,
                           layout.column(prefix + "ags")))
    return FkRow(
        line=line, fkz=fkz, ressort=ressort, title=title, recipient=recipient,
        recipient_city=get("recipient_city") or get("recipient_place"),
        executing_unit=executing, ags=places, start=dates["start"], end=dates["end"],
        amount=amount, verbund_title=get("verbund")[:500], profile=get("profile"),
    )
