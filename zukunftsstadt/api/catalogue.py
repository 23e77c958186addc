"""Read endpoints for every record kind: lists with filters and paging, and single records.

Lists use the same SQL visibility rules as the pages (`visibility.py`), detail answers the
same `can_read` question, so the API never shows what a page hides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import jsonify
from flask_login import current_user
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from .. import kind_fields, kinds, permissions, visibility
from ..extensions import db
from ..kinds import Kind
from ..models import (
    LAB_PHASES,
    ORGANISATION_KINDS,
    PROGRAMME_KINDS,
    PROGRAMME_STATUSES,
    PUBLICATION_STATUSES,
    REPORT_SCOPES,
    RESULTS_STATUSES,
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
)
from ..services import reports
from . import bp, schemas, serialise
from .problems import problem
from .spec import MAX_ID, BadQuery, Operation, Param, describe, parse_query

MAX_PAGE = 100_000
STR = {"type": "string", "maxLength": 200}


def _enum(values: Any) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


PAGING = (
    Param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
          "Seite, ab 1"),
    Param("size", {"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
          "Einträge pro Seite (höchstens 100)"),
)
COMMON = (
    Param("q", STR, "Teil des Titels oder Namens (ohne Beachtung der Groß-/Kleinschreibung)"),
    Param("publication_status", _enum(PUBLICATION_STATUSES),
          "Workflow-Status (Entwürfe sehen nur Angemeldete mit Leserecht)"),
    Param("updated_since", {"type": "string", "format": "date-time", "maxLength": 40},
          "nur Einträge, die seit diesem Zeitpunkt geändert wurden"),
)


def _utc(moment: datetime) -> datetime:
    """Timestamps are stored in UTC; a time without offset is taken as UTC. A moment whose
    offset takes it past the calendar's ends is the end itself."""
    if not moment.tzinfo:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        edge = datetime.max if moment.year > 1 else datetime.min
        return edge.replace(tzinfo=UTC)


def _ressort_ids(code: str) -> list[int]:
    """A Ressort and every predecessor it took over (BMFTR also owns BMBF's records)."""
    ressort = db.session.scalar(select(Ressort).where(Ressort.code == code))
    ids: list[int] = []
    while ressort is not None and ressort.id not in ids:
        ids.append(ressort.id)
        ressort = ressort.predecessor
    return ids


def _organisations() -> Select:
    query = select(Organisation).where(Organisation.deleted_at.is_(None))
    if not current_user.is_authenticated:
        query = query.where(Organisation.publication_status == "published")
    return query


def _organisation_visible(record: Organisation) -> bool:
    if permissions.is_coordination(current_user):
        return True
    if record.deleted_at is not None:
        return False
    return current_user.is_authenticated or record.is_published


def _reports() -> Select:
    query = select(TransferReport).where(TransferReport.deleted_at.is_(None))
    if not permissions.reads_everything(current_user):
        query = query.where(TransferReport.publication_status == "published")
    return query


@dataclass(frozen=True)
class Collection:
    """One record kind as the API shows it."""

    kind: Kind  # path (/api/v1/<kind.collection>), model, schema and label come from it
    query: Callable[[], Select]
    visible: Callable[[Any], bool]
    dump: Callable[[Any], dict[str, Any]]
    filters: tuple[Param, ...]
    apply: Callable[[Select, dict[str, Any]], Select]
    sorts: dict[str, tuple[Any, ...]]
    text_columns: tuple[Any, ...]
    load: tuple[Any, ...] = ()  # eager loading for a page of records (no query per row)

    @property
    def path(self) -> str:
        return self.kind.collection

    @property
    def model(self) -> Any:
        return self.kind.model

    @property
    def schema(self) -> str:
        return self.kind.schema

    @property
    def label(self) -> str:  # German, plural
        return self.kind.plural


def _programme_filters(query: Select, f: dict[str, Any]) -> Select:
    if f["ressort"]:
        query = query.where(Programme.ressort_id.in_(_ressort_ids(f["ressort"])))
    if f["status"]:
        query = query.where(Programme.status == f["status"])
    if f["kind"]:
        query = query.where(Programme.kind == f["kind"])
    if f["confidential"] is not None:
        query = query.where(Programme.confidential.is_(f["confidential"]))
    return query


def _places(model: Any, f: dict[str, Any]) -> list[Any]:
    conditions = []
    if f.get("state"):
        in_state = Municipality.state.has(State.code == f["state"])
        conditions.append(model.municipalities.any(in_state))
    if f.get("municipality"):
        conditions.append(model.municipalities.any(Municipality.ags == f["municipality"]))
    if f.get("topic"):
        conditions.append(model.topics.any(Topic.key == f["topic"]))
    return conditions


def _project_filters(query: Select, f: dict[str, Any]) -> Select:
    if f["ressort"]:
        ids = _ressort_ids(f["ressort"])
        query = query.where(or_(Programme.ressort_id.in_(ids), and_(
            Project.programme_id.is_(None), Project.ressort_at_funding_id.in_(ids))))
    if f["programme_id"]:
        query = query.where(Project.programme_id == f["programme_id"])
    if f["sdg"]:
        query = query.where(Project.sdgs.any(number=f["sdg"]))
    if f["results_status"]:
        query = query.where(Project.results_status == f["results_status"])
    if f["fkz"]:
        query = query.where(Project.fkz.startswith(f["fkz"].upper(), autoescape=True))
    return query.where(*_places(Project, f))


def _lab_filters(query: Select, f: dict[str, Any]) -> Select:
    if f["ressort"]:
        query = query.where(RealWorldLab.ressort_id.in_(_ressort_ids(f["ressort"])))
    if f["phase"]:
        query = query.where(RealWorldLab.phase == f["phase"])
    return query.where(*_places(RealWorldLab, f))


def _priority_filters(query: Select, f: dict[str, Any]) -> Select:
    if f["parent_id"]:
        query = query.where(ResearchPriority.parent_id == f["parent_id"])
    if f["top_level"] is not None:
        column = ResearchPriority.parent_id
        query = query.where(column.is_(None) if f["top_level"] else column.is_not(None))
    return query


def _organisation_filters(query: Select, f: dict[str, Any]) -> Select:
    return query.where(Organisation.kind == f["kind"]) if f["kind"] else query


def _report_filters(query: Select, f: dict[str, Any]) -> Select:
    if f["scope_kind"]:
        query = query.where(TransferReport.scope_kind == f["scope_kind"])
    if f["scope_value"]:
        query = query.where(TransferReport.scope_value == f["scope_value"])
    return query


RESSORT = Param("ressort", {"type": "string", "maxLength": 20},
                "Kürzel des heutigen Ressorts, z. B. BMWSB (schließt Vorgänger ein)")
PLACE_FILTERS = (
    Param("state", {"type": "string", "maxLength": 2}, "Land, z. B. SN"),
    Param("topic", STR, "Schlüssel eines Themenfelds, z. B. klimaanpassung"),
)
ID_PARAM = {"type": "integer", "minimum": 1, "maximum": MAX_ID}

COLLECTIONS: dict[str, Collection] = {c.path: c for c in [
    Collection(
        kinds.PROGRAMME, visibility.programmes, visibility.visible, serialise.programme,
        (RESSORT, Param("status", _enum(PROGRAMME_STATUSES), "Programmstatus"),
         Param("kind", _enum(PROGRAMME_KINDS), "Art des Programms"),
         Param("confidential", {"type": "boolean"}, "nur vertrauliche (true) oder offene")),
        _programme_filters,
        {"title": (Programme.title,), "start_desc": (Programme.start_date.desc(),),
         "budget_desc": (Programme.budget_eur.desc(),)},
        (Programme.title, Programme.short_title),
        (selectinload(Programme.ressort), selectinload(Programme.ressort_at_funding))),
    Collection(
        kinds.PROJECT, visibility.projects, visibility.visible, serialise.project,
        (RESSORT, Param("programme_id", ID_PARAM, "Förderprogramm"),
         *PLACE_FILTERS,
         Param("municipality", {"type": "string", "maxLength": 8}, "AGS einer Kommune"),
         Param("sdg", {"type": "integer", "minimum": 1, "maximum": 17}, "Nachhaltigkeitsziel"),
         Param("results_status", _enum(RESULTS_STATUSES), "Stand der Ergebnisse"),
         Param("fkz", {"type": "string", "maxLength": 40}, "Anfang des Förderkennzeichens")),
        _project_filters,
        {"start_desc": (Project.start_date.desc(),), "title": (Project.title,),
         "fkz": (Project.fkz,), "budget_desc": (Project.budget_eur.desc(),)},
        (Project.title, Project.acronym, Project.fkz),
        (selectinload(Project.programme).selectinload(Programme.ressort),
         selectinload(Project.ressort_at_funding), selectinload(Project.verbund),
         selectinload(Project.lead_organisation),
         selectinload(Project.municipalities).selectinload(Municipality.state),
         selectinload(Project.topics), selectinload(Project.sdgs),
         selectinload(Project.research_priorities))),
    Collection(
        kinds.LAB, visibility.labs, visibility.visible, serialise.lab,
        (RESSORT, Param("phase", _enum(LAB_PHASES), "Phase"), *PLACE_FILTERS),
        _lab_filters,
        {"name": (RealWorldLab.name,), "start_desc": (RealWorldLab.start_date.desc(),)},
        (RealWorldLab.name,),
        (selectinload(RealWorldLab.ressort), selectinload(RealWorldLab.topics),
         selectinload(RealWorldLab.municipalities).selectinload(Municipality.state),
         selectinload(RealWorldLab.projects).selectinload(Project.programme))),
    Collection(
        kinds.PRIORITY, visibility.priorities, visibility.visible,
        serialise.priority,
        (Param("parent_id", ID_PARAM, "übergeordneter Schwerpunkt"),
         Param("top_level", {"type": "boolean"}, "nur oberste Ebene (true) oder Unterpunkte")),
        _priority_filters, {"title": (ResearchPriority.title,)}, (ResearchPriority.title,)),
    Collection(
        kinds.ORGANISATION, _organisations, _organisation_visible, serialise.organisation,
        (Param("kind", _enum(ORGANISATION_KINDS), "Art der Organisation"),),
        _organisation_filters, {"name": (Organisation.name,)}, (Organisation.name,)),
    Collection(
        kinds.REPORT, _reports, lambda r: permissions.can_read(current_user, r),
        lambda r: serialise.report(r, reports.sources(r)),
        (Param("scope_kind", _enum(REPORT_SCOPES), "Art des Bezugs"),
         Param("scope_value", STR, "Bezug, z. B. Schlüssel des Themenfelds oder SN")),
        _report_filters,
        {"title": (TransferReport.title,),
         "compiled_desc": (TransferReport.compiled_at.desc().nulls_last(),)},
        (TransferReport.title,)),
]}


def _generic(kind: Kind) -> Collection:
    """A kind without a collection of its own: the records `visibility.records` shows, the
    text filter on title (or name) and key, the Ressort filter if the kind has a Ressort."""
    model = kind.model
    title, key = getattr(model, kind_fields.title_attr(kind)), getattr(model, kind.key)
    owned = hasattr(model, "ressort_id")

    def apply(query: Select, f: dict[str, Any]) -> Select:
        if owned and f["ressort"]:
            query = query.where(model.ressort_id.in_(_ressort_ids(f["ressort"])))
        return query

    links = tuple(selectinload(getattr(model, f.attr)) for f in kind_fields.of(kind)
                  if f.type in ("ref", "refs", "places"))
    return Collection(kind, lambda: visibility.records(model), visibility.visible,
                      serialise.generic(kind), (RESSORT,) if owned else (), apply,
                      {"title": (title,), "key": (key,),
                       "updated_desc": (model.updated_at.desc(),)}, (title, key), links)


COLLECTIONS.update({k.collection: _generic(k) for k in kinds.ALL
                    if k.collection not in COLLECTIONS})


def get_visible(collection: Collection, record_id: int) -> Any:
    record = db.session.get(collection.model, record_id) if 0 < record_id <= MAX_ID else None
    return record if record is not None and collection.visible(record) else None


def narrowed(collection: Collection, args: dict[str, Any]) -> Select:
    """The records of `collection` the caller may see, narrowed by the parsed query `args`
    (the collection's filters, text, status, changed since): the API's lists and the list
    pages filter alike."""
    query = collection.apply(collection.query(), args)
    model = collection.model
    if args["q"]:
        query = query.where(or_(*(c.icontains(args["q"], autoescape=True)
                                  for c in collection.text_columns)))
    if args["publication_status"]:
        query = query.where(model.publication_status == args["publication_status"])
    if args["updated_since"]:
        query = query.where(model.updated_at >= _utc(args["updated_since"]))
    return query


def page_filters(collection: Collection) -> dict[str, Any]:
    """The request's filters for a list page: as the API reads them, but a value the page
    cannot use is no filter instead of an error."""
    return parse_query(f"api.{collection.path.replace('-', '_')}_list", strict=False)


def _list_view(collection: Collection) -> Callable[[], Any]:
    endpoint = f"api.{collection.path.replace('-', '_')}_list"

    def view() -> Any:
        try:
            args = parse_query(endpoint)
        except BadQuery as exc:
            return problem(400, "Ungültige Parameter.", errors=exc.errors)
        query = narrowed(collection, args)
        model = collection.model
        order = collection.sorts.get(args["sort"] or "", next(iter(collection.sorts.values())))
        query = query.order_by(*order, model.id)
        total = db.session.scalar(select(func.count()).select_from(
            query.order_by(None).with_only_columns(model.id).subquery())) or 0
        size, page = args["size"], args["page"]
        page_query = query.options(*collection.load).limit(size).offset((page - 1) * size)
        items = db.session.scalars(page_query).unique().all()
        return jsonify({"items": [collection.dump(r) for r in items], "total": total,
                        "page": page, "size": size, "pages": max(1, -(-total // size))})

    view.__name__ = endpoint.removeprefix("api.")
    describe(endpoint, Operation(
        summary=f"{collection.label} auflisten", tag="Katalog",
        description=f"{collection.label}, die Sie sehen dürfen, seitenweise. Filter lassen "
                    "sich kombinieren (UND).",
        params=(*collection.filters, *COMMON,
                Param("sort", _enum(collection.sorts), "Sortierung"), *PAGING),
        ok=(200, "Eine Seite der Liste", schemas.ref(f"{collection.schema}Page"))))
    return view


def _detail_view(collection: Collection) -> Callable[[int], Any]:
    endpoint = f"api.{collection.path.replace('-', '_')}_detail"

    def view(record_id: int) -> Any:
        record = get_visible(collection, record_id)
        if record is None:
            return problem(404)
        return jsonify(collection.dump(record))

    view.__name__ = endpoint.removeprefix("api.")
    describe(endpoint, Operation(
        summary=f"{collection.label}: ein Eintrag", tag="Katalog",
        ok=(200, "Der Eintrag", schemas.ref(collection.schema))))
    return view


for _c in COLLECTIONS.values():
    _list = _list_view(_c)
    _detail = _detail_view(_c)
    bp.add_url_rule(f"/{_c.path}", view_func=_list, methods=["GET"])
    bp.add_url_rule(f"/{_c.path}/<int:record_id>", view_func=_detail, methods=["GET"])
