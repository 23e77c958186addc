"""Transferbericht (TransferReport): what was tried, what worked, and whom to ask, for Kommunen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import RecordMixin, in_list

REPORT_SCOPES: dict[str, str] = {
    "topic": "Themenfeld",
    "priority": "Forschungsschwerpunkt",
    "city_type": "Stadttyp",
    "state": "Land",
    "selection": "Auswahl",
}
ITEM_KINDS = ["project", "lab"]


class TransferReport(RecordMixin, db.Model):
    __tablename__ = "transfer_report"
    __table_args__ = (
        *RecordMixin.record_constraints(),
        CheckConstraint(in_list("scope_kind", REPORT_SCOPES), name="scope_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    scope_kind: Mapped[str] = mapped_column(String(20), default="selection")
    scope_value: Mapped[str] = mapped_column(String(100), default="")
    introduction: Mapped[str] = mapped_column(Text, default="")  # Ausgangslage
    transferability: Mapped[str] = mapped_column(Text, default="")  # Übertragbarkeit
    compiled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[TransferReportItem]] = relationship(
        back_populates="report", order_by="TransferReportItem.position",
        cascade="all, delete-orphan")

    @property
    def scope_label(self) -> str:
        return REPORT_SCOPES[self.scope_kind]

    @property
    def scope(self) -> str:
        """'kind:value' as one form field (e.g. 'topic:klimaanpassung')."""
        return f"{self.scope_kind}:{self.scope_value}"

    @scope.setter
    def scope(self, value: str) -> None:
        kind, _, rest = (value or "selection:").partition(":")
        self.scope_kind, self.scope_value = kind, rest

    def __str__(self) -> str:
        return self.title


class TransferReportItem(db.Model):
    """One project or Reallabor in a report, with the version it was compiled from."""

    __tablename__ = "transfer_report_item"
    __table_args__ = (CheckConstraint(in_list("kind", ITEM_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("transfer_report.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))
    record_id: Mapped[int] = mapped_column(Integer)
    record_version: Mapped[int] = mapped_column(Integer)

    report: Mapped[TransferReport] = relationship(back_populates="items")
