"""Records like a few hits: an acronym or a rare word finds its project, and this adds the
records about the same thing that never use that word (`search.queries.search`, thin results).
"""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

from .access import Access, access_filter

FIELDS = ["title", "body", "title.parts", "body.parts"]
SHARE = 0.3  # least share of the best related score a related record needs
LIKE = 3  # hits whose texts are asked for


def records_like(client: Elasticsearch, alias: str, found: list[dict[str, Any]],
                 access: Access, size: int, exclude: list[str]) -> list[dict[str, Any]]:
    """Raw hits of the records most like `found` (`more_like_this` from their texts), without
    `found` itself, at least SHARE of the best score; `exclude` as `source_excludes`."""
    if size <= 0 or not found:
        return []
    like = [{"_index": h["_index"], "_id": h["_id"]} for h in found[:LIKE]]
    related = client.search(index=alias, size=size, source_excludes=exclude, query={
        "bool": {"filter": [access_filter(access)],
                 "must_not": [{"ids": {"values": [h["_id"] for h in found]}}],
                 "must": [{"more_like_this": {
                     "fields": FIELDS, "like": like, "min_term_freq": 1,
                     "min_doc_freq": 1, "max_query_terms": 25,
                     "minimum_should_match": "10%"}}]}})["hits"]["hits"]
    best = max((h["_score"] or 0.0 for h in related), default=0.0)
    return [h for h in related if (h["_score"] or 0.0) >= SHARE * best]
