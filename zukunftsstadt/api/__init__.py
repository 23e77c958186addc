"""The JSON API under /api/v1/: one blueprint, problem details, tokens, OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, Flask

from ..extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # CSRF is checked in guard.py, for session requests only


def register(app: Flask) -> None:
    from ..views import api_tokens
    from . import analysis, catalogue, docs, guard, reference, search, writes  # noqa: F401

    app.register_blueprint(bp)
    app.register_blueprint(docs.page_bp)
    app.register_blueprint(api_tokens.bp)
    guard.register(app)
