"""Organisation: Zuwendungsempfänger, research institutes, Kommunen, companies, associations."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import RecordMixin, in_list

ORGANISATION_KINDS = [
    "Hochschule",
    "Forschungseinrichtung",
    "Kommune",
    "Unternehmen",
    "Verein/Verband",
    "Sonstige",
]


class Organisation(RecordMixin, db.Model):
    __tablename__ = "organisation"
    __table_args__ = (
        *RecordMixin.record_constraints(),
        CheckConstraint(in_list("kind", ORGANISATION_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    city: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(30), default="Sonstige")

    def __str__(self) -> str:
        return self.name
