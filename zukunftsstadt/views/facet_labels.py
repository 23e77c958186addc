"""Readable labels for the facet values of a search (Ressort names, programme titles, topic
names …), for the search page and the JSON API, in one database round trip."""

from __future__ import annotations

from typing import Any

from flask_login import current_user
from sqlalchemy import String, bindparam, cast, literal, select, union_all

from search import queries

from .. import kinds, visibility
from ..extensions import db
from ..models import (
    PROGRAMME_STATUSES,
    SDG,
    Programme,
    ResearchPriority,
    Ressort,
    State,
    Topic,
)

# Facet -> (key column, label column) of the names a facet's values stand for.
_LABELS: dict[str, tuple[Any, Any]] = {
    "programme": (Programme.key, Programme.title),
    "topic": (Topic.key, Topic.name),
    "land": (State.code, State.name),
    "ressort": (Ressort.code, Ressort.name),
    "priority": (ResearchPriority.key, ResearchPriority.title),
    "sdg": (SDG.number, SDG.name),
}
_ANONYMOUS_LABEL_QUERIES: dict[tuple[str, ...], Any] = {}


def _label_query(names: tuple[str, ...]) -> Any:
    """One UNION ALL of the label lookups of `names`, each key list a parameter of that name.
    Built once per combination for anonymous readers (the visibility rule is the same for
    all of them): building the statement cost more than running it (1.7 ms a search)."""
    anonymous = not current_user.is_authenticated
    if anonymous and names in _ANONYMOUS_LABEL_QUERIES:
        return _ANONYMOUS_LABEL_QUERIES[names]
    asked = []
    for name in names:
        key_col, label_col = _LABELS[name]
        key = cast(key_col, String) if name == "sdg" else key_col
        query = select(literal(name), key, label_col).where(
            key_col.in_(bindparam(name, expanding=True)))
        if name == "programme":  # a title only for programmes this user may see
            query = query.where(Programme.id.in_(
                visibility.programmes().with_only_columns(Programme.id)))
        elif name == "priority":  # drafts only for readers who may see them
            query = query.where(ResearchPriority.id.in_(
                visibility.priorities().with_only_columns(ResearchPriority.id)))
        asked.append(query)
    statement = union_all(*asked)
    if anonymous:
        _ANONYMOUS_LABEL_QUERIES[names] = statement
    return statement


def facet_labels(result: queries.SearchResult,
                 filters: dict[str, list[str]]) -> dict[str, dict[str, str]]:
    """Readable labels for facet values (Ressort names, programme titles, topic names …).

    Also drops the priority buckets the reader may not read: projects keep the keys of
    priorities still in draft or deleted, and a key names its title."""
    wanted = {name: {v for v, _ in result.facets.get(name, [])} | set(filters.get(name, []))
              for name in queries.FACETS}
    labels: dict[str, dict[str, str]] = {name: {} for name in queries.FACETS}
    labels["kind"] = dict(kinds.LABELS)
    labels["status"] = dict(PROGRAMME_STATUSES)
    values: dict[str, list[Any]] = {name: sorted(wanted[name]) for name in _LABELS
                                    if name != "sdg" and wanted[name]}
    numbers = sorted(int(v) for v in wanted["sdg"] if v.isdigit())
    if numbers:
        values["sdg"] = numbers
        labels["sdg"] = {str(n): f"SDG {n}" for n in numbers}
    if values:  # one round trip for all facets: every search asks this
        for name, key, label in db.session.execute(_label_query(tuple(values)), values):
            labels[name][key] = f"SDG {key}: {label}" if name == "sdg" else label
    if "priority" in result.facets:
        result.facets["priority"] = [(v, n) for v, n in result.facets["priority"]
                                     if v in labels["priority"]]
    return labels
