"""Transfer reports: proposing records for a scope, compiling, and checking freshness."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, or_, select

from .. import kinds
from ..extensions import db
from ..models import (
    Municipality,
    Programme,
    Project,
    ResearchPriority,
    State,
    Topic,
    TransferReport,
    TransferReportItem,
    User,
)
from ..models.base import utcnow
from ..models.report import ITEM_KINDS
from . import editing, records

MODELS: dict[str, type] = {k.name: k.model for k in kinds.ALL if k.name in ITEM_KINDS}


@dataclass
class Source:
    item: TransferReportItem
    record: Any
    outdated: bool


def _published(query: Select, model: type) -> Select:
    query = query.where(model.publication_status == "published", model.deleted_at.is_(None))
    if model is Project:
        query = query.outerjoin(Project.programme).where(
            or_(Project.programme_id.is_(None), Programme.confidential.is_(False)))
    return query


def _scoped(model: type, kind: str, value: str) -> Select:
    query = select(model)
    if kind == "topic":
        query = query.where(model.topics.any(Topic.key == value))
    elif kind == "priority":  # projects and Reallabore carry priority tags alike
        query = query.where(model.research_priorities.any(ResearchPriority.key == value))
    elif kind == "city_type":
        query = query.where(model.municipalities.any(Municipality.city_type == value))
    elif kind == "state":
        query = query.where(model.municipalities.any(
            Municipality.state.has(State.code == value)))
    else:
        return query.where(and_(False))
    return _published(query, model)


def _rank(record: Any) -> tuple:
    """Records with final results first, then interim, then the rest; newer before older."""
    status = getattr(record, "results_status", "none")
    has_results = bool(getattr(record, "results", "") or getattr(record, "lessons_learned", ""))
    end = record.end_date.toordinal() if record.end_date else 0
    return ({"final": 0, "interim": 1}.get(status, 2), not has_results, -end)


def propose(scope_kind: str, scope_value: str, limit: int = 60) -> list[tuple[str, Any]]:
    """Published projects and Reallabore of a scope, best material for a report first."""
    found: list[tuple[str, Any]] = []
    for kind, model in MODELS.items():
        found.extend((kind, r) for r in db.session.scalars(_scoped(model, scope_kind,
                                                                   scope_value)).unique())
    found.sort(key=lambda pair: _rank(pair[1]))
    return found[:limit]


def compile_report(report: TransferReport, selection: list[tuple[str, int]],
                   actor: User | None) -> None:
    """Replace the report's records by `selection` (in order), remembering their versions."""
    items = []
    for position, (kind, record_id) in enumerate(selection):
        record = db.session.get(MODELS[kind], record_id)
        if record is None or not record.is_public:
            continue  # only published sources may go into a report
        items.append(TransferReportItem(position=position, kind=kind, record_id=record_id,
                                        record_version=record.version))
    report.items = items
    report.compiled_at = utcnow()
    editing.stage(report, actor)
    records.commit()


def sources(report: TransferReport, *, public_only: bool = True) -> list[Source]:
    """The report's records in order; a source that is no longer public (deleted, unpublished,
    now confidential) drops out of what readers see, but its editors still see it."""
    result = []
    for item in report.items:
        record = db.session.get(MODELS[item.kind], item.record_id)
        if record is not None and (record.is_public or not public_only):
            result.append(Source(item, record, record.version != item.record_version))
    return result


def contacts(shown: list[Source]) -> list[Project]:
    """Projects among the shown sources whose contact person agreed to be named."""
    return [s.record for s in shown
            if isinstance(s.record, Project) and s.record.contact_public
            and (s.record.contact_name or s.record.contact_email)]


def scope_choices() -> list[tuple[str, str, str]]:
    """(value, label, group) for every possible scope."""
    from ..models import CITY_TYPES

    choices = [("selection:", "freie Auswahl von Einträgen", "Auswahl")]
    choices += [(f"topic:{t.key}", t.name, "Themenfeld")
                for t in db.session.scalars(select(Topic).order_by(Topic.name))]
    choices += [(f"priority:{p.key}", p.title, "Forschungsschwerpunkt")
                for p in db.session.scalars(select(ResearchPriority).where(
                    ResearchPriority.deleted_at.is_(None)).order_by(ResearchPriority.title))]
    choices += [(f"city_type:{c}", c, "Stadttyp") for c in CITY_TYPES]
    choices += [(f"state:{s.code}", s.name, "Land")
                for s in db.session.scalars(select(State).order_by(State.name))]
    return choices


def scope_name(report: TransferReport) -> str:
    for value, label, group in scope_choices():
        if value == report.scope:
            return f"{group}: {label}"
    return report.scope_label
