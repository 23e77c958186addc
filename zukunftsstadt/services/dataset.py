"""Load and dump the catalogue as one JSON document (format `zukunftsstadt-catalogue`, v1).

The format is documented in the README. Loading is an upsert by natural keys (codes, AGS, keys,
FKZ), so a file can be loaded again or moved between installations. Records go through the
one write path, with provenance `source_ref = "<file>#<section>/<n>"`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import (
    PROGRAMME_STATUSES,
    PUBLICATION_STATUSES,
    SDG,
    Municipality,
    Organisation,
    Programme,
    Project,
    RealWorldLab,
    ResearchPriority,
    Ressort,
    State,
    Topic,
    Verbund,
    verbund_stem,
)
from . import records

FORMAT = "zukunftsstadt-catalogue"
FORMAT_VERSION = 1
_PUBLICATION_CODES = {label: code for code, label in PUBLICATION_STATUSES.items()}
_PROGRAMME_CODES = {label: code for code, label in PROGRAMME_STATUSES.items()}


class DatasetError(ValueError):
    """A problem in a data file, said in German with its place in the file."""


def _date(value: str | None, where: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise DatasetError(f"{where}: ungültiges Datum {value!r} (erwartet JJJJ-MM-TT)") from exc


def _amount(value: Any, where: str) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise DatasetError(f"{where}: ungültiger Betrag {value!r}") from exc
    if not amount.is_finite() or amount < 0:
        raise DatasetError(f"{where}: Betrag muss eine Zahl ≥ 0 sein, nicht {value!r}")
    return amount


class _Loader:
    def __init__(self, source_name: str, progress: Callable[[str], None]) -> None:
        self.source_name = source_name
        self.progress = progress
        self.counts: dict[str, int] = {}

    def ref(self, section: str, n: int) -> str:
        return f"{self.source_name}#{section}/{n}"

    def lookup(self, model: type, column: str, value: Any, where: str) -> Any:
        if value is None:
            return None
        found = db.session.scalar(select(model).where(getattr(model, column) == value))
        if found is None:
            raise DatasetError(f"{where}: unbekannter Verweis {column}={value!r}")
        return found

    def lookup_many(self, model: type, column: str, values: list[Any], where: str) -> list[Any]:
        return [self.lookup(model, column, v, where) for v in values or []]

    def upsert(self, model: type, column: str, value: Any) -> tuple[Any, bool]:
        existing = db.session.scalar(select(model).where(getattr(model, column) == value))
        return (existing, False) if existing else (model(**{column: value}), True)

    def publication(self, item: dict[str, Any], where: str) -> str:
        label = item.get("publication_status", "veröffentlicht")
        if label not in _PUBLICATION_CODES:
            raise DatasetError(f"{where}: unbekannter Veröffentlichungsstatus {label!r}")
        return _PUBLICATION_CODES[label]

    def section(self, data: dict[str, Any], name: str,
                handle: Callable[[dict[str, Any], str], None]) -> None:
        items = data.get(name) or []
        for n, item in enumerate(items):
            with db.session.no_autoflush:  # records are complete only at the end of a handler
                handle(item, self.ref(name, n))
        db.session.flush()
        self.counts[name] = len(items)
        self.progress(f"  {name}: {len(items)}")

    # One handler per section, in dependency order.

    def state(self, item: dict[str, Any], where: str) -> None:
        state, _ = self.upsert(State, "code", item["code"])
        state.name = item["name"]
        db.session.add(state)

    def ressort(self, item: dict[str, Any], where: str) -> None:
        ressort, _ = self.upsert(Ressort, "code", item["code"])
        ressort.name = item["name"]
        ressort.valid_from = _date(item.get("valid_from"), where)
        ressort.valid_to = _date(item.get("valid_to"), where)
        db.session.add(ressort)

    def ressort_links(self, item: dict[str, Any], where: str) -> None:
        ressort = self.lookup(Ressort, "code", item["code"], where)
        ressort.predecessor = self.lookup(Ressort, "code", item.get("predecessor"), where)

    def municipality(self, item: dict[str, Any], where: str) -> None:
        m, _ = self.upsert(Municipality, "ags", item["ags"])
        m.name = item["name"]
        m.state = self.lookup(State, "code", item["state"], where)
        m.city_type = item["city_type"]
        m.population = item.get("population")
        m.lat, m.lon = item.get("lat"), item.get("lon")
        db.session.add(m)

    def topic(self, item: dict[str, Any], where: str) -> None:
        topic, _ = self.upsert(Topic, "key", item["key"])
        topic.name = item["name"]
        db.session.add(topic)

    def sdg(self, item: dict[str, Any], where: str) -> None:
        sdg, _ = self.upsert(SDG, "number", item["number"])
        sdg.name = item["name"]
        db.session.add(sdg)

    def organisation(self, item: dict[str, Any], where: str) -> None:
        org, _ = self.upsert(Organisation, "key", item["key"])
        org.name, org.city = item["name"], item.get("city", "")
        org.kind = item.get("kind", "Sonstige")
        org.publication_status = self.publication(item, where)
        records.save(org, source=self.source_kind, source_ref=where)

    def priority(self, item: dict[str, Any], where: str) -> None:
        rp, _ = self.upsert(ResearchPriority, "key", item["key"])
        rp.title, rp.description = item["title"], item.get("description", "")
        rp.parent = self.lookup(ResearchPriority, "key", item.get("parent"), where)
        rp.publication_status = self.publication(item, where)
        records.save(rp, source=self.source_kind, source_ref=where)

    def programme(self, item: dict[str, Any], where: str) -> None:
        p, _ = self.upsert(Programme, "key", item["key"])
        p.title, p.short_title = item["title"], item.get("short_title", "")
        p.ressort = self.lookup(Ressort, "code", item["ressort"], where)
        p.ressort_at_funding = self.lookup(
            Ressort, "code", item.get("ressort_at_funding") or item["ressort"], where
        )
        p.funding_body, p.kind = item.get("funding_body", ""), item["kind"]
        p.budget_eur = _amount(item.get("budget_eur"), where)
        p.start_date = _date(item.get("start_date"), where)
        p.end_date = _date(item.get("end_date"), where)
        status = item.get("status", "geplant")
        if status not in _PROGRAMME_CODES:
            raise DatasetError(f"{where}: unbekannter Programmstatus {status!r}")
        p.status = _PROGRAMME_CODES[status]
        p.confidential = bool(item.get("confidential", False))
        p.description, p.url = item.get("description", ""), item.get("url")
        p.publication_status = self.publication(item, where)
        records.save(p, source=self.source_kind, source_ref=where)

    def project(self, item: dict[str, Any], where: str) -> None:
        p, _ = self.upsert(Project, "fkz", item["fkz"].strip().upper())
        p.title, p.acronym = item["title"], item.get("acronym", "")
        p.programme = self.lookup(Programme, "key", item.get("programme"), where)
        p.ressort_at_funding = self.lookup(Ressort, "code", item.get("ressort_at_funding"), where)
        stem = verbund_stem(p.fkz)
        if stem and item.get("verbund_title"):
            verbund, _ = self.upsert(Verbund, "stem", stem)
            verbund.title = item["verbund_title"]
            p.verbund = verbund
        for name in ("summary", "objectives", "results", "executing_unit"):
            setattr(p, name, item.get(name) or "")
        p.lead_organisation = self.lookup(
            Organisation, "key", item.get("lead_organisation"), where
        )
        p.start_date = _date(item.get("start_date"), where)
        p.end_date = _date(item.get("end_date"), where)
        p.budget_eur = _amount(item.get("budget_eur"), where)
        p.contact_name, p.contact_email = item.get("contact_name"), item.get("contact_email")
        p.municipalities = self.lookup_many(Municipality, "ags", item.get("municipalities"), where)
        p.topics = self.lookup_many(Topic, "key", item.get("topics"), where)
        p.sdgs = self.lookup_many(SDG, "number", item.get("sdgs"), where)
        p.research_priorities = self.lookup_many(
            ResearchPriority, "key", item.get("research_priorities"), where
        )
        p.publication_status = self.publication(item, where)
        records.save(p, source=self.source_kind, source_ref=where)

    def lab(self, item: dict[str, Any], where: str) -> None:
        lab, _ = self.upsert(RealWorldLab, "key", item["key"])
        lab.name, lab.description = item["name"], item.get("description", "")
        lab.phase = item["phase"]
        lab.experimentation_clause = bool(item.get("experimentation_clause", False))
        lab.start_date = _date(item.get("start_date"), where)
        lab.end_date = _date(item.get("end_date"), where)
        lab.municipalities = self.lookup_many(
            Municipality, "ags", item.get("municipalities"), where
        )
        lab.projects = self.lookup_many(Project, "fkz", item.get("projects"), where)
        lab.topics = self.lookup_many(Topic, "key", item.get("topics"), where)
        lab.publication_status = self.publication(item, where)
        records.save(lab, source=self.source_kind, source_ref=where)

    source_kind = "import"


SECTIONS: list[tuple[str, str]] = [
    ("states", "state"),
    ("ressorts", "ressort"),
    ("ressorts", "ressort_links"),
    ("municipalities", "municipality"),
    ("topics", "topic"),
    ("sdgs", "sdg"),
    ("organisations", "organisation"),
    ("research_priorities", "priority"),
    ("programmes", "programme"),
    ("projects", "project"),
    ("real_world_labs", "lab"),
]


def load(data: dict[str, Any], source_name: str, *, demo: bool = False,
         progress: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Upsert everything in `data` in one transaction; returns counts per section."""
    if data.get("format") != FORMAT or data.get("version") != FORMAT_VERSION:
        raise DatasetError(
            f"Unbekanntes Dateiformat: erwartet format={FORMAT!r}, version={FORMAT_VERSION}"
        )
    loader = _Loader(source_name, progress)
    loader.source_kind = "demo" if demo else "import"
    try:
        for section, handler in SECTIONS:
            loader.section(data, section, getattr(loader, handler))
        records.commit()
    except (KeyError, TypeError) as exc:
        db.session.rollback()
        raise DatasetError(f"Pflichtangabe fehlt oder hat den falschen Typ: {exc}") from exc
    except Exception:
        db.session.rollback()
        raise
    return loader.counts


def load_file(path: Path, **kwargs: Any) -> dict[str, int]:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DatasetError(f"{path}: Datei nicht lesbar oder kein gültiges JSON ({exc})") from exc
    return load(data, path.name, **kwargs)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _num(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def dump(notice: str = "") -> dict[str, Any]:
    """The whole catalogue in the load format; `load(dump())` reproduces it."""

    def rows(model: type, order: Any) -> list[Any]:
        return list(db.session.scalars(select(model).order_by(order)))

    pub = PUBLICATION_STATUSES
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "notice": notice,
        "states": [{"code": s.code, "name": s.name} for s in rows(State, State.code)],
        "ressorts": [
            {"code": r.code, "name": r.name, "valid_from": _iso(r.valid_from),
             "valid_to": _iso(r.valid_to),
             "predecessor": r.predecessor.code if r.predecessor else None}
            for r in rows(Ressort, Ressort.code)
        ],
        "municipalities": [
            {"ags": m.ags, "name": m.name, "state": m.state.code, "city_type": m.city_type,
             "population": m.population, "lat": m.lat, "lon": m.lon}
            for m in rows(Municipality, Municipality.ags)
        ],
        "organisations": [
            {"key": o.key, "name": o.name, "city": o.city, "kind": o.kind,
             "publication_status": pub[o.publication_status]}
            for o in rows(Organisation, Organisation.key)
        ],
        "topics": [{"key": t.key, "name": t.name} for t in rows(Topic, Topic.key)],
        "sdgs": [{"number": s.number, "name": s.name} for s in rows(SDG, SDG.number)],
        "research_priorities": [
            {"key": r.key, "title": r.title, "description": r.description,
             "parent": r.parent.key if r.parent else None,
             "publication_status": pub[r.publication_status]}
            # Parents before children, so the file loads in one pass.
            for r in sorted(rows(ResearchPriority, ResearchPriority.id),
                            key=lambda r: (r.parent_id is not None, r.id))
        ],
        "programmes": [
            {"key": p.key, "title": p.title, "short_title": p.short_title,
             "ressort": p.ressort.code,
             "ressort_at_funding": p.ressort_at_funding.code if p.ressort_at_funding else None,
             "funding_body": p.funding_body, "kind": p.kind, "budget_eur": _num(p.budget_eur),
             "start_date": _iso(p.start_date), "end_date": _iso(p.end_date),
             "status": PROGRAMME_STATUSES[p.status], "confidential": p.confidential,
             "description": p.description, "url": p.url,
             "publication_status": pub[p.publication_status]}
            for p in rows(Programme, Programme.key)
        ],
        "projects": [
            {"fkz": p.fkz, "title": p.title, "acronym": p.acronym,
             "programme": p.programme.key if p.programme else None,
             "ressort_at_funding": p.ressort_at_funding.code if p.ressort_at_funding else None,
             "verbund_title": p.verbund.title if p.verbund else None,
             "summary": p.summary, "objectives": p.objectives, "results": p.results,
             "lead_organisation": p.lead_organisation.key if p.lead_organisation else None,
             "executing_unit": p.executing_unit,
             "municipalities": [m.ags for m in p.municipalities],
             "start_date": _iso(p.start_date), "end_date": _iso(p.end_date),
             "budget_eur": _num(p.budget_eur), "topics": [t.key for t in p.topics],
             "sdgs": [s.number for s in p.sdgs],
             "research_priorities": [r.key for r in p.research_priorities],
             "contact_name": p.contact_name, "contact_email": p.contact_email,
             "publication_status": pub[p.publication_status]}
            for p in rows(Project, Project.fkz)
        ],
        "real_world_labs": [
            {"key": lab.key, "name": lab.name, "description": lab.description,
             "phase": lab.phase, "experimentation_clause": lab.experimentation_clause,
             "municipalities": [m.ags for m in lab.municipalities],
             "projects": [p.fkz for p in lab.projects],
             "start_date": _iso(lab.start_date), "end_date": _iso(lab.end_date),
             "topics": [t.key for t in lab.topics],
             "publication_status": pub[lab.publication_status]}
            for lab in rows(RealWorldLab, RealWorldLab.key)
        ],
    }
