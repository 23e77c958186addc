"""The Koordination's review queue: records submitted for publication, of every kind, and the
decisions on them (publish, or return to the Ressort with a reason)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, union_all

from .. import kinds
from ..extensions import db
from ..kinds import Kind
from ..models import AuditEvent, OverlapPair, User
from ..permissions import record_ressort
from . import editing, notices

SUBMITTED = "submitted"


@dataclass
class Submission:
    kind: Kind
    record: Any
    ressort: str | None
    submitted_by: User | None
    submitted_at: datetime | None
    open_pairs: int

    @property
    def title(self) -> str:
        return notices.title_of(self.record)

    @property
    def url(self) -> str:
        return kinds.page_of(self.kind, self.record.id)

    @property
    def token(self) -> str:
        """How a form names this record: "lab:7"."""
        return f"{self.kind.name}:{self.record.id}"


def _submission_events(kind: Kind, ids: list[int]) -> dict[int, AuditEvent]:
    """Per record, the latest history entry that moved it to "eingereicht"."""
    found: dict[int, AuditEvent] = {}
    for event in db.session.scalars(select(AuditEvent).where(
            AuditEvent.entity == kind.model.__tablename__, AuditEvent.entity_id.in_(ids))
            .order_by(AuditEvent.id.desc())):
        status = (event.changes or {}).get("publication_status")
        if event.entity_id not in found and status and status[-1] == SUBMITTED:
            found[event.entity_id] = event
    return found


def _open_pairs(docs: list[str]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(docs, 0)
    for side in (OverlapPair.a_doc, OverlapPair.b_doc):
        for doc, n in db.session.execute(
                select(side, func.count()).where(side.in_(docs), OverlapPair.status == "open")
                .group_by(side)):
            counts[doc] += n
    return counts


def submitted() -> list[Submission]:
    """Every submitted record that is not deleted, the longest waiting first."""
    items: list[Submission] = []
    for kind in kinds.ALL:
        model = kind.model
        rows = db.session.scalars(select(model).where(
            model.publication_status == SUBMITTED, model.deleted_at.is_(None))).all()
        if not rows:
            continue
        events = _submission_events(kind, [r.id for r in rows])
        pairs = _open_pairs([kinds.doc_id(kind.name, r.id) for r in rows]) if kind.scanned else {}
        people = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(
            {e.user_id for e in events.values() if e.user_id})))}
        for record in rows:
            event = events.get(record.id)
            items.append(Submission(
                kind, record, record_ressort(record),
                people.get(event.user_id) if event and event.user_id else None,
                event.at if event else record.updated_at,
                pairs.get(kinds.doc_id(kind.name, record.id), 0)))
    return sorted(items, key=lambda s: (s.submitted_at is None, s.submitted_at or 0,
                                        s.kind.name, s.record.id))


def count() -> int:
    """How many records wait (the header's badge, on every page of the Koordination): one
    query over all kinds."""
    waiting = union_all(*(select(k.model.id).where(
        k.model.publication_status == SUBMITTED, k.model.deleted_at.is_(None))
        for k in kinds.ALL)).subquery()
    return db.session.scalar(select(func.count()).select_from(waiting)) or 0


def parse(tokens: list[str]) -> list[tuple[Kind, int]]:
    """Form tokens "kind:id" -> (kind, id); anything else is dropped."""
    found: list[tuple[Kind, int]] = []
    for token in tokens[:500]:
        name, _, number = str(token).partition(":")
        if name in kinds.BY_NAME and number.isdigit() and len(number) < 12:
            item = (kinds.BY_NAME[name], int(number))
            if item not in found:
                found.append(item)
    return found


def decide(items: list[tuple[Kind, int]], target: str, actor: User,
           comment: str = "") -> tuple[list[Any], int]:
    """Publish (`target` "published") or return ("draft") the submitted records among
    `items`; returns the records moved and how many were skipped (gone or no longer
    submitted). A returned record's submitter is told why."""
    moved, skipped = [], 0
    for kind, record_id in items:
        record = db.session.get(kind.model, record_id)
        if record is None or record.deleted_at is not None or \
                record.publication_status != SUBMITTED:
            skipped += 1
            continue
        submitter = _submission_events(kind, [record.id]).get(record.id)
        editing.move(record, target, actor, comment=comment or None)
        if target == "draft" and submitter and submitter.user_id:
            notices.tell(db.session.get(User, submitter.user_id), kind, record,
                         f"Die Koordination hat „{notices.title_of(record)}“ ({kind.label}) zur "
                         f"Überarbeitung "
                         f"zurückgegeben: {comment}",
                         f"returned-{kinds.doc_id(kind.name, record.id)}-{record.version}")
        moved.append(record)
    db.session.commit()
    return moved, skipped
