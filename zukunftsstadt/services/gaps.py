"""Gap analysis: how well the published projects and Reallabore cover the research agenda.

A record counts for a priority when people tagged it (always) or when its text matches the
priority (`priority_matching`, stored) and nobody rejected that suggestion. The coverage table,
the bar chart, the matrices (`gap_matrices`) and the API all read `coverage()`.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import (
    CoverageRun,
    Municipality,
    PriorityMatch,
    PriorityRejection,
    Programme,
    Project,
    RealWorldLab,
    ResearchPriority,
    Ressort,
    State,
)
from ..models.project import project_municipality, project_priority
from ..models.real_world_lab import lab_municipality, lab_priority
from . import jobs, priority_matching

# The level rule, named on the page: "dünn" below this share of the median count of the
# covered priorities, or with records of one Ressort only.
THIN_SHARE = 1 / 3
LEVEL_RULE = ("„keine“: kein Vorhaben und kein Reallabor; „dünn“: weniger als ein Drittel "
              "des Medians der abgedeckten Schwerpunkte ({median}) oder nur ein Ressort; "
              "„gut“: alle übrigen.")
RecordKey = tuple[str, int]  # ("project" | "lab", id)


@dataclass(frozen=True)
class Counted:
    """A record counted for a priority: by tag, or by text with the words it shares."""

    kind: str
    id: int
    source: str  # "tag" | "text"
    score: float | None = None
    terms: tuple[str, ...] = ()


@dataclass
class Coverage:
    priority: ResearchPriority
    records: dict[RecordKey, Counted] = field(default_factory=dict)
    budget_eur: float = 0.0
    ressorts: set[str] = field(default_factory=set)
    by_ressort: dict[str, set[RecordKey]] = field(default_factory=lambda: defaultdict(set))
    states: set[str] = field(default_factory=set)
    city_types: set[str] = field(default_factory=set)
    first_year: int | None = None
    last_year: int | None = None
    level: str = "keine"

    @property
    def count(self) -> int:
        return len(self.records)

    @property
    def tagged(self) -> list[Counted]:
        return [c for c in self.records.values() if c.source == "tag"]

    @property
    def matched(self) -> list[Counted]:
        return [c for c in self.records.values() if c.source == "text"]

    @property
    def projects(self) -> int:
        return sum(1 for kind, _ in self.records if kind == "project")

    @property
    def labs(self) -> int:
        return sum(1 for kind, _ in self.records if kind == "lab")


class CoverageList(list[Coverage]):
    """The coverage of every priority. `text_missing` when search was away and no stored text
    matches exist (only tags count); `run` is the stored computation read."""

    text_missing: bool = False
    run: CoverageRun | None = None
    stale: bool = False
    median: float = 0.0
    job: jobs.Progress | None = None  # a recomputation asked for or under way

    @property
    def computed_at(self) -> datetime | None:
        return self.run.computed_at if self.run else None

    @property
    def rule(self) -> str:
        return LEVEL_RULE.format(median=f"{self.median:g}")


def public_projects() -> Any:
    return (select(Project.id).outerjoin(Project.programme)
            .where(Project.publication_status == "published", Project.deleted_at.is_(None),
                   (Programme.id.is_(None)) | (Programme.confidential.is_(False))))


def public_labs() -> Any:
    return select(RealWorldLab.id).where(RealWorldLab.publication_status == "published",
                                         RealWorldLab.deleted_at.is_(None))


def public_records() -> set[RecordKey]:
    return ({("project", i) for i in db.session.scalars(public_projects())}
            | {("lab", i) for i in db.session.scalars(public_labs())})


def tags() -> dict[int, set[RecordKey]]:
    """Per priority id, every record people tagged with it."""
    found: dict[int, set[RecordKey]] = defaultdict(set)
    for record_id, priority_id in db.session.execute(
            select(project_priority.c.project_id, project_priority.c.research_priority_id)):
        found[priority_id].add(("project", record_id))
    for record_id, priority_id in db.session.execute(
            select(lab_priority.c.real_world_lab_id, lab_priority.c.research_priority_id)):
        found[priority_id].add(("lab", record_id))
    return found


def rejections() -> set[tuple[int, str, int]]:
    return set(db.session.execute(select(
        PriorityRejection.priority_id, PriorityRejection.kind, PriorityRejection.record_id)))


def coverage(run: CoverageRun | None = None) -> CoverageList:
    """Tags plus the stored text matches (computed first if nothing usable is stored)."""
    result = CoverageList()
    result.run = run or priority_matching.ensure()
    result.text_missing = result.run is None
    result.stale = result.run is not None and priority_matching.is_stale(result.run)
    result.job = jobs.progress(priority_matching.JOB)
    public = public_records()
    tagged = tags()
    rejected = rejections()
    matches: dict[int, list[PriorityMatch]] = defaultdict(list)
    if result.run is not None:
        for match in db.session.scalars(select(PriorityMatch).execution_options(
                yield_per=5000)):
            matches[match.priority_id].append(match)
    for priority in priority_matching.published_priorities():
        item = Coverage(priority)
        for kind, record_id in sorted(tagged[priority.id] & public):
            item.records[(kind, record_id)] = Counted(kind, record_id, "tag")
        for m in matches[priority.id]:
            key = (m.kind, m.record_id)
            if key in public and key not in item.records and (
                    priority.id, m.kind, m.record_id) not in rejected:
                item.records[key] = Counted(m.kind, m.record_id, "text", m.score,
                                            tuple(m.terms or ()))
        result.append(item)
    _add_facts(result)
    _add_levels(result)
    return result


def _add_levels(items: CoverageList) -> None:
    covered = [c.count for c in items if c.count]
    items.median = float(statistics.median(covered)) if covered else 0.0
    for c in items:
        thin = c.count < THIN_SHARE * items.median or len(c.ressorts) <= 1
        c.level = "keine" if not c.count else "dünn" if thin else "gut"


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


def record_facts(wanted: set[RecordKey]) -> dict[RecordKey, _Facts]:
    """Budget, year, Ressort and places of the records, read as plain streamed rows (a
    priority may cover tens of thousands of records: no objects, no id lists as parameters)."""
    facts: dict[RecordKey, _Facts] = {}
    if not wanted:
        return facts
    ressort_of = _ressort_of()
    for project_id, budget, start, programme_id, programme_ressort, funding in db.session.execute(
            select(Project.id, Project.budget_eur, Project.start_date, Project.programme_id,
                   Programme.ressort_id, Project.ressort_at_funding_id)
            .outerjoin(Programme, Programme.id == Project.programme_id)
            .where(Project.deleted_at.is_(None)).execution_options(yield_per=5000)):
        if ("project", project_id) in wanted:
            facts[("project", project_id)] = _Facts(
                float(budget or 0), start.year if start else None,
                ressort_of(programme_id, programme_ressort, funding))
    for lab_id, start, ressort in db.session.execute(
            select(RealWorldLab.id, RealWorldLab.start_date, Ressort.code)
            .outerjoin(Ressort, Ressort.id == RealWorldLab.ressort_id)
            .where(RealWorldLab.deleted_at.is_(None))):
        if ("lab", lab_id) in wanted:
            facts[("lab", lab_id)] = _Facts(0.0, start.year if start else None, ressort)
    for kind, table, column in (("project", project_municipality, "project_id"),
                                ("lab", lab_municipality, "real_world_lab_id")):
        for record_id, state, city_type in db.session.execute(
                select(table.c[column], State.code, Municipality.city_type)
                .join(Municipality, Municipality.id == table.c.municipality_id)
                .join(State, State.id == Municipality.state_id)
                .execution_options(yield_per=5000)):
            if (kind, record_id) in facts:
                facts[(kind, record_id)].places.add((state, city_type))
    return facts


def _add_facts(items: Iterable[Coverage]) -> None:
    items = list(items)
    facts = record_facts(set().union(*(item.records.keys() for item in items)))
    for item in items:
        for key in item.records:
            fact = facts.get(key)
            if fact is None:
                continue
            item.budget_eur += fact.budget
            if fact.ressort:
                item.ressorts.add(fact.ressort)
                item.by_ressort[fact.ressort].add(key)
            for state, city_type in fact.places:
                item.states.add(state)
                item.city_types.add(city_type)
            if fact.year:
                item.first_year = min(item.first_year or fact.year, fact.year)
                item.last_year = max(item.last_year or fact.year, fact.year)


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
