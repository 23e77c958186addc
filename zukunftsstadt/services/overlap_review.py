"""The stored overlap pairs as a reader may see them: pages of the review list, one pair, the
Ressort × Ressort matrix.

A scan of a large catalogue stores hundreds of thousands of pairs, so nothing here loads them
as objects to filter them in Python: the Koordination's pages are counted and cut in SQL; for
everyone else the documents they may read are listed once (ids only, through `visibility`,
the rules of the lists) and the pairs are streamed as plain rows against that set.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_login import current_user
from sqlalchemy import Select, func, select, union

from .. import permissions, visibility
from ..extensions import db
from ..models import OverlapPair, Programme, Project, RealWorldLab

STREAM_CHUNK = 5000


def _readable_docs() -> set[str] | None:
    """The document ids ('project-12') the current user may read; None: all of them."""
    if permissions.is_coordination(current_user):
        return None
    docs: set[str] = set()
    for kind, model, query in (("project", Project, visibility.projects()),
                               ("programme", Programme, visibility.programmes()),
                               ("lab", RealWorldLab, visibility.labs())):
        docs.update(f"{kind}-{i}" for i in db.session.scalars(query.with_only_columns(model.id)))
    return docs


def _scoped(query: Select) -> Select:
    """Editors see only the pairs of their own Ressorts."""
    if current_user.role == "editor":
        own = list(current_user.ressort_codes)
        query = query.where(OverlapPair.a_ressort.in_(own) | OverlapPair.b_ressort.in_(own))
    return query


def _visible_rows(query: Select, *columns: Any) -> Iterator[tuple[Any, ...]]:
    """`columns` of the pairs of `query` whose two records the user may read."""
    docs = _readable_docs()
    statement = _scoped(query).with_only_columns(OverlapPair.a_doc, OverlapPair.b_doc,
                                                *columns)
    for a_doc, b_doc, *values in db.session.execute(
            statement.execution_options(yield_per=STREAM_CHUNK)):
        if docs is None or (a_doc in docs and b_doc in docs):
            yield tuple(values)


def page(query: Select, number: int, size: int) -> tuple[list[OverlapPair], int]:
    """One page of the pairs of `query` (in its order) and how many there are in all."""
    if permissions.is_coordination(current_user):
        total = db.session.scalar(select(func.count()).select_from(
            query.order_by(None).subquery())) or 0
        items = db.session.scalars(query.offset((number - 1) * size).limit(size)).all()
        return list(items), total
    ids = [pair_id for (pair_id,) in _visible_rows(query, OverlapPair.id)]
    wanted = ids[(number - 1) * size:number * size]
    found = {p.id: p for p in db.session.scalars(
        select(OverlapPair).where(OverlapPair.id.in_(wanted)))}
    return [found[i] for i in wanted], len(ids)


def get(pair_id: int) -> OverlapPair | None:
    """The pair, if the user may see it."""
    query = select(OverlapPair).where(OverlapPair.id == pair_id)
    return db.session.get(OverlapPair, pair_id) if any(
        _visible_rows(query, OverlapPair.id)) else None


def ressorts() -> list[str]:
    """The Ressorts that occur in pairs (for the filter)."""
    codes = db.session.scalars(union(select(OverlapPair.a_ressort),
                                     select(OverlapPair.b_ressort)))
    return sorted(c for c in codes if c)


def matrix() -> dict[tuple[str, str], dict[str, list[float]]]:
    """Per Ressort pair (both ways round): [count, volume] of open and of confirmed pairs."""
    cells: dict[tuple[str, str], dict[str, list[float]]] = {}
    counted = select(OverlapPair).where(OverlapPair.status.in_(["open", "double_funding"]))
    if permissions.is_coordination(current_user):  # everything: add up in SQL
        rows: Any = db.session.execute(counted.with_only_columns(
            OverlapPair.a_ressort, OverlapPair.b_ressort, OverlapPair.status,
            func.count(), func.coalesce(func.sum(OverlapPair.volume_eur), 0))
            .group_by(OverlapPair.a_ressort, OverlapPair.b_ressort, OverlapPair.status))
    else:
        rows = ((a, b, status, 1, volume or 0) for a, b, status, volume in _visible_rows(
            counted, OverlapPair.a_ressort, OverlapPair.b_ressort, OverlapPair.status,
            OverlapPair.volume_eur))
    for a, b, status, count, volume in rows:
        for key in {(a, b), (b, a)}:
            cell = cells.setdefault(key, {"open": [0, 0.0], "double_funding": [0, 0.0]})
            cell[status][0] += count
            cell[status][1] += float(volume)
    return cells
