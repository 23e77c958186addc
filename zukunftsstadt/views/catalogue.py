"""Lists and detail pages of programmes, projects, Reallabore and research priorities."""

from __future__ import annotations

from typing import Any

from elasticsearch import ApiError, TransportError
from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import Select, func, select

from .. import visibility
from ..extensions import db
from ..models import Programme, Project, RealWorldLab, ResearchPriority, Ressort
from ..models.project import project_priority
from ..services import overlaps

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
        abort(404)
    return record


def ressort_filter() -> str:
    """The Ressort code of the programme list's filter; anything unprintable is no filter
    (PostgreSQL refuses NUL in text)."""
    code = request.args.get("ressort", "")[:20]
    return code if code.isprintable() else ""


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


@bp.get("/programme/")
def programme_list() -> str:
    query, sort = _sorted(visibility.programmes(), PROGRAMME_SORTS, "titel")
    ressort = ressort_filter()
    if ressort:
        query = query.join(Programme.ressort).where(Ressort.code == ressort)
    ressorts = db.session.scalars(
        select(Ressort).join(Programme, Programme.ressort_id == Ressort.id)
        .distinct().order_by(Ressort.code)
    ).all()
    return render_template("catalogue/programme_list.html", page=_paginate(query),
                           sorts=PROGRAMME_SORTS, sort=sort, ressorts=ressorts, ressort=ressort)


@bp.get("/programme/<int:record_id>")
def programme_detail(record_id: int) -> str:
    programme = _visible_or_404(Programme, record_id)
    projects = _paginate(visibility.projects().where(Project.programme_id == programme.id)
                         .order_by(Project.start_date.desc(), Project.fkz))
    return render_template("catalogue/programme_detail.html", programme=programme,
                           page=projects, similar=_similar(programme))


@bp.get("/vorhaben/")
def project_list() -> str:
    query, sort = _sorted(visibility.projects(), PROJECT_SORTS, "beginn")
    return render_template("catalogue/project_list.html", page=_paginate(query),
                           sorts=PROJECT_SORTS, sort=sort)


@bp.get("/vorhaben/<int:record_id>")
def project_detail(record_id: int) -> str:
    project = _visible_or_404(Project, record_id)
    partners = [p for p in (project.verbund.projects if project.verbund else [])
                if p.id != project.id and visibility.visible(p)]
    labs = [lab for lab in project.real_world_labs if visibility.visible(lab)]
    return render_template("catalogue/project_detail.html", project=project,
                           partners=partners, labs=labs, similar=_similar(project))


def _similar(record: Any) -> dict[str, Any] | None:
    """For signed-in users: likely overlaps with other Ressorts (with `?eigenes_ressort=1`
    also of the record's own), each explained."""
    if not current_user.is_authenticated:
        return None
    same = request.args.get("eigenes_ressort") == "1"
    try:
        hits = overlaps.for_record(record, visibility.search_access(), same_ressort=same)
    except (TransportError, ApiError):
        return {"unavailable": True, "hits": [], "same_ressort": same}
    return {"unavailable": False, "hits": hits, "same_ressort": same}


@bp.get("/reallabore/")
def lab_list() -> str:
    query, sort = _sorted(visibility.labs(), LAB_SORTS, "name")
    return render_template("catalogue/lab_list.html", page=_paginate(query),
                           sorts=LAB_SORTS, sort=sort)


@bp.get("/reallabore/<int:record_id>")
def lab_detail(record_id: int) -> str:
    lab = _visible_or_404(RealWorldLab, record_id)
    projects = [p for p in lab.projects if visibility.visible(p)]
    return render_template("catalogue/lab_detail.html", lab=lab, projects=projects,
                           similar=_similar(lab))


@bp.get("/schwerpunkte/")
def priority_list() -> str:
    priorities = db.session.scalars(
        visibility.priorities().order_by(ResearchPriority.title)
    ).all()
    public_ids = visibility.projects().with_only_columns(Project.id)
    project_counts = dict(db.session.execute(
        select(project_priority.c.research_priority_id, func.count())
        .where(project_priority.c.project_id.in_(public_ids))
        .group_by(project_priority.c.research_priority_id)
    ).all())
    roots = [p for p in priorities if p.parent_id is None]
    return render_template("catalogue/priority_list.html", roots=roots,
                           visible_ids={p.id for p in priorities}, counts=project_counts)


@bp.get("/schwerpunkte/<int:record_id>")
def priority_detail(record_id: int) -> str:
    priority = _visible_or_404(ResearchPriority, record_id)
    projects = _paginate(
        visibility.projects()
        .where(Project.research_priorities.any(ResearchPriority.id == priority.id))
        .order_by(Project.start_date.desc(), Project.fkz)
    )
    return render_template("catalogue/priority_detail.html", priority=priority, page=projects)
