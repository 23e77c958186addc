"""The overview map of the gap analysis: Länder and Reallabore on a simplified outline.

Drawn server-side as SVG from data shipped with the app (`zukunftsstadt/data/germany.json`),
no tile server; the page shows the same numbers as a table.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import func, select

from ..extensions import db
from ..models import Municipality, RealWorldLab, State
from ..models.project import project_municipality
from .gaps import public_projects

DATA = Path(__file__).parents[1] / "data" / "germany.json"
WEST, NORTH, SCALE = 5.8, 55.2, 70.0
X_FACTOR = math.cos(math.radians(51))  # equirectangular projection at Germany's latitude


@dataclass
class LandMarker:
    code: str
    name: str
    projects: int
    labs: int
    x: float
    y: float

    @property
    def radius(self) -> float:
        return 6 + 3 * math.sqrt(self.projects)


@dataclass
class LabDot:
    name: str
    place: str
    x: float
    y: float


def project_point(lon: float, lat: float) -> tuple[float, float]:
    return round((lon - WEST) * X_FACTOR * SCALE, 1), round((NORTH - lat) * SCALE, 1)


@cache
def _shape() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def outline_path() -> str:
    points = [project_point(lon, lat) for lon, lat in _shape()["outline"]]
    return "M" + " L".join(f"{x},{y}" for x, y in points) + " Z"


def size() -> tuple[int, int]:
    return int((15.3 - WEST) * X_FACTOR * SCALE), int((NORTH - 47.1) * SCALE)


def markers() -> list[LandMarker]:
    projects = dict(db.session.execute(
        select(State.code, func.count(func.distinct(project_municipality.c.project_id)))
        .join(Municipality, Municipality.state_id == State.id)
        .join(project_municipality, project_municipality.c.municipality_id == Municipality.id)
        .where(project_municipality.c.project_id.in_(public_projects()))
        .group_by(State.code)).all())
    labs: dict[str, int] = {}
    for lab in _public_labs():
        for code in {m.state.code for m in lab.municipalities}:
            labs[code] = labs.get(code, 0) + 1
    result = []
    for state in db.session.scalars(select(State).order_by(State.name)):
        lon, lat = _shape()["labels"].get(state.code, (10.4, 51.2))
        x, y = project_point(lon, lat)
        result.append(LandMarker(state.code, state.name, projects.get(state.code, 0),
                                 labs.get(state.code, 0), x, y))
    return result


def _public_labs() -> list[RealWorldLab]:
    return list(db.session.scalars(select(RealWorldLab).where(
        RealWorldLab.publication_status == "published", RealWorldLab.deleted_at.is_(None))))


def lab_dots() -> list[LabDot]:
    dots = []
    for lab in _public_labs():
        for m in lab.municipalities:
            if m.lon is not None and m.lat is not None:
                dots.append(LabDot(lab.name, m.name, *project_point(m.lon, m.lat)))
    return dots

