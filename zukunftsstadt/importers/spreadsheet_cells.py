"""One spreadsheet cell to one field value, with the forms' parsers and German reasons.

Cells come as text (CSV) or as what the spreadsheet stored (XLSX: numbers, dates, booleans).
Amounts, e-mail and web addresses are checked by the same functions as the forms; dates take
`TT.MM.JJJJ`, ISO or a date cell. References (keys, codes, AGS) are resolved in `spreadsheet`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from wtforms.validators import ValidationError

from .. import german_formats
from ..forms.fields import EARLIEST, LATEST, email_address, web_address
from ..forms.records import FKZ
from ..inputs import CONTROL, invisible_problem, strip_invisible
from ..services.record_columns import Column
from .csvformat import parse_date

_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_YES = {"ja", "j", "x", "1", "wahr", "true", "yes"}
_NO = {"nein", "n", "0", "falsch", "false", "no", "-"}
LONG_LIMIT = 20_000
CENT = Decimal("0.01")


class CellError(ValueError):
    """A cell that cannot be taken: the German reason."""


def text_of(value: Any) -> str:
    """A cell as text: numbers without a trailing `.0`, dates as TT.MM.JJJJ."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return german_formats.day(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def is_blank(value: Any) -> bool:
    return value is None or not strip_invisible(text_of(value)).strip()


def parse(column: Column, value: Any) -> Any:
    """The field value of a non-blank cell; CellError with a German reason otherwise."""
    kind = column.type
    if isinstance(value, str) and CONTROL.search(value):
        raise CellError("Die Zelle enthält unzulässige Steuerzeichen.")
    if kind in ("text", "long", "key", "fkz", "email", "url"):
        return _text(column, value)
    if kind == "date":
        return _date(value)
    if kind == "amount":
        return _amount(value)
    if kind == "bool":
        return _bool(value)
    if kind == "choice":
        return _choice(column, value)
    if kind in ("refs", "places"):
        return [part.strip() for part in re.split(r"[;\n]", text_of(value)) if part.strip()]
    return text_of(value)  # ref: resolved later


def _text(column: Column, value: Any) -> str:
    text = text_of(value)
    if CONTROL.search(text):
        raise CellError("Der Text enthält unzulässige Steuerzeichen.")
    problem = invisible_problem(text)
    if problem:
        raise CellError(problem)
    limit = LONG_LIMIT if column.type == "long" else column.limit
    if len(text) > limit:
        raise CellError(f"Höchstens {limit:,} Zeichen erlaubt (hier: {len(text):,}).".replace(
            ",", "."))
    if column.type != "long" and "\n" in text:
        raise CellError("Zeilenumbrüche sind in dieser Spalte nicht erlaubt.")
    if column.type == "key" and not _KEY.match(text):
        raise CellError(f"„{text[:40]}“ ist kein gültiger Schlüssel: erlaubt sind Buchstaben "
                        "ohne Umlaute, Ziffern, Punkt, Unterstrich und Bindestrich.")
    if column.type == "fkz":
        text = text.upper().replace(" ", "")
        if not FKZ.match(text):
            raise CellError(f"„{text[:40]}“ ist kein gültiges Förderkennzeichen (z. B. "
                            "03SF0712A).")
    for kind, check in (("email", email_address), ("url", web_address)):
        if column.type == kind:
            try:
                check(None, SimpleNamespace(data=text))
            except ValidationError as exc:
                raise CellError(str(exc)) from None
    return text


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        if isinstance(value, int | float):
            raise CellError("Bitte geben Sie das Datum als TT.MM.JJJJ oder als Datumszelle an.")
        try:
            parsed = parse_date(text_of(value))
        except ValueError as exc:
            raise CellError(str(exc)) from None
        assert parsed is not None
        value = parsed
    if not EARLIEST <= value <= LATEST:
        raise CellError("Das Datum muss zwischen 1949 und 2100 liegen.")
    return value


def _amount(value: Any) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value) or value < 0:
            raise CellError("Der Betrag muss eine Zahl ≥ 0 sein.")
        try:  # a number cell is a number, never German notation
            amount = german_formats.checked_amount(Decimal(repr(value)), repr(value))
        except ValueError as exc:
            raise CellError(str(exc)) from None
    else:
        try:
            parsed = german_formats.parse_amount(text_of(value))
        except ValueError as exc:
            raise CellError(str(exc)) from None
        if parsed is None:
            raise CellError("Bitte geben Sie einen Betrag in Euro an, z. B. 1.000,50.")
        amount = parsed
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = text_of(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(f"„{text[:20]}“: bitte „ja“ oder „nein“ angeben.")


def _choice(column: Column, value: Any) -> str:
    assert column.choices is not None
    text = text_of(value).casefold()
    for label, code in column.choices.items():
        if text in (label.casefold(), code.casefold()):
            return code
    allowed = ", ".join(f"„{label}“" for label in column.choices)
    raise CellError(f"„{text_of(value)[:40]}“ ist nicht erlaubt; erlaubt: {allowed}.")


def blank_value(column: Column, nullable: bool) -> Any:
    """What an empty optional cell stores: nothing, an empty text, no links, or no."""
    if column.type in ("refs", "places"):
        return []
    if column.type == "bool":
        return False
    if column.type in ("text", "long", "email", "url") and not nullable:
        return ""
    return None
