"""Downloads: every catalogue list as CSV, XLSX or JSON, and the whole catalogue.

Lists are exported with the page's own query (visibility rule, filter, sort), so an export
shows exactly what the visitor may see on the page. The whole catalogue comes as one XLSX
with a sheet per kind, as a ZIP of CSV files, and (for the Koordination) as the JSON load
format of `flask catalogue load`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    g,
    render_template,
    send_file,
    stream_with_context,
)
from flask_login import current_user, login_required
from sqlalchemy import Select, select

from .. import permissions, visibility
from ..extensions import db
from ..models import Organisation, ResearchPriority, User
from ..services import list_export
from ..services.record_columns import BY_SEGMENT, TABLES, RecordTable
from ..services.table_files import XLSX_MIMETYPE, csv_chunks, xlsx_file, zip_of_csv
from . import catalogue

bp = Blueprint("exports", __name__)
FORMATS = ("csv", "xlsx", "json")


def _list_query(table: RecordTable) -> Select:
    """The query of the list page, with its filter and sort from the URL."""
    if table.kind == "priority":
        return visibility.priorities().order_by(ResearchPriority.title)
    if table.kind == "organisation":
        return select(Organisation).where(Organisation.deleted_at.is_(None)).order_by(
            Organisation.name)
    return catalogue.list_query(table.of)[0]


def _attachment(response: Response, filename: str) -> Response:
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _user() -> Any:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _stream(chunks: Callable[[Any], Iterator[str]]) -> Iterator[str]:
    """`chunks(reader)` as a streamed body, the reader loaded anew inside the stream.

    The request's database session closes when the view returns, before a WSGI server reads
    the body: the user loaded in it is detached then, and a lazy load (`user.ressorts`) would
    cut the download off after its first bytes with status 200 already sent. The stream
    therefore reads the reader again in its own session and makes it `current_user` there.
    """
    user = _user()
    user_id = user.id if isinstance(user, User) else None

    @stream_with_context
    def generate() -> Iterator[str]:
        reader = db.session.get(User, user_id) if user_id is not None else user
        if user_id is not None:
            g._login_user = reader  # Flask-Login's current_user inside the stream
        yield from chunks(reader)

    return generate()


@bp.get("/<segment>/export.<fmt>")
def list_export_file(segment: str, fmt: str) -> Any:
    table = BY_SEGMENT.get(segment)
    if table is None or fmt not in FORMATS:
        abort(404)
    if table.kind == "organisation" and not current_user.is_authenticated:
        abort(404)  # the organisation list is for signed-in users only
    query = _list_query(table)
    user = _user()
    if fmt == "csv":
        body = _stream(lambda reader: csv_chunks(list_export.header(table, reader),
                                                 list_export.rows(table, query, reader)))
        response = Response(body, mimetype="text/csv")
        response.charset = "utf-8"
    elif fmt == "json":
        meta = {"exported": date.today().isoformat(), "list": table.label}
        body = _stream(lambda reader: list_export.json_chunks(table, query, reader, meta))
        response = Response(body, mimetype="application/json")
    else:
        header = list_export.header(table, user)
        sheet = (table.label, header, list_export.rows(table, query, user))
        return send_file(xlsx_file([sheet]), mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"{table.segment}.xlsx")
    return _attachment(response, f"{table.segment}.{fmt}")


@bp.get("/export/")
def export_page() -> str:
    return render_template("exports/index.html", tables=list(TABLES.values()),
                           may_dump=permissions.can_dump_catalogue(current_user))


@bp.get("/export/katalog-listen.json")
def catalogue_lists_json() -> Response:
    """The whole catalogue as JSON lists, as the visitor may read it (for everyone)."""
    meta = {"exported": date.today().isoformat()}
    body = _stream(lambda reader: list_export.lists_json_chunks(reader, meta))
    return _attachment(Response(body, mimetype="application/json"),
                       f"katalog-listen-{date.today().isoformat()}.json")


@bp.get("/export/katalog.<fmt>")
def catalogue_file(fmt: str) -> Any:
    stamp = date.today().isoformat()
    user = _user()
    if fmt == "json":
        return _catalogue_json(stamp)
    parts = list_export.whole_catalogue(user)
    if fmt == "xlsx":
        sheets = [(t.label, list_export.header(t, user), list_export.rows(t, q, user))
                  for t, q in parts]
        return send_file(xlsx_file(sheets), mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=f"katalog-{stamp}.xlsx")
    if fmt == "zip":
        files = [(f"{t.segment}.csv", list_export.header(t, user),
                  list_export.rows(t, q, user)) for t, q in parts]
        return send_file(zip_of_csv(files), mimetype="application/zip", as_attachment=True,
                         download_name=f"katalog-{stamp}.zip")
    abort(404)


@login_required
def _catalogue_json(stamp: str) -> Response:
    """Everything, in the load format (`flask catalogue dump`): for the Koordination only."""
    if not permissions.can_dump_catalogue(current_user):
        abort(403)
    body = _stream(lambda reader: list_export.catalogue_json_chunks())
    return _attachment(Response(body, mimetype="application/json"), f"katalog-{stamp}.json")
