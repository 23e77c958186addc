"""Gap analysis pages and JSON: coverage of the research priorities, matrices, the counted
records of a priority, suggested tags; routes of the analysis blueprint."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import permissions, visibility
from ..extensions import db
from ..models import Project, RealWorldLab, ResearchPriority
from ..pagination import ResultPage
from ..services import (
    gap_matrices,
    gaps,
    germany_map,
    jobs,
    priority_matching,
    priority_suggestions,
)
from ..services.table_files import csv_chunks
from .analysis import _require_reader, bp
from .bulk import chosen

SUGGESTIONS_PER_PAGE = 50
ACTIONS = {"accept": "übernehmen", "reject": "ablehnen"}


@bp.get("/analyse/luecken")
@login_required
def gaps_page() -> Any:
    _require_reader()
    coverage = gaps.coverage()
    ending = [p for p in gaps.ending_without_successor() if visibility.visible(p)]
    return render_template("analysis/gaps.html", coverage=coverage,
                           matrices=gap_matrices.matrices(coverage), ending=ending,
                           map=germany_map,
                           can_recompute=permissions.can_recompute_coverage(current_user),
                           can_review=priority_suggestions.may_review(current_user))


@bp.post("/analyse/luecken/neu-berechnen")
@login_required
def recompute() -> Any:
    """The Koordination asks the search worker to recompute the text matches now (it does so
    by itself after changes); the gaps page shows its progress."""
    if not permissions.can_recompute_coverage(current_user):
        abort(403)
    jobs.request(priority_matching.JOB, current_user)
    flash("Die Neuberechnung ist angefordert. Der Hintergrunddienst beginnt damit in der "
          "Regel innerhalb einer Minute; diese Seite zeigt den Fortschritt.", "success")
    return redirect(url_for("analysis.gaps_page"))


@bp.get("/analyse/luecken/<key>.csv")
@login_required
def gaps_csv(key: str) -> Response:
    _require_reader()
    found = next((m for m in gap_matrices.matrices(gaps.coverage()) if m.key == key),
                 None) or abort(404)
    header = [f"{found.row_label} / {found.column_label}", *(c[1] for c in found.columns)]
    rows = ([label, *(found.value(row, c[0]) for c in found.columns)]
            for row, label in found.rows)
    return Response("".join(csv_chunks(header, rows)), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{key}.csv"'})


def _record_rows(items: list[gaps.Counted]) -> list[dict[str, Any]]:
    """Title and link of each counted record (all of them are published)."""
    titles: dict[tuple[str, int], str] = {}
    for kind, model, title in (("project", Project, Project.title),
                               ("lab", RealWorldLab, RealWorldLab.name)):
        ids = [c.id for c in items if c.kind == kind]
        for start in range(0, len(ids), 500):
            titles.update(((kind, i), t) for i, t in db.session.execute(
                select(model.id, title).where(model.id.in_(ids[start:start + 500]))))
    endpoints = {"project": "catalogue.project_detail", "lab": "catalogue.lab_detail"}
    return [{"item": c, "title": titles.get((c.kind, c.id), ""),
             "url": url_for(endpoints[c.kind], record_id=c.id)} for c in items]


@bp.get("/analyse/luecken/schwerpunkte/<key>")
@login_required
def priority_records(key: str) -> Any:
    """The records a priority's coverage counts (optionally of one Ressort), with the source
    of each and the words a text match shares: what a matrix cell or table row counts."""
    _require_reader()
    coverage = gaps.coverage()
    item = next((c for c in coverage if c.priority.key == key), None) or abort(404)
    ressort = request.args.get("ressort", "")[:20]
    keys = item.by_ressort.get(ressort, set()) if ressort else set(item.records)
    counted = sorted((item.records[k] for k in keys),
                     key=lambda c: (c.source != "tag", -(c.score or 0), c.kind, c.id))
    return render_template("analysis/priority_records.html", coverage=coverage, item=item,
                           ressort=ressort, rows=_record_rows(counted))


def _require_reviewer() -> None:
    if not priority_suggestions.may_review(current_user):
        abort(403)


@bp.get("/analyse/vorschlaege")
@login_required
def suggestions() -> Any:
    _require_reviewer()
    run = priority_matching.ensure()
    priority_id = request.args.get("schwerpunkt", type=int) or None
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
    items, total = priority_suggestions.page(current_user, number, SUGGESTIONS_PER_PAGE,
                                             priority_id)
    page = ResultPage(number, SUGGESTIONS_PER_PAGE, total)
    page.items = items  # type: ignore[attr-defined]
    priorities = db.session.scalars(select(ResearchPriority).where(
        ResearchPriority.deleted_at.is_(None), ResearchPriority.publication_status == "published")
        .order_by(ResearchPriority.title)).all()
    return render_template("analysis/suggestions.html", page=page, priority_id=priority_id,
                           priorities=priorities, run=run)


@bp.post("/analyse/vorschlaege")
@login_required
def decide_suggestions() -> Any:
    """First POST: the confirmation page; second POST (`bestaetigt`): accept or reject."""
    _require_reviewer()
    action, tokens = chosen("aktion", "vorschlag")
    if action not in ACTIONS:
        abort(400)
    items = priority_suggestions.parse(tokens)
    if not items:
        flash("Bitte wählen Sie mindestens einen Vorschlag aus.", "error")
        return redirect(url_for("analysis.suggestions"))
    if request.form.get("bestaetigt") != "1":
        still_open = priority_suggestions.open_items(current_user, items)
        return render_template("analysis/suggestions_confirm.html", action=action,
                               label=ACTIONS[action], items=still_open)
    done, refused = priority_suggestions.decide(current_user, items, action == "accept")
    verb = "übernommen" if action == "accept" else "abgelehnt"
    message = f"{done} Vorschl{'ag' if done == 1 else 'äge'} {verb}."
    if refused:
        message += (f" {refused} nicht bearbeitet: nicht mehr offen oder nicht in Ihren "
                    "Ressorts.")
    flash(message, "success" if done else "error")
    return redirect(url_for("analysis.suggestions"))
