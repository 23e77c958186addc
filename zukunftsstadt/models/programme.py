"""Förderprogramm (Programme): a funding programme or call of one Ressort."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import RecordMixin, in_list, not_negative, period_check
from .ressort import Ressort

PROGRAMME_STATUSES: dict[str, str] = {
    "planned": "geplant",
    "open": "offen",
    "running": "laufend",
    "completed": "abgeschlossen",
}
PROGRAMME_KINDS = ["Förderrichtlinie", "Wettbewerb", "Modellvorhaben", "Forschungsprogramm"]


class Programme(RecordMixin, db.Model):
    __tablename__ = "programme"
    __table_args__ = (
        *RecordMixin.record_constraints(),
        period_check(),
        not_negative("budget_eur"),
        CheckConstraint(in_list("status", PROGRAMME_STATUSES), name="status"),
        CheckConstraint(in_list("kind", PROGRAMME_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    short_title: Mapped[str] = mapped_column(String(120), default="")
    ressort_id: Mapped[int] = mapped_column(ForeignKey("ressort.id"))
    ressort_at_funding_id: Mapped[int | None] = mapped_column(ForeignKey("ressort.id"))
    funding_body: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(30), default="Förderrichtlinie")
    budget_eur: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(500))

    ressort: Mapped[Ressort] = relationship(foreign_keys=[ressort_id])
    ressort_at_funding: Mapped[Ressort | None] = relationship(foreign_keys=[ressort_at_funding_id])
    projects = relationship("Project", back_populates="programme", lazy="dynamic")

    @property
    def status_label(self) -> str:
        return PROGRAMME_STATUSES[self.status]

    @property
    def is_public(self) -> bool:
        return self.is_published and self.deleted_at is None and not self.confidential

    def __str__(self) -> str:
        return self.short_title or self.title
