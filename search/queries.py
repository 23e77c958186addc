"""Search queries over the catalogue alias. User input only reaches `simple_query_string`,
which never fails on bad syntax, and `terms`/`range` filters, which take values, not syntax.

A search combines a text query, facet filters (OR within a facet, AND across facets), year and
budget ranges, a sort order and a page. Facet counts are computed for each facet with every
filter except its own (`search.facets`), so choosing a value never hides its siblings.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch

from .access import PUBLIC, Access, access_filter
from .facets import FACETS, counts_body, facets_of, hits_and_counts
from .german import clean
from .matching import is_plain, matches_all_terms, text_query, whole_query
from .related import records_like

MAX_QUERY_LENGTH = 500
MAX_FILTER_VALUES = 30
EXPORT_LIMIT = 10_000
TOTAL_LIMIT = 10_000  # totals are counted exactly up to here ("mehr als 10.000" beyond)
FEW_HITS = 2  # at most this many exact hits: offer "Meinten Sie …?"
FALLBACK_BUDGET = 1.0  # seconds: a slower first answer gets no second (fuzzy) request

HIGHLIGHT_FIELDS = ["title", "summary", "objectives", "results"]
SOURCE_EXCLUDES = ["objectives", "results", "spell", "complete"]

SORTS: dict[str, list[Any]] = {
    "relevance": ["_score", {"start_date": {"order": "desc", "missing": "_last"}}],
    "start_desc": [{"start_date": {"order": "desc", "missing": "_last"}}, "_score"],
    "start_asc": [{"start_date": {"order": "asc", "missing": "_last"}}, "_score"],
    "amount_desc": [{"budget_eur": {"order": "desc", "missing": "_last"}}, "_score"],
    "amount_asc": [{"budget_eur": {"order": "asc", "missing": "_last"}}, "_score"],
}
TIEBREAK: list[Any] = [{"kind": "asc"}, {"id": "asc"}]
_WORDLIKE = re.compile(r"\w")


@dataclass(frozen=True)
class Ranges:
    """Funding year (start) and budget ranges, bounds included (budget: upper excluded)."""

    year_from: int | None = None
    year_to: int | None = None
    budget_min: float | None = None
    budget_max: float | None = None

    def year_clause(self) -> dict[str, Any] | None:
        bounds = {k: v for k, v in (("gte", self.year_from), ("lte", self.year_to))
                  if v is not None}
        return {"range": {"funding_year": bounds}} if bounds else None

    def budget_clause(self) -> dict[str, Any] | None:
        bounds = {k: v for k, v in (("gte", self.budget_min), ("lt", self.budget_max))
                  if v is not None}
        return {"range": {"budget_eur": bounds}} if bounds else None


@dataclass
class Hit:
    kind: str
    id: str
    title: str
    score: float | None
    source: dict[str, Any]
    highlight: dict[str, list[str]] = field(default_factory=dict)
    all_terms: bool = True  # False: a partial match, lacking some of the query's words


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    years: list[tuple[int, int]] = field(default_factory=list)
    budgets: list[tuple[float | None, float | None, int]] = field(default_factory=list)
    suggestion: str | None = None  # the query with likely typos corrected
    fuzzy: bool = False  # no exact hits: these are hits for similar spellings
    total_exact: bool = True  # False: `total` is `TOTAL_LIMIT` and more records match
    partial: bool = False  # some hits lack some of the query's words


def normalise_query(query: str) -> str:
    return clean(query).strip()[:MAX_QUERY_LENGTH]


def filter_clauses(filters: dict[str, list[str]] | None,
                   ranges: Ranges | None = None) -> dict[str, dict[str, Any]]:
    """One clause per active facet or range, by its URL parameter name."""
    clauses: dict[str, dict[str, Any]] = {}
    for name, values in (filters or {}).items():
        values = [v for v in values if v][:MAX_FILTER_VALUES]
        if values:
            field_name = FACETS[name][0] if name in FACETS else name
            clauses[name] = {"terms": {field_name: values}}
    if ranges:
        for name, clause in (("year", ranges.year_clause()), ("budget", ranges.budget_clause())):
            if clause:
                clauses[name] = clause
    return clauses


def build_query(query: str, filters: dict[str, list[str]] | None = None,
                access: Access = PUBLIC, ranges: Ranges | None = None,
                fuzzy: bool = False, relaxed: bool = True) -> dict[str, Any]:
    """The bool query for a user's query string, keyword filters and ranges (no facets);
    `relaxed` also finds records with only most of the words."""
    text = normalise_query(query)
    must = ([text_query(text, fuzzy, relaxed)] if _WORDLIKE.search(text)
            else [{"match_all": {}}])
    clauses = list(filter_clauses(filters, ranges).values())
    return {"bool": {"must": must, "filter": [*clauses, access_filter(access)]}}


def _suggestion(text: str, response: dict[str, Any]) -> str | None:
    entries = response.get("suggest", {}).get("spelling", [])
    out, last, changed = [], 0, False
    for entry in entries:
        options = entry.get("options") or []
        if not options:
            continue
        start = entry["offset"]
        out.append(text[last:start])
        out.append(options[0]["text"])
        last = start + entry["length"]
        changed = True
    if not changed:
        return None
    out.append(text[last:])
    return "".join(out)


def _highlight(found: dict[str, list[str]]) -> dict[str, list[str]]:
    """Per field, the fragments with the most marks, of whole words or of compound parts
    ("Hitze" marks "Hitzerisikokarten", found through `title.parts`)."""
    merged: dict[str, list[str]] = {}
    for name, fragments in found.items():
        field_name = name.split(".")[0]
        marks = sum(f.count("<mark>") for f in fragments)
        if marks > sum(f.count("<mark>") for f in merged.get(field_name, [])):
            merged[field_name] = fragments
    return merged


def _whole_hits(response: dict[str, Any]) -> int:
    """How many hits of the page match the whole query."""
    return sum(matches_all_terms(h.get("matched_queries", ())) for h in response["hits"]["hits"])


def _hits(response: dict[str, Any], has_text: bool = False) -> list[Hit]:
    return [
        Hit(
            kind=h["_source"]["kind"],
            id=h["_source"]["id"],
            title=h["_source"]["title"],
            score=h.get("_score"),
            source=h["_source"],
            highlight=_highlight(h.get("highlight", {})),
            all_terms=not has_text or matches_all_terms(h.get("matched_queries", ())),
        )
        for h in response["hits"]["hits"]
    ]


HIGHLIGHT = {
    "encoder": "html",
    "pre_tags": ["<mark>"],
    "post_tags": ["</mark>"],
    # The query asks the combined fields (`body`), so highlight its terms in every field.
    "require_field_match": False,
    "fields": {name: {"fragment_size": 180, "number_of_fragments": 2}
               for name in [*HIGHLIGHT_FIELDS, "title.parts"]},
}


RELAX_BELOW = 20  # fewer records with every word: also show those with most words
RESCORE_WINDOW = 100  # the best hits that are checked for every word of the query
THIN = 10  # fewer hits than this: add the records most like the best ones (`related`)


def rank(body: dict[str, Any], text: str, sort: str) -> None:
    """Order by `sort`; by relevance, records with every word come first (rescoring the
    best hits, which Elasticsearch allows only without an explicit sort)."""
    whole = whole_query(text) if _WORDLIKE.search(text) else None
    ordered = sort_clause(sort, text)
    if whole is None or ordered[0] != "_score":
        body["sort"] = ordered
        body.pop("rescore", None)
        return
    body.pop("sort", None)
    body["rescore"] = {"window_size": max(RESCORE_WINDOW, body["from_"] + body["size"]),
                       "query": {"rescore_query": whole, "query_weight": 1.0,
                                 "rescore_query_weight": 1.0}}


def sort_clause(sort: str, text: str) -> list[Any]:
    if sort not in SORTS or (sort == "relevance" and not _WORDLIKE.search(text)):
        sort = "relevance" if _WORDLIKE.search(text) else "start_desc"
    return [*SORTS[sort], *TIEBREAK]


def search(
    client: Elasticsearch,
    alias: str,
    query: str,
    *,
    filters: dict[str, list[str]] | None = None,
    ranges: Ranges | None = None,
    access: Access = PUBLIC,
    sort: str = "relevance",
    page: int = 1,
    size: int = 20,
    facets: bool = False,
    suggest: bool = False,
) -> SearchResult:
    """One page of hits; with `facets` the counts, with `suggest` a spelling suggestion and,
    when nothing matches exactly, the hits for similar spellings (`fuzzy`).

    The hits and the facet counts are two requests of one `msearch`: the counts' request has
    no hits (`size: 0`), so the shard request cache answers a repeated query and filter
    combination without counting again. Totals are counted up to `TOTAL_LIMIT`; the spelling
    suggester runs only when few records match.
    """
    text = normalise_query(query)
    has_text = bool(_WORDLIKE.search(text))
    clauses = filter_clauses(filters, ranges)

    def filtered(query: dict[str, Any]) -> dict[str, Any]:
        # The filters narrow the query itself, so only the filtered records are scored (a
        # post_filter would score every record the words match); the facet counts apply
        # them per facet to the query without them (`counts_body`).
        return {"bool": {**query["bool"],
                         "filter": [*query["bool"]["filter"], *clauses.values()]}}

    base = build_query(text, access=access, relaxed=False)
    body: dict[str, Any] = {
        "query": filtered(base),
        "from_": (max(page, 1) - 1) * size,
        "size": size,
        "track_total_hits": TOTAL_LIMIT,
        "highlight": HIGHLIGHT,
        "source_excludes": SOURCE_EXCLUDES,
    }
    body["sort"] = sort_clause(sort, text)
    started = time.monotonic()
    response, counted = hits_and_counts(client, alias, body, base, clauses if facets else None)
    answered = counted_query = base  # the queries behind `response` and `counted`
    total, exact = _total(response)
    fuzzy = False
    in_time = time.monotonic() - started < FALLBACK_BUDGET
    if has_text and is_plain(text) and exact and total < RELAX_BELOW and in_time:
        # Few records have every word: add those with most of them, after the others.
        answer_query = build_query(text, access=access)
        body["query"] = filtered(answer_query)
        rank(body, text, sort)
        # Asked with its counts in one round trip: it nearly always finds more.
        relaxed, relaxed_counts = hits_and_counts(client, alias, body, answer_query,
                                                  clauses if facets else None)
        if _total(relaxed)[0] > total:
            response, answered = relaxed, answer_query
            counted, counted_query = relaxed_counts, answer_query
            total, exact = _total(relaxed)
    whole = _whole_hits(response)
    corrected = (_spelling(client, alias, text)
                 if suggest and has_text and whole <= FEW_HITS else None)
    shown = corrected if total <= FEW_HITS else None
    if corrected and in_time and whole <= FEW_HITS:
        # A word the catalogue does not know, and few records with every word: search the
        # corrected spelling with everything else the query does (parts, synonyms, places).
        answer_query = build_query(corrected, access=access)
        body["query"] = filtered(answer_query)
        rank(body, corrected, sort)
        retry = client.search(index=alias, request_cache=True, **body)
        retry_whole = _whole_hits(retry)
        if retry_whole > whole:
            response, answered = retry, answer_query
            (total, exact), fuzzy = _total(retry), True
        # Offer the correction only when it finds at least as much ("heat" is no typo of
        # "hat", "green roofs" none of "großen roofs").
        shown = corrected if retry_whole >= max(whole, 1) else None
    if not fuzzy and suggest and has_text and total == 0 and in_time:
        answer_query = build_query(text, access=access, fuzzy=True)
        body["query"] = filtered(answer_query)
        # Highlighting fuzzy queries is slow (seconds on 20,000 documents): no highlights.
        body.pop("highlight")
        fuzzy_response = client.search(index=alias, request_cache=True, **body)
        if _total(fuzzy_response)[0]:
            response, answered = fuzzy_response, answer_query
            (total, exact), fuzzy = _total(fuzzy_response), True
    if (has_text and is_plain(text) and exact and 0 < total < THIN and page <= 1
            and sort == "relevance" and not clauses and in_time):
        related = records_like(client, alias, response["hits"]["hits"], access,
                               size - total, exclude=SOURCE_EXCLUDES)
        response = {**response, "hits": {**response["hits"],
                                         "hits": response["hits"]["hits"] + related}}
        total += len(related)
    result = SearchResult(total=total, hits=_hits(response, has_text), fuzzy=fuzzy,
                          total_exact=exact)
    result.partial = has_text and any(not h.all_terms for h in result.hits)
    result.suggestion = shown
    if facets:
        if answered is not counted_query:  # the counts follow the query of the hits shown
            counted = client.search(index=alias, request_cache=True,
                                    **counts_body(answered, clauses))
        result.facets, result.years, result.budgets = facets_of(counted["aggregations"])
    return result


def _total(response: Any) -> tuple[int, bool]:
    """The number of hits and whether it is exact (not cut at `TOTAL_LIMIT`)."""
    total = response["hits"]["total"]
    return int(total["value"]), total.get("relation", "eq") == "eq"


def _spelling(client: Elasticsearch, alias: str, text: str) -> str | None:
    """`text` with the words the catalogue does not know replaced by the closest it knows."""
    response = client.search(index=alias, size=0, track_total_hits=False, suggest={
        "spelling": {"text": text, "term": {
            "field": "spell", "suggest_mode": "missing", "min_word_length": 4,
            "prefix_length": 1, "max_edits": 2, "size": 1}}})
    return _suggestion(text, response)


def iterate_hits(
    client: Elasticsearch,
    alias: str,
    query: str,
    *,
    filters: dict[str, list[str]] | None = None,
    ranges: Ranges | None = None,
    access: Access = PUBLIC,
    sort: str = "relevance",
    limit: int = EXPORT_LIMIT,
    chunk: int = 1000,
) -> Iterator[Hit]:
    """Every hit of a search in order, up to `limit` (exports), paged with search_after."""
    text = normalise_query(query)
    clauses = filter_clauses(filters, ranges)
    query_body = build_query(text, access=access)
    query_body["bool"]["filter"].extend(clauses.values())
    after: list[Any] | None = None
    sent = 0
    while sent < limit:
        extra: dict[str, Any] = {"search_after": after} if after else {}
        response = client.search(
            index=alias, query=query_body, size=min(chunk, limit - sent),
            sort=sort_clause(sort, text), source_excludes=["spell", "complete"],
            track_total_hits=False, **extra,
        )
        raw = response["hits"]["hits"]
        if not raw:
            return
        yield from _hits(response)
        sent += len(raw)
        after = raw[-1]["sort"]


def complete(client: Elasticsearch, alias: str, prefix: str, *, access: Access = PUBLIC,
             size: int = 8) -> list[Hit]:
    """Titles and acronyms that start with what the user is typing (umlauts folded)."""
    from .german import fold

    text = fold(normalise_query(prefix))[:100]
    if not _WORDLIKE.search(text):
        return []
    response = client.search(
        index=alias, size=size,
        query={"bool": {
            "must": [{"match_bool_prefix": {"complete": {"query": text, "operator": "and"}}}],
            "filter": [access_filter(access)],
        }},
        source_includes=["kind", "id", "title", "acronym", "fkz"],
    )
    return _hits(response)
