"""Benutzer (User) with a role and the Ressorts the account may edit."""

from __future__ import annotations

from datetime import datetime

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


class User(db.Model):
    __tablename__ = "user"
    __table_args__ = (CheckConstraint(in_list("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="analyst")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    ressorts: Mapped[list[Ressort]] = relationship(secondary=user_ressort)

    def __str__(self) -> str:
        return self.name
