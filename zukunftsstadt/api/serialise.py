"""Records as JSON objects, with only what the current user may see."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import url_for
from flask_login import current_user

from .. import kind_fields, kinds, permissions, visibility
from ..json_values import amount, day, stamp
from ..kinds import Kind
from ..models import (
    Municipality,
    Organisation,
    Programme,
    Project,
    RealWorldLab,
    ResearchPriority,
    Topic,
    TransferReport,
)


def _places(items: list[Municipality]) -> list[dict[str, Any]]:
    return [{"ags": m.ags, "name": m.name, "state": m.state.code if m.state else None}
            for m in items]


def _topics(items: list[Topic]) -> list[dict[str, Any]]:
    return [{"id": t.id, "key": t.key, "name": t.name} for t in items]


def _common(record: Any, endpoint: str | None) -> dict[str, Any]:
    return {
        "id": record.id,
        "publication_status": record.publication_status,
        "version": record.version,
        "created_at": stamp(record.created_at),
        "updated_at": stamp(record.updated_at),
        "deleted_at": stamp(record.deleted_at),
        "html_url": url_for(endpoint, record_id=record.id) if endpoint else None,
    }


def programme(p: Programme) -> dict[str, Any]:
    return {
        **_common(p, "catalogue.programme_detail"), "key": p.key, "title": p.title,
        "short_title": p.short_title or "", "ressort": p.ressort.code if p.ressort else None,
        "ressort_id": p.ressort_id,
        "ressort_at_funding": p.ressort_at_funding.code if p.ressort_at_funding else None,
        "funding_body": p.funding_body or "", "kind": p.kind, "status": p.status,
        "confidential": bool(p.confidential), "budget_eur": amount(p.budget_eur),
        "start_date": day(p.start_date), "end_date": day(p.end_date),
        "description": p.description or "", "url": p.url or None,
    }


def project(p: Project) -> dict[str, Any]:
    ressort = p.ressort
    data = {
        **_common(p, "catalogue.project_detail"), "fkz": p.fkz, "title": p.title,
        "acronym": p.acronym or "", "programme_id": p.programme_id,
        "ressort": ressort.code if ressort else None,
        "ressort_at_funding": p.ressort_at_funding.code if p.ressort_at_funding else None,
        "verbund": p.verbund.stem if p.verbund else None, "summary": p.summary or "",
        "objectives": p.objectives or "", "results": p.results or "",
        "results_status": p.results_status, "lessons_learned": p.lessons_learned or "",
        "transferability": p.transferability or "",
        "lead_organisation_id": p.lead_organisation_id,
        "lead_organisation": p.lead_organisation.name if p.lead_organisation else None,
        "executing_unit": p.executing_unit or "", "municipalities": _places(p.municipalities),
        "start_date": day(p.start_date), "end_date": day(p.end_date),
        "budget_eur": amount(p.budget_eur), "topics": _topics(p.topics),
        "sdgs": [s.number for s in p.sdgs],
        "research_priorities": _priorities(p.research_priorities),
    }
    if permissions.can_edit(current_user, p):  # contact data only for those who maintain it
        data.update(contact_name=p.contact_name, contact_email=p.contact_email,
                    contact_public=bool(p.contact_public))
    return data


def lab(r: RealWorldLab) -> dict[str, Any]:
    return {
        **_common(r, "catalogue.lab_detail"), "key": r.key, "name": r.name,
        "ressort": r.ressort.code if r.ressort else None, "ressort_id": r.ressort_id,
        "description": r.description or "", "phase": r.phase,
        "experimentation_clause": bool(r.experimentation_clause),
        "lessons_learned": r.lessons_learned or "", "municipalities": _places(r.municipalities),
        "projects": [p.id for p in r.projects if visibility.visible(p)],
        "topics": _topics(r.topics), "research_priorities": _priorities(r.research_priorities),
        "start_date": day(r.start_date), "end_date": day(r.end_date),
    }


def _priorities(items: Iterable[ResearchPriority]) -> list[dict[str, Any]]:
    return [{"id": r.id, "title": r.title} for r in items if visibility.visible(r)]


def priority(r: ResearchPriority) -> dict[str, Any]:
    return {**_common(r, "catalogue.priority_detail"), "key": r.key, "title": r.title,
            "description": r.description or "", "parent_id": r.parent_id}


def organisation(o: Organisation) -> dict[str, Any]:
    return {**_common(o, None), "key": o.key, "name": o.name, "city": o.city or "",
            "kind": o.kind}


def report(r: TransferReport, sources: list[Any]) -> dict[str, Any]:
    return {
        **_common(r, "reports.detail"), "key": r.key, "title": r.title, "scope": r.scope,
        "scope_kind": r.scope_kind, "scope_value": r.scope_value or "",
        "introduction": r.introduction or "", "transferability": r.transferability or "",
        "compiled_at": stamp(r.compiled_at),
        "records": [{"kind": s.item.kind, "id": s.record.id} for s in sources],
    }


def generic(kind: Kind) -> Callable[[Any], dict[str, Any]]:
    """The serialiser of a kind without one of its own: id, key, timestamps and the form's
    fields as the form names them (`ressort_id`), a reference also by its natural key
    (`ressort`: the code), linked records as ids; links the reader may not see are left
    out, as on the pages."""
    fields = kind_fields.of(kind)

    def dump(record: Any) -> dict[str, Any]:
        data = {**_common(record, None), "html_url": kinds.page_of(kind, record.id),
                kind.key: getattr(record, kind.key)}
        for field in fields:
            linked = getattr(record, field.attr)
            if field.type == "ref":
                shown = linked is not None and permissions.can_name(current_user, linked)
                data[field.name] = linked.id if shown else None
                data[field.attr] = kind_fields.file_value(record, field) if shown else None
            elif field.type == "refs" and field.ref:
                data[field.name] = [item.id for item in linked
                                    if permissions.can_name(current_user, item)]
            elif field.type == "places":
                data[field.name] = _places(linked)
            elif field.type == "amount":
                data[field.name] = amount(linked)
            else:
                data[field.name] = kind_fields.file_value(record, field)
        return data

    return dump
