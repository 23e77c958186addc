"""Vorhaben (Project), identified by its Förderkennzeichen, and Verbund (joint project)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import RecordMixin, in_list, not_negative, period_check
from .geography import Municipality
from .organisation import Organisation
from .programme import Programme
from .ressort import Ressort
from .taxonomy import SDG, ResearchPriority, Topic


def _link(name: str, left: str, right: str, right_key: str = "id") -> Table:
    return Table(
        name,
        db.metadata,
        Column(f"{left}_id", ForeignKey(f"{left}.id", ondelete="CASCADE"), primary_key=True),
        Column(
            f"{right}_{right_key}",
            ForeignKey(f"{right}.{right_key}", ondelete="CASCADE"),
            primary_key=True,
        ),
    )


project_municipality = _link("project_municipality", "project", "municipality")
project_topic = _link("project_topic", "project", "topic")
project_sdg = _link("project_sdg", "project", "sdg", "number")
project_priority = _link("project_priority", "project", "research_priority")

RESULTS_STATUSES: dict[str, str] = {
    "none": "noch keine Ergebnisse",
    "interim": "Zwischenergebnisse",
    "final": "abschließende Ergebnisse",
}

# A partner FKZ ends in one letter: 03SF0712A and 03SF0712B form one Verbund "03SF0712".
_PARTNER_SUFFIX = re.compile(r"^(?P<stem>.*\d)(?P<suffix>[A-Z])$")


def verbund_stem(fkz: str) -> str | None:
    """The shared stem of a partner FKZ, or None for a single project."""
    match = _PARTNER_SUFFIX.match(fkz.strip().upper())
    return match.group("stem") if match else None


class Verbund(db.Model):
    __tablename__ = "verbund"

    id: Mapped[int] = mapped_column(primary_key=True)
    stem: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(500), default="")

    projects: Mapped[list[Project]] = relationship(back_populates="verbund", order_by="Project.fkz")

    def __str__(self) -> str:
        return self.title or self.stem


class Project(RecordMixin, db.Model):
    __tablename__ = "project"
    __table_args__ = (
        *RecordMixin.record_constraints(),
        period_check(),
        not_negative("budget_eur"),
        CheckConstraint(in_list("results_status", RESULTS_STATUSES), name="results_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fkz: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    acronym: Mapped[str] = mapped_column(String(120), default="")
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programme.id"))
    ressort_at_funding_id: Mapped[int | None] = mapped_column(ForeignKey("ressort.id"))
    verbund_id: Mapped[int | None] = mapped_column(ForeignKey("verbund.id"))
    summary: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")
    lead_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"),
                                                             index=True)
    executing_unit: Mapped[str] = mapped_column(String(300), default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    budget_eur: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    # Only with this consent does the contact appear in published transfer reports.
    contact_public: Mapped[bool] = mapped_column(Boolean, default=False)
    # What a transfer report needs: lessons, conditions of transfer, who it is for.
    lessons_learned: Mapped[str] = mapped_column(Text, default="")
    transferability: Mapped[str] = mapped_column(Text, default="")
    results_status: Mapped[str] = mapped_column(String(20), default="none")
    target_city_types: Mapped[str] = mapped_column(String(120), default="")

    programme: Mapped[Programme | None] = relationship(back_populates="projects")
    ressort_at_funding: Mapped[Ressort | None] = relationship()
    verbund: Mapped[Verbund | None] = relationship(back_populates="projects")
    lead_organisation: Mapped[Organisation | None] = relationship()
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=project_municipality, order_by="Municipality.name"
    )
    topics: Mapped[list[Topic]] = relationship(secondary=project_topic, order_by="Topic.name")
    sdgs: Mapped[list[SDG]] = relationship(secondary=project_sdg, order_by="SDG.number")
    research_priorities: Mapped[list[ResearchPriority]] = relationship(
        secondary=project_priority, order_by="ResearchPriority.title"
    )

    @property
    def ressort(self) -> Ressort | None:
        """Today's Ressort: the programme's, or the successor of the Ressort at funding."""
        if self.programme:
            return self.programme.ressort
        return self.ressort_at_funding.current if self.ressort_at_funding else None

    @property
    def is_public(self) -> bool:
        return (self.is_published and self.deleted_at is None
                and (self.programme is None or not self.programme.confidential))

    def __str__(self) -> str:
        return f"{self.fkz} {self.acronym or self.title}"

    @property
    def full_title(self) -> str:
        """'KLIQ: Klima im Quartier'; the acronym once, also when the title names it already
        ('Verbundvorhaben KLIQ: …', as the Förderkatalog writes Verbund titles)."""
        if not self.acronym or re.search(rf"(?<!\w){re.escape(self.acronym)}(?!\w)", self.title,
                                         re.IGNORECASE):
            return self.title
        return f"{self.acronym}: {self.title}"
