"""Accounts: creation, Argon2id password hashes, login checks with throttling."""

from __future__ import annotations

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select

from ..extensions import db
from ..models import ROLES, LoginFailure, Ressort, User
from ..models.base import utcnow

HASHER = PasswordHasher()  # Argon2id with the library's current recommended parameters
MAX_FAILURES = 10
FAILURE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
# Verifying against a dummy hash keeps the answer time the same for unknown accounts.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A German message for the person creating or changing an account."""


class Throttled(Exception):
    """Too many failed logins for this account in the window."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen haben.")


def create_user(email: str, name: str, password: str, role: str,
                ressort_codes: list[str] | None = None) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"Unbekannte Rolle {role!r}; erlaubt: {', '.join(ROLES)}.")
    if db.session.scalar(select(User).where(User.email == email)):
        raise AccountError(f"Es gibt bereits ein Konto für {email}.")
    check_password_rules(password)
    codes = ressort_codes or []
    ressorts = list(db.session.scalars(select(Ressort).where(Ressort.code.in_(codes))))
    unknown = set(ressort_codes or []) - {r.code for r in ressorts}
    if unknown:
        raise AccountError(f"Unbekannte Ressorts: {', '.join(sorted(unknown))}.")
    user = User(email=email, name=name.strip(), role=role, ressorts=ressorts,
                password_hash=HASHER.hash(password), session_token=secrets.token_hex(16))
    db.session.add(user)
    db.session.commit()
    return user


def set_password(user: User, password: str) -> None:
    """New password; ends every session of the old one."""
    check_password_rules(password)
    user.password_hash = HASHER.hash(password)
    user.session_token = secrets.token_hex(16)
    db.session.commit()


def recent_failures(email: str) -> int:
    since = utcnow() - FAILURE_WINDOW
    return db.session.scalar(
        select(func.count()).select_from(LoginFailure)
        .where(LoginFailure.email == email, LoginFailure.at >= since)
    ) or 0


def authenticate(email: str, password: str) -> User | None:
    """The account if the password fits; None otherwise (same answer for unknown accounts).

    Raises Throttled after MAX_FAILURES failures of this e-mail within FAILURE_WINDOW.
    """
    email = normalise_email(email)
    if recent_failures(email) >= MAX_FAILURES:
        raise Throttled
    user = db.session.scalar(select(User).where(User.email == email))
    try:
        HASHER.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH,
                      password)
        ok = user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        db.session.add(LoginFailure(email=email))
        db.session.commit()
        return None
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    db.session.commit()
    return user
