"""The columns of each record kind in spreadsheets: templates, imports and list exports.

One definition per kind says, for every column, its German header, the record attribute it
maps to, whether it is required, its format, its allowed values, an example and its meaning.
Templates and their help sheet, the spreadsheet import and the CSV/XLSX/JSON list exports all
read from here, so an exported list can be edited and imported again unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import selectinload

from .. import german_formats, kind_fields, kinds, permissions, visibility
from ..kinds import Kind
from ..models import (
    LAB_PHASES,
    ORGANISATION_KINDS,
    PROGRAMME_KINDS,
    PROGRAMME_STATUSES,
    PUBLICATION_STATUSES,
    RESULTS_STATUSES,
    SDG,
    Organisation,
    Programme,
    Project,
    RealWorldLab,
    ResearchPriority,
    Ressort,
    Topic,
)


def _labels(codes: dict[str, str]) -> dict[str, str]:
    """German label -> stored code."""
    return {label: code for code, label in codes.items()}


def _same(values: list[str]) -> dict[str, str]:
    return {v: v for v in values}


PUBLICATION = _labels(PUBLICATION_STATUSES)


@dataclass(frozen=True)
class Column:
    header: str  # German, as in the template's first row
    name: str  # record attribute, and the field name in JSON exports
    type: str  # key, fkz, text, long, email, url, date, amount, bool, choice, ref, refs, places
    meaning: str
    example: str = ""
    required: bool = False
    limit: int = 300  # characters, for text types
    choices: dict[str, str] | None = None  # label in the file -> stored code
    ref: tuple[type, str] | None = None  # (model, natural key) for ref and refs
    private: bool = False  # contact data: only for those who may edit the record

    @property
    def format(self) -> str:
        if self.type == "text":
            return f"Text, höchstens {self.limit} Zeichen"
        if self.ref and self.ref[0] is Ressort:
            return "Kürzel eines Ressorts (siehe erlaubte Werte)"
        if self.ref and self.ref[0] is SDG:
            return "Nummern der Nachhaltigkeitsziele, mehrere durch Semikolon getrennt"
        if self.ref and self.ref[0] is Project:
            return "Förderkennzeichen vorhandener Vorhaben, mehrere durch Semikolon getrennt"
        return FORMATS[self.type]


FORMATS = {
    "key": "Kennung aus Buchstaben ohne Umlaute, Ziffern, Punkt, Unterstrich und Bindestrich, "
           "höchstens 80 Zeichen, z. B. smart-cities",
    "fkz": "Förderkennzeichen: Ziffern, Großbuchstaben, Punkt, Schrägstrich, Bindestrich",
    "long": "Text, höchstens 20.000 Zeichen, Zeilenumbrüche erlaubt",
    "email": "E-Mail-Adresse, z. B. name@beispiel.de",
    "url": "öffentliche Web-Adresse, beginnt mit http:// oder https://",
    "date": "Datum TT.MM.JJJJ (oder JJJJ-MM-TT, oder eine Datumszelle), zwischen 1949 und 2100",
    "amount": "Betrag in Euro: 1.000,50 oder 1000,50 oder 1000.50 (oder eine Zahlenzelle); "
              "nicht negativ",
    "bool": "ja oder nein (leer = nein)",
    "choice": "einer der erlaubten Werte",
    "ref": "Schlüssel eines vorhandenen Eintrags",
    "refs": "Schlüssel vorhandener Einträge, mehrere durch Semikolon getrennt",
    "places": "achtstellige Gemeindeschlüssel (AGS) oder Namen von Kommunen, mehrere durch "
              "Semikolon getrennt",
}


@dataclass(frozen=True)
class RecordTable:
    of: Kind  # name, URL segment, German plural (sheet and file names), model, natural key
    columns: list[Column]
    visible: Callable[[], Select]  # the records the current user may read
    loads: list[Any] = field(default_factory=list)  # eager loads for exports

    @property
    def kind(self) -> str:
        return self.of.name

    @property
    def segment(self) -> str:
        return self.of.segment

    @property
    def label(self) -> str:
        return self.of.plural

    @property
    def model(self) -> type:
        return self.of.model

    @property
    def key(self) -> str:
        return self.of.key

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _publication() -> Column:
    return Column("Veröffentlichungsstatus", "publication_status", "choice",
                  "Stand im Arbeitsablauf; leer lässt einen vorhandenen Eintrag, wie er ist, und "
                  "legt neue Einträge als Entwurf an", "Entwurf", choices=PUBLICATION)


def _visible_organisations() -> Select:
    from sqlalchemy import select

    return select(Organisation).where(Organisation.deleted_at.is_(None))


_KEY_MEANING = ("stabile Kennung des Eintrags; ein erneuter Import mit demselben Schlüssel "
                "ändert den vorhandenen Eintrag, statt einen neuen anzulegen")
_RESSORT = (Ressort, "code")

TABLES: dict[str, RecordTable] = {t.kind: t for t in [
    RecordTable(kinds.PROGRAMME, [
        Column("Schlüssel", "key", "key", _KEY_MEANING, "smart-cities", required=True),
        Column("Titel", "title", "text", "Titel des Förderprogramms oder der Förderrichtlinie",
               "Modellprojekte Smart Cities", required=True, limit=500),
        Column("Kurztitel", "short_title", "text", "gebräuchliche Kurzform", "MPSC", limit=120),
        Column("Ressort", "ressort", "ref", "heute zuständiges Ressort (Kürzel)", "BMWSB",
               required=True, ref=_RESSORT),
        Column("Ressort zum Förderzeitpunkt", "ressort_at_funding", "ref",
               "Ressort, das bei der Bewilligung zuständig war (leer = wie Ressort)", "BMI",
               ref=_RESSORT),
        Column("Projektträger", "funding_body", "text", "administrierende Stelle",
               "Zukunft – Umwelt – Gesellschaft (ZUG) gGmbH"),
        Column("Art", "kind", "choice", "Art des Programms", "Modellvorhaben",
               choices=_same(PROGRAMME_KINDS)),
        Column("Status", "status", "choice", "Stand des Programms", "laufend",
               choices=_labels(PROGRAMME_STATUSES)),
        Column("Vertraulich", "confidential", "bool",
               "nur für das eigene Ressort und die Koordination sichtbar (geplante Programme)",
               "nein"),
        Column("Budget in Euro", "budget_eur", "amount", "Gesamtbudget", "820.000.000,00"),
        Column("Beginn", "start_date", "date", "Beginn der Laufzeit", "01.01.2019"),
        Column("Ende", "end_date", "date", "Ende der Laufzeit; nicht vor dem Beginn",
               "31.12.2030"),
        Column("Beschreibung", "description", "long", "Ziele und Gegenstand der Förderung",
               "Förderung der digitalen Stadtentwicklung …"),
        Column("Web-Adresse", "url", "url", "Seite des Programms",
               "https://www.smart-city-dialog.de", limit=500),
        _publication(),
    ], visibility.programmes, [selectinload(Programme.ressort),
                               selectinload(Programme.ressort_at_funding)]),
    RecordTable(kinds.PROJECT, [
        Column("Förderkennzeichen (FKZ)", "fkz", "fkz",
               "Förderkennzeichen; ein erneuter Import mit demselben FKZ ändert das vorhandene "
               "Vorhaben", "03SF0712A", required=True, limit=40),
        Column("Titel", "title", "text", "Thema des Vorhabens",
               "Klimaresiliente Quartiere in Mittelstädten", required=True, limit=500),
        Column("Akronym", "acronym", "text", "Kurzname", "KliQ", limit=120),
        Column("Förderprogramm (Schlüssel)", "programme", "ref",
               "Programm, aus dem gefördert wird; bestimmt das zuständige Ressort",
               "smart-cities", ref=(Programme, "key")),
        Column("Ressort zum Förderzeitpunkt", "ressort_at_funding", "ref",
               "bewilligendes Ressort (Kürzel); bei Vorhaben ohne Programm das zuständige",
               "BMBF", ref=_RESSORT),
        Column("Kurzbeschreibung", "summary", "long", "worum es geht",
               "Das Vorhaben erprobt …"),
        Column("Ziele", "objectives", "long", "angestrebte Ergebnisse", ""),
        Column("Ergebnisse", "results", "long", "erreichte Ergebnisse", ""),
        Column("Stand der Ergebnisse", "results_status", "choice", "wie weit die Ergebnisse sind",
               "Zwischenergebnisse", choices=_labels(RESULTS_STATUSES)),
        Column("Zuwendungsempfänger", "lead_organisation", "ref",
               "Schlüssel oder genauer Name einer erfassten Organisation",
               "tu-dresden", ref=(Organisation, "key")),
        Column("Ausführende Stelle", "executing_unit", "text", "ausführende Einheit",
               "Institut für Städtebau"),
        Column("Kommunen", "municipalities", "places", "Orte des Vorhabens",
               "14612000; Görlitz", limit=2000),
        Column("Beginn", "start_date", "date", "Beginn der Laufzeit", "01.04.2023"),
        Column("Ende", "end_date", "date", "Ende der Laufzeit; nicht vor dem Beginn",
               "31.03.2026"),
        Column("Fördersumme in Euro", "budget_eur", "amount", "Anteil des Bundes",
               "250.000,00"),
        Column("Themenfelder (Schlüssel)", "topics", "refs", "Themenfelder des Katalogs",
               "klimaanpassung; mobilitaet", ref=(Topic, "key")),
        Column("Nachhaltigkeitsziele (SDG)", "sdgs", "refs",
               "Nummern der Nachhaltigkeitsziele 1 bis 17, durch Semikolon getrennt", "11; 13",
               ref=(SDG, "number")),
        Column("Forschungsschwerpunkte (Schlüssel)", "research_priorities", "refs",
               "Forschungsschwerpunkte der Agenda", "hitze", ref=(ResearchPriority, "key")),
        Column("Erfahrungen (Lessons Learned)", "lessons_learned", "long",
               "was sich bewährt hat und was nicht", ""),
        Column("Übertragbarkeit", "transferability", "long",
               "Bedingungen, Kosten, rechtliche Aspekte der Übertragung", ""),
        Column("Ansprechperson", "contact_name", "text", "Name (personenbezogen, nur intern)",
               "Dr. Erika Mustermann", limit=200, private=True),
        Column("E-Mail der Ansprechperson", "contact_email", "email",
               "E-Mail (personenbezogen, nur intern)", "erika.mustermann@beispiel.de",
               limit=254, private=True),
        Column("Ansprechperson darf genannt werden", "contact_public", "bool",
               "Einwilligung zur Nennung in Transferberichten", "nein", private=True),
        _publication(),
    ], visibility.projects, [
        selectinload(Project.programme).selectinload(Programme.ressort),
        selectinload(Project.ressort_at_funding), selectinload(Project.lead_organisation),
        selectinload(Project.municipalities), selectinload(Project.topics),
        selectinload(Project.sdgs), selectinload(Project.research_priorities)]),
    RecordTable(kinds.LAB, [
        Column("Schlüssel", "key", "key", _KEY_MEANING, "reallabor-goerlitz", required=True),
        Column("Name", "name", "text", "Name des Reallabors", "Stadtlabor Görlitz",
               required=True),
        Column("Zuständiges Ressort", "ressort", "ref",
               "Ressort, dessen Redaktion den Eintrag pflegt (Kürzel)", "BMFTR", ref=_RESSORT),
        Column("Beschreibung", "description", "long", "was erprobt wird", ""),
        Column("Phase", "phase", "choice", "Phase des Reallabors", "Umsetzung",
               choices=_same(LAB_PHASES)),
        Column("Experimentierklausel genutzt", "experimentation_clause", "bool",
               "ob eine rechtliche Experimentierklausel genutzt wird", "ja"),
        Column("Kommunen", "municipalities", "places", "Orte des Reallabors", "14626110",
               limit=2000),
        Column("Vorhaben (FKZ)", "projects", "refs", "verknüpfte Vorhaben",
               "03SF0712A; 03SF0712B", ref=(Project, "fkz"), limit=4000),
        Column("Themenfelder (Schlüssel)", "topics", "refs", "Themenfelder des Katalogs",
               "klimaanpassung", ref=(Topic, "key")),
        Column("Forschungsschwerpunkte (Schlüssel)", "research_priorities", "refs",
               "Forschungsschwerpunkte der Agenda", "hitze", ref=(ResearchPriority, "key")),
        Column("Beginn", "start_date", "date", "Beginn", "01.01.2024"),
        Column("Ende", "end_date", "date", "Ende; nicht vor dem Beginn", "31.12.2027"),
        Column("Erfahrungen (Lessons Learned)", "lessons_learned", "long",
               "was sich bewährt hat und was nicht", ""),
        _publication(),
    ], visibility.labs, [selectinload(RealWorldLab.ressort),
                         selectinload(RealWorldLab.municipalities),
                         selectinload(RealWorldLab.projects), selectinload(RealWorldLab.topics),
                         selectinload(RealWorldLab.research_priorities)]),
    RecordTable(kinds.PRIORITY, [
        Column("Schlüssel", "key", "key", _KEY_MEANING, "hitze", required=True),
        Column("Titel", "title", "text", "Titel des Schwerpunkts", "Hitzevorsorge im Quartier",
               required=True),
        Column("Beschreibung", "description", "long", "Inhalt des Schwerpunkts", ""),
        Column("Übergeordneter Schwerpunkt (Schlüssel)", "parent", "ref",
               "übergeordneter Schwerpunkt der Agenda (auch weiter oben in derselben Datei)",
               "klimaanpassung", ref=(ResearchPriority, "key")),
        _publication(),
    ], visibility.priorities, [selectinload(ResearchPriority.parent)]),
    RecordTable(kinds.ORGANISATION, [
        Column("Schlüssel", "key", "key", _KEY_MEANING, "tu-dresden", required=True),
        Column("Name", "name", "text", "Name der Organisation", "Technische Universität Dresden",
               required=True),
        Column("Ort", "city", "text", "Sitz", "Dresden", limit=200),
        Column("Art", "kind", "choice", "Art der Organisation", "Hochschule",
               choices=_same(ORGANISATION_KINDS)),
        _publication(),
    ], _visible_organisations),
]}


def generic_table(kind: Kind) -> RecordTable:
    """A kind without a table of its own: its key, then its form's fields (integers aside),
    headed by the form's labels."""
    columns = [Column("Schlüssel", kind.key, "key", _KEY_MEANING, required=True)]
    for f in kind_fields.of(kind):
        if f.type != "integer":  # the spreadsheet cells know no whole numbers yet
            choices = {label: value for value, label in f.choices} if f.type == "choice" else None
            columns.append(Column(f.label, f.attr, f.type, f.label, required=f.required,
                                  limit=f.limit or 300, choices=choices, ref=f.ref))
    model = kind.model
    return RecordTable(kind, [*columns, _publication()], lambda: visibility.records(model),
                       [selectinload(getattr(model, f.attr)) for f in kind_fields.of(kind)
                        if f.type in ("ref", "refs", "places")])


# Transfer reports are compiled on their own page: no spreadsheet, no list export.
TABLES.update({k.name: generic_table(k) for k in kinds.ALL
               if k.name not in TABLES and k is not kinds.REPORT})
BY_SEGMENT = {t.segment: t for t in TABLES.values()}
ALIASES = {**{t.kind: t.kind for t in TABLES.values()},
           **{t.segment: t.kind for t in TABLES.values()},
           "programm": "programme", "projekt": "project", "reallabor": "lab",
           "schwerpunkt": "priority", "organisation": "organisation"}


# --- values of a record, for exports ----------------------------------------------------------


def raw_value(record: Any, column: Column, user: Any = None) -> Any:
    """The column's value: text, date, Decimal, bool, a label, a key or a list of keys.
    Linked records `user` may not see are left out, as on the record's page."""
    value = getattr(record, column.name)
    if column.type == "choice":
        assert column.choices is not None
        return next((label for label, code in column.choices.items() if code == value), value)
    if column.type == "ref":
        if value is None or not permissions.can_name(user, value):
            return None
        return getattr(value, column.ref[1])  # type: ignore[index]
    if column.type == "refs":
        return [getattr(item, column.ref[1]) for item in value  # type: ignore[index]
                if permissions.can_name(user, item)]
    if column.type == "places":
        return [m.ags for m in value]
    if column.type in ("key", "fkz", "text", "long", "email", "url"):
        return value or ""
    return value


def export_columns(table: RecordTable, user: Any) -> list[Column]:
    """The columns `user` gets: contact data only for accounts that maintain records.

    Without the columns (rather than with empty cells), a file exported by the public can be
    imported again without erasing contact data.
    """
    maintains = permissions.maintains_records(user)
    return [c for c in table.columns if maintains or not c.private]


def row_values(columns: list[Column], record: Any, user: Any) -> list[Any]:
    """The record's cells; contact data only where `user` may edit the record."""
    private_ok = any(c.private for c in columns) and permissions.can_edit(user, record)
    return [raw_value(record, c, user) if (private_ok or not c.private) else None
            for c in columns]


def text_cell(value: Any) -> str:
    """A value as CSV text in the formats the import reads back."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, date):
        return german_formats.day(value)
    if isinstance(value, Decimal | float):
        return german_formats.plain_amount(value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def json_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value
