"""Gap analysis: how well the published portfolio covers the research agenda and the country."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from elasticsearch import ApiError, TransportError
from sqlalchemy import select

from ..extensions import db
from ..models import (
    CITY_TYPES,
    Municipality,
    Programme,
    Project,
    ResearchPriority,
    Ressort,
    State,
    Topic,
)
from ..models.project import project_municipality, project_priority, project_topic
from . import indexing

THIN = 3  # fewer records than this: thin coverage


@dataclass
class Coverage:
    priority: ResearchPriority
    tagged: set[int] = field(default_factory=set)
    matched: set[int] = field(default_factory=set)
    budget_eur: float = 0.0
    ressorts: set[str] = field(default_factory=set)
    states: set[str] = field(default_factory=set)
    city_types: set[str] = field(default_factory=set)
    first_year: int | None = None
    last_year: int | None = None

    @property
    def project_ids(self) -> set[int]:
        return self.tagged | self.matched

    @property
    def count(self) -> int:
        return len(self.project_ids)

    @property
    def level(self) -> str:
        return "keine" if self.count == 0 else "dünn" if self.count < THIN else "gut"


def public_projects() -> Any:
    return (select(Project.id).outerjoin(Project.programme)
            .where(Project.publication_status == "published", Project.deleted_at.is_(None),
                   (Programme.id.is_(None)) | (Programme.confidential.is_(False))))


def _text_matches(priority: ResearchPriority, size: int = 20) -> set[int]:
    """Published projects whose text matches the priority's description closely (raises the
    client's errors when search is away)."""
    text = f"{priority.title} {priority.description}"
    response = indexing.client().search(
        index=indexing.alias(), size=size,
        query={"bool": {
            "must": [{"more_like_this": {
                "fields": ["title", "summary", "objectives"], "like": text,
                "min_term_freq": 1, "min_doc_freq": 1, "max_query_terms": 25,
                "minimum_should_match": "35%"}}],
            "filter": [{"term": {"kind": "project"}},
                       {"term": {"publication_status": "published"}},
                       {"term": {"confidential": False}}],
        }},
        source=False,
    )
    return {int(h["_id"].rsplit("-", 1)[1]) for h in response["hits"]["hits"]}


class CoverageList(list[Coverage]):
    """The coverage of every priority; `text_missing` when search was away and only the
    tagged projects are counted."""

    text_missing: bool = False


def coverage(with_text: bool = True) -> CoverageList:
    public = set(db.session.scalars(public_projects()))
    priorities = db.session.scalars(
        select(ResearchPriority).where(ResearchPriority.deleted_at.is_(None),
                                       ResearchPriority.publication_status == "published")
        .order_by(ResearchPriority.title)).all()
    tags = defaultdict(set)
    for project_id, priority_id in db.session.execute(
            select(project_priority.c.project_id, project_priority.c.research_priority_id)):
        if project_id in public:
            tags[priority_id].add(project_id)
    result = CoverageList()
    for priority in priorities:
        item = Coverage(priority, tagged=tags[priority.id])
        if with_text and not result.text_missing:
            try:
                item.matched = (_text_matches(priority) & public) - item.tagged
            except (TransportError, ApiError):
                result.text_missing = True  # one timeout, not one per priority
        result.append(item)
    _add_facts(result)
    return result


def _ressort_of() -> Callable[[int | None, int | None, int | None], str | None]:
    """A function (programme id, programme's Ressort id, Ressort id at funding) -> the code
    of the project's Ressort as `Project.ressort` gives it: the programme's, else today's
    successor of the Ressort at funding."""
    codes = {r.id: (r.code, r.current.code) for r in db.session.scalars(select(Ressort))}

    def code(programme_id: int | None, programme_ressort: int | None,
             funding: int | None) -> str | None:
        if programme_id is not None:
            return codes[programme_ressort][0] if programme_ressort else None
        return codes[funding][1] if funding else None

    return code


@dataclass
class _Facts:
    budget: float = 0.0
    year: int | None = None
    ressort: str | None = None
    places: set[tuple[str, str]] = field(default_factory=set)  # (Land, city type)


def _add_facts(items: list[Coverage]) -> None:
    """Budget, Ressorts, places and years of the counted projects, read as plain rows in two
    streamed queries (a priority may cover tens of thousands of projects: no objects, no
    id lists as bound parameters)."""
    wanted = set().union(*(item.project_ids for item in items))
    if not wanted:
        return
    ressort_of = _ressort_of()
    facts: dict[int, _Facts] = {}
    for project_id, budget, start, programme_id, programme_ressort, funding in db.session.execute(
            select(Project.id, Project.budget_eur, Project.start_date, Project.programme_id,
                   Programme.ressort_id, Project.ressort_at_funding_id)
            .outerjoin(Programme, Programme.id == Project.programme_id)
            .where(Project.deleted_at.is_(None)).execution_options(yield_per=5000)):
        if project_id in wanted:
            facts[project_id] = _Facts(float(budget or 0), start.year if start else None,
                                       ressort_of(programme_id, programme_ressort, funding))
    for project_id, state, city_type in db.session.execute(
            select(project_municipality.c.project_id, State.code, Municipality.city_type)
            .join(Municipality, Municipality.id == project_municipality.c.municipality_id)
            .join(State, State.id == Municipality.state_id).execution_options(yield_per=5000)):
        if project_id in facts:
            facts[project_id].places.add((state, city_type))
    for item in items:
        for project_id in item.project_ids:
            fact = facts.get(project_id)
            if fact is None:
                continue
            item.budget_eur += fact.budget
            if fact.ressort:
                item.ressorts.add(fact.ressort)
            for state, city_type in fact.places:
                item.states.add(state)
                item.city_types.add(city_type)
            if fact.year:
                item.first_year = min(item.first_year or fact.year, fact.year)
                item.last_year = max(item.last_year or fact.year, fact.year)


@dataclass
class Matrix:
    """Counts of published projects per row × column, with labels and a link per cell."""

    key: str
    title: str
    rows: list[tuple[str, str]]
    columns: list[tuple[str, str]]
    cells: dict[tuple[str, str], int]
    row_label: str
    column_label: str
    search_names: tuple[str, str]  # the search filters a row and a column stand for

    def value(self, row: str, column: str) -> int:
        return self.cells.get((row, column), 0)

    def filters(self, row: str, column: str) -> dict[str, str]:
        """Search parameters that find exactly the projects of a cell."""
        return {self.search_names[0]: row, self.search_names[1]: column}

    @property
    def maximum(self) -> int:
        return max(self.cells.values(), default=0)

    def heat(self, row: str, column: str) -> int:
        """0 (empty) to 4 (the largest cells), for the colour of a cell."""
        value = self.value(row, column)
        return 0 if not value else min(4, 1 + value * 4 // (self.maximum + 1))


def _count(pairs: Any) -> dict[tuple[str, str], int]:
    cells: dict[tuple[str, str], set[int]] = defaultdict(set)
    for project_id, row, column in pairs:
        cells[(row, column)].add(project_id)
    return {k: len(v) for k, v in cells.items()}


def matrices() -> list[Matrix]:
    public = public_projects().subquery()
    topics = [(t.key, t.name) for t in db.session.scalars(select(Topic).order_by(Topic.name))]
    states = [(s.code, s.name) for s in db.session.scalars(select(State).order_by(State.name))]
    ressorts = [(r.code, r.code) for r in db.session.scalars(
        select(Ressort).where(Ressort.valid_to.is_(None)).order_by(Ressort.code))]
    priorities = [(p.key, p.title) for p in db.session.scalars(
        select(ResearchPriority).where(ResearchPriority.deleted_at.is_(None),
                                       ResearchPriority.publication_status == "published")
        .order_by(ResearchPriority.title))]
    topic_place = db.session.execute(
        select(project_topic.c.project_id, Topic.key, State.code, Municipality.city_type)
        .join(Topic, Topic.id == project_topic.c.topic_id)
        .join(project_municipality,
              project_municipality.c.project_id == project_topic.c.project_id)
        .join(Municipality, Municipality.id == project_municipality.c.municipality_id)
        .join(State, State.id == Municipality.state_id)
        .where(project_topic.c.project_id.in_(select(public.c.id)))).all()
    return [
        Matrix("schwerpunkt-ressort", "Forschungsschwerpunkt × Ressort", priorities, ressorts,
               _count(_priority_ressort(public)), "Forschungsschwerpunkt", "Ressort",
               ("priority", "ressort")),
        Matrix("thema-land", "Themenfeld × Land", topics, states,
               _count((p, t, s) for p, t, s, _ in topic_place), "Themenfeld", "Land",
               ("topic", "land")),
        Matrix("thema-stadttyp", "Themenfeld × Stadttyp", topics,
               [(c, c) for c in CITY_TYPES],
               _count((p, t, c) for p, t, _, c in topic_place), "Themenfeld", "Stadttyp",
               ("topic", "city_type")),
    ]


def _priority_ressort(public: Any) -> list[tuple[int, str, str]]:
    """(project, priority key, Ressort code) for tagged public projects, with the Ressort the
    search knows them by (`Project.ressort`: the programme's, else today's successor of the
    Ressort at funding), so that a cell's count is what its search link finds."""
    ressort_of = _ressort_of()
    rows = db.session.execute(
        select(project_priority.c.project_id, ResearchPriority.key, Project.programme_id,
               Programme.ressort_id, Project.ressort_at_funding_id)
        .join(ResearchPriority, ResearchPriority.id == project_priority.c.research_priority_id)
        .join(Project, Project.id == project_priority.c.project_id)
        .outerjoin(Programme, Programme.id == Project.programme_id)
        .where(Project.id.in_(select(public.c.id))))
    result = []
    for project_id, key, programme_id, programme_ressort, funding_ressort in rows:
        code = ressort_of(programme_id, programme_ressort, funding_ressort)
        if code:
            result.append((project_id, key, code))
    return result


def ending_without_successor(today: date | None = None) -> list[Programme]:
    """Programmes that end within 12 months while their Ressort has no follow-up: no other
    published programme of that Ressort starting later than half a year before this one ends.
    (Programmes carry no topics of their own, so a follow-up is not matched by topic.)"""
    today = today or date.today()
    soon = today + timedelta(days=365)
    ending = db.session.scalars(select(Programme).where(
        Programme.deleted_at.is_(None), Programme.end_date.is_not(None),
        Programme.end_date >= today, Programme.end_date <= soon)
        .order_by(Programme.end_date)).all()
    result = []
    for programme in ending:
        follower = db.session.scalar(select(Programme.id).where(
            Programme.ressort_id == programme.ressort_id, Programme.id != programme.id,
            Programme.deleted_at.is_(None), Programme.publication_status == "published",
            Programme.start_date >= programme.end_date - timedelta(days=180)))
        if follower is None:
            result.append(programme)
    return result

