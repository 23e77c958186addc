"""The heat-map matrices of the gap analysis, over the published projects and Reallabore.

Research priority × Ressort counts exactly the records of the coverage table (tags and text
matches); its cells link to the list of those records. Topic × Land and topic × city type count
records by their Themenfelder and places; their cells link to a search that finds the same.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import CITY_TYPES, Municipality, Ressort, State, Topic
from ..models.project import project_municipality, project_topic
from ..models.real_world_lab import lab_municipality, lab_topic
from .gaps import CoverageList, RecordKey, public_labs, public_projects


@dataclass
class Matrix:
    """Counts of records per row × column, with labels and a link per cell."""

    key: str
    title: str
    rows: list[tuple[str, str]]
    columns: list[tuple[str, str]]
    cells: dict[tuple[str, str], int]
    row_label: str
    column_label: str
    search_names: tuple[str, str] | None  # the search filters of a row and a column, if any

    def value(self, row: str, column: str) -> int:
        return self.cells.get((row, column), 0)

    def filters(self, row: str, column: str) -> dict[str, str]:
        """Search parameters that find exactly the records of a cell."""
        assert self.search_names is not None
        return {self.search_names[0]: row, self.search_names[1]: column}

    @property
    def maximum(self) -> int:
        return max(self.cells.values(), default=0)

    def heat(self, row: str, column: str) -> int:
        """0 (empty) to 4 (the largest cells), for the colour of a cell."""
        value = self.value(row, column)
        return 0 if not value else min(4, 1 + value * 4 // (self.maximum + 1))


def _count(triples: Iterable[tuple[RecordKey, str, str]]) -> dict[tuple[str, str], int]:
    cells: dict[tuple[str, str], set[RecordKey]] = defaultdict(set)
    for record, row, column in triples:
        cells[(row, column)].add(record)
    return {k: len(v) for k, v in cells.items()}


def _topic_places() -> list[tuple[RecordKey, str, str, str]]:
    """(record, topic key, Land, city type) of the published projects and Reallabore."""
    found: list[tuple[RecordKey, str, str, str]] = []
    for kind, topic_link, place_link, column, public in (
            ("project", project_topic, project_municipality, "project_id", public_projects()),
            ("lab", lab_topic, lab_municipality, "real_world_lab_id", public_labs())):
        rows = db.session.execute(
            select(topic_link.c[column], Topic.key, State.code, Municipality.city_type)
            .join(Topic, Topic.id == topic_link.c.topic_id)
            .join(place_link, place_link.c[column] == topic_link.c[column])
            .join(Municipality, Municipality.id == place_link.c.municipality_id)
            .join(State, State.id == Municipality.state_id)
            .where(topic_link.c[column].in_(public.scalar_subquery())))
        found.extend(((kind, record_id), t, s, c) for record_id, t, s, c in rows)
    return found


def priority_ressort(coverage: CoverageList) -> Matrix:
    current = [r.code for r in db.session.scalars(
        select(Ressort).where(Ressort.valid_to.is_(None)).order_by(Ressort.code))]
    found = sorted({code for c in coverage for code in c.by_ressort} - set(current))
    cells = {(c.priority.key, code): len(keys) for c in coverage
             for code, keys in c.by_ressort.items()}
    return Matrix("schwerpunkt-ressort", "Forschungsschwerpunkt × Ressort",
                  [(c.priority.key, c.priority.title) for c in coverage],
                  [(code, code) for code in [*current, *found]], cells,
                  "Forschungsschwerpunkt", "Ressort", None)


def matrices(coverage: CoverageList) -> list[Matrix]:
    topics = [(t.key, t.name) for t in db.session.scalars(select(Topic).order_by(Topic.name))]
    states = [(s.code, s.name) for s in db.session.scalars(select(State).order_by(State.name))]
    places = _topic_places()
    return [
        priority_ressort(coverage),
        Matrix("thema-land", "Themenfeld × Land", topics, states,
               _count((r, t, s) for r, t, s, _ in places), "Themenfeld", "Land",
               ("topic", "land")),
        Matrix("thema-stadttyp", "Themenfeld × Stadttyp", topics,
               [(c, c) for c in CITY_TYPES],
               _count((r, t, c) for r, t, _, c in places), "Themenfeld", "Stadttyp",
               ("topic", "city_type")),
    ]
