"""Changing records from form or API data: field values, links, workflow, deletion, erasure.

Everything ends in `records.save`, so audit, outbox and optimistic locking always apply.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, or_, select

from .. import permissions
from ..extensions import db
from ..models import (
    SDG,
    AuditEvent,
    Municipality,
    Project,
    RealWorldLab,
    ResearchPriority,
    Topic,
    User,
)
from ..models.base import utcnow
from . import alerts, notices, records

ERASED = "[gelöscht]"
PERSONAL_FIELDS = ("contact_name", "contact_email")
LINKS: dict[str, type] = {
    "topics": Topic,
    "sdgs": SDG,
    "research_priorities": ResearchPriority,
    "projects": Project,
}


class InputError(ValueError):
    """A German message about one field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def resolve_municipalities(text: str | None) -> list[Municipality]:
    """'Leipzig; 14612000' -> municipalities; InputError naming the unknown entries."""
    found: list[Municipality] = []
    unknown: list[str] = []
    for part in (p.strip() for p in (text or "").split(";")):
        if not part:
            continue
        match = db.session.scalars(
            select(Municipality).where(or_(Municipality.ags == part, Municipality.name == part))
        ).first()
        if match is None:
            unknown.append(part)
        elif match not in found:
            found.append(match)
    if unknown:
        raise InputError("municipalities", "Unbekannte Kommune: " + "; ".join(unknown)
                         + ". Bitte Namen aus der Vorschlagsliste oder den AGS angeben.")
    return found


def apply(record: Any, data: dict[str, Any], reader: Any = None) -> dict[str, list[Any]]:
    """Set plain fields, foreign keys (0 = none) and link lists from already validated data;
    returns the changed links `{name: [old, new]}` by name, for the history (`records.save`
    records column changes itself).

    With `reader`, links to records the reader may not see stay: the form could not show
    them, so their absence from `data` says nothing.
    """
    changed: dict[str, list[Any]] = {}
    with db.session.no_autoflush:
        for name, value in data.items():
            linked = name in LINKS or name == "municipalities"
            before = names(getattr(record, name)) if linked else []
            _apply_one(record, name, value, reader)
            after = names(getattr(record, name)) if linked else []
            if sorted(before) != sorted(after):
                changed[name] = [before, after]
    return changed


def names(items: Any) -> list[str]:
    return [str(getattr(i, "title", None) or getattr(i, "name", None) or i) for i in items]


def _apply_one(record: Any, name: str, value: Any, reader: Any = None) -> None:
    column = record.__table__.columns.get(name)
    if value is None and column is not None and not column.nullable and isinstance(
            column.type, String):
        value = ""  # an emptied optional text field
    if name == "municipalities":
        record.municipalities = resolve_municipalities(value)
    elif name in LINKS:
        model = LINKS[name]
        key = SDG.number if model is SDG else model.id
        chosen = list(db.session.scalars(select(model).where(key.in_(value or []))))
        if reader is not None:
            chosen += [item for item in getattr(record, name)
                       if not permissions.can_name(reader, item) and item not in chosen]
        setattr(record, name, chosen)
    elif name.endswith("_id"):
        setattr(record, name, value or None)
    else:
        setattr(record, name, value)


# One answer whether the FKZ belongs to a record the user may read or to a confidential or
# foreign draft: the message confirms nothing beyond "not this one" (issue 12, finding 7).
FKZ_UNAVAILABLE = ("Dieses Förderkennzeichen kann hier nicht verwendet werden. Bitte prüfen Sie "
                   "es; bei Fragen hilft die Koordination.")


def fkz_taken(fkz: str, project_id: int | None) -> bool:
    query = select(Project.id).where(Project.fkz == fkz)
    if project_id:
        query = query.where(Project.id != project_id)
    return db.session.scalar(query) is not None


def save_from_input(record: Any, data: dict[str, Any], actor: User, *, creating: bool,
                    source: str) -> Any:
    """The edit sequence of the pages and the API: FKZ check, apply, `stage`, commit.
    Raises InputError (field, German message); records.Conflict when someone saved in
    between."""
    if "fkz" in data and fkz_taken(data["fkz"], None if creating else record.id):
        raise InputError("fkz", FKZ_UNAVAILABLE)
    try:
        links = apply(record, data, reader=actor)
    except InputError:
        db.session.rollback()
        raise
    stage(record, actor, source=source if creating else None, links=links)
    records.commit()
    return record


# Sources that write many records at once: their records are compared by the next portfolio
# scan (`overlap_scans`, due after OVERLAP_SCAN_AFTER_SAVES saves) in one pass, instead of one
# overlap check per row (a Förderkatalog file of 300,000 rows would queue 300,000 checks).
BULK_SOURCES = frozenset({"import", "demo"})


def stage(record: Any, actor: User | None, *, source: str | None = None,
          source_ref: str | None = None, links: dict[str, list[Any]] | None = None) -> Any:
    """The one write step of pages, API, importers and the catalogue loader: save with
    history and outbox (`records.save`) and, for a record entered singly, ask for its overlap
    check. The caller commits (the importers once per batch)."""
    records.save(record, actor, source=source, source_ref=source_ref, link_changes=links)
    if source not in BULK_SOURCES:
        alerts.queue(record)
    return record


def move(record: Any, target: str, actor: User, comment: str | None = None) -> None:
    """A workflow step; `comment` (a returned record's reason) goes into the history. A
    submission tells the Koordination."""
    record.publication_status = target
    records.save(record, actor, note=comment)
    if target == "submitted":
        notices.notify_submitted(record, actor)
    records.commit()


def soft_delete(record: Any, actor: User) -> None:
    record.deleted_at = utcnow()
    records.save(record, actor, action="delete")
    records.commit()


def restore(record: Any, actor: User) -> None:
    record.deleted_at = None
    records.save(record, actor, action="restore")
    records.commit()


def erase_personal_data(project: Project, actor: User) -> None:
    """Remove the contact person everywhere: the row, its history and the outbox.

    Search documents never contain contact data, so no index holds it. The audit log keeps
    who erased it and when, not what.
    """
    project.contact_name = None
    project.contact_email = None
    records.save(project, actor, action="erase")
    for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "project",
                                 AuditEvent.entity_id == project.id)
    ):
        if any(f in (event.changes or {}) for f in PERSONAL_FIELDS):
            event.changes = {
                k: ([None if x is None else ERASED for x in v] if k in PERSONAL_FIELDS else v)
                for k, v in event.changes.items()
            }
    records.commit()


def municipalities_text(record: Project | RealWorldLab) -> str:
    return "; ".join(m.name for m in record.municipalities)
