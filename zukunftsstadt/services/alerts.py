"""Overlap alerts: a save queues its record; the search worker checks it for high overlaps with
other Ressorts' records and tells the editors of both Ressorts (in the app, and by e-mail when
an SMTP server is configured).

Queued in the save's transaction and sent later, so that a save never waits for the search
node or the mail server (DESIGN §4); a row whose check fails stays and is retried with back-off.
"""

from __future__ import annotations

import time
from typing import Any

from elasticsearch import ApiError, TransportError
from flask import current_app, has_request_context, request
from sqlalchemy import delete, func, select, update

from .. import kinds
from ..extensions import db
from ..kinds import doc_id
from ..models import OverlapAlert, Ressort, User
from ..models.base import utcnow
from ..permissions import can_read, record_ressort
from . import mail
from .indexing import backoff
from .notices import add_once, title_of
from .overlaps import EVERYTHING, SCANNED, doc_record, for_record, remember


def queue(record: Any) -> None:
    """Ask for an overlap check of `record` once the save commits (programmes, projects and
    Reallabore only: they have a Ressort, and so overlaps between Ressorts)."""
    if type(record) not in SCANNED:
        return
    base_url = current_app.config.get("BASE_URL") or (
        request.url_root if has_request_context() else "")
    db.session.add(OverlapAlert(entity=kinds.of(record).name, entity_id=record.id,
                                base_url=base_url[:300]))


def pending() -> int:
    return db.session.scalar(select(func.count()).select_from(OverlapAlert)) or 0


def send_due(limit: int = 50, seconds: float = 1.0) -> tuple[int, int]:
    """Check queued records, oldest first, one transaction each, for at most `limit` records
    or `seconds` (the worker indexes between passes); returns (checked, failed).

    A record's queued rows are locked together (PostgreSQL: parallel workers take other
    records) and answered by one check of its current state. A failed check keeps its rows
    with the error and a back-off; a search error ends the pass, the node is away.
    """
    checked = failed = 0
    deadline = time.monotonic() + seconds
    while checked + failed < limit and time.monotonic() < deadline:
        head = db.session.execute(
            select(OverlapAlert.entity, OverlapAlert.entity_id, OverlapAlert.attempts,
                   OverlapAlert.base_url)
            .where(OverlapAlert.next_attempt_at <= utcnow())
            .order_by(OverlapAlert.id).limit(1).with_for_update(skip_locked=True)).first()
        if head is None:
            db.session.rollback()  # end the transaction of the empty look-up
            break
        entity, entity_id, attempts, base_url = head
        ids = db.session.scalars(
            select(OverlapAlert.id)
            .where(OverlapAlert.entity == entity, OverlapAlert.entity_id == entity_id)
            .with_for_update(skip_locked=True)).all()
        try:
            record = doc_record(doc_id(entity, entity_id))
            if record is not None and record.deleted_at is None:
                with current_app.test_request_context("/", base_url=base_url or None):
                    _notify(record)
            db.session.execute(delete(OverlapAlert).where(OverlapAlert.id.in_(ids)))
            db.session.commit()
            checked += 1
            continue
        except (TransportError, ApiError) as exc:
            error, search_away = f"{type(exc).__name__}: {exc}", True
        except Exception as exc:  # a bug or a database error must not stop the worker
            current_app.logger.exception("overlap alert for %s-%s failed", entity, entity_id)
            error, search_away = f"{type(exc).__name__}: {exc}", False
        db.session.rollback()
        db.session.execute(update(OverlapAlert).where(OverlapAlert.id.in_(ids)).values(
            attempts=OverlapAlert.attempts + 1, last_error=error[:2000],
            next_attempt_at=utcnow() + backoff(attempts + 1)))
        db.session.commit()
        failed += 1
        if search_away:
            break
    return checked, failed


def _editors_of(ressort_codes: set[str]) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == "editor", User.active.is_(True),
                           User.ressorts.any(Ressort.code.in_(ressort_codes)))))


def _notify(record: Any) -> None:
    """One notification per editor concerned and overlapping pair; each reader learns only the
    titles they may read (confidential plans stay hidden) and gets a link they may open."""
    kind = kinds.of(record).name
    candidates = for_record(record, EVERYTHING, size=5)
    remember(record, candidates)
    for candidate in candidates:
        if candidate.level != "hoch":
            continue
        other = doc_record(doc_id(candidate.kind, candidate.id))
        codes = {c for c in (record_ressort(record), candidate.ressort) if c}
        key = "-".join(sorted([doc_id(kind, record.id), doc_id(candidate.kind, candidate.id)]))
        for user in _editors_of(codes):
            mine, theirs = can_read(user, record), other is not None and can_read(user, other)
            message = (f"Hohe Überschneidung: {f'„{title_of(record)}“' if mine else 'ein Eintrag'} "
                       f"({record_ressort(record)}) ähnelt "
                       f"{f'„{candidate.title}“' if theirs else 'ein Eintrag'} "
                       f"({candidate.ressort}).")
            target = (kind, record.id) if mine else (candidate.kind, candidate.id)
            link = kinds.page_of(kinds.BY_NAME[target[0]], target[1])
            if not add_once(user, key, link, message):
                continue  # told already (by this or another worker)
            if mail.enabled():
                address = kinds.page_of(kinds.BY_NAME[target[0]], target[1], external=True)
                mail.send(user.email, "Zukunftsstadt: mögliche Doppelförderung",
                          f"Guten Tag {user.name},\n\n{message}\n\nEintrag: {address}\n")
