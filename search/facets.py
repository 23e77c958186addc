"""Facet counts of a search: every facet counted with every filter but its own, so choosing
a value never hides its siblings; asked beside the hits in one `msearch` and kept by the shard
request cache (`search.queries.search`)."""

from __future__ import annotations

from typing import Any

from elasticsearch import ApiError, Elasticsearch

REST = "_rest"  # the aggregation holding the counts of the facets no filter is set on
# URL parameter -> (document field, number of values shown)
FACETS: dict[str, tuple[str, int]] = {
    "kind": ("kind", 10),  # every kind the catalogue searches (five today)
    "ressort": ("ressort", 30),
    "programme": ("programme", 15),
    "topic": ("topics", 20),
    "sdg": ("sdgs", 17),
    "land": ("states", 16),
    "city_type": ("city_types", 4),
    "status": ("status", 4),
    "phase": ("phase", 3),
    "priority": ("research_priorities", 30),
}
BUDGET_BUCKETS: list[tuple[float | None, float | None]] = [
    (None, 100_000), (100_000, 500_000), (500_000, 1_000_000), (1_000_000, 5_000_000),
    (5_000_000, None),
]

def aggregations(clauses: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The facet counts: each active facet with every filter but its own, in an aggregation of
    its own; all other facets under one filter of every clause (`REST`), which costs a third
    less than a filter per facet (300,000 records, filtered queries: p50 13.7 -> 8.7 ms)."""
    def others(name: str) -> dict[str, Any]:
        rest = [c for key, c in clauses.items() if key != name]
        return {"bool": {"filter": rest}} if rest else {"match_all": {}}

    counts: dict[str, Any] = {
        name: {"terms": {"field": field_name, "size": size}}
        for name, (field_name, size) in FACETS.items()
    }
    counts["year"] = {"terms": {"field": "funding_year", "size": 80, "order": {"_key": "asc"}}}
    counts["budget"] = {"range": {
        "field": "budget_eur",
        "ranges": [{k: v for k, v in (("from", lo), ("to", hi)) if v is not None}
                   for lo, hi in BUDGET_BUCKETS],
    }}
    aggs = {name: {"filter": others(name), "aggs": {"values": counts[name]}}
            for name in counts if name in clauses}
    aggs[REST] = {"filter": others(""), "aggs": {name: agg for name, agg in counts.items()
                                                 if name not in clauses}}
    return aggs


def facets_of(aggs: dict[str, Any]) -> tuple[dict[str, list[tuple[str, int]]],
                                              list[tuple[int, int]],
                                              list[tuple[float | None, float | None, int]]]:
    """The counts per facet value, per funding year and per budget bucket."""
    def buckets(name: str) -> list[dict[str, Any]]:
        own = aggs.get(name)
        return (own["values"] if own else aggs[REST][name])["buckets"]

    return ({name: [(str(b["key"]), b["doc_count"]) for b in buckets(name)] for name in FACETS},
            [(int(b["key"]), b["doc_count"]) for b in buckets("year")],
            [(b.get("from"), b.get("to"), b["doc_count"]) for b in buckets("budget")])


def counts_body(query: dict[str, Any], clauses: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The facet counts of a query as a request without hits, which the shard request cache
    keeps when asked to (it caches only `size: 0` requests)."""
    return {"query": query, "size": 0, "track_total_hits": False,
            "aggs": aggregations(clauses)}


def hits_and_counts(client: Elasticsearch, alias: str, body: dict[str, Any],
                     query: dict[str, Any], clauses: dict[str, dict[str, Any]] | None,
                     ) -> tuple[Any, dict[str, Any]]:
    """The hits of `body` and, unless `clauses` is None, the facet counts of `query` (the
    hits' query without the filters), in one round trip; the node runs both at once."""
    if clauses is None:
        return client.search(index=alias, request_cache=True, **body), {}
    hits = {("from" if k == "from_" else "_source" if k == "source_excludes" else k):
            ({"excludes": v} if k == "source_excludes" else v) for k, v in body.items()}
    answer = client.msearch(searches=[{"index": alias, "request_cache": True}, hits,
                                      {"index": alias, "request_cache": True},
                                      counts_body(query, clauses)])
    responses = answer["responses"]
    for item in responses:
        if "error" in item:
            raise ApiError(str(item["error"]), meta=answer.meta, body=item)
    return responses[0], responses[1]
