"""Columns every editable record shares: version, timestamps, authors, workflow, provenance."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


def aware(moment: Any) -> Any:
    """`moment` as an aware UTC time (SQLite hands back naive UTC); None stays None."""
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=UTC)


# Stored codes (English) with their German labels; the order is the workflow order.
PUBLICATION_STATUSES: dict[str, str] = {
    "draft": "Entwurf",
    "submitted": "eingereicht",
    "published": "veröffentlicht",
    "archived": "archiviert",
}

SOURCES: dict[str, str] = {
    "form": "Formular",
    "import": "Import",
    "demo": "Demodaten",
    "api": "API",
}


def in_list(column: str, values: dict[str, str] | list[str]) -> str:
    """SQL for a CHECK that keeps a code column inside its list."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


class RecordMixin:
    """Everything an editable catalogue record carries besides its content.

    `version` is SQLAlchemy's optimistic-lock counter; it is also the external version of the
    record's search document, so an older delivery can never overwrite a newer one.
    """

    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    publication_status: Mapped[str] = mapped_column(String(20), default="draft")
    source: Mapped[str] = mapped_column(String(20), default="form")
    source_ref: Mapped[str | None] = mapped_column(String(500))
    # Soft delete: the record disappears everywhere but can be restored by the Koordination.
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @declared_attr
    def created_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    @declared_attr
    def updated_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}

    @classmethod
    def record_constraints(cls) -> tuple[CheckConstraint, ...]:
        return (
            CheckConstraint(in_list("publication_status", PUBLICATION_STATUSES), name="pubstatus"),
            CheckConstraint(in_list("source", SOURCES), name="source"),
        )

    @property
    def is_published(self) -> bool:
        return self.publication_status == "published"

    @property
    def is_public(self) -> bool:
        """Visible to anonymous visitors."""
        return self.is_published and self.deleted_at is None

    @property
    def publication_label(self) -> str:
        return PUBLICATION_STATUSES[self.publication_status]


def period_check() -> CheckConstraint:
    return CheckConstraint(
        "end_date IS NULL OR start_date IS NULL OR end_date >= start_date", name="period"
    )


def not_negative(column: str) -> CheckConstraint:
    return CheckConstraint(f"{column} IS NULL OR {column} >= 0", name=f"{column}_not_negative")
