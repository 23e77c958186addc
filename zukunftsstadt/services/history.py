"""A record's history as people read it: German labels for codes, names instead of ids, dates
and amounts in German, and no bookkeeping columns."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from .. import german_formats
from ..extensions import db
from ..models import (
    PROGRAMME_STATUSES,
    PUBLICATION_STATUSES,
    RESULTS_STATUSES,
    Organisation,
    Programme,
    ResearchPriority,
    Ressort,
    Verbund,
)

BOOKKEEPING = frozenset({"id", "version", "created_by_id", "updated_by_id", "source",
                         "source_ref", "created_at", "updated_at"})
CODES: dict[str, dict[str, str]] = {"publication_status": PUBLICATION_STATUSES,
                                    "results_status": RESULTS_STATUSES,
                                    "status": PROGRAMME_STATUSES}
REFERENCES: dict[str, tuple[type, str]] = {
    "programme_id": (Programme, "title"), "ressort_id": (Ressort, "code"),
    "ressort_at_funding_id": (Ressort, "code"), "lead_organisation_id": (Organisation, "name"),
    "parent_id": (ResearchPriority, "title"), "verbund_id": (Verbund, "title"),
}
AMOUNTS = frozenset({"budget_eur"})
LABELS = {"publication_status": "Veröffentlichungsstatus", "deleted_at": "Gelöscht am",
          "comment": "Kommentar der Koordination", "key": "Schlüssel",
          "ressort_at_funding_id": "Ressort zum Förderzeitpunkt", "verbund_id": "Verbund"}


class Reader:
    """Turns stored values into text; names are looked up once per page."""

    def __init__(self) -> None:
        self._names: dict[tuple[type, int], str] = {}

    def value(self, name: str, value: Any) -> str:
        if value is None or value == [] or value == "":
            return "–"
        if isinstance(value, list):
            return ", ".join(self.value(name, v) for v in value)
        if isinstance(value, bool):
            return "ja" if value else "nein"
        if name in CODES:
            return CODES[name].get(str(value), str(value))
        if name in REFERENCES and isinstance(value, int):
            return self._name(*REFERENCES[name], value)
        if name in AMOUNTS:
            try:
                return german_formats.euro(Decimal(str(value)))
            except InvalidOperation:
                return str(value)
        if name.endswith("_date") or name == "deleted_at":
            return _german_date(str(value))
        return str(value)

    def _name(self, model: type, column: str, record_id: int) -> str:
        key = (model, record_id)
        if key not in self._names:
            record = db.session.get(model, record_id)
            self._names[key] = (str(getattr(record, column)) if record is not None
                                else f"(gelöschter Eintrag {record_id})")
        return self._names[key]


def _german_date(text: str) -> str:
    try:
        return german_formats.day(date.fromisoformat(text[:10]))
    except ValueError:
        return text


def shown_fields(changes: dict[str, Any]) -> list[str]:
    """The fields of a history entry worth showing, in their stored order."""
    return [name for name in changes if name not in BOOKKEEPING]
