"""Reallabor (RealWorldLab): a real-world lab in one or more Kommunen."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import RecordMixin, in_list, period_check
from .geography import Municipality
from .project import Project, _link
from .ressort import Ressort
from .taxonomy import ResearchPriority, Topic

LAB_PHASES = ["Konzeption", "Umsetzung", "Verstetigung"]

lab_municipality = _link("lab_municipality", "real_world_lab", "municipality")
lab_project = _link("lab_project", "real_world_lab", "project")
lab_topic = _link("lab_topic", "real_world_lab", "topic")
lab_priority = _link("lab_priority", "real_world_lab", "research_priority")


class RealWorldLab(RecordMixin, db.Model):
    __tablename__ = "real_world_lab"
    __table_args__ = (
        *RecordMixin.record_constraints(),
        period_check(),
        CheckConstraint(in_list("phase", LAB_PHASES), name="phase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    phase: Mapped[str] = mapped_column(String(20), default="Konzeption")
    experimentation_clause: Mapped[bool] = mapped_column(Boolean, default=False)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    # The Ressort responsible for the lab's entry (whose editors maintain it).
    ressort_id: Mapped[int | None] = mapped_column(ForeignKey("ressort.id"))
    lessons_learned: Mapped[str] = mapped_column(Text, default="")

    ressort: Mapped[Ressort | None] = relationship()
    municipalities: Mapped[list[Municipality]] = relationship(
        secondary=lab_municipality, order_by="Municipality.name"
    )
    projects: Mapped[list[Project]] = relationship(
        secondary=lab_project, order_by="Project.fkz", backref="real_world_labs"
    )
    topics: Mapped[list[Topic]] = relationship(secondary=lab_topic, order_by="Topic.name")
    research_priorities: Mapped[list[ResearchPriority]] = relationship(
        secondary=lab_priority, order_by="ResearchPriority.title"
    )

    def __str__(self) -> str:
        return self.name
