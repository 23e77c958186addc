"""Load and dump the catalogue as one JSON document (format `zukunftsstadt-catalogue`, v1).

The format is documented in the README. Loading is an upsert by natural keys (codes, AGS, keys,
FKZ), so a file can be loaded again or moved between installations. Records go through the
one write path, with provenance `source_ref = "<file>#<section>/<n>"`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import select

from .. import kind_fields, kinds
from ..extensions import db
from ..kind_fields import FormField
from ..kinds import Kind
from ..models import (
    ORGANISATION_KINDS,
    PROGRAMME_STATUSES,
    PUBLICATION_STATUSES,
    REPORT_SCOPES,
    RESULTS_STATUSES,
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
    TransferReport,
    TransferReportItem,
    Verbund,
    verbund_stem,
)
from ..models.base import utcnow
from . import editing, records

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
        if org.kind not in ORGANISATION_KINDS:
            raise DatasetError(f"{where}: unbekannte Art {org.kind!r}; erlaubt: "
                               f"{', '.join(ORGANISATION_KINDS)}")
        org.publication_status = self.publication(item, where)
        editing.stage(org, None, source=self.source_kind, source_ref=where)

    def priority(self, item: dict[str, Any], where: str) -> None:
        rp, _ = self.upsert(ResearchPriority, "key", item["key"])
        rp.title, rp.description = item["title"], item.get("description", "")
        rp.parent = self.lookup(ResearchPriority, "key", item.get("parent"), where)
        rp.publication_status = self.publication(item, where)
        editing.stage(rp, None, source=self.source_kind, source_ref=where)

    def programme(self, item: dict[str, Any], where: str) -> None:
        p, _ = self.upsert(Programme, "key", item["key"])
        p.title, p.short_title = item["title"], item.get("short_title", "")
        p.ressort = self.lookup(Ressort, "code", item["ressort"], where)
        # An explicit null stays null (forms leave it empty); a missing key means "as ressort".
        at_funding = item["ressort_at_funding"] if "ressort_at_funding" in item else item["ressort"]
        p.ressort_at_funding = self.lookup(Ressort, "code", at_funding, where)
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
        editing.stage(p, None, source=self.source_kind, source_ref=where)

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
        p.contact_public = bool(item.get("contact_public", False))
        p.lessons_learned = item.get("lessons_learned") or ""
        p.transferability = item.get("transferability") or ""
        p.results_status = item.get("results_status") or ("final" if p.results else "none")
        if p.results_status not in RESULTS_STATUSES:
            raise DatasetError(f"{where}: unbekannter Ergebnisstand {p.results_status!r}")
        p.municipalities = self.lookup_many(Municipality, "ags", item.get("municipalities"), where)
        p.topics = self.lookup_many(Topic, "key", item.get("topics"), where)
        p.sdgs = self.lookup_many(SDG, "number", item.get("sdgs"), where)
        p.research_priorities = self.lookup_many(
            ResearchPriority, "key", item.get("research_priorities"), where
        )
        p.publication_status = self.publication(item, where)
        editing.stage(p, None, source=self.source_kind, source_ref=where)

    def lab(self, item: dict[str, Any], where: str) -> None:
        lab, _ = self.upsert(RealWorldLab, "key", item["key"])
        lab.name, lab.description = item["name"], item.get("description", "")
        lab.phase = item["phase"]
        lab.ressort = self.lookup(Ressort, "code", item.get("ressort"), where)
        lab.experimentation_clause = bool(item.get("experimentation_clause", False))
        lab.start_date = _date(item.get("start_date"), where)
        lab.end_date = _date(item.get("end_date"), where)
        lab.municipalities = self.lookup_many(
            Municipality, "ags", item.get("municipalities"), where
        )
        lab.projects = self.lookup_many(Project, "fkz", item.get("projects"), where)
        lab.topics = self.lookup_many(Topic, "key", item.get("topics"), where)
        lab.research_priorities = self.lookup_many(
            ResearchPriority, "key", item.get("research_priorities"), where)
        lab.lessons_learned = item.get("lessons_learned") or ""
        lab.publication_status = self.publication(item, where)
        editing.stage(lab, None, source=self.source_kind, source_ref=where)

    def report(self, item: dict[str, Any], where: str) -> None:
        report, _ = self.upsert(TransferReport, "key", item["key"])
        report.title = item["title"]
        report.scope = item.get("scope") or "selection:"
        if report.scope_kind not in REPORT_SCOPES:
            raise DatasetError(f"{where}: unbekannter Geltungsbereich {item.get('scope')!r}")
        report.introduction = item.get("introduction") or ""
        report.transferability = item.get("transferability") or ""
        items = []
        for position, ref in enumerate(item.get("records") or []):
            kind, _, natural_key = ref.partition(":")
            model, column = {"project": (Project, "fkz"), "lab": (RealWorldLab, "key")}.get(
                kind, (None, None))
            if model is None:
                raise DatasetError(f"{where}: Verweis {ref!r} muss mit project: oder lab: beginnen")
            record = self.lookup(model, column, natural_key, where)
            db.session.flush()
            items.append(TransferReportItem(position=position, kind=kind, record_id=record.id,
                                            record_version=record.version))
        report.items = items
        report.compiled_at = report.compiled_at or utcnow()
        report.publication_status = self.publication(item, where)
        editing.stage(report, None, source=self.source_kind, source_ref=where)

    def record(self, kind: Kind, item: dict[str, Any], where: str) -> None:
        """A kind without a handler of its own: its key and its form's fields, named as in
        the dump (`kind_fields.FormField.attr`); references by natural key. A missing
        optional field is left as it is (a new record: the model's default)."""
        record, _ = self.upsert(kind.model, kind.key, item[kind.key])
        for field in kind_fields.of(kind):
            if field.required or field.attr in item:
                setattr(record, field.attr, self.value(kind, field, item[field.attr], where))
        record.publication_status = self.publication(item, where)
        editing.stage(record, None, source=self.source_kind, source_ref=where)

    def value(self, kind: Kind, field: FormField, value: Any, where: str) -> Any:
        if field.type in ("ref", "refs"):
            assert field.ref is not None
            find = self.lookup if field.type == "ref" else self.lookup_many
            return find(field.ref[0], field.ref[1], value, where)
        if field.type == "places":
            return self.lookup_many(Municipality, "ags", value, where)
        if field.type == "date":
            return _date(value, where)
        if field.type == "amount":
            return _amount(value, where)
        if field.type == "bool":
            return bool(value)
        if field.type == "choice" and value not in dict(field.choices):
            raise DatasetError(f"{where}: unbekannter Wert {value!r} für {field.attr}")
        column = kind.model.__table__.columns.get(field.attr)
        if value is None and column is not None and not column.nullable:
            return ""  # an empty text
        return value

    source_kind = "import"


# Record kinds with a handler of their own, in dependency order; every other kind is loaded
# by `_Loader.record` from its form's fields, after these (which it may refer to).
OWN_SECTIONS = (kinds.ORGANISATION, kinds.PRIORITY, kinds.PROGRAMME, kinds.PROJECT, kinds.LAB,
                kinds.REPORT)
SECTIONS: list[tuple[str, str]] = [
    ("states", "state"),
    ("ressorts", "ressort"),
    ("ressorts", "ressort_links"),
    ("municipalities", "municipality"),
    ("topics", "topic"),
    ("sdgs", "sdg"),
    # record kinds: a kind's section is loaded by the loader's method of the kind's name
    *((k.section, k.name) for k in OWN_SECTIONS),
    *((k.section, f"record:{k.name}") for k in kinds.ALL if k not in OWN_SECTIONS),
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
            method, _, kind = handler.partition(":")
            handle = partial(loader.record, kinds.BY_NAME[kind]) if kind else getattr(
                loader, method)
            loader.section(data, section, handle)
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

