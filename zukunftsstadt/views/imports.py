"""Upload page of the Förderkatalog import, for the Koordination."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from werkzeug.utils import secure_filename

from ..forms.imports import FoerderkatalogUploadForm
from ..importers.foerderkatalog import FileFormatError, import_stream

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
