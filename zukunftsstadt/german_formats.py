"""German number and date formats for pages, forms and files, through Babel's CLDR data (one
place instead of a formatter per module)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LOCALE = "de_DE"
BERLIN = ZoneInfo("Europe/Berlin")
LARGEST_AMOUNT = Decimal("99999999999999.99")  # what a Numeric(16, 2) column holds
_GERMAN_NUMBER = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$|^\d+(,\d+)?$")
_PLAIN_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def amount(value: Decimal | float) -> str:
    """1234567.5 -> '1.234.567,50'."""
    return format_decimal(value, format="#,##0.00", locale=LOCALE)


def euro(value: Decimal | float | None) -> str:
    """1234567.5 -> '1.234.567,50 €'; None -> '–'."""
    return "–" if value is None else f"{amount(value)} €"


def whole(value: float | int) -> str:
    """1234567 -> '1.234.567' (rounded)."""
    return format_decimal(value, format="#,##0", locale=LOCALE)


def plain_amount(value: Decimal | float) -> str:
    """1234567.5 -> '1234567,50': a decimal comma and no thousands dots, which no reader of a
    spreadsheet cell or a form field can take for anything else (2.125 is not 2125)."""
    return format_decimal(value, format="0.00", locale=LOCALE)


def day(value: date) -> str:
    """date(2026, 3, 1) -> '01.03.2026' (TT.MM.JJJJ, as forms take it)."""
    return format_date(value, "dd.MM.yyyy", locale=LOCALE)


def moment(value: datetime) -> str:
    """A UTC time (naive ones are UTC, as stored) in German local time:
    '03.12.2026, 14:05 Uhr'."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value, "dd.MM.yyyy, HH:mm 'Uhr'", tzinfo=BERLIN, locale=LOCALE)


def short(value: float) -> str:
    """Up to two decimals, no trailing zeros: 2.5 -> '2,5'."""
    return format_decimal(value, format="#,##0.##", locale=LOCALE)


def parse_amount(text: str, *, plain: bool = True) -> Decimal | None:
    """A euro amount as people write it, the one parser for forms, spreadsheets and the
    Förderkatalog: '1.000,50', '1000,5', '12.345 €' and, with `plain`, '1000.50'. A dot before
    three digits always separates thousands ('2.125' is 2125, never 2,125); at most two
    decimals. Empty text gives None; anything else doubtful a ValueError in German."""
    cleaned = re.sub(r"[\s\u00a0]", "", text).removesuffix("€").removesuffix("EUR")
    if not cleaned:
        return None
    if cleaned.startswith("-"):
        raise ValueError(f"Der Betrag „{text.strip()[:40]}“ darf nicht negativ sein.")
    if _GERMAN_NUMBER.match(cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif not (plain and _PLAIN_NUMBER.match(cleaned)):
        raise ValueError(
            "Bitte geben Sie einen Betrag in Euro an, z. B. 1.000,50 oder 1000.50." if plain
            else f"„{text.strip()[:40]}“ ist kein Betrag im deutschen Format "
                 "(z. B. 1.234.567,89).")
    return checked_amount(Decimal(cleaned), text)


def checked_amount(amount: Decimal, text: str) -> Decimal:
    """`amount` if a column of cents holds it; else a ValueError in German naming `text`."""
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValueError(f"Der Betrag „{text.strip()[:40]}“ hat mehr als zwei "
                         "Nachkommastellen (Cent).")
    if amount > LARGEST_AMOUNT:
        raise ValueError("Der Betrag ist zu groß.")
    return amount
