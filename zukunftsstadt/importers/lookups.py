"""Finding what an imported row refers to: Ressorts, programmes, organisations, Verbünde.

Each lookup keeps a bounded cache of ids (never ORM objects, which expire at every commit), so
a long import asks the database once per distinct name and memory stays bounded.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any

from sqlalchemy import func, or_, select

from ..extensions import db
from ..models import Organisation, Programme, Ressort, User, Verbund
from ..services import editing

_MISSING = object()


class BoundedCache:
    """A least-recently-used dict of limited size."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any) -> Any:
        value = self.items.get(key, _MISSING)
        if value is not _MISSING:
            self.items.move_to_end(key)
        return value

    def put(self, key: Any, value: Any) -> Any:
        self.items[key] = value
        self.items.move_to_end(key)
        if len(self.items) > self.size:
            self.items.popitem(last=False)
        return value

    def clear(self) -> None:
        self.items.clear()


def current_ressort(ressort: Ressort) -> Ressort:
    """Today's Ressort for one named in an older file, following the successor chain.

    The chain is followed while a Ressort is no longer current and has exactly one successor;
    a ministry split into several stays as it is (nobody can tell which part took the project).
    """
    seen = {ressort.id}
    while not ressort.is_current and len(ressort.successors) == 1:
        successor = ressort.successors[0]
        if successor.id in seen:
            break
        seen.add(successor.id)
        ressort = successor
    return ressort


_KINDS = [
    ("Hochschule", re.compile(r"universität|hochschule|\buni\b|technische univ", re.I)),
    ("Forschungseinrichtung", re.compile(
        r"fraunhofer|helmholtz|leibniz|max-planck|institut|forschungszentrum|\bdlr\b", re.I)),
    ("Kommune", re.compile(
        r"^(stadt|gemeinde|landkreis|kreis|markt|landeshauptstadt|hansestadt)\b", re.I)),
    ("Verein/Verband", re.compile(r"\be\. ?v\.|verein|verband|stiftung", re.I)),
    ("Unternehmen", re.compile(r"\bgmbh\b|\bag\b|\bkg\b|\bug\b|\bse\b|\bohg\b|\bgbr\b", re.I)),
]


def organisation_kind(name: str) -> str:
    """A first guess of the kind of organisation from its name (Sonstige when unsure)."""
    for kind, pattern in _KINDS:
        if pattern.search(name):
            return kind
    return "Sonstige"


class Lookups:
    def __init__(self, actor: User | None = None) -> None:
        self.actor = actor
        self.ressorts: dict[str, tuple[int, str] | None] = {}
        self.organisations = BoundedCache()
        self.verbuende = BoundedCache()
        self.programmes = BoundedCache(2_000)

    def clear(self) -> None:
        """Forget ids after a rollback: rows created in the rolled-back batch are gone."""
        self.ressorts.clear()
        for cache in (self.organisations, self.verbuende, self.programmes):
            cache.clear()

    def ressort(self, code: str) -> tuple[int, str] | None:
        """(id of the Ressort named in the file, code of today's Ressort), or None."""
        if code not in self.ressorts:
            found = db.session.scalar(select(Ressort).where(func.upper(Ressort.code) == code))
            self.ressorts[code] = (found.id, current_ressort(found).code) if found else None
        return self.ressorts[code]

    def programme_id(self, name: str) -> int | None:
        """A programme whose key, title or short title is the file's Förderprofil."""
        if not name:
            return None
        key = name.lower()
        found = self.programmes.get(key)
        if found is _MISSING:
            found = self.programmes.put(key, db.session.scalar(
                select(Programme.id).where(
                    Programme.deleted_at.is_(None),
                    or_(func.lower(Programme.title) == key,
                        func.lower(Programme.short_title) == key,
                        func.lower(Programme.key) == key),
                ).order_by(Programme.id).limit(1)))
        return found

    def organisation_id(self, name: str, city: str, source_ref: str) -> tuple[int | None, bool]:
        """(id, created) of the organisation with this name; created through the services."""
        if not name:
            return None, False
        found = self.organisations.get(name)
        if found is not _MISSING:
            return found, False
        found = db.session.scalar(
            select(Organisation.id).where(Organisation.name == name,
                                          Organisation.deleted_at.is_(None))
            .order_by(Organisation.id).limit(1))
        created = found is None
        if created:
            organisation = Organisation(name=name, city=city[:200],
                                        kind=organisation_kind(name),
                                        publication_status="published")
            editing.stage(organisation, self.actor, source="import", source_ref=source_ref)
            found = organisation.id
        return self.organisations.put(name, found), created

    def verbund_id(self, stem: str, title: str) -> int:
        """The Verbund of all partners with this FKZ stem (created on first sight)."""
        found = self.verbuende.get(stem)
        if found is not _MISSING and (found[1] or not title):
            return found[0]
        verbund = db.session.scalar(select(Verbund).where(Verbund.stem == stem))
        if verbund is None:
            verbund = Verbund(stem=stem, title=title)
            db.session.add(verbund)
            db.session.flush()
        elif title and not verbund.title:
            verbund.title = title
        self.verbuende.put(stem, (verbund.id, bool(verbund.title)))
        return verbund.id
