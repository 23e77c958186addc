"""Who may see what in a search: the app derives an `Access` from the user's role, this module
turns it into a filter on the index (published, confidential, Ressort)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Access:
    """What a searcher may see besides published, non-confidential records.

    The app derives it from the user's role; `search` only turns it into a filter.
    """

    all_drafts: bool = False  # unpublished records of every Ressort (Analyse, Koordination)
    draft_ressorts: tuple[str, ...] = ()  # Ressorts whose unpublished records are visible
    all_confidential: bool = False  # confidential programmes of every Ressort (Koordination)
    confidential_ressorts: tuple[str, ...] = ()  # Ressorts whose confidential ones are visible


PUBLIC = Access()


def access_filter(access: Access) -> dict[str, Any]:
    """A filter clause that keeps exactly the documents `access` allows."""
    public = {"bool": {"filter": [{"term": {"publication_status": "published"}},
                                  {"term": {"confidential": False}}]}}
    if access == PUBLIC:
        return public
    drafts: dict[str, Any] = (
        {"match_all": {}} if access.all_drafts
        else {"bool": {"should": [{"term": {"publication_status": "published"}},
                                  {"terms": {"ressort": list(access.draft_ressorts)}}],
                       "minimum_should_match": 1}}
    )
    confidential: dict[str, Any] = (
        {"match_all": {}} if access.all_confidential
        else {"bool": {"should": [{"term": {"confidential": False}},
                                  {"terms": {"ressort": list(access.confidential_ressorts)}}],
                       "minimum_should_match": 1}}
    )
    return {"bool": {"filter": [drafts, confidential]}}


def is_public(doc: dict[str, Any] | None) -> bool:
    """`access_filter(PUBLIC)` for one document: published and not confidential."""
    return bool(doc) and doc.get("publication_status") == "published" and not doc.get(
        "confidential")
