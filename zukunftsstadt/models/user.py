"""Benutzer (User) with a role and the Ressorts the account works for; failed logins."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    # Changes on password change, so that sessions of the old password end (Flask-Login id).
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


class LoginFailure(db.Model):
    """One failed login; the recent ones of an account decide the throttling."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
