"""Upload pages: the Förderkatalog (Koordination) and filled templates (who may create the kind)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template, request, send_file
from flask_login import current_user, login_required
from werkzeug.utils import secure_filename

from ..forms.fields import options
from ..forms.imports import FoerderkatalogUploadForm, SpreadsheetUploadForm
from ..importers.foerderkatalog import FileFormatError, import_stream
from ..importers.spreadsheet import SpreadsheetImport, can_import
from ..services.record_columns import TABLES
from ..services.table_files import XLSX_MIMETYPE, help_rows, template_csv, template_xlsx

bp = Blueprint("imports", __name__, url_prefix="/import")


@bp.route("/foerderkatalog", methods=["GET", "POST"])
@login_required
def foerderkatalog() -> Any:
    if not current_user.is_coordination:
        abort(403)
    form = FoerderkatalogUploadForm()
    report = None
    if request.method == "POST" and form.validate():
        # Anything but the explicit "Importieren" button is a dry run: the safe default.
        dry_run = request.form.get("action") != "import"
        upload = form.file.data
        filename = secure_filename(upload.filename or "") or "upload.csv"
        try:
            report = import_stream(upload.stream, filename, dry_run=dry_run,
                                   actor=current_user._get_current_object())
        except FileFormatError as exc:
            form.file.errors = [str(exc)]
        except UnicodeDecodeError:
            form.file.errors = ["Die Datei ist keine Textdatei im Zeichensatz ISO-8859-15 "
                                "oder UTF-8."]
    status = 422 if request.method == "POST" and report is None else 200
    return render_template("imports/foerderkatalog.html", form=form, report=report), status


def _importable() -> list[Any]:
    return [t for t in TABLES.values() if can_import(current_user, t.kind)]


@bp.route("/tabelle", methods=["GET", "POST"])
@login_required
def spreadsheet() -> Any:
    tables = _importable()
    if not tables:
        abort(403)
    form = SpreadsheetUploadForm()
    form.kind.choices = options((t.kind, t.label) for t in tables)
    report = None
    if request.method == "POST" and form.validate():
        dry_run = request.form.get("action") != "import"  # the safe default
        upload = form.file.data
        filename = secure_filename(upload.filename or "") or "upload.csv"
        try:
            report = SpreadsheetImport(form.kind.data, filename, dry_run=dry_run,
                                       actor=current_user._get_current_object()).run(
                                           upload.stream)
        except FileFormatError as exc:
            form.file.errors = [str(exc)]
    status = 422 if request.method == "POST" and report is None else 200
    helps = {t.kind: help_rows(t) for t in tables}
    return render_template("imports/spreadsheet.html", form=form, report=report,
                           tables=tables, helps=helps), status


@bp.get("/vorlage/<kind>.<fmt>")
@login_required
def template(kind: str, fmt: str) -> Any:
    table = TABLES.get(kind)
    if table is None or fmt not in ("xlsx", "csv"):
        abort(404)
    if not can_import(current_user, kind):
        abort(403)
    name = f"vorlage-{table.segment}.{fmt}"
    if fmt == "xlsx":
        return send_file(template_xlsx(table), mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name=name)
    response = Response(template_csv(table), mimetype="text/csv")
    response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
