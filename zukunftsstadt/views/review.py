"""The Koordination's review queue at /koordination/eingang: submitted records of every kind,
published or returned to their Ressort, one by one or several at once."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import permissions
from ..inputs import CONTROL, strip_invisible
from ..services import review_queue
from .bulk import chosen

bp = Blueprint("review", __name__)

ACTIONS = {"publish": "published", "return": "draft"}
MAX_COMMENT = 2000


def _require_coordination() -> None:
    if not permissions.is_coordination(current_user):
        abort(403)


def _page(status: int = 200, comment: str = "", error: str | None = None,
          selected: frozenset[str] = frozenset()) -> tuple[str, int]:
    return render_template("review/queue.html", items=review_queue.submitted(),
                           comment=comment, error=error, selected=selected), status


@bp.get("/koordination/eingang")
@login_required
def queue() -> Any:
    _require_coordination()
    return _page()


@bp.post("/koordination/eingang")
@login_required
def decide() -> Any:
    _require_coordination()
    action, tokens = chosen("action", "selected")
    comment = CONTROL.sub("", strip_invisible(request.form.get("comment", ""))).strip()
    comment = comment[:MAX_COMMENT]
    items = review_queue.parse(tokens)
    if action not in ACTIONS:
        abort(400)
    if not items:
        return _page(422, comment, "Bitte wählen Sie mindestens einen Eintrag aus.")
    if action == "return" and not comment:
        return _page(422, comment, "Bitte begründen Sie die Rückgabe im Feld „Kommentar“: "
                                   "die Einreichenden erfahren ihn.", frozenset(tokens))
    moved, skipped = review_queue.decide(items, ACTIONS[action], current_user, comment)
    if moved:
        verb = "veröffentlicht" if action == "publish" else "an das Ressort zurückgegeben"
        flash(f"{len(moved)} {'Eintrag' if len(moved) == 1 else 'Einträge'} {verb}.", "success")
    if skipped:
        flash(f"{skipped} {'Eintrag ist' if skipped == 1 else 'Einträge sind'} nicht mehr "
              f"eingereicht oder gelöscht und {'wurde' if skipped == 1 else 'wurden'} "
              "übersprungen.", "warning")
    return redirect(url_for("review.queue"))
