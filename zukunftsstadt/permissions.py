"""Who may read, edit and move which record. Every view and service asks here.

Roles: Koordination (everything), Ressort-Redaktion (records of the account's Ressorts, plus
organisations), Analyse (reads everything incl. drafts, edits nothing), anonymous (published
records only). Confidential programmes, and their projects, are visible only to their Ressort
and the Koordination.
"""

from __future__ import annotations

from typing import Any

from . import kinds
from .models import (
    Organisation,
    Programme,
    Project,
    ResearchPriority,
    User,
)

# Role sets, in one place: who reads every record (drafts too), who works with the analysis.
READS_EVERYTHING = frozenset({"coordination", "analyst"})
ANALYSIS_READERS = frozenset({"coordination", "analyst", "editor"})
MAINTAINERS = frozenset({"coordination", "editor"})  # enter and maintain records

# Workflow: (from, to) -> who may do it; "ressort" = editors of the record's Ressort.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("draft", "submitted"): "ressort",
    ("submitted", "draft"): "ressort",
    ("draft", "published"): "publisher",
    ("submitted", "published"): "publisher",
    ("published", "archived"): "coordination",
    ("archived", "draft"): "coordination",
    ("published", "draft"): "coordination",
}
TRANSITION_LABELS: dict[str, str] = {
    "submitted": "Zur Prüfung einreichen",
    "draft": "Zurück in den Entwurf",
    "published": "Veröffentlichen",
    "archived": "Archivieren",
}


def _user(user: Any) -> User | None:
    return user if isinstance(user, User) and user.is_authenticated and user.active else None


def record_ressort(record: Any) -> str | None:
    """The code of the Ressort that owns a record today (None: no Ressort). Every kind with a
    Ressort calls it `ressort` (a project's is its programme's, `Project.ressort`)."""
    ressort = getattr(record, "ressort", None)
    return ressort.code if ressort is not None else None


def is_confidential(record: Any) -> bool:
    if isinstance(record, Programme):
        return record.confidential
    if isinstance(record, Project):
        return bool(record.programme and record.programme.confidential)
    return False


def _reads_unpublished(u: Any, record: Any) -> bool:
    """Own Ressorts' records for everyone; an analyst also reads other Ressorts' records that
    are not confidential."""
    return record_ressort(record) in u.ressort_codes or (
        u.role == "analyst" and not is_confidential(record))


def can_read(user: Any, record: Any) -> bool:
    if record is None:
        return False
    u = _user(user)
    if u and u.is_coordination:
        return True
    if record.deleted_at is not None:
        return False
    if record.is_public:
        return True
    return u is not None and _reads_unpublished(u, record)


def saw_before_deletion(user: Any, record: Any) -> bool:
    """Whether a signed-in `user` could read the deleted `record` before it was deleted: a
    link in a notification or a bookmark then explains instead of answering 404."""
    u = _user(user)
    if u is None or record is None or record.deleted_at is None:
        return False
    return (record.is_published and not is_confidential(record)) or _reads_unpublished(u, record)


def can_name(user: Any, linked: Any) -> bool:
    """Whether a linked record may be named to `user` (reference data such as topics always)."""
    return not hasattr(linked, "deleted_at") or can_read(user, linked)


def can_edit(user: Any, record: Any) -> bool:
    u = _user(user)
    if u is None or record is None or record.deleted_at is not None:
        return False
    if u.is_coordination:
        return True
    if u.role != "editor":
        return False
    if isinstance(record, Organisation):
        return True
    if isinstance(record, ResearchPriority):
        return False
    return record_ressort(record) in u.ressort_codes


def can_create(user: Any, kind: str) -> bool:
    u = _user(user)
    if u is None:
        return False
    if u.is_coordination:
        return True
    # Research priorities and transfer reports belong to the Koordination (AG III).
    return u.role == "editor" and kind in kinds.BY_NAME and kinds.BY_NAME[kind].editors_create


def can_move(user: Any, record: Any, target: str) -> bool:
    """May `user` move `record` from its publication status to `target`?"""
    who = TRANSITIONS.get((record.publication_status, target))
    u = _user(user)
    if who is None or u is None or not can_edit(u, record):
        return False
    if u.is_coordination:
        return True
    if who == "ressort":
        return True
    if who == "publisher":
        ressort = getattr(record, "ressort", None)
        return bool(ressort and ressort.editors_may_publish)
    return False


def can_delete(user: Any, record: Any) -> bool:
    return can_edit(user, record)


def is_coordination(user: Any) -> bool:
    u = _user(user)
    return bool(u and u.is_coordination)


def _has_role(user: Any, roles: frozenset[str]) -> bool:
    u = _user(user)
    return bool(u and u.role in roles)


def reads_everything(user: Any) -> bool:
    """Koordination and Analyse: drafts, histories and unpublished reports of every Ressort."""
    return _has_role(user, READS_EVERYTHING)


def can_use_analysis(user: Any) -> bool:
    """Overlap lists, matrices and gap pages (not for anonymous visitors)."""
    return _has_role(user, ANALYSIS_READERS)


def maintains_records(user: Any) -> bool:
    """Koordination and Ressort-Redaktion: forms, imports, contact data, suggested tags."""
    return _has_role(user, MAINTAINERS)


# What only the Koordination does, each named for what it is.
can_restore = is_coordination  # deleted records: the Papierkorb
can_manage_users = is_coordination
can_review_overlaps = is_coordination
can_recompute_coverage = is_coordination
can_dump_catalogue = is_coordination  # everything in the load format
