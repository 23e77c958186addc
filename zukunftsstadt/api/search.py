"""Search and autocomplete in the JSON API. Same parsing and permissions as the search page."""

from __future__ import annotations

from typing import Any

from elasticsearch import ApiError, TransportError
from flask import current_app, jsonify, request

from search import queries

from ..services import indexing
from ..views.facet_labels import facet_labels
from ..views.search import detail_url, parse_params, search_twice
from ..visibility import search_access
from . import bp, schemas
from .problems import problem
from .spec import Operation, Param, operation

SUGGEST_SIZE = 8
SEARCH_DOWN = ("Die Suche ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen "
               "Minuten erneut.")
_S = {"type": "string", "maxLength": 500}
_FACET_VALUES = {"type": "array", "items": schemas.obj(
    {"value": {}, "label": {}, "count": {"type": "integer"}})}
SEARCH_RESULT = schemas.obj({
    "total": {"type": "integer", "minimum": 0},
    "total_exact": {"type": "boolean", "description":
                    "false: mindestens so viele Treffer (gezählt wird bis 10.000)"},
    "page": {"type": "integer"},
    "size": {"type": "integer"},
    "hits": {"type": "array", "items": schemas.obj({
        "kind": schemas.TEXT, "id": schemas.TEXT, "title": schemas.TEXT,
        "ressort": {"nullable": True}, "score": {"type": "number", "nullable": True},
        "highlight": {}, "url": schemas.nullable(schemas.TEXT),
        "all_terms": {"type": "boolean"}})},
    "facets": {"type": "object", "additionalProperties": _FACET_VALUES},
    "funding_years": {"type": "array", "items": {"type": "object"}},
    "budgets": {"type": "array", "items": {"type": "object"}},
    "suggestion": {"nullable": True}, "fuzzy": {},
    "partial": {"type": "boolean"},
})


def _unavailable(exc: Exception) -> Any:
    current_app.logger.warning("search unavailable: %s", exc)
    return problem(503, SEARCH_DOWN, title="Suche nicht erreichbar")


@bp.get("/search")
@operation(Operation(
    summary="Volltextsuche mit Facetten", tag="Suche", strict=False, errors=(503,),
    description="Dieselbe Suche wie die Seite /search. Ungültige Parameter werden ignoriert. "
                "Facetten kombinieren ODER innerhalb einer Facette und UND zwischen Facetten.",
    params=(Param("q", _S, "Suchbegriffe (einfache Syntax: \"Phrase\", -ohne, a | b, Präfix*)"),
            *(Param(name, _S, text) for name, text in [
                ("kind", "programme, project, lab oder priority"), ("ressort", "Ressortkürzel"),
                ("programme", "Programmschlüssel"), ("topic", "Themenfeld"),
                ("sdg", "SDG-Nummer"), ("land", "Land"), ("city_type", "Stadttyp"),
                ("status", "Programmstatus"), ("phase", "Phase eines Reallabors"),
                ("priority", "Schlüssel eines Forschungsschwerpunkts"),
                ("oeffentlich", "1: nur öffentlich sichtbare Einträge"),
                ("year_from", "Förderjahr ab"), ("year_to", "Förderjahr bis"),
                ("budget_min", "Mindestsumme in Euro"), ("budget_max", "Höchstsumme in Euro"),
                ("sort", "relevance, start_desc, start_asc, amount_desc oder amount_asc"),
                ("page", "Seite"), ("size", "Treffer pro Seite")])),
    ok=(200, "Treffer, Facetten und Vorschläge", SEARCH_RESULT)))
def search() -> Any:
    """`GET /api/v1/search?q=&kind=&ressort=&…&sort=&page=&size=`."""
    params = parse_params(request.args, current_app.config["PAGE_SIZE"])
    labels_wanted = request.args.get("labels", "1") != "0"
    try:
        result, _ = search_twice(params, suggest=request.args.get("suggest", "1") != "0")
    except (TransportError, ApiError) as exc:
        return _unavailable(exc)
    labels = facet_labels(result, params.filters)  # always: it also drops unreadable priorities
    if not labels_wanted:
        labels = {}
    return jsonify({
        "total": result.total,
        "total_exact": result.total_exact,
        "page": params.page,
        "size": params.size,
        "hits": [{
            "kind": h.kind, "id": h.id, "title": h.title, "ressort": h.source.get("ressort"),
            "score": h.score, "highlight": h.highlight, "url": detail_url(h),
            "all_terms": h.all_terms,
        } for h in result.hits],
        "facets": {
            name: [{"value": v, "label": labels.get(name, {}).get(v, v), "count": n}
                   for v, n in values]
            for name, values in result.facets.items()
        },
        "funding_years": [{"year": y, "count": n} for y, n in result.years],
        "budgets": [{"from": lo, "to": hi, "count": n} for lo, hi, n in result.budgets],
        "suggestion": result.suggestion,
        "fuzzy": result.fuzzy,
        "partial": result.partial,
    })


@bp.get("/suggest")
@operation(Operation(
    summary="Vorschläge für die Autovervollständigung", tag="Suche", strict=False,
    errors=(503,), params=(Param("q", _S, "der Anfang eines Titels oder Akronyms"),),
    ok=(200, "Bis zu acht Titel", schemas.obj({"suggestions": {"type": "array", "items":
        schemas.obj({"kind": schemas.TEXT, "id": schemas.TEXT, "title": schemas.TEXT,
                     "acronym": schemas.nullable(schemas.TEXT),
                     "url": schemas.nullable(schemas.TEXT)})}}))))
def suggest() -> Any:
    """Titles and acronyms for the autocomplete of the search box: `?q=Hitzes`."""
    prefix = request.args.get("q", "")
    try:
        access = search_access()
        hits = queries.complete(indexing.client(), indexing.alias(access), prefix,
                                access=access, size=SUGGEST_SIZE)
    except (TransportError, ApiError) as exc:
        return _unavailable(exc)
    return jsonify({"suggestions": [{
        "kind": h.kind, "id": h.id, "title": h.title,
        "acronym": h.source.get("acronym") or None, "url": detail_url(h),
    } for h in hits]})
