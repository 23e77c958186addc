"""Keeping the search index in step with the database: outbox drain and full rebuild."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

from elasticsearch import Elasticsearch
from elasticsearch import TransportError as SearchTransportError
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from search import indices

from ..extensions import db
from ..models import SearchOutbox
from ..models.base import utcnow
from .documents import MODELS, doc_id, to_document

BATCH_SIZE = 500
MAX_BACKOFF = timedelta(minutes=10)


def client() -> Elasticsearch:
    return current_app.extensions["search_client"]


def alias() -> str:
    return indices.alias_name(current_app.config["SEARCH_INDEX_PREFIX"])


def ensure_index() -> str:
    return indices.ensure_index(client(), current_app.config["SEARCH_INDEX_PREFIX"])


def _action(kind: str, record_id: int) -> indices.Action:
    record = db.session.get(MODELS[kind], record_id)
    if record is None:
        # Deleted: a version above any the record had, so the delete wins over older writes.
        return indices.Action(doc_id(kind, record_id), 2**62, None)
    return indices.Action(doc_id(kind, record_id), record.version, to_document(record))


def drain_outbox(batch_size: int = BATCH_SIZE) -> tuple[int, int]:
    """Send due outbox rows to the index; returns (sent, failed).

    Each row is re-read from the database, so the document is always the current row and its
    version; duplicate and out-of-order deliveries are harmless (`external_gte`).
    """
    now = utcnow()
    rows = db.session.scalars(
        select(SearchOutbox)
        .where(SearchOutbox.next_attempt_at <= now)
        .order_by(SearchOutbox.id)
        .limit(batch_size)
    ).all()
    if not rows:
        return 0, 0
    targets = sorted({(r.entity, r.entity_id) for r in rows})
    transport_error: str | None = None
    errors: dict[str, str] = {}
    try:
        actions = [_action(kind, record_id) for kind, record_id in targets]
        errors = indices.bulk_write(client(), alias(), actions)
    except SearchTransportError as exc:
        transport_error = f"{type(exc).__name__}: {exc}"
    sent = 0
    for row in rows:
        error = transport_error or errors.get(doc_id(row.entity, row.entity_id))
        if error:
            row.attempts += 1
            row.last_error = error[:2000]
            row.next_attempt_at = now + min(timedelta(seconds=2**row.attempts), MAX_BACKOFF)
        else:
            db.session.delete(row)
            sent += 1
    db.session.commit()
    return sent, len(rows) - sent


def outbox_size() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchOutbox)) or 0


def _all_actions() -> Iterator[indices.Action]:
    """Every indexable row, read in chunks by a session of its own (memory stays flat and the
    caller's session is left alone)."""
    with Session(db.engine) as session:
        for kind, model in MODELS.items():
            ids = session.scalars(select(model.id).order_by(model.id)).all()
            for start in range(0, len(ids), BATCH_SIZE):
                chunk = ids[start:start + BATCH_SIZE]
                for record in session.scalars(select(model).where(model.id.in_(chunk))):
                    yield indices.Action(
                        doc_id(kind, record.id), record.version, to_document(record)
                    )
                session.expunge_all()


def count_indexable() -> int:
    return sum(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in MODELS.values()
    )


def rebuild(progress: Callable[[int], None] | None = None) -> tuple[str, dict[str, str]]:
    """Fill a fresh index from the database and swap the alias to it.

    Outbox rows written before the rebuild started are covered by what it reads, so they are
    removed once the new index is live; later rows are delivered by the worker as usual.
    """
    covered = db.session.scalar(select(func.max(SearchOutbox.id))) or 0
    index, errors = indices.rebuild(
        client(), current_app.config["SEARCH_INDEX_PREFIX"], _all_actions(), progress
    )
    if not errors:
        db.session.query(SearchOutbox).filter(SearchOutbox.id <= covered).delete()
        db.session.commit()
    return index, errors
