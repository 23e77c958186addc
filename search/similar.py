"""Records that read like a given text (more_like_this), for overlap hints while editing."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

from .queries import PUBLIC, Access, Hit, access_filter

SIMILAR_FIELDS = ["title", "summary", "objectives", "results"]


def similar_to(
    client: Elasticsearch,
    alias: str,
    text: str,
    *,
    exclude_ids: list[str],
    exclude_ressort: str | None = None,
    kinds: list[str] | None = None,
    access: Access = PUBLIC,
    size: int = 5,
) -> list[Hit]:
    """The documents most similar to `text`, other Ressorts only when `exclude_ressort`."""
    must_not: list[dict[str, Any]] = [{"ids": {"values": exclude_ids}}]
    if exclude_ressort:
        must_not.append({"term": {"ressort": exclude_ressort}})
    filters: list[dict[str, Any]] = [access_filter(access)]
    if kinds:
        filters.append({"terms": {"kind": kinds}})
    response = client.search(
        index=alias,
        size=size,
        query={"bool": {
            "must": [{"more_like_this": {
                "fields": SIMILAR_FIELDS, "like": text, "min_term_freq": 1,
                "min_doc_freq": 1, "max_query_terms": 40, "minimum_should_match": "20%",
            }}],
            "filter": filters,
            "must_not": must_not,
        }},
        source_excludes=["summary", "objectives", "results"],
    )
    return [
        Hit(kind=h["_source"]["kind"], id=h["_source"]["id"], title=h["_source"]["title"],
            score=h.get("_score"), source=h["_source"])
        for h in response["hits"]["hits"]
    ]
