"""Template filters for German number and date formats."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, request, url_for

from . import german_formats, kinds, permissions
from .links import public_url
from .models import PROGRAMME_STATUSES, PUBLICATION_STATUSES, RESULTS_STATUSES, Municipality
from .services import review_queue

euro = german_formats.euro


def number(value: int | None) -> str:
    return "–" if value is None else german_formats.whole(value)


def german_date(value: date | str | None) -> str:
    if not value:
        return "–"
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return german_formats.day(value)


def german_datetime(value: datetime | None) -> str:
    """A stored UTC time as German local time, e.g. "03.12.2026, 14:05 Uhr"."""
    return german_formats.moment(value) if value else "–"


def page_url(page: int) -> str:
    """The current URL with another page number, every other parameter kept."""
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for(request.endpoint or "main.index", **(request.view_args or {}), **args)


def municipality_options() -> list[Municipality]:
    """Suggestions for municipality inputs (names with AGS)."""
    from sqlalchemy import select

    from .extensions import db

    return list(db.session.scalars(select(Municipality).order_by(Municipality.name)))


def _unread_notifications() -> int:
    from .views.analysis import unread_notifications

    return unread_notifications()


def register(app: Flask) -> None:
    app.jinja_env.filters.update(euro=euro, number=number, decimal=german_formats.plain_amount,
                                 german_date=german_date, german_datetime=german_datetime)
    app.jinja_env.globals.update(
        page_url=page_url,
        public_url=public_url,
        KIND_LABELS=kinds.LABELS,
        KINDS=kinds.BY_NAME,
        GENERIC_KINDS=[k for k in kinds.ALL if k.generic_pages],
        record_page=kinds.page_of,
        PROGRAMME_STATUSES=PROGRAMME_STATUSES,
        PUBLICATION_STATUSES=PUBLICATION_STATUSES,
        permissions=permissions,
        RESULTS_STATUSES=RESULTS_STATUSES,
        municipality_options=municipality_options,
        unread_notifications=_unread_notifications,
        review_waiting=review_queue.count,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
