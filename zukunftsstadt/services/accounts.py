"""Accounts: creation, Argon2id password hashes, login checks with throttling, sessions.

Sessions end on the server: the session stores the account's `session_token` (in Flask-Login's
user id) and every request compares it with the database (`auth.load_user`). A new token ends
every session of the account: at logout, on a password change, and (by the flush hook in
`models.user`) whenever the role, the Ressorts or the active flag change.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from zxcvbn import zxcvbn

from search.german import dictionary_cover

from ..extensions import db
from ..models import ROLES, ApiToken, LoginFailure, Ressort, User
from ..models.base import utcnow

HASHER = PasswordHasher()  # Argon2id with the library's current recommended parameters
# Failed logins within FAILURE_WINDOW: MAX_FAILURES per account from one client address (an
# attacker elsewhere cannot lock the owner out), MAX_ADDRESS_FAILURES per address over all
# accounts (one address cannot try many accounts).
MAX_FAILURES = 10
MAX_ADDRESS_FAILURES = 30
FAILURE_WINDOW = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
# Verifying against a dummy hash keeps the answer time the same for unknown accounts.
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """A German message for the person creating or changing an account."""


class Throttled(Exception):
    """Too many failed logins for this account or from this address in the window."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_rules(password: str, *personal: str) -> None:
    """At least MIN_PASSWORD_LENGTH characters and not easy to guess.

    zxcvbn knows the 30,000 most common passwords, words and names, keyboard rows, repeats
    and sequences; below score 3 (about 10^8 guesses) a password counts as guessable. Its
    dictionaries are English, so one German word or a compound of two with digits and signs
    around it ("Sommer2024!!") is refused by the German dictionary of the search
    (`search.german`, Debian's word lists).
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen haben.")
    hints = ["zukunftsstadt", "passwort", *(p for p in personal if p)]
    letters = "".join(c for c in password if c.isalpha())
    german = dictionary_cover(letters)
    if (german and len(german) <= 2) or zxcvbn(password, user_inputs=hints)["score"] < 3:
        raise AccountError("Dieses Passwort ist zu leicht zu erraten (ein häufiges Passwort, "
                           "ein Wort mit Ziffern, Wiederholungen oder Tastaturfolgen). Bitte "
                           "wählen Sie ein längeres, z. B. aus mehreren Wörtern.")


def create_user(email: str, name: str, password: str, role: str,
                ressort_codes: list[str] | None = None) -> User:
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(f"Unbekannte Rolle {role!r}; erlaubt: {', '.join(ROLES)}.")
    if db.session.scalar(select(User).where(User.email == email)):
        raise AccountError(f"Es gibt bereits ein Konto für {email}.")
    check_password_rules(password, email, name)
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


def set_password(user: User, password: str) -> int:
    """New password; ends every session and revokes every API key of the account.

    Returns the number of keys revoked (a key is a password of its own: whoever had the old
    password could have made one)."""
    check_password_rules(password, user.email, user.name)
    user.password_hash = HASHER.hash(password)
    revoked = db.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())).rowcount
    end_sessions(user)
    return revoked or 0


def check_password(user: User, password: str) -> bool:
    """Whether `password` is the account's current one (for changing it)."""
    try:
        return bool(user.password_hash) and HASHER.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def end_sessions(user: User) -> None:
    """Every session of the account ends with its next request (a new session token)."""
    user.session_token = secrets.token_hex(16)
    db.session.commit()


def recent_failures(email: str, address: str) -> tuple[int, int]:
    """Failures within the window: (of this account from this address, of this address)."""
    since = utcnow() - FAILURE_WINDOW
    recent = (LoginFailure.address == address, LoginFailure.at >= since)
    mine = select(func.count()).select_from(LoginFailure).where(
        LoginFailure.email == email, *recent)
    everyone = select(func.count()).select_from(LoginFailure).where(*recent)
    return db.session.scalar(mine) or 0, db.session.scalar(everyone) or 0


def authenticate(email: str, password: str, address: str) -> User | None:
    """The account if the password fits; None otherwise (same answer for unknown accounts).

    Raises Throttled after MAX_FAILURES failures of this e-mail from this client address, or
    MAX_ADDRESS_FAILURES failures of the address for any accounts, within FAILURE_WINDOW.
    A success clears only the failures of its own address.
    """
    email, address = normalise_email(email), address[:64]
    account_failures, address_failures = recent_failures(email, address)
    if account_failures >= MAX_FAILURES or address_failures >= MAX_ADDRESS_FAILURES:
        raise Throttled
    user = db.session.scalar(select(User).where(User.email == email))
    try:
        HASHER.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH,
                      password)
        ok = user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        # Older rows count for nothing any more; dropping them keeps the table small.
        db.session.execute(delete(LoginFailure).where(
            LoginFailure.at < utcnow() - FAILURE_WINDOW))
        db.session.add(LoginFailure(email=email, address=address))
        db.session.commit()
        return None
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email,
                                                  LoginFailure.address == address))
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    db.session.commit()
    return user
