"""Transfer reports: the public area for Kommunen, the printable page, PDF, and the builder."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from search.german import clean

from .. import permissions
from ..extensions import db
from ..models import CITY_TYPES, State, Topic, TransferReport
from ..services import reports

bp = Blueprint("reports", __name__, url_prefix="/transferberichte")


def _report(record_id: int) -> TransferReport:
    report = db.session.get(TransferReport, record_id)
    if report is None or not permissions.can_read(current_user, report):
        abort(404)
    return report


@bp.get("/")
def report_list() -> str:
    query = select(TransferReport).where(TransferReport.deleted_at.is_(None))
    if not (current_user.is_authenticated and current_user.role in {"coordination", "analyst"}):
        query = query.where(TransferReport.publication_status == "published")
    filters = {name: request.args.get(name, "") for name in ("q", "topic", "city_type", "state")}
    if filters["q"]:
        like = f"%{clean(filters['q'])[:200]}%"
        query = query.where(or_(TransferReport.title.ilike(like),
                                TransferReport.introduction.ilike(like),
                                TransferReport.transferability.ilike(like)))
    for name in ("topic", "city_type", "state"):
        if filters[name]:
            query = query.where(TransferReport.scope_kind == name,
                                TransferReport.scope_value == filters[name])
    items = db.session.scalars(query.order_by(TransferReport.compiled_at.desc().nulls_last(),
                                              TransferReport.title)).all()
    return render_template(
        "reports/list.html", reports=items, filters=filters,
        topics=db.session.scalars(select(Topic).order_by(Topic.name)).all(),
        states=db.session.scalars(select(State).order_by(State.name)).all(),
        city_types=CITY_TYPES,
    )


def _context(report: TransferReport) -> dict[str, Any]:
    all_sources = reports.sources(report, public_only=False)
    sources = [s for s in all_sources if s.record.is_public]
    if not permissions.can_edit(current_user, report):
        all_sources = sources  # readers learn nothing about withdrawn or changed sources
    return {"report": report, "sources": sources, "contacts": reports.contacts(sources),
            "scope": reports.scope_name(report),
            "outdated": [s for s in all_sources if s.outdated],
            "withdrawn": [s for s in all_sources if not s.record.is_public]}


@bp.get("/<int:record_id>")
def detail(record_id: int) -> str:
    report = _report(record_id)
    return render_template("reports/detail.html", segment="transferberichte",
                           **_context(report))


@bp.get("/<int:record_id>/pdf")
def pdf(record_id: int) -> Response:
    from weasyprint import HTML

    report = _report(record_id)
    html = render_template("reports/print.html", **_context(report))
    document = HTML(string=html, base_url=request.url_root).write_pdf(
        pdf_variant="pdf/ua-1", custom_metadata=True)
    filename = f"transferbericht-{report.key}.pdf"
    return Response(document, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/<int:record_id>/zusammenstellen", methods=["GET", "POST"])
@login_required
def compose(record_id: int) -> Any:
    report = _report(record_id)
    if not permissions.can_edit(current_user, report):
        abort(403)
    if request.method == "POST":
        chosen = []
        for value in request.form.getlist("record"):
            kind, _, raw_id = value.partition(":")
            if kind in reports.MODELS and raw_id.isdigit():
                position = request.form.get(f"position-{value}", "")
                chosen.append((int(position) if position.isdigit() else 999, kind, int(raw_id)))
        chosen.sort()
        reports.compile_report(report, [(k, i) for _, k, i in chosen], current_user)
        flash(f"Zusammenstellung gespeichert: {len(report.items)} Einträge.", "success")
        return redirect(url_for("reports.detail", record_id=report.id))
    current = reports.sources(report)
    selected = {(s.item.kind, s.record.id): s.item.position for s in current}
    proposals = reports.propose(report.scope_kind, report.scope_value)
    for source in current:
        if (source.item.kind, source.record) not in proposals:
            proposals.insert(0, (source.item.kind, source.record))
    return render_template("reports/compose.html", report=report, proposals=proposals,
                           selected=selected, scope=reports.scope_name(report))
