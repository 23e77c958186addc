"""The one write path for catalogue records.

Views, API, CLI and importers change records only through these functions. Each change writes
an audit event and search-outbox rows in the same transaction as the change itself, so the
index can always catch up with what was committed and never sees what was rolled back.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from typing import Any

from slugify import slugify
from sqlalchemy import inspect
from sqlalchemy.orm.exc import StaleDataError

from .. import kinds
from ..extensions import db
from ..models import AuditEvent, Organisation, Programme, RecordMixin, SearchOutbox, User
from ..models.base import utcnow

Record = RecordMixin
_UMLAUTS = [["ä", "ae"], ["ö", "oe"], ["ü", "ue"], ["Ä", "Ae"], ["Ö", "Oe"], ["Ü", "Ue"],
            ["ß", "ss"]]  # German transcription, not unidecode's "a" for "ä"


class Conflict(Exception):
    """Someone else saved the record since the form was loaded."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def column_changes(record: Record) -> dict[str, list[Any]]:
    """Field-level differences `{field: [old, new]}` of a pending change."""
    changes: dict[str, list[Any]] = {}
    state = inspect(record)
    for attr in state.mapper.column_attrs:
        if attr.key in {"version", "created_at", "updated_at", "updated_by_id"}:
            continue
        history = state.attrs[attr.key].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[attr.key] = [_jsonable(old), _jsonable(new)]
    return changes


def _entity_name(record: Record) -> str:
    return type(record).__tablename__  # type: ignore[attr-defined]


def enqueue(record: Record) -> None:
    """Outbox rows for every search document this record appears in."""
    affected: list[Record] = [record]
    if isinstance(record, Programme):
        affected.extend(record.projects)
    elif isinstance(record, Organisation):
        from ..models import Project

        affected.extend(Project.query.filter_by(lead_organisation_id=record.id))
    for item in affected:
        kind = kinds.BY_MODEL.get(type(item))
        if kind and kind.searched:
            db.session.add(SearchOutbox(entity=kind.name, entity_id=item.id, version=item.version))


def _slug(text: str) -> str:
    return slugify(text, max_length=50, replacements=_UMLAUTS) or "eintrag"


def assign_key(record: Record) -> None:
    """Records entered in forms get a stable key from their title (files bring their own)."""
    if hasattr(record, "key") and not getattr(record, "key", None):
        title = getattr(record, "title", None) or getattr(record, "name", None) or ""
        record.key = f"{_slug(title)}-{secrets.token_hex(3)}"


def save(record: Record, actor: User | None = None, *, source: str | None = None,
         source_ref: str | None = None, action: str | None = None,
         link_changes: dict[str, list[Any]] | None = None, note: str | None = None) -> Record:
    """Insert or update `record` with its audit and outbox rows; the caller commits.

    `link_changes` (`{name: [old, new]}`) puts changed links into the history, which column
    differences alone do not show; `note` is a remark for the history (why a record was
    returned).

    Raises Conflict when the row changed since it was loaded (optimistic locking); the
    session is rolled back then.
    """
    creating = inspect(record).transient or inspect(record).pending
    if creating:
        assign_key(record)
    if source:
        record.source = source
    if source_ref is not None:
        record.source_ref = source_ref
    if actor is not None:
        if creating:
            record.created_by_id = actor.id
        record.updated_by_id = actor.id
    changes = {**column_changes(record), **(link_changes or {})}
    if note:
        changes["comment"] = [None, note]
    if not creating and not changes and not db.session.is_modified(record):
        return record
    if not creating:
        record.updated_at = utcnow()  # a change of links alone must bump the version too
    db.session.add(record)
    try:
        db.session.flush()  # assigns id, bumps version; UPDATE ... WHERE version = loaded one
    except StaleDataError as exc:
        db.session.rollback()
        raise Conflict from exc
    db.session.add(AuditEvent(
        user_id=actor.id if actor else None,
        action=action or ("create" if creating else "update"),
        entity=_entity_name(record),
        entity_id=record.id,
        changes=changes,
    ))
    enqueue(record)
    return record


def commit() -> None:
    db.session.commit()
