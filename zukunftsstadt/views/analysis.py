"""Analysis for AG III: overlap check, scan review, Ressort matrix. The gap analysis routes of
the same blueprint are in `gaps`, the JSON endpoints in `api.analysis`."""

from __future__ import annotations

from typing import Any

from elasticsearch import ApiError, TransportError
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import func, select

from .. import kinds, permissions, visibility
from ..extensions import db
from ..forms.analysis import CheckForm, ReviewForm
from ..forms.fields import options
from ..inputs import CONTROL, strip_invisible
from ..models import REVIEW_STATUSES, Notification, Ressort
from ..models.base import utcnow
from ..pagination import ResultPage
from ..services import overlap_review, overlap_scans, overlaps

bp = Blueprint("analysis", __name__)
SEARCH_DOWN = ("Die Analyse ist gerade nicht verfügbar, weil der Suchdienst nicht antwortet. "
               "Bitte versuchen Sie es in einigen Minuten erneut.")


def _require_reader() -> None:
    if not permissions.can_use_analysis(current_user):
        abort(403)


CHECK_RESULTS = 20  # rows per page of the check before funding (a Verbund is one row)
CHECK_PAGES = 5  # "Weitere anzeigen" up to this many pages


@bp.route("/analyse/pruefen", methods=["GET", "POST"])
@login_required
def check() -> Any:
    """Check a planned project for overlaps before funding it."""
    form = CheckForm()
    form.ressort.choices = options([("", "– bitte wählen –"), *(
        (r.code, f"{r.code}: {r.name}") for r in db.session.scalars(
            select(Ressort).where(Ressort.valid_to.is_(None)).order_by(Ressort.code)))])
    form.topics.choices = options(overlaps.topic_choices())
    rows, more, unavailable = None, False, False
    pages = min(max(request.form.get("seiten", 1, type=int) or 1, 1), CHECK_PAGES)
    if request.method == "POST" and form.validate():
        data = {**form.data, "municipalities": [
            a.strip() for a in (form.municipalities.data or "").split(";") if a.strip()],
            "start_date": form.start_date.data and form.start_date.data.isoformat(),
            "end_date": form.end_date.data and form.end_date.data.isoformat()}
        shown = pages * CHECK_RESULTS
        try:  # Verbund partners share a row: ask for more than the rows shown
            found = overlaps.check_planned(data, visibility.search_access(), size=shown * 3)
        except (TransportError, ApiError):
            unavailable = True
        else:
            grouped = overlaps.by_verbund(found)
            rows, more = grouped[:shown], len(grouped) > shown and pages < CHECK_PAGES
    status = 422 if request.method == "POST" and form.errors else 200
    return render_template("analysis/check.html", form=form, rows=rows, more=more,
                           pages=pages, unavailable=unavailable), status


@bp.get("/analyse/ueberschneidungen/")
@login_required
def pairs() -> Any:
    _require_reader()
    filters = {name: request.args.get(name, "")[:20].replace("\x00", "")
               for name in ("status", "level", "ressort", "gegen")}
    filters["q"] = CONTROL.sub("", strip_invisible(request.args.get("q", "")))[:200].strip()
    filters["eintrag"] = request.args.get("eintrag", "")[:40]
    query = overlap_review.filtered({**filters, "doc": filters["eintrag"]})
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), 100_000)
    items, total = overlap_review.page(query, number, 25)
    page = ResultPage(number, 25, total)
    page.items = items
    links = {p.id: (kinds.page_of_doc(p.a_doc), kinds.page_of_doc(p.b_doc)) for p in items}
    return render_template("analysis/pairs.html", page=page, filters=filters, links=links,
                           ressorts=overlap_review.ressorts(), statuses=REVIEW_STATUSES,
                           can_review=permissions.can_review_overlaps(current_user),
                           scan_now=overlap_scans.current(),
                           scan_last=overlap_scans.last_finished(), reasons=overlap_scans.REASONS,
                           can_scan=permissions.is_coordination(current_user))


@bp.post("/analyse/ueberschneidungen/abgleich")
@login_required
def start_scan() -> Any:
    if not permissions.is_coordination(current_user):
        abort(403)
    overlap_scans.request(current_user)
    flash("Der Portfolio-Abgleich ist angestoßen. Der Hintergrunddienst beginnt in wenigen "
          "Sekunden; den Fortschritt sehen Sie hier, wenn Sie die Seite neu laden.", "success")
    return redirect(url_for("analysis.pairs"))


LIST = "/analyse/ueberschneidungen/"


def _back_to_list() -> str:
    """The review list as the reviewer left it (page and filters), never another site."""
    target = request.args.get("zurueck", "")
    return target if target.startswith(LIST) and "\\" not in target else LIST


@bp.route("/analyse/ueberschneidungen/<int:pair_id>", methods=["GET", "POST"])
@login_required
def review(pair_id: int) -> Any:
    _require_reader()
    pair = overlap_review.get(pair_id) or abort(404)
    form = ReviewForm(obj=pair)
    if request.method == "POST":
        if not permissions.can_review_overlaps(current_user):
            abort(403)
        if form.validate():
            pair.status, pair.comment = form.status.data, form.comment.data or ""
            pair.reviewed_by_id, pair.reviewed_at = current_user.id, utcnow()
            db.session.commit()
            flash(f"Bewertung gespeichert: {pair.status_label}.", "success")
            return redirect(_back_to_list())
    links = {side: kinds.page_of_doc(doc) for side, doc in (("a", pair.a_doc), ("b", pair.b_doc))}
    return render_template("analysis/review.html", pair=pair, form=form, links=links,
                           back=_back_to_list(), terms=overlap_review.shared_words(pair),
                           facts=overlaps.readable((pair.reasons or {}).get("facts", [])),
                           can_review=permissions.can_review_overlaps(current_user))


@bp.get("/analyse/matrix")
@login_required
def matrix() -> Any:
    _require_reader()
    cells = overlap_review.matrix()
    ressorts = sorted({r for pair in cells for r in pair if r})
    return render_template("analysis/matrix.html", ressorts=ressorts, cells=cells)


@bp.route("/benachrichtigungen", methods=["GET", "POST"])
@login_required
def notifications() -> Any:
    query = select(Notification).where(Notification.user_id == current_user.id)
    if request.method == "POST":
        for item in db.session.scalars(query.where(Notification.read.is_(False))):
            item.read = True
        db.session.commit()
        return redirect(url_for("analysis.notifications"))
    items = db.session.scalars(query.order_by(Notification.created_at.desc()).limit(200)).all()
    return render_template("analysis/notifications.html", items=items)


def unread_notifications() -> int:
    if not current_user.is_authenticated:
        return 0
    return db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.user_id == current_user.id, Notification.read.is_(False))) or 0


from . import gaps as _gaps  # noqa: E402, F401  (routes of this blueprint)
