"""Themenfeld (Topic), SDG and Forschungsschwerpunkt (ResearchPriority)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import RecordMixin


class Topic(db.Model):
    __tablename__ = "topic"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))

    def __str__(self) -> str:
        return self.name


class SDG(db.Model):
    __tablename__ = "sdg"
    __table_args__ = (CheckConstraint("number BETWEEN 1 AND 17", name="number"),)

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))

    def __str__(self) -> str:
        return f"SDG {self.number}: {self.name}"


class ResearchPriority(RecordMixin, db.Model):
    """An item of a research agenda; coverage and gaps are measured against these."""

    __tablename__ = "research_priority"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("research_priority.id"))

    parent: Mapped[ResearchPriority | None] = relationship(
        remote_side="ResearchPriority.id", back_populates="children"
    )
    children: Mapped[list[ResearchPriority]] = relationship(
        back_populates="parent", order_by="ResearchPriority.title"
    )

    __table_args__ = RecordMixin.record_constraints()

    def __str__(self) -> str:
        return self.title
