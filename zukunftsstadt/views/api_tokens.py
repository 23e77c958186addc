"""Mein Konto → API-Schlüssel: create a personal token (shown once) and revoke tokens."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..forms.api_tokens import RevokeForm, TokenForm
from ..services import api_tokens

bp = Blueprint("api_tokens", __name__)


def _page(form: TokenForm, plain: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("auth/api_tokens.html", form=form, revoke=RevokeForm(),
                           tokens=api_tokens.active_tokens(current_user), plain=plain), status


@bp.get("/konto/api-schluessel")
@login_required
def index() -> Any:
    return _page(TokenForm())


@bp.post("/konto/api-schluessel")
@login_required
def create() -> Any:
    form = TokenForm()
    if not form.validate():
        return _page(form, status=422)
    try:
        _, plain = api_tokens.create(current_user, form.name.data)
    except api_tokens.TokenError as exc:
        form.name.errors.append(str(exc))
        return _page(form, status=422)
    # Shown in this answer only (never stored in plain text, never in a redirect or flash).
    return _page(TokenForm(formdata=None), plain=plain, status=201)


@bp.post("/konto/api-schluessel/widerrufen")
@login_required
def revoke() -> Any:
    form = RevokeForm()
    raw = form.token_id.data or ""
    token = api_tokens.revoke(current_user, int(raw)) if form.validate() and raw.isdigit() else None
    if token is None:
        flash("Dieser Schlüssel ist nicht (mehr) gültig.", "error")
    else:
        flash(f"Der Schlüssel „{token.name}“ wurde widerrufen.", "success")
    return redirect(url_for("api_tokens.index"))
