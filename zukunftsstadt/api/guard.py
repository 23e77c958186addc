"""Who is calling the API: bearer tokens, the browser session, CSRF, and a rate limit.

Runs before every request under /api/. A bearer token (`Authorization: Bearer zs_…`) makes the
request act as the token's user, without CSRF (a browser never sends it by itself); without
one, the session counts and unsafe methods need the CSRF token, as every form does.
The rate limit counts per API token, per signed-in account for browser sessions, or per
client address otherwise: `API_RATE_LIMIT` requests per minute (0 switches it off), in the
database, so it holds across worker processes (`rate_limits`).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request
from flask_login import current_user

from .. import rate_limits
from ..extensions import csrf
from ..models import ApiToken
from ..services import api_tokens
from .problems import is_api_request, problem

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Endpoints that read only, even with POST (listed in the README under Security notes).
CSRF_EXEMPT_ENDPOINTS = {"api.overlap_check"}




def _bearer() -> str | None:
    """The token of a Bearer header; other schemes (a proxy's Basic login) are not ours."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def _rate_key(token: ApiToken | None) -> str:
    if token is not None:
        return f"token:{token.id}"
    if current_user.is_authenticated:  # browser sessions: per account, not per proxy
        return f"user:{current_user.id}"
    return "ip:" + (request.remote_addr or "?")  # also unknown keys: no fresh bucket each


def _guard() -> Response | None:
    if not is_api_request():
        return None
    plain = _bearer()
    token = api_tokens.authenticate(plain) if plain else None
    per_minute = int(current_app.config.get("API_RATE_LIMIT", 300) or 0)
    if per_minute > 0:
        wait = rate_limits.hit("api:" + _rate_key(token), per_minute)
        if wait:
            return problem(429, f"Höchstens {per_minute} Anfragen pro Minute. Bitte warten "
                                f"Sie {wait} Sekunden.", headers={"Retry-After": str(wait)})
    if plain is not None and token is None:
        return problem(401, "Der API-Schlüssel ist unbekannt oder wurde widerrufen.",
                       headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if token is not None:
        g._login_user = token.user  # Flask-Login's current_user for this request only
        g.api_token = token
        return None
    if request.routing_exception is not None or not current_user.is_authenticated:
        return None  # 404/405 as they are; anonymous writes answer 401, nothing to forge
    if request.method not in SAFE_METHODS and request.endpoint not in CSRF_EXEMPT_ENDPOINTS:
        csrf.protect()  # raises CSRFError, answered as problem details
    return None


def register(app: Flask) -> None:
    app.before_request(_guard)
