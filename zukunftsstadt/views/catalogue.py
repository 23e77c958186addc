"""Lists and detail pages of programmes, projects, Reallabore and research priorities, and the
generic list and detail pages of any kind without pages of its own (`Kind.generic_pages`)."""

from __future__ import annotations

from typing import Any

from elasticsearch import ApiError, TransportError
from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    render_template,
    request,
)
from flask_login import current_user
from sqlalchemy import Select, func, select

from .. import kind_fields, kinds, permissions, visibility
from ..api.catalogue import COLLECTIONS, narrowed, page_filters
from ..extensions import db
from ..kinds import Kind
from ..models import (
    PUBLICATION_STATUSES,
    Programme,
    Project,
    RealWorldLab,
    ResearchPriority,
    Ressort,
    State,
    TransferReport,
    TransferReportItem,
)
from ..models.project import project_priority
from ..services import overlap_review, overlaps

bp = Blueprint("catalogue", __name__)
MAX_PAGE = 100_000  # beyond any real list; keeps the SQL offset in range


def _page() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


def _paginate(query: Select) -> Any:
    return db.paginate(query, page=max(_page(), 1), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)


def _sorted(query: Select, options: dict[str, tuple[str, Any]], default: str) -> tuple[Select, str]:
    key = request.args.get("sort", default)
    if key not in options:
        key = default
    return query.order_by(*options[key][1]), key


def _visible_or_404(model: type, record_id: int) -> Any:
    record = db.session.get(model, record_id)
    if record is None or not visibility.visible(record):
        if permissions.saw_before_deletion(current_user, record):
            abort(make_response(render_template(
                "catalogue/deleted.html", kind=kinds.of(record),
                deleted_at=record.deleted_at), 410))
        abort(404)
    return record


PROGRAMME_SORTS = {
    "titel": ("Titel A–Z", [Programme.title]),
    "beginn": ("Beginn, neueste zuerst", [Programme.start_date.desc(), Programme.title]),
    "budget": ("Budget, höchstes zuerst", [Programme.budget_eur.desc(), Programme.title]),
}
PROJECT_SORTS = {
    "beginn": ("Beginn, neueste zuerst", [Project.start_date.desc(), Project.fkz]),
    "titel": ("Titel A–Z", [Project.title]),
    "fkz": ("Förderkennzeichen", [Project.fkz]),
    "betrag": ("Fördersumme, höchste zuerst", [Project.budget_eur.desc(), Project.fkz]),
}
LAB_SORTS = {
    "name": ("Name A–Z", [RealWorldLab.name]),
    "beginn": ("Beginn, neueste zuerst", [RealWorldLab.start_date.desc(), RealWorldLab.name]),
}
LIST_SORTS = {"programme": (PROGRAMME_SORTS, "titel"), "project": (PROJECT_SORTS, "beginn"),
              "lab": (LAB_SORTS, "name")}


def _sorts(kind: Kind) -> tuple[dict[str, tuple[str, Any]], str]:
    """The sorts of a list page: its own, or for the generic list by title (name) and key."""
    if kind.name in LIST_SORTS:
        return LIST_SORTS[kind.name]
    title = kind_fields.title_attr(kind)
    label = "Name" if title == "name" else "Titel"
    model = kind.model
    return {"titel": (f"{label} A–Z", [getattr(model, title), model.id]),
            "schluessel": ("Schlüssel", [getattr(model, kind.key)])}, "titel"
# the filters a list page offers (of those the kind's API list knows), besides text and status
PAGE_FILTERS = ("ressort", "state", "programme_id")


def list_query(kind: Kind) -> tuple[Select, str, dict[str, Any]]:
    """A list page's records (and its download's): filtered as the API's list of the kind,
    sorted as chosen; returns the query, the sort and the filters read."""
    collection = COLLECTIONS[kind.collection]
    filters = page_filters(collection)
    sorts, default = _sorts(kind)
    query, sort = _sorted(narrowed(collection, filters), sorts, default)
    return query, sort, filters


def _filter_options(filters: dict[str, Any]) -> dict[str, Any]:
    options: dict[str, Any] = {"ressorts": db.session.scalars(
        select(Ressort).where(Ressort.valid_to.is_(None)).order_by(Ressort.code)).all()}
    if current_user.is_authenticated:  # the public sees published records only
        options["statuses"] = PUBLICATION_STATUSES
    if "state" in filters:
        options["states"] = db.session.scalars(select(State).order_by(State.name)).all()
    if "programme_id" in filters:
        options["programmes"] = db.session.scalars(
            visibility.programmes().order_by(Programme.title)).all()
    return options


def _list_page(kind: Kind, template: str) -> str:
    query, sort, filters = list_query(kind)
    shown = {k: v for k, v in filters.items()
             if k in (*PAGE_FILTERS, "q", "publication_status") and v not in (None, "")}
    sorts, _ = _sorts(kind)
    return render_template(template, page=_paginate(query), sorts=sorts, sort=sort,
                           filters=filters, active=shown, options=_filter_options(filters),
                           kind=kind, title=kind_fields.title_attr(kind))


def _generic_kind(segment: str) -> Kind:
    kind = kinds.BY_SEGMENT.get(segment)
    if kind is None or not kind.generic_pages:
        abort(404)
    return kind


@bp.get("/katalog/<segment>/")
def record_list(segment: str) -> str:
    """The list of a kind without a page of its own: title (or name) and key, paged."""
    return _list_page(_generic_kind(segment), "catalogue/record_list.html")


@bp.get("/katalog/<segment>/<int:record_id>")
def record_detail(segment: str, record_id: int) -> str:
    """The page of a record of such a kind: every form field with its label."""
    kind = _generic_kind(segment)
    record = _visible_or_404(kind.model, record_id)
    facts = [(f, kind_fields.shown(record, f, current_user)) for f in kind_fields.of(kind)]
    return render_template("catalogue/record_detail.html", kind=kind, record=record,
                           title=getattr(record, kind_fields.title_attr(kind)), facts=facts)


@bp.get("/programme/")
def programme_list() -> str:
    return _list_page(kinds.PROGRAMME, "catalogue/programme_list.html")


@bp.get("/programme/<int:record_id>")
def programme_detail(record_id: int) -> str:
    programme = _visible_or_404(Programme, record_id)
    projects = _paginate(visibility.projects().where(Project.programme_id == programme.id)
                         .order_by(Project.start_date.desc(), Project.fkz))
    return render_template("catalogue/programme_detail.html", programme=programme,
                           page=projects, similar=_similar(programme))


@bp.get("/vorhaben/")
def project_list() -> str:
    return _list_page(kinds.PROJECT, "catalogue/project_list.html")


@bp.get("/vorhaben/<int:record_id>")
def project_detail(record_id: int) -> str:
    project = _visible_or_404(Project, record_id)
    partners = [p for p in (project.verbund.projects if project.verbund else [])
                if p.id != project.id and visibility.visible(p)]
    labs = [lab for lab in project.real_world_labs if visibility.visible(lab)]
    return render_template("catalogue/project_detail.html", project=project,
                           partners=partners, labs=labs, similar=_similar(project),
                           reports=_citing_reports(project))


def _citing_reports(record: Any) -> list[TransferReport]:
    """The transfer reports the reader may open that cite `record`, newest first."""
    found = db.session.scalars(
        select(TransferReport).join(TransferReportItem)
        .where(TransferReportItem.kind == kinds.of(record).name,
               TransferReportItem.record_id == record.id)
        .order_by(TransferReport.compiled_at.desc().nulls_last(), TransferReport.id.desc())
        .distinct()).all()
    return [report for report in found if permissions.can_read(current_user, report)]


def _similar(record: Any) -> dict[str, Any] | None:
    """For signed-in users: likely overlaps with other Ressorts (with `?eigenes_ressort=1`
    also of the record's own), each explained."""
    if not current_user.is_authenticated:
        return None
    same = request.args.get("eigenes_ressort") == "1"
    decisions = []
    if permissions.can_use_analysis(current_user):
        decisions = [{**d, "url": kinds.page_of_doc(d["doc"])} for d in overlap_review.decided(
            kinds.doc_id(kinds.of(record).name, record.id))]
    try:
        hits = overlaps.for_record(record, visibility.search_access(), same_ressort=same)
    except (TransportError, ApiError):
        return {"unavailable": True, "hits": [], "same_ressort": same, "decisions": decisions}
    return {"unavailable": False, "hits": hits, "same_ressort": same, "decisions": decisions}



@bp.get("/reallabore/")
def lab_list() -> str:
    return _list_page(kinds.LAB, "catalogue/lab_list.html")


@bp.get("/reallabore/<int:record_id>")
def lab_detail(record_id: int) -> str:
    lab = _visible_or_404(RealWorldLab, record_id)
    projects = [p for p in lab.projects if visibility.visible(p)]
    organisations = sorted({p.lead_organisation for p in projects if p.lead_organisation},
                           key=lambda o: o.name)
    contacts = [p for p in projects if p.contact_public and (p.contact_name or p.contact_email)]
    return render_template("catalogue/lab_detail.html", lab=lab, projects=projects,
                           organisations=organisations, contacts=contacts,
                           similar=_similar(lab), reports=_citing_reports(lab))


@bp.get("/schwerpunkte/")
def priority_list() -> str:
    """The tree of priorities; filtered (text, status), the matching ones as a flat list."""
    filters = page_filters(COLLECTIONS[kinds.PRIORITY.collection])
    active = {k: filters[k] for k in ("q", "publication_status") if filters[k]}
    priorities = db.session.scalars(
        visibility.priorities().order_by(ResearchPriority.title)
    ).all()
    matches = db.session.scalars(narrowed(COLLECTIONS[kinds.PRIORITY.collection], filters)
                                 .order_by(ResearchPriority.title)).all() if active else None
    public_ids = visibility.projects().with_only_columns(Project.id)
    project_counts = dict(db.session.execute(
        select(project_priority.c.research_priority_id, func.count())
        .where(project_priority.c.project_id.in_(public_ids))
        .group_by(project_priority.c.research_priority_id)
    ).all())
    roots = [p for p in priorities if p.parent_id is None]
    options = {"statuses": PUBLICATION_STATUSES} if current_user.is_authenticated else {}
    return render_template("catalogue/priority_list.html", roots=roots, matches=matches,
                           visible_ids={p.id for p in priorities}, counts=project_counts,
                           filters=filters, active=active, options=options)


@bp.get("/schwerpunkte/<int:record_id>")
def priority_detail(record_id: int) -> str:
    priority = _visible_or_404(ResearchPriority, record_id)
    projects = _paginate(
        visibility.projects()
        .where(Project.research_priorities.any(ResearchPriority.id == priority.id))
        .order_by(Project.start_date.desc(), Project.fkz)
    )
    return render_template("catalogue/priority_detail.html", priority=priority, page=projects)
