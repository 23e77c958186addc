"""Transfer reports: the public area for Kommunen, the printable page, PDF, and the builder."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from search.german import clean

from .. import permissions, rate_limits
from ..extensions import db
from ..links import public_root
from ..models import CITY_TYPES, State, Topic, TransferReport
from ..services import reports

bp = Blueprint("reports", __name__, url_prefix="/transferberichte")


class PdfCache:
    """The latest PDFs of public reports by what they show, least recently used out.

    A PDF takes about a second of CPU; concurrent requests for one key wait for the first
    render instead of starting their own. Counted in each process, like the rate limits.
    """

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._documents: OrderedDict[Hashable, bytes] = OrderedDict()
        self._rendering: dict[Hashable, threading.Lock] = {}

    def _cached(self, key: Hashable) -> bytes | None:
        with self._lock:
            if key in self._documents:
                self._documents.move_to_end(key)
                return self._documents[key]
            return None

    def get(self, key: Hashable, render: Callable[[], bytes]) -> bytes:
        document = self._cached(key)
        if document is not None:
            return document
        with self._lock:
            turn = self._rendering.setdefault(key, threading.Lock())
        with turn:
            document = self._cached(key)
            if document is not None:
                return document
            try:
                document = render()
            finally:
                with self._lock:
                    self._rendering.pop(key, None)
            with self._lock:
                self._documents[key] = document
                while len(self._documents) > self.size:
                    self._documents.popitem(last=False)
        return document

    def clear(self) -> None:
        with self._lock:
            self._documents.clear()


pdf_cache = PdfCache()


def _report(record_id: int) -> TransferReport:
    report = db.session.get(TransferReport, record_id)
    if report is None or not permissions.can_read(current_user, report):
        abort(404)
    return report


@bp.get("/")
def report_list() -> str:
    query = select(TransferReport).where(TransferReport.deleted_at.is_(None))
    if not permissions.reads_everything(current_user):
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


def render_pdf(html: str, base_url: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url).write_pdf(pdf_variant="pdf/ua-1",
                                                          custom_metadata=True)


def _too_many_pdfs() -> Response | None:
    """Anonymous downloads: PDF_RATE_LIMIT per minute and client address (0 = off)."""
    per_minute = int(current_app.config.get("PDF_RATE_LIMIT", 10) or 0)
    if per_minute <= 0 or current_user.is_authenticated:
        return None
    wait = rate_limits.hit(f"pdf:ip:{request.remote_addr or '?'}", per_minute)
    if not wait:
        return None
    page = render_template(
        "error.html", code=429, title="Zu viele PDF-Abrufe",
        message=f"Zu viele PDF-Abrufe von Ihrer Adresse aus (höchstens {per_minute} pro "
                f"Minute). Bitte warten Sie {wait} Sekunden und versuchen Sie es erneut. Die "
                "Seite des Berichts können Sie weiterhin lesen und drucken.")
    return Response(page, status=429, headers={"Retry-After": str(wait)})


@bp.get("/<int:record_id>/pdf")
def pdf(record_id: int) -> Response:
    report = _report(record_id)
    refused = _too_many_pdfs()
    if refused is not None:
        return refused
    context = _context(report)
    base_url = public_root()

    def render() -> bytes:
        return render_pdf(render_template("reports/print.html", **context), base_url)

    if current_user.is_authenticated:  # editors see drafts and want their latest change
        document = render()
    else:  # readers: once per version of the report and of each source shown (and per
        # public root: without BASE_URL a forged Host must not reach other readers' PDFs)
        key = (report.id, report.version, base_url,
               tuple((s.item.kind, s.record.id, s.record.version) for s in context["sources"]))
        document = pdf_cache.get(key, render)
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
