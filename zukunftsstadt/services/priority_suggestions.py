"""Suggested research-priority tags: stored text matches that are not tags yet.

Editors see the suggestions for their Ressorts' records, the Koordination sees all. Accepting
one tags the record through `editing.stage` (with history); rejecting one stores the rejection,
so it is neither offered again nor counted in the coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, func, or_, select

from .. import kinds, permissions
from ..extensions import db
from ..models import PriorityMatch, PriorityRejection, Project, RealWorldLab, ResearchPriority, User
from ..models.project import project_priority
from ..models.real_world_lab import lab_priority
from . import editing

MODELS: dict[str, type[Project] | type[RealWorldLab]] = {k.name: k.model for k in kinds.COVERING}


@dataclass(frozen=True)
class Suggestion:
    priority_id: int
    priority_title: str
    kind: str
    record_id: int
    record_title: str
    ressort: str | None
    score: float
    terms: tuple[str, ...]

    @property
    def token(self) -> str:
        """How a form names the suggestion."""
        return f"{self.priority_id}:{self.kind}:{self.record_id}"


def may_review(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.active
                and permissions.maintains_records(user))


def _open(user: User, priority_id: int | None = None) -> Any:
    """The WHERE clause of the suggestions `user` may see."""
    tagged = or_(
        and_(PriorityMatch.kind == "project", exists().where(
            project_priority.c.project_id == PriorityMatch.record_id,
            project_priority.c.research_priority_id == PriorityMatch.priority_id)),
        and_(PriorityMatch.kind == "lab", exists().where(
            lab_priority.c.real_world_lab_id == PriorityMatch.record_id,
            lab_priority.c.research_priority_id == PriorityMatch.priority_id)))
    rejected = exists().where(PriorityRejection.priority_id == PriorityMatch.priority_id,
                              PriorityRejection.kind == PriorityMatch.kind,
                              PriorityRejection.record_id == PriorityMatch.record_id)
    clauses = [~tagged, ~rejected, ResearchPriority.deleted_at.is_(None),
               ResearchPriority.publication_status == "published"]
    if not user.is_coordination:
        clauses.append(PriorityMatch.ressort.in_(list(user.ressort_codes)))
    if priority_id:
        clauses.append(PriorityMatch.priority_id == priority_id)
    return and_(*clauses)


def page(user: User, number: int, size: int,
         priority_id: int | None = None) -> tuple[list[Suggestion], int]:
    where = _open(user, priority_id)
    base = select(PriorityMatch, ResearchPriority.title).join(
        ResearchPriority, ResearchPriority.id == PriorityMatch.priority_id).where(where)
    total = db.session.scalar(select(func.count()).select_from(
        select(PriorityMatch.id).join(ResearchPriority,
                                      ResearchPriority.id == PriorityMatch.priority_id)
        .where(where).subquery())) or 0
    rows = db.session.execute(base.order_by(PriorityMatch.score.desc(), PriorityMatch.id)
                              .offset((number - 1) * size).limit(size)).all()
    titles = _titles({(m.kind, m.record_id) for m, _ in rows})
    return [Suggestion(m.priority_id, title, m.kind, m.record_id,
                       titles.get((m.kind, m.record_id), ""), m.ressort, m.score,
                       tuple(m.terms or ())) for m, title in rows], total


def _titles(keys: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    found: dict[tuple[str, int], str] = {}
    for kind, model in MODELS.items():
        ids = [i for k, i in keys if k == kind]
        title = Project.title if model is Project else RealWorldLab.name
        if ids:
            found.update(((kind, i), t) for i, t in db.session.execute(
                select(model.id, title).where(model.id.in_(ids))))
    return found


def parse(tokens: list[str]) -> list[tuple[int, str, int]]:
    """Form tokens 'priority:kind:record' -> triples; malformed ones are dropped."""
    found: list[tuple[int, str, int]] = []
    for token in tokens[:1000]:
        parts = str(token).split(":")
        if (len(parts) == 3 and parts[0].isdigit() and parts[1] in MODELS
                and parts[2].isdigit() and len(parts[0]) < 12 and len(parts[2]) < 12):
            item = (int(parts[0]), parts[1], int(parts[2]))
            if item not in found:
                found.append(item)
    return found


def open_items(user: User, items: list[tuple[int, str, int]]) -> list[Suggestion]:
    """Those of `items` that are open suggestions `user` may see (for the confirmation)."""
    if not items:
        return []
    wanted = or_(*(and_(PriorityMatch.priority_id == p, PriorityMatch.kind == k,
                        PriorityMatch.record_id == r) for p, k, r in items[:1000]))
    rows = db.session.execute(
        select(PriorityMatch, ResearchPriority.title)
        .join(ResearchPriority, ResearchPriority.id == PriorityMatch.priority_id)
        .where(_open(user), wanted).order_by(PriorityMatch.score.desc())).all()
    titles = _titles({(m.kind, m.record_id) for m, _ in rows})
    return [Suggestion(m.priority_id, title, m.kind, m.record_id,
                       titles.get((m.kind, m.record_id), ""), m.ressort, m.score,
                       tuple(m.terms or ())) for m, title in rows]


def decide(user: User, items: list[tuple[int, str, int]], accept: bool) -> tuple[int, int]:
    """Accept or reject open suggestions; returns (done, refused). Commits."""
    done = 0
    for suggestion in open_items(user, items):
        record = db.session.get(MODELS[suggestion.kind], suggestion.record_id)
        priority = db.session.get(ResearchPriority, suggestion.priority_id)
        if record is None or priority is None or not permissions.can_edit(user, record):
            continue
        if accept:
            old = [p.title for p in record.research_priorities]
            if priority not in record.research_priorities:
                record.research_priorities.append(priority)
            editing.stage(record, user, links={"research_priorities": [
                old, [p.title for p in record.research_priorities]]})
        else:
            db.session.merge(PriorityRejection(
                priority_id=priority.id, kind=suggestion.kind, record_id=record.id,
                rejected_by_id=user.id))
        done += 1
    db.session.commit()
    return done, len(items) - done
