"""Overlaps between Ressorts: candidates for a record or a planned project, the portfolio scan,
and alerts to the editors concerned."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask import current_app, url_for
from sqlalchemy import select

from search import overlap
from search.queries import Access

from ..extensions import db
from ..models import (
    Municipality,
    Notification,
    OverlapPair,
    OverlapScanMark,
    Programme,
    Project,
    RealWorldLab,
    Ressort,
    Topic,
    User,
)
from ..models.base import utcnow
from ..permissions import can_read, record_ressort
from . import indexing, mail
from .documents import KINDS, doc_id, to_document

SCANNED: tuple[type, ...] = (Project, Programme, RealWorldLab)
EVERYTHING = Access(all_drafts=True, all_confidential=True)
DETAIL_ENDPOINTS = {"project": "catalogue.project_detail", "programme":
                    "catalogue.programme_detail", "lab": "catalogue.lab_detail"}


def weights() -> overlap.Weights:
    return overlap.Weights(**current_app.config.get("OVERLAP_WEIGHTS", {}))


def for_record(record: Any, access: Access, *, same_ressort: bool = False,
               size: int = 5) -> list[overlap.Candidate]:
    """The records most like `record`; of other Ressorts unless `same_ressort`."""
    kind = KINDS[type(record)]
    return overlap.find(
        indexing.client(), indexing.alias(), to_document(record),
        exclude_ids=[doc_id(kind, record.id)],
        exclude_ressort=None if same_ressort else record_ressort(record),
        access=access, size=size, weights=weights(),
    )


def planned_document(data: dict[str, Any]) -> dict[str, Any]:
    """A search document for a project that is not in the database yet."""
    places = list(db.session.scalars(
        select(Municipality).where(Municipality.ags.in_(data.get("municipalities") or []))))
    return {
        "kind": "project", "id": "geplant", "title": data.get("title") or "",
        "summary": data.get("summary") or "", "objectives": data.get("objectives") or "",
        "topics": list(data.get("topics") or []),
        "municipalities": [m.ags for m in places],
        "states": sorted({m.state.code for m in places}),
        "organisation": data.get("organisation") or None,
        "organisation_name": data.get("organisation") or None,
        "start_date": data.get("start_date"), "end_date": data.get("end_date"),
        "ressort": data.get("ressort") or None,
    }


def check_planned(data: dict[str, Any], access: Access,
                  size: int = 5) -> list[overlap.Candidate]:
    doc = planned_document(data)
    return overlap.find(indexing.client(), indexing.alias(), doc,
                        exclude_ressort=doc["ressort"], access=access, size=size,
                        weights=weights())


def topic_choices() -> list[tuple[str, str]]:
    return [(t.key, t.name) for t in db.session.scalars(select(Topic).order_by(Topic.name))]


def _records() -> Iterator[Any]:
    for model in SCANNED:
        ids = db.session.scalars(select(model.id).where(model.deleted_at.is_(None))
                                 .order_by(model.id)).all()
        for record_id in ids:
            record = db.session.get(model, record_id)
            if record is not None:
                yield record


def _budget(doc: dict[str, Any]) -> float:
    return float(doc.get("budget_eur") or 0)


def store_pair(source: dict[str, Any], candidate: overlap.Candidate) -> OverlapPair:
    """Insert or refresh a pair; a reviewed decision stays as it is."""
    a, b = sorted([f"{source['kind']}-{source['id']}", f"{candidate.kind}-{candidate.id}"])
    pair = db.session.scalar(select(OverlapPair).where(OverlapPair.a_doc == a,
                                                       OverlapPair.b_doc == b))
    if pair is None:
        pair = OverlapPair(a_doc=a, b_doc=b, status="open")
        db.session.add(pair)
    first, second = (source, candidate.source) if a.startswith(
        f"{source['kind']}-{source['id']}") else (candidate.source, source)
    pair.a_ressort, pair.b_ressort = first.get("ressort"), second.get("ressort")
    pair.a_title, pair.b_title = first.get("title", "")[:500], second.get("title", "")[:500]
    pair.volume_eur = _budget(first) + _budget(second)
    pair.score, pair.level = candidate.score, candidate.level or "mittel"
    pair.reasons = {"terms": candidate.terms, "facts": candidate.facts}
    pair.found_at = utcnow()
    return pair


def scan(progress: Callable[[int], None] | None = None, *, resume: bool = True) -> dict[str, int]:
    """Find all cross-Ressort pairs above the medium threshold and store them.

    With `resume`, records whose current version was scanned before are skipped, so an
    interrupted scan continues where it stopped and a re-scan only looks at changes.
    """
    counts = {"scanned": 0, "skipped": 0, "pairs": 0}
    for record in _records():
        mark_id = doc_id(KINDS[type(record)], record.id)
        mark = db.session.get(OverlapScanMark, mark_id)
        if resume and mark is not None and mark.version == record.version:
            counts["skipped"] += 1
        else:
            source = to_document(record)
            for candidate in for_record(record, EVERYTHING, size=10):
                if candidate.level:
                    store_pair(source, candidate)
                    counts["pairs"] += 1
            if mark is None:
                db.session.add(OverlapScanMark(doc=mark_id, version=record.version))
            else:
                mark.version, mark.scanned_at = record.version, utcnow()
            counts["scanned"] += 1
            db.session.commit()  # each record's result is kept even if the scan stops
        if progress:
            progress(1)
    return counts


def count_scannable() -> int:
    from sqlalchemy import func

    return sum(db.session.scalar(select(func.count()).select_from(model)
                                 .where(model.deleted_at.is_(None))) or 0 for model in SCANNED)


def doc_record(doc: str) -> Any:
    """The record behind a document id such as 'project-12' (None if gone)."""
    from .documents import MODELS

    kind, _, record_id = doc.rpartition("-")
    model = MODELS.get(kind)
    return db.session.get(model, int(record_id)) if model and record_id.isdigit() else None


def editors_of(ressort_codes: set[str]) -> list[User]:
    return list(db.session.scalars(
        select(User).where(User.role == "editor", User.active.is_(True),
                           User.ressorts.any(Ressort.code.in_(ressort_codes)))))


def alert_high_overlaps(record: Any) -> int:
    """After a save: tell the editors of both Ressorts about high overlaps (in the app)."""
    kind = KINDS.get(type(record))
    if kind is None:
        return 0
    created = 0
    for candidate in for_record(record, EVERYTHING, size=5):
        if candidate.level != "hoch":
            continue
        codes = {c for c in (record_ressort(record), candidate.ressort) if c}
        key = "-".join(sorted([doc_id(kind, record.id), f"{candidate.kind}-{candidate.id}"]))
        link = url_for(DETAIL_ENDPOINTS[kind], record_id=record.id)
        other = doc_record(f"{candidate.kind}-{candidate.id}")
        for user in editors_of(codes):
            exists = db.session.scalar(select(Notification.id).where(
                Notification.user_id == user.id, Notification.key == key))
            if exists:
                continue
            # Each reader learns only titles they may read (confidential plans stay hidden).
            mine = f"„{record}“" if can_read(user, record) else "ein Eintrag"
            theirs = f"„{candidate.title}“" if can_read(user, other) else "ein Eintrag"
            message = (f"Hohe Überschneidung: {mine} ({record_ressort(record)}) "
                       f"ähnelt {theirs} ({candidate.ressort}).")
            db.session.add(Notification(user_id=user.id, key=key, link=link, message=message))
            created += 1
            if mail.enabled():
                address = url_for(DETAIL_ENDPOINTS[kind], record_id=record.id, _external=True)
                mail.send(user.email, "Zukunftsstadt: mögliche Doppelförderung",
                          f"Guten Tag {user.name},\n\n{message}\n\nEintrag: {address}\n")
    db.session.commit()
    return created
