"""Sessions: Flask-Login, idle and absolute timeouts, no caching of logged-in pages."""

from __future__ import annotations

import time

from flask import Flask, Response, flash, redirect, request, session, url_for
from flask_login import LoginManager, current_user, logout_user

from .extensions import db
from .models import User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Bitte melden Sie sich an, um diese Seite zu sehen."
login_manager.session_protection = "strong"

IDLE_TIMEOUT = 30 * 60
ABSOLUTE_TIMEOUT = 10 * 3600


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    record_id, _, token = user_id.partition(":")
    if not record_id.isdigit():
        return None
    user = db.session.get(User, int(record_id))
    return user if user and user.session_token == token and user.active else None


def _enforce_timeouts() -> Response | None:
    if not current_user.is_authenticated:
        return None
    now = time.time()
    started = session.get("login_at", now)
    last_seen = session.get("last_seen", now)
    if now - last_seen > IDLE_TIMEOUT or now - started > ABSOLUTE_TIMEOUT:
        logout_user()
        session.clear()
        flash("Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.", "info")
        return redirect(url_for("auth.login", next=request.full_path))
    session["last_seen"] = now
    return None


def _no_store(response: Response) -> Response:
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(_enforce_timeouts)
    app.after_request(_no_store)
