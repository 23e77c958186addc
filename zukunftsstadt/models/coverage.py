"""Research-priority coverage: the stored text matches of the last computation and the
suggested tags that people rejected."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import utcnow

RECORD_KINDS = ("project", "lab")


class CoverageRun(db.Model):
    """One computation of the text matches; the newest one is what pages and API read."""

    __tablename__ = "coverage_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # False: search was away; nothing but tags could be counted.
    text_matching: Mapped[bool] = mapped_column(Boolean, default=True)
    records: Mapped[int] = mapped_column(Integer, default=0)  # records matched against
    priorities: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    thresholds: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class PriorityMatch(db.Model):
    """A record whose text matches a research priority (of the newest run)."""

    __tablename__ = "priority_match"
    __table_args__ = (
        CheckConstraint("kind IN ('project', 'lab')", name="kind"),
        Index("ix_priority_match_record", "kind", "record_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    priority_id: Mapped[int] = mapped_column(
        ForeignKey("research_priority.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    record_id: Mapped[int] = mapped_column(Integer)
    ressort: Mapped[str | None] = mapped_column(String(20), index=True)  # as indexed
    score: Mapped[float] = mapped_column(Float)
    terms: Mapped[list[str]] = mapped_column(JSON, default=list)


class PriorityRejection(db.Model):
    """A suggested tag someone rejected: never offered again, never counted."""

    __tablename__ = "priority_rejection"
    __table_args__ = (CheckConstraint("kind IN ('project', 'lab')", name="kind"),)

    priority_id: Mapped[int] = mapped_column(
        ForeignKey("research_priority.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rejected_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
    rejected_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
