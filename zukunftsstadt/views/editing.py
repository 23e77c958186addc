"""Create, edit, workflow, delete/restore, history: one set of views for every record kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import kinds, permissions, visibility
from ..api.catalogue import COLLECTIONS, narrowed, page_filters
from ..extensions import db
from ..forms.fields import options
from ..forms.records import (
    RecordForm,
)
from ..kinds import Kind
from ..models import (
    SDG,
    AuditEvent,
    Organisation,
    Programme,
    Project,
    ResearchPriority,
    Topic,
    User,
)
from ..models.base import PUBLICATION_STATUSES
from ..models.organisation import ORGANISATION_KINDS
from ..services import editing, records
from ..services import history as record_history
from ..services import reports as report_service

bp = Blueprint("editing", __name__)


NONE_CHOICE = (0, "– keine Angabe –")


def _spec(segment: str) -> Kind:
    if segment not in kinds.BY_SEGMENT:
        abort(404)
    return kinds.BY_SEGMENT[segment]


def _record(spec: Kind, record_id: int) -> Any:
    record = db.session.get(spec.model, record_id)
    if record is None or not permissions.can_read(current_user, record):
        abort(404)
    return record


def _allowed(segment: str, record_id: int, may: Callable[[Any, Any], bool]) -> tuple[Kind, Any]:
    """The kind and record a URL names: 404 when the user may not read the record, 403 when
    `may(user, record)` refuses the action."""
    spec = _spec(segment)
    record = _record(spec, record_id)
    if not may(current_user, record):
        abort(403)
    return spec, record


def set_choices(form: RecordForm, record: Any | None) -> None:
    """Offer only what the user may use; WTForms rejects anything else."""
    names = form._fields
    if "ressort_id" in names:
        form.ressort_id.choices = options((r.id, f"{r.code}: {r.name}")
                                          for r in visibility.editable_ressorts())
    if "programme_id" in names:
        ressort_ids = [r.id for r in visibility.editable_ressorts()]
        programmes = db.session.scalars(
            select(Programme).where(Programme.ressort_id.in_(ressort_ids),
                                    Programme.deleted_at.is_(None)).order_by(Programme.title)
        )
        pairs = [(p.id, f"{p.ressort.code}: {p.title}") for p in programmes]
        if permissions.is_coordination(current_user):  # only the Koordination keeps orphans
            pairs.insert(0, NONE_CHOICE)
        form.programme_id.choices = options(pairs)
    if "lead_organisation_id" in names:
        orgs = db.session.scalars(select(Organisation).where(Organisation.deleted_at.is_(None))
                                  .order_by(Organisation.name))
        form.lead_organisation_id.choices = options([NONE_CHOICE, *((o.id, o.name) for o in orgs)])
    if "topics" in names:
        form.topics.choices = options((t.id, t.name) for t in db.session.scalars(
            select(Topic).order_by(Topic.name)))
    if "sdgs" in names:
        form.sdgs.choices = options((s.number, str(s)) for s in db.session.scalars(
            select(SDG).order_by(SDG.number)))
    if "research_priorities" in names:
        form.research_priorities.choices = options((p.id, p.title) for p in db.session.scalars(
            visibility.priorities().order_by(ResearchPriority.title)))
    if "projects" in names:
        form.projects.choices = options(
            (p.id, f"{p.fkz} {p.acronym or p.title}")
            for p in db.session.scalars(visibility.projects().order_by(Project.fkz)))
    if "scope" in names:
        form.set_scopes(report_service.scope_choices())
    if "parent_id" in names:
        form.parent_id.choices = options([NONE_CHOICE, *(
            (p.id, p.title) for p in db.session.scalars(
                visibility.priorities().order_by(ResearchPriority.title))
            if record is None or p.id != record.id)])


def _form_for(spec: Kind, record: Any | None) -> RecordForm:
    if request.method == "POST" or record is None:
        form = spec.form()
    else:
        form = spec.form(obj=record)
        form.version.data = record.version
        for name in ("topics", "projects", "research_priorities"):
            if name in form._fields:
                form[name].data = [item.id for item in getattr(record, name)]
        if "sdgs" in form._fields:
            form.sdgs.data = [s.number for s in record.sdgs]
        if "municipalities" in form._fields:
            form.municipalities.data = editing.municipalities_text(record)
    set_choices(form, record)
    return form


def _differences(spec: Kind, record: Any, form: RecordForm) -> list[dict[str, Any]]:
    """Fields where the saved record differs from what the user submitted."""
    current = form_for_display(spec, record)
    rows = []
    for name in spec.fields:
        mine, theirs = form[name].data, current[name]
        if isinstance(mine, list):
            mine, theirs = sorted(mine), sorted(theirs or [])
        if (mine or None) != (theirs or None):
            rows.append({"label": form[name].label.text, "theirs": _display(form[name], theirs),
                         "mine": _display(form[name], mine)})
    return rows


def form_for_display(spec: Kind, record: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in spec.fields:
        if name == "municipalities":
            values[name] = editing.municipalities_text(record)
        elif name == "sdgs":
            values[name] = [s.number for s in record.sdgs]
        elif name in editing.LINKS:
            values[name] = [i.id for i in getattr(record, name)]
        else:
            values[name] = getattr(record, name)
    return values


def _display(form_field: Any, value: Any) -> str:
    choices = {c.value: c.label for c in getattr(form_field, "choices", None) or []}
    if isinstance(value, list):
        return "; ".join(str(choices.get(v, v)) for v in value) or "–"
    if choices and value in choices:
        return str(choices[value])
    return "–" if value in (None, "") else str(value)


def last_change(spec: Kind, record: Any) -> tuple[User | None, Any]:
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == spec.model.__tablename__,
                                 AuditEvent.entity_id == record.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    if event is None:
        return None, record.updated_at
    return (db.session.get(User, event.user_id) if event.user_id else None), event.at


def _conflict(spec: Kind, record_id: int, form: RecordForm) -> tuple[str, int]:
    db.session.rollback()
    record = db.session.get(spec.model, record_id)
    who, when = last_change(spec, record)
    differences = _differences(spec, record, form)
    form.version.data = record.version  # saving again now overwrites, knowingly
    return render_template("editing/form.html", spec=spec, form=form, record=record,
                           conflict={"who": who, "when": when, "differences": differences}), 409


def _save(spec: Kind, record: Any, form: RecordForm, creating: bool) -> Any:
    data = {name: form[name].data for name in spec.fields}
    try:
        return editing.save_from_input(record, data, current_user, creating=creating,
                                       source="form")
    except editing.InputError as exc:
        form[exc.field].errors.append(str(exc))
        return None


@bp.route("/<segment>/neu", methods=["GET", "POST"])
@login_required
def create(segment: str) -> Any:
    spec = _spec(segment)
    if not permissions.can_create(current_user, spec.name):
        abort(403)
    form = _form_for(spec, None)
    if request.method == "POST" and form.validate():
        record = _save(spec, spec.model(publication_status="draft"), form, creating=True)
        if record is not None:
            flash(f"{spec.label} wurde als Entwurf angelegt.", "success")
            if spec is kinds.REPORT:  # a new report is empty: its builder comes next
                return redirect(url_for("reports.compose", record_id=record.id))
            return redirect(_detail_url(spec, record))
    status = 422 if request.method == "POST" else 200
    return render_template("editing/form.html", spec=spec, form=form, record=None), status


@bp.route("/<segment>/<int:record_id>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit(segment: str, record_id: int) -> Any:
    spec, record = _allowed(segment, record_id, permissions.can_edit)
    form = _form_for(spec, record)
    if request.method == "POST" and form.validate():
        try:
            loaded_version = int(form.version.data or 0)
        except ValueError:
            loaded_version = -1
        if loaded_version != record.version:
            return _conflict(spec, record_id, form)
        try:
            saved = _save(spec, record, form, creating=False)
        except records.Conflict:
            return _conflict(spec, record_id, form)
        if saved is not None:
            flash("Ihre Änderungen wurden gespeichert.", "success")
            return redirect(_detail_url(spec, record))
    status = 422 if request.method == "POST" else 200
    return render_template("editing/form.html", spec=spec, form=form, record=record), status


def _detail_url(spec: Kind, record: Any) -> str:
    return kinds.page_of(spec, record.id)


@bp.post("/<segment>/<int:record_id>/status")
@login_required
def move(segment: str, record_id: int) -> Any:
    target = request.form.get("target", "")
    spec, record = _allowed(segment, record_id,
                            lambda user, record: permissions.can_move(user, record, target))
    editing.move(record, target, current_user)
    flash(f"Neuer Status: {record.publication_label}.", "success")
    return redirect(_detail_url(spec, record))


@bp.route("/<segment>/<int:record_id>/loeschen", methods=["GET", "POST"])
@login_required
def delete(segment: str, record_id: int) -> Any:
    spec, record = _allowed(segment, record_id, permissions.can_delete)
    if request.method == "POST":
        editing.soft_delete(record, current_user)
        flash(f"{spec.label} wurde gelöscht. Die Koordination kann es wiederherstellen.",
              "success")
        return redirect(url_for("main.index"))
    return render_template("editing/confirm_delete.html", spec=spec, record=record)


@bp.post("/<segment>/<int:record_id>/wiederherstellen")
@login_required
def restore(segment: str, record_id: int) -> Any:
    spec, record = _allowed(segment, record_id, lambda user, _: permissions.can_restore(user))
    editing.restore(record, current_user)
    flash(f"{spec.label} wurde wiederhergestellt.", "success")
    return redirect(_detail_url(spec, record))


@bp.get("/<segment>/<int:record_id>/verlauf")
@login_required
def history(segment: str, record_id: int) -> Any:
    spec, record = _allowed(segment, record_id, lambda user, record: (
        permissions.reads_everything(user) or permissions.can_edit(user, record)))
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == spec.model.__tablename__,
                                 AuditEvent.entity_id == record.id)
        .order_by(AuditEvent.id.desc())
    ).all()
    users = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({e.user_id for e in events if e.user_id})))}
    form = spec.form()
    labels = {name: form[name].label.text for name in spec.fields}
    labels = {**record_history.LABELS, **labels}
    # Contact data is for those who maintain the record, not for every reader of its history.
    hidden = set() if permissions.can_edit(current_user, record) else set(editing.PERSONAL_FIELDS)
    return render_template("editing/history.html", spec=spec, record=record, events=events,
                           users=users, labels=labels, hidden=hidden,
                           reader=record_history.Reader(),
                           shown_fields=record_history.shown_fields)


@bp.post("/vorhaben/<int:record_id>/personendaten-loeschen")
@login_required
def erase_personal(record_id: int) -> Any:
    project = _record(kinds.PROJECT, record_id)
    if not permissions.can_edit(current_user, project):
        abort(403)
    editing.erase_personal_data(project, current_user)
    flash("Die Daten der Ansprechperson wurden gelöscht, auch aus dem Verlauf.", "success")
    return redirect(url_for("catalogue.project_detail", record_id=project.id))


@bp.get("/papierkorb")
@login_required
def trash() -> Any:
    if not permissions.can_restore(current_user):
        abort(403)
    deleted = [(spec, record) for spec in kinds.ALL for record in db.session.scalars(
        select(spec.model).where(spec.model.deleted_at.is_not(None))
        .order_by(spec.model.deleted_at.desc()))]
    return render_template("editing/trash.html", deleted=deleted)


@bp.get("/organisationen/")
@login_required
def organisation_list() -> Any:
    collection = COLLECTIONS[kinds.ORGANISATION.collection]
    filters = page_filters(collection)
    organisations = db.session.scalars(
        narrowed(collection, filters).order_by(Organisation.name)).all()
    active = {k: filters[k] for k in ("q", "kind", "publication_status") if filters[k]}
    options = {"statuses": PUBLICATION_STATUSES, "kinds": ORGANISATION_KINDS}
    return render_template("editing/organisation_list.html", organisations=organisations,
                           spec=kinds.ORGANISATION, filters=filters, active=active,
                           options=options)
