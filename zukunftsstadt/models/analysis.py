"""Overlap pairs found by the portfolio scan, their review, and in-app notifications."""

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
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import in_list, utcnow

REVIEW_STATUSES: dict[str, str] = {
    "open": "offen",
    "double_funding": "Doppelförderung bestätigt",
    "complementary": "komplementär",
    "unrelated": "kein Bezug",
}


class OverlapPair(db.Model):
    """Two records of different Ressorts that look alike; `a` is the smaller document id."""

    __tablename__ = "overlap_pair"
    __table_args__ = (
        UniqueConstraint("a_doc", "b_doc", name="uq_overlap_pair_docs"),
        CheckConstraint(in_list("status", REVIEW_STATUSES), name="status"),
        CheckConstraint("level IN ('hoch', 'mittel')", name="level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    a_doc: Mapped[str] = mapped_column(String(40), index=True)  # "project-12"
    b_doc: Mapped[str] = mapped_column(String(40), index=True)
    a_ressort: Mapped[str | None] = mapped_column(String(20))
    b_ressort: Mapped[str | None] = mapped_column(String(20))
    a_title: Mapped[str] = mapped_column(String(500), default="")
    b_title: Mapped[str] = mapped_column(String(500), default="")
    volume_eur: Mapped[float | None] = mapped_column(Float)  # budgets of both records
    score: Mapped[float] = mapped_column(Float)
    level: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(20), default="open")
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def status_label(self) -> str:
        return REVIEW_STATUSES[self.status]


class OverlapScanMark(db.Model):
    """Which version of a record the scan has looked at: re-runs resume and skip the rest."""

    __tablename__ = "overlap_scan_mark"

    doc: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    scanned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OverlapScanRun(db.Model):
    """One portfolio scan: asked for by the Koordination or by the worker's schedule (first
    scan, enough saves since the last one, nightly), run by the search worker, which reports
    its progress here for the review list."""

    __tablename__ = "overlap_scan_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    reason: Mapped[str] = mapped_column(String(20))  # requested, first, changes, nightly
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    scanned: Mapped[int] = mapped_column(Integer, default=0)  # while running: done, skips too
    skipped: Mapped[int] = mapped_column(Integer, default=0)  # unchanged since the last scan
    pairs: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)


class Notification(db.Model):
    __tablename__ = "notification"
    # One notification per user and key: two workers that check the same save notify once.
    __table_args__ = (Index("ix_notification_user_key", "user_id", "key", unique=True,
                            sqlite_where=text("key != ''"), postgresql_where=text("key != ''")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300), default="")
    key: Mapped[str] = mapped_column(String(120), default="")  # de-duplicates alerts
    read: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class OverlapAlert(db.Model):
    """A saved record to check for high overlaps, queued in the save's transaction and sent
    by the search worker, so that a save never waits for the search node or the mail server.
    `base_url` is the address the record was saved under, for the links in the alert."""

    __tablename__ = "overlap_alert"
    __table_args__ = (Index("ix_overlap_alert_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(30))
    entity_id: Mapped[int] = mapped_column(Integer)
    base_url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
