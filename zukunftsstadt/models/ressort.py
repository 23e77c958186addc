"""Ressort: a federal ministry, with its predecessor and validity dates."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db


class Ressort(db.Model):
    __tablename__ = "ressort"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    predecessor_id: Mapped[int | None] = mapped_column(ForeignKey("ressort.id"))
    # The Koordination may let a Ressort's editors publish without review.
    editors_may_publish: Mapped[bool] = mapped_column(Boolean, default=False)

    predecessor: Mapped[Ressort | None] = relationship(
        remote_side="Ressort.id", back_populates="successors"
    )
    successors: Mapped[list[Ressort]] = relationship(back_populates="predecessor")

    @property
    def is_current(self) -> bool:
        return self.valid_to is None or self.valid_to >= date.today()

    @property
    def current(self) -> Ressort:
        """Today's Ressort for this one: its successors followed to the end (BMBF -> BMFTR)."""
        ressort, seen = self, {self.id}
        while ressort.valid_to is not None and ressort.successors:
            following = next((s for s in ressort.successors if s.valid_to is None),
                             ressort.successors[0])
            if following.id in seen:
                break
            ressort, seen = following, seen | {following.id}
        return ressort

    def __str__(self) -> str:
        return self.code
