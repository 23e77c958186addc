"""Write the whole catalogue in the load format of `dataset` (`flask catalogue dump`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import kind_fields, kinds
from ..extensions import db
from ..json_values import amount, day
from ..kinds import Kind
from ..models import (
    PROGRAMME_STATUSES,
    PUBLICATION_STATUSES,
    SDG,
    Municipality,
    Organisation,
    Programme,
    Project,
    RealWorldLab,
    ResearchPriority,
    Ressort,
    State,
    Topic,
    TransferReport,
    TransferReportItem,
)
from .dataset import FORMAT, FORMAT_VERSION, OWN_SECTIONS


def _report_ref(item: TransferReportItem) -> str:
    if item.kind == "project":
        return f"project:{db.session.get(Project, item.record_id).fkz}"
    return f"lab:{db.session.get(RealWorldLab, item.record_id).key}"


def _records(kind: Kind) -> Iterator[dict[str, Any]]:
    """The section of a kind without one of its own (`dataset._Loader.record` loads it)."""
    model, fields = kind.model, kind_fields.of(kind)
    links = [getattr(model, f.attr) for f in fields if f.type in ("ref", "refs", "places")]
    for record in db.session.scalars(select(model).order_by(getattr(model, kind.key)).options(
            *(selectinload(link) for link in links)).execution_options(yield_per=500)):
        yield {kind.key: getattr(record, kind.key),
               **{f.attr: kind_fields.file_value(record, f) for f in fields},
               "publication_status": PUBLICATION_STATUSES[record.publication_status]}


def dump(notice: str = "") -> dict[str, Any]:
    """The whole catalogue in the load format; `load(dump())` reproduces it."""
    return {name: value if isinstance(value, str | int) else list(value)
            for name, value in sections(notice).items()}


def sections(notice: str = "") -> dict[str, Any]:
    """The load format with every list as a lazy iterator, read in chunks (for streaming)."""

    def rows(model: type, order: Any, *links: Any) -> Iterator[Any]:
        """Records with their links loaded per chunk (no query per record)."""
        yield from db.session.scalars(select(model).order_by(order).options(
            *(selectinload(link) for link in links)).execution_options(yield_per=500))

    pub = PUBLICATION_STATUSES
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "notice": notice,
        "states": ({"code": s.code, "name": s.name} for s in rows(State, State.code)),
        "ressorts": (
            {"code": r.code, "name": r.name, "valid_from": day(r.valid_from),
             "valid_to": day(r.valid_to),
             "predecessor": r.predecessor.code if r.predecessor else None}
            for r in rows(Ressort, Ressort.code)
        ),
        "municipalities": (
            {"ags": m.ags, "name": m.name, "state": m.state.code, "city_type": m.city_type,
             "population": m.population, "lat": m.lat, "lon": m.lon}
            for m in rows(Municipality, Municipality.ags, Municipality.state)
        ),
        kinds.ORGANISATION.section: (
            {"key": o.key, "name": o.name, "city": o.city, "kind": o.kind,
             "publication_status": pub[o.publication_status]}
            for o in rows(Organisation, Organisation.key)
        ),
        "topics": ({"key": t.key, "name": t.name} for t in rows(Topic, Topic.key)),
        "sdgs": ({"number": s.number, "name": s.name} for s in rows(SDG, SDG.number)),
        kinds.PRIORITY.section: (
            {"key": r.key, "title": r.title, "description": r.description,
             "parent": r.parent.key if r.parent else None,
             "publication_status": pub[r.publication_status]}
            # Parents before children, so the file loads in one pass.
            for r in sorted(rows(ResearchPriority, ResearchPriority.id),
                            key=lambda r: (r.parent_id is not None, r.id))
        ),
        kinds.PROGRAMME.section: (
            {"key": p.key, "title": p.title, "short_title": p.short_title,
             "ressort": p.ressort.code,
             "ressort_at_funding": p.ressort_at_funding.code if p.ressort_at_funding else None,
             "funding_body": p.funding_body, "kind": p.kind, "budget_eur": amount(p.budget_eur),
             "start_date": day(p.start_date), "end_date": day(p.end_date),
             "status": PROGRAMME_STATUSES[p.status], "confidential": p.confidential,
             "description": p.description, "url": p.url,
             "publication_status": pub[p.publication_status]}
            for p in rows(Programme, Programme.key, Programme.ressort,
                          Programme.ressort_at_funding)
        ),
        kinds.PROJECT.section: (
            {"fkz": p.fkz, "title": p.title, "acronym": p.acronym,
             "programme": p.programme.key if p.programme else None,
             "ressort_at_funding": p.ressort_at_funding.code if p.ressort_at_funding else None,
             "verbund_title": p.verbund.title if p.verbund else None,
             "summary": p.summary, "objectives": p.objectives, "results": p.results,
             "lead_organisation": p.lead_organisation.key if p.lead_organisation else None,
             "executing_unit": p.executing_unit,
             "municipalities": [m.ags for m in p.municipalities],
             "start_date": day(p.start_date), "end_date": day(p.end_date),
             "budget_eur": amount(p.budget_eur), "topics": [t.key for t in p.topics],
             "sdgs": [s.number for s in p.sdgs],
             "research_priorities": [r.key for r in p.research_priorities],
             "contact_name": p.contact_name, "contact_email": p.contact_email,
             "contact_public": p.contact_public, "lessons_learned": p.lessons_learned,
             "transferability": p.transferability, "results_status": p.results_status,
             "publication_status": pub[p.publication_status]}
            for p in rows(Project, Project.fkz, Project.programme, Project.ressort_at_funding,
                          Project.verbund, Project.lead_organisation, Project.municipalities,
                          Project.topics, Project.sdgs, Project.research_priorities)
        ),
        kinds.LAB.section: (
            {"key": lab.key, "name": lab.name, "description": lab.description,
             "ressort": lab.ressort.code if lab.ressort else None, "phase": lab.phase,
             "experimentation_clause": lab.experimentation_clause,
             "municipalities": [m.ags for m in lab.municipalities],
             "projects": [p.fkz for p in lab.projects],
             "start_date": day(lab.start_date), "end_date": day(lab.end_date),
             "topics": [t.key for t in lab.topics],
             "research_priorities": [r.key for r in lab.research_priorities],
             "lessons_learned": lab.lessons_learned,
             "publication_status": pub[lab.publication_status]}
            for lab in rows(RealWorldLab, RealWorldLab.key, RealWorldLab.ressort,
                            RealWorldLab.municipalities, RealWorldLab.projects,
                            RealWorldLab.topics, RealWorldLab.research_priorities)
        ),
        kinds.REPORT.section: (
            {"key": r.key, "title": r.title, "scope": r.scope, "introduction": r.introduction,
             "transferability": r.transferability,
             "records": [_report_ref(i) for i in r.items],
             "publication_status": pub[r.publication_status]}
            for r in rows(TransferReport, TransferReport.key)
        ),
        **{k.section: _records(k) for k in kinds.ALL if k not in OWN_SECTIONS},
    }
