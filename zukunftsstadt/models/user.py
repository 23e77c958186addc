"""Benutzer (User) with a role and the Ressorts the account works for; failed logins."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, String, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import db
from .base import in_list, utcnow
from .project import _link
from .ressort import Ressort

ROLES: dict[str, str] = {
    "coordination": "Koordination",
    "editor": "Ressort-Redaktion",
    "analyst": "Analyse",
}

user_ressort = _link("user_ressort", "user", "ressort")


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (CheckConstraint(in_list("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="analyst")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Stored in each session (Flask-Login id) and checked on every request: a new value ends
    # every session (logout, password, role, Ressorts, deactivation; see below).
    session_token: Mapped[str] = mapped_column(String(64), default="")

    ressorts: Mapped[list[Ressort]] = relationship(secondary=user_ressort, order_by="Ressort.code")

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: id plus token, so a reset ends old sessions
        return f"{self.id}:{self.session_token}"

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    @property
    def is_coordination(self) -> bool:
        return self.role == "coordination"

    @property
    def ressort_codes(self) -> tuple[str, ...]:
        return tuple(r.code for r in self.ressorts)

    def __str__(self) -> str:
        return self.name


SESSION_ENDING = ("role", "ressorts", "active")


@event.listens_for(Session, "before_flush")
def _end_sessions_on_account_change(session: Session, context: Any, instances: Any) -> None:
    """A change of role, Ressorts or active flag ends every session of the account, whatever
    changed it (a page, the command line, a script): the next request signs in again."""
    for obj in session.dirty:
        if not isinstance(obj, User):
            continue
        state = inspect(obj)
        if any(state.attrs[name].history.has_changes() for name in SESSION_ENDING):
            obj.session_token = secrets.token_hex(16)


class LoginFailure(db.Model):
    """One failed login; the recent ones of an account and client address decide the
    throttling (`services.accounts.authenticate`). Rows from before migration 0009 have no
    address and count for no address."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
