"""The search page: one box over all kinds, ranked results with highlighted matches."""

from __future__ import annotations

from elasticsearch import ApiError, TransportError
from flask import Blueprint, current_app, render_template, request

from search import queries

from ..pagination import ResultPage
from ..services import indexing

bp = Blueprint("search", __name__)

KIND_FILTERS = {"programme", "project", "lab", "priority"}


@bp.get("/search")
def search_page() -> tuple[str, int] | str:
    query = queries.normalise_query(request.args.get("q", ""))
    kinds = [k for k in request.args.getlist("kind") if k in KIND_FILTERS]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    size = current_app.config["PAGE_SIZE"]
    try:
        result = queries.search(
            indexing.client(), indexing.alias(), query,
            filters={"kind": kinds}, page=page, size=size,
        )
    except (TransportError, ApiError) as exc:
        current_app.logger.warning("search unavailable: %s", exc)
        return render_template("search.html", query=query, kinds=kinds, result=None,
                               unavailable=True, page=None), 503
    return render_template("search.html", query=query, kinds=kinds, result=result,
                           unavailable=False, page=ResultPage(page, size, result.total))
