"""Search queries over the catalogue alias. User input only reaches `simple_query_string`,
which never fails on bad syntax."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch

from .german import clean, expand_query

MAX_QUERY_LENGTH = 500

TEXT_FIELDS = [
    "title^3",
    "acronym^4",
    "fkz^5",
    "summary",
    "objectives",
    "results",
    "programme_title",
    "topic_names",
    "municipality_names^2",
    "organisation_name",
]
HIGHLIGHT_FIELDS = ["title", "summary", "objectives", "results"]
QUERY_FLAGS = "AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|WHITESPACE|ESCAPE"


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


@dataclass
class Hit:
    kind: str
    id: str
    title: str
    score: float | None
    source: dict[str, Any]
    highlight: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]


def normalise_query(query: str) -> str:
    return clean(query).strip()[:MAX_QUERY_LENGTH]


def build_query(query: str, filters: dict[str, list[str]] | None = None,
                access: Access = PUBLIC) -> dict[str, Any]:
    """The bool query for a user's query string and keyword filters."""
    must: list[dict[str, Any]] = []
    text = normalise_query(query)
    if text:
        must.append({"simple_query_string": {
            "query": expand_query(text), "fields": TEXT_FIELDS, "default_operator": "and",
            "flags": QUERY_FLAGS, "lenient": True,
        }})
    filter_clauses: list[dict[str, Any]] = [
        {"terms": {name: values}} for name, values in (filters or {}).items() if values
    ]
    filter_clauses.append(access_filter(access))
    return {"bool": {"must": must or [{"match_all": {}}], "filter": filter_clauses}}


def search(
    client: Elasticsearch,
    alias: str,
    query: str,
    *,
    filters: dict[str, list[str]] | None = None,
    access: Access = PUBLIC,
    page: int = 1,
    size: int = 20,
) -> SearchResult:
    text = normalise_query(query)
    sort: list[Any] = ["_score"] if text else [{"start_date": {"order": "desc"}}, "title.sort"]
    response = client.search(
        index=alias,
        query=build_query(text, filters, access),
        from_=(max(page, 1) - 1) * size,
        size=size,
        sort=sort,
        track_total_hits=True,
        highlight={
            "encoder": "html",
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "fields": {
                name: {"fragment_size": 180, "number_of_fragments": 2}
                for name in HIGHLIGHT_FIELDS
            },
        },
    )
    hits = [
        Hit(
            kind=h["_source"]["kind"],
            id=h["_source"]["id"],
            title=h["_source"]["title"],
            score=h.get("_score"),
            source=h["_source"],
            highlight=h.get("highlight", {}),
        )
        for h in response["hits"]["hits"]
    ]
    return SearchResult(total=response["hits"]["total"]["value"], hits=hits)
