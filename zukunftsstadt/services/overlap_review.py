"""The stored overlap pairs as a reader may see them: pages of the review list, one pair, the
Ressort × Ressort matrix.

A scan of a large catalogue stores hundreds of thousands of pairs, so nothing here loads them
as objects to filter them in Python: the Koordination's pages are counted and cut in SQL; for
everyone else the documents they may read are listed once (ids only, through `visibility`,
the rules of the lists) and the pairs are streamed as plain rows against that set.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from flask_login import current_user
from sqlalchemy import Select, String, case, cast, func, literal, select, union, union_all

from search.overlap import display_terms

from .. import kinds, permissions, visibility
from ..extensions import db
from ..models import REVIEW_STATUSES, OverlapPair, Programme, Project, RealWorldLab
from .overlaps import doc_record

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


def filtered(filters: dict[str, Any]) -> Select:
    """The pairs the review list and the API show for `filters` (status, level, ressort and
    gegen: its counterpart, q: a word of either title, doc: one record's pairs), without
    pairs of deleted records,
    highest score first. Unknown values are no filter (callers check them where they must)."""
    query = select(OverlapPair)
    if filters.get("status") in REVIEW_STATUSES:
        query = query.where(OverlapPair.status == filters["status"])
    if filters.get("level") in {"hoch", "mittel"}:
        query = query.where(OverlapPair.level == filters["level"])
    if filters.get("ressort") and filters.get("gegen"):  # the pairs of one matrix cell
        one, other = filters["ressort"], filters["gegen"]
        query = query.where(((OverlapPair.a_ressort == one) & (OverlapPair.b_ressort == other))
                            | ((OverlapPair.a_ressort == other) & (OverlapPair.b_ressort == one)))
    elif filters.get("ressort"):
        query = query.where((OverlapPair.a_ressort == filters["ressort"])
                            | (OverlapPair.b_ressort == filters["ressort"]))
    if filters.get("q"):
        query = query.where(OverlapPair.a_title.icontains(filters["q"], autoescape=True)
                            | OverlapPair.b_title.icontains(filters["q"], autoescape=True))
    if filters.get("doc") and kinds.parse_doc_id(filters["doc"]):
        query = query.where((OverlapPair.a_doc == filters["doc"])
                            | (OverlapPair.b_doc == filters["doc"]))
    gone = _deleted_docs()
    if gone:
        query = query.where(OverlapPair.a_doc.not_in(gone), OverlapPair.b_doc.not_in(gone))
    return query.order_by(OverlapPair.score.desc(), OverlapPair.id)


def _deleted_docs() -> list[str]:
    """The document ids of deleted records (the bin is small; their pairs stay stored, so a
    restored record gets its pairs and decisions back)."""
    return [kinds.doc_id(k.name, record_id) for k in kinds.SCANNED
            for record_id in db.session.scalars(select(k.model.id).where(
                k.model.deleted_at.is_not(None)))]


def decided(doc: str) -> list[dict[str, Any]]:
    """The reviewed pairs of one record (a decision other than "offen") that the reader may
    see, each with the other record's side: for the record's page."""
    query = filtered({"doc": doc}).where(OverlapPair.status != "open")
    found = []
    for pair in page(query, 1, 50)[0]:
        side = "b" if pair.a_doc == doc else "a"
        found.append({"pair": pair, "doc": getattr(pair, f"{side}_doc"),
                      "title": getattr(pair, f"{side}_title"),
                      "ressort": getattr(pair, f"{side}_ressort")})
    return found


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


def shared_words(pair: OverlapPair) -> list[str]:
    """The pair's shared terms as its records write them ('kuhlraum' -> 'kühlräume'): the
    portfolio scan stores the index's stems."""
    texts: list[str] = []
    for doc in (pair.a_doc, pair.b_doc):
        record = doc_record(doc)
        texts += [str(getattr(record, name, None) or "") for name in (
            "title", "name", "summary", "description", "objectives", "results")]
    return display_terms({"summary": " ".join(texts)}, (pair.reasons or {}).get("terms", []))


def ressorts() -> list[str]:
    """The Ressorts that occur in pairs (for the filter)."""
    codes = db.session.scalars(union(select(OverlapPair.a_ressort),
                                     select(OverlapPair.b_ressort)))
    return sorted(c for c in codes if c)


def matrix() -> dict[tuple[str, str], dict[str, list[float]]]:
    """Per Ressort pair (both ways round): [count, volume] of open and of confirmed pairs. The
    volume adds each record's amount once: a record in three pairs of a cell is one amount,
    not three."""
    cells: dict[tuple[str, str], dict[str, list[float]]] = {}

    def cell(a: str, b: str) -> dict[str, list[float]]:
        return cells.setdefault((a, b), {"open": [0, 0.0], "double_funding": [0, 0.0]})

    counted = select(OverlapPair).where(OverlapPair.status.in_(["open", "double_funding"]))
    if permissions.is_coordination(current_user):  # every pair: add up in SQL
        for a, b, status, count in db.session.execute(counted.with_only_columns(
                OverlapPair.a_ressort, OverlapPair.b_ressort, OverlapPair.status, func.count())
                .group_by(OverlapPair.a_ressort, OverlapPair.b_ressort, OverlapPair.status)):
            for key in {(a, b), (b, a)}:
                cell(*key)[status][0] += count
        for a, b, status, volume in db.session.execute(_distinct_volumes(counted)):
            for key in {(a, b), (b, a)}:
                cell(*key)[status][1] += float(volume or 0)
        return cells
    members: dict[tuple[tuple[str, str], str], set[str]] = {}
    for a, b, status, a_doc, b_doc in _visible_rows(
            counted, OverlapPair.a_ressort, OverlapPair.b_ressort, OverlapPair.status,
            OverlapPair.a_doc, OverlapPair.b_doc):
        for key in {(a, b), (b, a)}:
            cell(*key)[status][0] += 1
            members.setdefault((key, status), set()).update((a_doc, b_doc))
    amounts = _amounts({doc for docs in members.values() for doc in docs})
    for (key, status), docs in members.items():
        cells[key][status][1] = math.fsum(amounts.get(doc, 0.0) for doc in docs)
    return cells


def _distinct_volumes(pairs: Select) -> Select:
    """Per (Ressort, Ressort, status): the sum of the amounts of the distinct records
    in those pairs, in SQL (the Koordination's matrix reads every pair)."""
    a, b = OverlapPair.a_ressort, OverlapPair.b_ressort
    first = case((a < b, a), else_=b)  # the cell, whichever way round the pair is stored
    second = case((a < b, b), else_=a)
    side = [pairs.with_only_columns(first.label("a"), second.label("b"),
                                    OverlapPair.status.label("status"), column.label("doc"))
            for column in (OverlapPair.a_doc, OverlapPair.b_doc)]
    members = union(*side).subquery()  # UNION, not UNION ALL: each record once per cell
    amounts = union_all(*(
        select((literal(f"{kind.name}-") + cast(kind.model.id, String)).label("doc"),
               kind.model.budget_eur.label("amount"))
        .where(kind.model.budget_eur.is_not(None))
        for kind in (kinds.PROJECT, kinds.PROGRAMME))).subquery()
    return (select(members.c.a, members.c.b, members.c.status, func.sum(amounts.c.amount))
            .select_from(members.join(amounts, members.c.doc == amounts.c.doc))
            .group_by(members.c.a, members.c.b, members.c.status))


def _amounts(docs: set[str]) -> dict[str, float]:
    """The funding amount of each record behind `docs` (Reallabore have none)."""
    found: dict[str, float] = {}
    for kind in (kinds.PROJECT, kinds.PROGRAMME):
        ids = sorted(i for name, i in filter(None, map(kinds.parse_doc_id, docs))
                     if name == kind.name)
        for start in range(0, len(ids), STREAM_CHUNK):
            model = kind.model
            found.update((kinds.doc_id(kind.name, i), float(amount)) for i, amount in
                         db.session.execute(select(model.id, model.budget_eur).where(
                             model.id.in_(ids[start:start + STREAM_CHUNK]),
                             model.budget_eur.is_not(None))))
    return found
