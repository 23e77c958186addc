"""Login, logout, own password, and account management by the Koordination."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from .. import permissions
from ..extensions import db
from ..forms.accounts import AccountForm, LoginForm, OwnPasswordForm, PasswordForm
from ..forms.fields import options
from ..models import Ressort, User
from ..services import accounts, api_tokens

bp = Blueprint("auth", __name__)

LOGIN_FAILED = "E-Mail-Adresse oder Passwort sind nicht korrekt."
THROTTLED = ("Zu viele fehlgeschlagene Anmeldeversuche von Ihrer Adresse aus. Bitte warten "
             "Sie 15 Minuten oder wenden Sie sich an die Koordination.")


def _safe_next(target: str | None) -> str:
    """Only local paths, never another host (open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(
            target).netloc:
        return target
    return url_for("main.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm()
    if request.method == "POST" and form.validate():
        try:
            user = accounts.authenticate(form.email.data, form.password.data,
                                         request.remote_addr or "?")
        except accounts.Throttled:
            return render_template("auth/login.html", form=form, error=THROTTLED), 429, {
                "Retry-After": str(int(accounts.FAILURE_WINDOW.total_seconds()))}
        if user is None:
            return render_template("auth/login.html", form=form, error=LOGIN_FAILED), 401
        next_url = _safe_next(request.args.get("next"))
        session.clear()  # a fresh session id at login (no fixation)
        login_user(user)
        session["login_at"] = session["last_seen"] = time.time()
        flash(f"Willkommen, {user.name}.", "success")
        return redirect(next_url)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form, error=None), status


@bp.post("/logout")
def logout() -> Any:
    if current_user.is_authenticated:  # ends copies of this cookie and other devices too
        accounts.end_sessions(current_user._get_current_object())  # type: ignore[attr-defined]
    logout_user()
    session.clear()
    flash("Sie sind abgemeldet.", "info")
    return redirect(url_for("main.index"))


@bp.route("/konto/passwort", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    user: User = current_user._get_current_object()  # type: ignore[attr-defined]
    form = OwnPasswordForm()
    keys = len(api_tokens.active_tokens(user))
    if request.method == "POST" and form.validate():
        if not accounts.check_password(user, form.current_password.data):
            form.current_password.errors.append("Das bisherige Passwort ist nicht korrekt.")
        else:
            try:
                revoked = accounts.set_password(user, form.password.data)
            except accounts.AccountError as exc:
                form.password.errors.append(str(exc))
            else:
                _renew_session(user)  # new token: this session goes on, every other one ends
                flash("Ihr Passwort wurde geändert; Ihre anderen Sitzungen sind beendet."
                      + (f" {revoked} API-Schlüssel wurden widerrufen." if revoked else ""),
                      "success")
                return redirect(url_for("main.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form, user=user, keys=keys), status


def _renew_session(user: User) -> None:
    """A fresh session for `user` carrying the new session token, keeping the login time."""
    started = session.get("login_at", time.time())
    session.clear()
    login_user(user)
    session["login_at"], session["last_seen"] = started, time.time()


def _require_admin() -> None:
    if not permissions.can_manage_users(current_user):
        abort(403)


def _ressort_choices(form: AccountForm) -> None:
    form.ressorts.choices = options((r.code, f"{r.code}: {r.name}") for r in db.session.scalars(
        select(Ressort).order_by(Ressort.code)))


@bp.get("/konten/")
@login_required
def user_list() -> Any:
    _require_admin()
    users = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template("auth/user_list.html", users=users)


@bp.route("/konten/neu", methods=["GET", "POST"])
@login_required
def user_create() -> Any:
    _require_admin()
    form = AccountForm()
    _ressort_choices(form)
    if request.method == "POST" and form.validate():
        try:
            accounts.create_user(form.email.data, form.name.data, form.password.data,
                                 form.role.data, form.ressorts.data)
        except accounts.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(f"Konto für {form.email.data} angelegt.", "success")
            return redirect(url_for("auth.user_list"))
    return render_template("auth/user_form.html", form=form)


@bp.route("/konten/<int:user_id>/passwort", methods=["GET", "POST"])
@login_required
def user_reset_password(user_id: int) -> Any:
    _require_admin()
    user = db.session.get(User, user_id) or abort(404)
    form = PasswordForm()
    if request.method == "POST" and form.validate():
        try:
            accounts.set_password(user, form.password.data)
        except accounts.AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            flash(f"Neues Passwort für {user.email} gesetzt; alte Sitzungen sind beendet und "
                  "API-Schlüssel widerrufen.", "success")
            return redirect(url_for("auth.user_list"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/password.html", form=form, user=user), status


@bp.route("/ressorts/", methods=["GET", "POST"])
@login_required
def ressort_settings() -> Any:
    """The Koordination decides which Ressorts' editors may publish without review."""
    _require_admin()
    ressorts = db.session.scalars(select(Ressort).order_by(Ressort.code)).all()
    if request.method == "POST":
        allowed = set(request.form.getlist("publish"))
        for ressort in ressorts:
            ressort.editors_may_publish = ressort.code in allowed
        db.session.commit()
        flash("Einstellungen gespeichert.", "success")
        return redirect(url_for("auth.ressort_settings"))
    return render_template("auth/ressorts.html", ressorts=ressorts)
