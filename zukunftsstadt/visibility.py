"""Which records a visitor may see, as SQL filters and as a search access.

Mirrors `permissions.can_read` for lists, so that a list never shows what a detail page hides.
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy import Select, and_, false, or_, select, true

from search.access import PUBLIC, Access

from .models import Programme, Project, RealWorldLab, ResearchPriority, Ressort, User
from .permissions import can_read


def _user() -> User | None:
    user = current_user._get_current_object() if current_user else None  # type: ignore[attr-defined]
    return user if isinstance(user, User) and user.is_authenticated and user.active else None


def _ressort_ids(user: User) -> list[int]:
    return [r.id for r in user.ressorts]


def _with_predecessors(user: User) -> list[int]:
    """The user's Ressorts and everything they succeeded (BMFTR also owns BMBF's records)."""
    ids: set[int] = set()
    for ressort in user.ressorts:
        while ressort is not None and ressort.id not in ids:
            ids.add(ressort.id)
            ressort = ressort.predecessor
    return sorted(ids)


def _rule(model: Any, ressort_col: Any, confidential: Any, orphan_own: Any = None) -> Any:
    """The WHERE clause for `model` given the current user."""
    user = _user()
    alive = model.deleted_at.is_(None)
    published = model.publication_status == "published"
    if user is None:
        return and_(alive, published, ~confidential)
    if user.is_coordination:
        return alive
    own = ressort_col.in_(_ressort_ids(user)) if ressort_col is not None else false()
    if orphan_own is not None:
        own = or_(own, orphan_own(_with_predecessors(user)))
    readable = true() if user.role == "analyst" else or_(published, own)
    return and_(alive, readable, or_(~confidential, own))


def programmes() -> Select:
    return select(Programme).where(
        _rule(Programme, Programme.ressort_id, Programme.confidential)
    )


def projects() -> Select:
    return (
        select(Project)
        .outerjoin(Project.programme)
        .where(_rule(Project, Programme.ressort_id,
                     and_(Programme.id.is_not(None), Programme.confidential),
                     # without a programme, the Ressort at funding (or its successor) owns it
                     lambda ids: and_(Project.programme_id.is_(None),
                                      Project.ressort_at_funding_id.in_(ids))))
    )


def labs() -> Select:
    return select(RealWorldLab).where(_rule(RealWorldLab, RealWorldLab.ressort_id, false()))


def priorities() -> Select:
    return select(ResearchPriority).where(_rule(ResearchPriority, None, false()))


def records(model: Any) -> Select:
    """A kind without a rule of its own: owned by its Ressort (`ressort_id`) if it has one."""
    return select(model).where(_rule(model, getattr(model, "ressort_id", None), false()))


def visible(record: object) -> bool:
    return can_read(_user(), record)


def search_access() -> Access:
    """The search filter for the current user (see `search.access.Access`)."""
    user = _user()
    if user is None:
        return PUBLIC
    if user.is_coordination:
        return Access(all_drafts=True, all_confidential=True)
    own = tuple(r.code for r in user.ressorts)
    return Access(all_drafts=user.role == "analyst", draft_ressorts=own,
                  confidential_ressorts=own)


def editable_ressorts() -> list[Ressort]:
    """The Ressorts whose records the current user may create."""
    user = _user()
    if user is None:
        return []
    if user.is_coordination:
        from .extensions import db

        return list(db.session.scalars(select(Ressort).order_by(Ressort.code)))
    return list(user.ressorts) if user.role == "editor" else []
