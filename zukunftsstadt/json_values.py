"""Values as the JSON API and the catalogue file write them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def stamp(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with "Z", on every database (SQLite hands back naive UTC, PostgreSQL
    aware times)."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat() + "Z"


def amount(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None
