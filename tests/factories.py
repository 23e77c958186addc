"""Small catalogues built through the services, for tests that need a handful of records."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import count
from typing import Any

from zukunftsstadt.extensions import db
from zukunftsstadt.models import (
    Municipality,
    Programme,
    Project,
    RealWorldLab,
    ResearchPriority,
    Ressort,
    State,
    Topic,
)
from zukunftsstadt.services import records

_numbers = count(1)


def ressort(code: str = "BMFTR") -> Ressort:
    found = Ressort.query.filter_by(code=code).first()
    if found:
        return found
    item = Ressort(code=code, name=f"Bundesministerium {code}", valid_from=date(2025, 5, 6))
    db.session.add(item)
    db.session.flush()
    return item


def municipality(ags: str = "14612000", name: str = "Dresden") -> Municipality:
    found = Municipality.query.filter_by(ags=ags).first()
    if found:
        return found
    state = State.query.filter_by(code="SN").first() or State(code="SN", name="Sachsen")
    item = Municipality(ags=ags, name=name, state=state, city_type="Großstadt",
                        population=560000)
    db.session.add(item)
    db.session.flush()
    return item


def programme(**fields: Any) -> Programme:
    n = next(_numbers)
    values: dict[str, Any] = {
        "key": f"prg-{n}", "title": f"Förderprogramm Nummer {n}", "kind": "Förderrichtlinie",
        "status": "running", "publication_status": "published", "ressort": ressort(),
        "start_date": date(2020, 1, 1), "budget_eur": Decimal("1000000"),
    }
    values.update(fields)
    item = records.save(Programme(**values))
    return item


def project(**fields: Any) -> Project:
    n = next(_numbers)
    values: dict[str, Any] = {
        "fkz": f"03TEST{n:04d}", "title": f"Vorhaben Nummer {n}", "acronym": f"V{n}",
        "summary": "Ein Vorhaben zur nachhaltigen Stadtentwicklung.",
        "publication_status": "published", "start_date": date(2022, 1, 1),
        "end_date": date(2024, 12, 31), "budget_eur": Decimal("250000.50"),
    }
    values.update(fields)
    if "programme" not in values:
        values["programme"] = programme()
    if "municipalities" not in values:
        values["municipalities"] = [municipality()]
    return records.save(Project(**values))


def lab(**fields: Any) -> RealWorldLab:
    n = next(_numbers)
    values: dict[str, Any] = {"key": f"rwl-{n}", "name": f"Reallabor Nummer {n}",
                              "phase": "Umsetzung", "publication_status": "published"}
    values.update(fields)
    return records.save(RealWorldLab(**values))


def priority(**fields: Any) -> ResearchPriority:
    n = next(_numbers)
    values: dict[str, Any] = {"key": f"fs-{n}", "title": f"Schwerpunkt Nummer {n}",
                              "publication_status": "published"}
    values.update(fields)
    return records.save(ResearchPriority(**values))


def topic(key: str = "klimaanpassung", name: str = "Klimaanpassung") -> Topic:
    found = Topic.query.filter_by(key=key).first()
    if found:
        return found
    item = Topic(key=key, name=name)
    db.session.add(item)
    db.session.flush()
    return item
