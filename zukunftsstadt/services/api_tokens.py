"""Personal API tokens: create (shown once), revoke, and authenticate a bearer token.

A token is `zs_` plus 32 random bytes (URL-safe base64); only its SHA-256 hash is stored.
A token acts as its user with the user's current role and Ressorts; it stops working when
revoked or when the account is deactivated.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select

from ..extensions import db
from ..models import ApiToken, User
from ..models.base import utcnow

PREFIX = "zs_"
MAX_ACTIVE_PER_USER = 10
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenError(ValueError):
    """A German message for the account holder."""


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def active_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def create(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the plain token (show it once)."""
    name = name.strip()
    if not name:
        raise TokenError("Bitte geben Sie eine Bezeichnung für den Schlüssel an.")
    if len(active_tokens(user)) >= MAX_ACTIVE_PER_USER:
        raise TokenError(f"Sie haben bereits {MAX_ACTIVE_PER_USER} gültige Schlüssel. Bitte "
                         "widerrufen Sie zuerst einen, den Sie nicht mehr brauchen.")
    plain = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=digest(plain), prefix=plain[:10])
    db.session.add(token)
    db.session.commit()
    return token, plain


def revoke(user: User, token_id: int) -> ApiToken | None:
    """Revoke one of `user`'s own tokens; None when there is no such active token."""
    token = db.session.get(ApiToken, token_id) if 0 < token_id < 2**31 else None
    if token is None or token.user_id != user.id or token.revoked_at is not None:
        return None
    token.revoked_at = utcnow()
    db.session.commit()
    return token


def authenticate(plain: str) -> ApiToken | None:
    """The active token for a bearer string, its last use noted; None if unknown or revoked."""
    if not plain.startswith(PREFIX) or len(plain) > 200:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(plain)))
    if token is None or not token.is_active:
        return None
    now = utcnow()
    last = token.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite returns naive datetimes
        last = last.replace(tzinfo=now.tzinfo)
    if last is None or now - last >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return token
