"""Overlap alerts: a save queues its record; the search worker checks it for high overlaps with
other Ressorts' records and tells the editors of both Ressorts (in the app, and by e-mail when
an SMTP server is configured).

Queued in the save's transaction and sent later, so that a save never waits for the search
node or the mail server (DESIGN §4); a row whose check fails stays and is retried with back-off.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from elasticsearch import ApiError, TransportError
from flask import current_app, has_request_context, request, url_for
from sqlalchemy import delete, func, select, update

from ..extensions import db
from ..models import Notification, OverlapAlert, Ressort, User
from ..models.base import utcnow
from ..permissions import can_read, record_ressort
from . import mail
from .documents import KINDS, doc_id
from .overlaps import DETAIL_ENDPOINTS, EVERYTHING, SCANNED, doc_record, for_record

MAX_BACKOFF = timedelta(minutes=10)


def queue(record: Any) -> None:
    """Ask for an overlap check of `record` once the save commits (programmes, projects and
    Reallabore only: they have a Ressort, and so overlaps between Ressorts)."""
    if type(record) not in SCANNED:
        return
    base_url = request.url_root if has_request_context() else ""
    db.session.add(OverlapAlert(entity=KINDS[type(record)], entity_id=record.id,
                                base_url=base_url[:300]))


def pending() -> int:
    return db.session.scalar(select(func.count()).select_from(OverlapAlert)) or 0


def send_due(limit: int = 50) -> tuple[int, int]:
    """Check up to `limit` queued records, one transaction each; returns (checked, failed)."""
    checked = failed = 0
    for _ in range(limit):
        row = db.session.scalars(
            select(OverlapAlert).where(OverlapAlert.next_attempt_at <= utcnow())
            .order_by(OverlapAlert.id).limit(1)
            .with_for_update(skip_locked=True)  # PostgreSQL: parallel workers take other rows
        ).first()
        if row is None:
            break
        # Every row queued for this record up to now is answered by one check of its current
        # state (read below, after these rows were committed).
        same = (OverlapAlert.entity == row.entity, OverlapAlert.entity_id == row.entity_id)
        newest = db.session.scalar(select(func.max(OverlapAlert.id)).where(*same))
        row_id, base_url = row.id, row.base_url
        try:
            record = doc_record(f"{row.entity}-{row.entity_id}")
            if record is not None and record.deleted_at is None:
                with current_app.test_request_context("/", base_url=base_url or None):
                    _notify(record)
        except (TransportError, ApiError) as exc:
            db.session.rollback()
            attempts = (db.session.get(OverlapAlert, row_id).attempts or 0) + 1
            db.session.execute(update(OverlapAlert).where(OverlapAlert.id == row_id).values(
                attempts=attempts, last_error=f"{type(exc).__name__}: {exc}"[:2000],
                next_attempt_at=utcnow() + min(timedelta(seconds=2**min(attempts, 20)),
                                               MAX_BACKOFF)))
            db.session.commit()
            failed += 1
            continue
        db.session.execute(delete(OverlapAlert).where(*same, OverlapAlert.id <= newest))
        db.session.commit()
        checked += 1
    return checked, failed


def _editors_of(ressort_codes: set[str]) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == "editor", User.active.is_(True),
                           User.ressorts.any(Ressort.code.in_(ressort_codes)))))


def _notify(record: Any) -> None:
    """One notification per editor concerned and overlapping pair; each reader learns only the
    titles they may read (confidential plans stay hidden) and gets a link they may open."""
    kind = KINDS[type(record)]
    for candidate in for_record(record, EVERYTHING, size=5):
        if candidate.level != "hoch":
            continue
        other = doc_record(f"{candidate.kind}-{candidate.id}")
        codes = {c for c in (record_ressort(record), candidate.ressort) if c}
        key = "-".join(sorted([doc_id(kind, record.id), f"{candidate.kind}-{candidate.id}"]))
        for user in _editors_of(codes):
            if db.session.scalar(select(Notification.id).where(
                    Notification.user_id == user.id, Notification.key == key)):
                continue
            mine, theirs = can_read(user, record), other is not None and can_read(user, other)
            message = (f"Hohe Überschneidung: {f'„{record}“' if mine else 'ein Eintrag'} "
                       f"({record_ressort(record)}) ähnelt "
                       f"{f'„{candidate.title}“' if theirs else 'ein Eintrag'} "
                       f"({candidate.ressort}).")
            target = (kind, record.id) if mine else (candidate.kind, candidate.id)
            link = url_for(DETAIL_ENDPOINTS[target[0]], record_id=target[1])
            db.session.add(Notification(user_id=user.id, key=key, link=link, message=message))
            if mail.enabled():
                address = url_for(DETAIL_ENDPOINTS[target[0]], record_id=target[1],
                                  _external=True)
                mail.send(user.email, "Zukunftsstadt: mögliche Doppelförderung",
                          f"Guten Tag {user.name},\n\n{message}\n\nEintrag: {address}\n")
