"""Turn catalogue records into the plain documents that `search` stores.

The app owns this mapping; `search` never sees a model. Each builder is named in the kind's
registry entry (`kinds.Kind.document`); `kinds.search_document` adds the search fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import object_session

from search.access import is_public
from search.german import fold

from .. import districts
from ..extensions import db
from ..json_values import day
from ..models import (
    Municipality,
    Programme,
    Project,
    RealWorldLab,
    ResearchPriority,
    Ressort,
    Topic,
    TransferReport,
)

Indexable = Programme | Project | RealWorldLab | ResearchPriority | TransferReport
CITED = {"project": Project, "lab": RealWorldLab}  # what a transfer report's items name


def _places(municipalities: Iterable[Municipality]) -> dict[str, Any]:
    items = list(municipalities)
    return {
        "municipalities": [m.ags for m in items],
        "municipality_names": [m.name for m in items],
        "states": sorted({m.state.code for m in items}),
        "state_names": sorted({m.state.name for m in items}),
        "district_names": sorted({name for m in items if (name := districts.name_of(m.ags))}),
        "city_types": sorted({m.city_type for m in items}),
    }


def _topics(topics: Iterable[Topic]) -> dict[str, Any]:
    items = list(topics)
    return {"topics": [t.key for t in items], "topic_names": [t.name for t in items]}


def _ressort(ressort: Ressort | None) -> dict[str, Any]:
    return {"ressort": ressort.code if ressort else None,
            "ressort_name": ressort.name if ressort else None}


def _period(record: Programme | Project | RealWorldLab) -> dict[str, Any]:
    return {
        "start_date": day(record.start_date),
        "end_date": day(record.end_date),
        "funding_year": record.start_date.year if record.start_date else None,
    }


def _base(record: Indexable, kind: str, title: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": str(record.id),
        "version": record.version,
        "title": title,
        "publication_status": record.publication_status,
        "confidential": False,
    }


def programme_document(p: Programme) -> dict[str, Any]:
    return {
        **_base(p, "programme", p.title),
        **_ressort(p.ressort),
        **_period(p),
        "key": p.key,
        "acronym": p.short_title,
        "summary": p.description,
        "ressort_at_funding": p.ressort_at_funding.code if p.ressort_at_funding else None,
        "programme": p.key,
        "status": p.status,
        "confidential": p.confidential,
        "budget_eur": float(p.budget_eur) if p.budget_eur is not None else None,
    }


def project_document(p: Project) -> dict[str, Any]:
    programme = p.programme
    return {
        **_base(p, "project", p.title),
        **_ressort(p.ressort),
        **_period(p),
        **_places(p.municipalities),
        **_topics(p.topics),
        "fkz": p.fkz,
        "acronym": p.acronym,
        "summary": p.summary,
        "objectives": p.objectives,
        "results": p.results,
        "ressort_at_funding": p.ressort_at_funding.code if p.ressort_at_funding else None,
        "programme": programme.key if programme else None,
        "programme_title": programme.title if programme else None,
        "confidential": bool(programme and programme.confidential),
        "organisation": p.lead_organisation.key if p.lead_organisation else None,
        "organisation_name": p.lead_organisation.name if p.lead_organisation else None,
        "verbund": p.verbund.stem if p.verbund else None,
        "sdgs": [s.number for s in p.sdgs],
        "research_priorities": [r.key for r in p.research_priorities],
        "budget_eur": float(p.budget_eur) if p.budget_eur is not None else None,
    }


def lab_document(lab: RealWorldLab) -> dict[str, Any]:
    return {
        **_base(lab, "lab", lab.name),
        **_ressort(lab.ressort),
        **_period(lab),
        **_places(lab.municipalities),
        **_topics(lab.topics),
        "key": lab.key,
        "summary": lab.description,
        "phase": lab.phase,
        "research_priorities": [r.key for r in lab.research_priorities],
    }


def priority_document(r: ResearchPriority) -> dict[str, Any]:
    return {
        **_base(r, "priority", r.title),
        "key": r.key,
        "summary": r.description,
        "research_priorities": [r.key] + ([r.parent.key] if r.parent else []),
    }


def report_document(r: TransferReport) -> dict[str, Any]:
    """A transfer report, found by its own texts and by the places and topics of the projects
    and Reallabore it cites (so "Leipzig" or a topic filter finds the report too)."""
    session = object_session(r) or db.session  # the rebuild reads with a session of its own
    cited: list[Project | RealWorldLab] = []
    for kind, model in CITED.items():
        ids = [item.record_id for item in r.items if item.kind == kind]
        if ids:
            cited += session.scalars(select(model).where(model.id.in_(ids)))
    places = {m.ags: m for record in cited for m in record.municipalities}
    topics = {t.key: t for record in cited for t in record.topics}
    return {
        **_base(r, "report", r.title),
        **_places(places[ags] for ags in sorted(places)),
        **_topics(topics[key] for key in sorted(topics)),
        "key": r.key,
        "summary": r.introduction,
        "objectives": r.transferability,
        "results": "\n".join(getattr(record, "title", None) or record.name for record in cited),
    }


_TEXT_FIELDS = ("title", "acronym", "summary", "objectives", "results", "programme_title",
                "topic_names")


def _text_values(doc: dict[str, Any], name: str) -> list[str]:
    value = doc.get(name)
    if isinstance(value, list):
        return [str(v) for v in value if v]
    return [str(value)] if value else []


def with_search_fields(doc: dict[str, Any]) -> dict[str, Any]:
    """Add the fields computed for search: spelling vocabulary and completion.

    `spell` feeds the "Meinten Sie …?" suggester, which does not filter by permission; so only
    publicly visible records contribute their words to it.
    """
    texts = [t for name in _TEXT_FIELDS for t in _text_values(doc, name)]
    doc["spell"] = texts if is_public(doc) else []
    doc["complete"] = [fold(t) for t in (doc.get("title"), doc.get("acronym")) if t]
    return doc
