"""JSON API, versioned under /api/v1/. Same parsing and permissions as the search page."""

from __future__ import annotations

from typing import Any

from elasticsearch import ApiError, TransportError
from flask import Blueprint, current_app, jsonify, request

from search import queries

from ..services import indexing
from .search import _access, detail_url, facet_labels, parse_params, run_search

bp = Blueprint("api", __name__, url_prefix="/api/v1")

SUGGEST_SIZE = 8


def _unavailable(exc: Exception) -> tuple[Any, int]:
    current_app.logger.warning("search unavailable: %s", exc)
    return jsonify({"error": "Die Suche ist gerade nicht erreichbar. Bitte versuchen Sie es "
                             "in einigen Minuten erneut."}), 503


@bp.get("/search")
def search() -> Any:
    """`GET /api/v1/search?q=&kind=&ressort=&…&sort=&page=&size=`."""
    params = parse_params(request.args, current_app.config["PAGE_SIZE"])
    labels_wanted = request.args.get("labels", "1") != "0"
    try:
        result = run_search(params, suggest=request.args.get("suggest", "1") != "0")
    except (TransportError, ApiError) as exc:
        return _unavailable(exc)
    labels = facet_labels(result, params) if labels_wanted else {}
    return jsonify({
        "total": result.total,
        "page": params.page,
        "size": params.size,
        "hits": [{
            "kind": h.kind, "id": h.id, "title": h.title, "ressort": h.source.get("ressort"),
            "score": h.score, "highlight": h.highlight, "url": detail_url(h),
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
    })


@bp.get("/suggest")
def suggest() -> Any:
    """Titles and acronyms for the autocomplete of the search box: `?q=Hitzes`."""
    prefix = request.args.get("q", "")
    try:
        hits = queries.complete(indexing.client(), indexing.alias(), prefix,
                                access=_access(), size=SUGGEST_SIZE)
    except (TransportError, ApiError) as exc:
        return _unavailable(exc)
    return jsonify({"suggestions": [{
        "kind": h.kind, "id": h.id, "title": h.title,
        "acronym": h.source.get("acronym") or None, "url": detail_url(h),
    } for h in hits]})
