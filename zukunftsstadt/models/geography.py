"""Land (State) and Kommune (Municipality)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import in_list

CITY_TYPES = ["Großstadt", "Mittelstadt", "Kleinstadt", "Landgemeinde"]


class State(db.Model):
    __tablename__ = "state"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)

    def __str__(self) -> str:
        return self.name


class Municipality(db.Model):
    __tablename__ = "municipality"
    __table_args__ = (
        CheckConstraint("length(ags) = 8", name="ags_length"),
        # Digits only: portable between SQLite and PostgreSQL without regular expressions.
        CheckConstraint(
            " AND ".join(f"substr(ags, {i}, 1) BETWEEN '0' AND '9'" for i in range(1, 9)),
            name="ags_digits",
        ),
        CheckConstraint(in_list("city_type", CITY_TYPES), name="city_type"),
        CheckConstraint("population IS NULL OR population >= 0", name="population"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ags: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("state.id"))
    city_type: Mapped[str] = mapped_column(String(20))
    population: Mapped[int | None] = mapped_column(Integer)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)

    state: Mapped[State] = relationship()

    def __str__(self) -> str:
        return self.name
