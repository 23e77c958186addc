"""German number formats for pages, forms and files, through Babel's CLDR data (one place
instead of a formatter per module)."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal

LOCALE = "de_DE"


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


def short(value: float) -> str:
    """Up to two decimals, no trailing zeros: 2.5 -> '2,5'."""
    return format_decimal(value, format="#,##0.##", locale=LOCALE)
