"""The search page: one box over all kinds, facets, sorting, highlighted matches, exports.

The whole state lives in the URL (`q`, one parameter per facet, ranges, `sort`, `page`), so a
search can be shared and the back button works. The JSON API (`api/search.py`) uses the same
parsing and the same permissions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import ApiError, TransportError
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.datastructures import MultiDict

from search import facets, queries
from search.client import once_more_on_timeout

from .. import german_formats, kinds
from ..links import public_url
from ..models import PROGRAMME_STATUSES
from ..pagination import ResultPage
from ..services import indexing
from ..services.table_files import XLSX_MIMETYPE, csv_chunks, xlsx_file
from ..visibility import search_access
from .facet_labels import facet_labels

bp = Blueprint("search", __name__)

KIND_FILTERS = set(kinds.LABELS)
FACET_LABELS = {
    "kind": "Art", "ressort": "Ressort", "programme": "Förderprogramm", "topic": "Themenfeld",
    "sdg": "Nachhaltigkeitsziel (SDG)", "land": "Land", "city_type": "Stadttyp",
    "status": "Status des Programms", "phase": "Phase des Reallabors",
    "priority": "Forschungsschwerpunkt",
}
PUBLIC_ONLY = "oeffentlich"  # URL switch: only what the public sees (as the gap counts do)
SORT_LABELS = {
    "relevance": "Relevanz", "start_desc": "Beginn, neueste zuerst",
    "start_asc": "Beginn, älteste zuerst", "amount_desc": "Fördersumme, höchste zuerst",
    "amount_asc": "Fördersumme, niedrigste zuerst",
}
MAX_PAGE_SIZE = 100
MAX_VALUE_LENGTH = 100


def _access() -> queries.Access:
    """What the current visitor may find (anonymous: published records only)."""
    return search_access()


@dataclass
class SearchParams:
    """A search as given in the URL, validated; invalid values are dropped, never errors."""

    query: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    ranges: queries.Ranges = field(default_factory=queries.Ranges)
    sort: str = "relevance"
    page: int = 1
    size: int = 20
    public_only: bool = False

    def access(self) -> queries.Access:
        """The visitor's, or only what the public sees when `public_only`."""
        return queries.PUBLIC if self.public_only else _access()

    def args(self) -> MultiDict:
        """The URL parameters of this search (page 1 omitted)."""
        items: list[tuple[str, Any]] = [("q", self.query)] if self.query else []
        items += [(name, v) for name, values in self.filters.items() for v in values]
        if self.public_only:
            items.append((PUBLIC_ONLY, "1"))
        for name in ("year_from", "year_to", "budget_min", "budget_max"):
            value = getattr(self.ranges, name)
            if value is not None:
                items.append((name, _plain_number(value)))
        if self.sort != "relevance":
            items.append(("sort", self.sort))
        if self.page > 1:
            items.append(("page", self.page))
        return MultiDict(items)


def _plain_number(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _int(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def _amount(value: str | None) -> float | None:
    """'1.000.000', '1000000', '1,5' -> a non-negative number, else None."""
    text = (value or "").strip().replace(" ", "").replace("€", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") > 1 or (text.count(".") == 1 and len(text.split(".")[1]) == 3):
        text = text.replace(".", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return number if 0 <= number < 1e15 else None


def parse_params(args: MultiDict, default_size: int) -> SearchParams:
    filters: dict[str, list[str]] = {}
    for name in queries.FACETS:
        values = [v.strip()[:MAX_VALUE_LENGTH] for v in args.getlist(name)
                  if v.strip() and "\x00" not in v]  # PostgreSQL refuses NUL in a lookup
        if name == "kind":
            values = [v for v in values if v in KIND_FILTERS]
        elif name == "sdg":
            values = [str(n) for v in values if (n := _int(v, 1, 17)) is not None]
        values = list(dict.fromkeys(values))[:queries.MAX_FILTER_VALUES]
        if values:
            filters[name] = values
    ranges = queries.Ranges(
        year_from=_int(args.get("year_from"), 1900, 2200),
        year_to=_int(args.get("year_to"), 1900, 2200),
        budget_min=_amount(args.get("budget_min")),
        budget_max=_amount(args.get("budget_max")),
    )
    sort = args.get("sort", "relevance")
    size = _int(args.get("size"), 1, MAX_PAGE_SIZE) or default_size
    max_page = max(queries.EXPORT_LIMIT // size, 1)
    return SearchParams(
        query=queries.normalise_query(args.get("q", "")),
        filters=filters,
        ranges=ranges,
        sort=sort if sort in queries.SORTS else "relevance",
        page=min(_int(args.get("page"), 1, 10**6) or 1, max_page),
        size=size,
        public_only=args.get(PUBLIC_ONLY) == "1",
    )


def run_search(params: SearchParams, *, facets: bool = True, suggest: bool = True,
               timeout: float | None = None) -> queries.SearchResult:
    access = params.access()
    return queries.search(
        indexing.client(timeout), indexing.alias(access), params.query,
        filters=params.filters, ranges=params.ranges,
        access=access, sort=params.sort,
        page=params.page, size=params.size, facets=facets, suggest=suggest,
    )


def search_twice(params: SearchParams, *, suggest: bool = True) -> tuple[
        queries.SearchResult, bool]:
    """The search of the page and the API: two tries of half of `SEARCH_TIMEOUT` each, so a
    busy node gets a second chance and a hung one is reported within it (QUALITY R2: 3 s).
    Returns the result and whether it came from the second try."""
    half = float(current_app.config["SEARCH_TIMEOUT"]) / 2
    return once_more_on_timeout(lambda: run_search(params, suggest=suggest, timeout=half))


def search_url(params: SearchParams, endpoint: str = "search.search_page", **changes: Any) -> str:
    """The URL of `params` with changes: `toggle=(name, value)`, `drop=name`, or a setting."""
    args = params.args()
    args.pop("page", None)
    if "toggle" in changes:
        name, value = changes.pop("toggle")
        values = args.getlist(name)
        args.setlist(name, [v for v in values if v != value] if value in values
                     else [*values, value])
    for name in changes.pop("drop", ()):
        args.pop(name, None)
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = value
    values = {k: v[0] if len(v) == 1 else v for k, v in args.to_dict(flat=False).items()}
    return url_for(endpoint, **values)


def active_filters(params: SearchParams,
                   labels: dict[str, dict[str, str]]) -> list[tuple[str, str]]:
    """(label, URL without it) for every active filter, for the removable chips."""
    chips = [
        (f"{FACET_LABELS[name]}: {labels.get(name, {}).get(v, v)}",
         search_url(params, toggle=(name, v)))
        for name, values in params.filters.items() for v in values
    ]
    if params.public_only:
        chips.append(("Nur öffentlich sichtbare Einträge",
                       search_url(params, drop=(PUBLIC_ONLY,))))
    r = params.ranges
    if r.year_from is not None or r.year_to is not None:
        span = f"{r.year_from or '…'}–{r.year_to or '…'}"
        chips.append((f"Förderbeginn: {span}", search_url(params, drop=("year_from", "year_to"))))
    if r.budget_min is not None or r.budget_max is not None:
        chips.append((f"Fördersumme: {_euro_range(r.budget_min, r.budget_max)}",
                      search_url(params, drop=("budget_min", "budget_max"))))
    return chips


def _euro_short(value: float) -> str:
    if value >= 1_000_000:
        return f"{german_formats.short(value / 1_000_000)} Mio. €"
    return f"{german_formats.whole(value)} €"


def _euro_range(low: float | None, high: float | None) -> str:
    if low is None and high is not None:
        return f"unter {_euro_short(high)}"
    if high is None and low is not None:
        return f"ab {_euro_short(low)}"
    return f"{_euro_short(low or 0)} bis unter {_euro_short(high or 0)}"


def detail_url(hit: queries.Hit) -> str:
    return kinds.page_of(kinds.BY_NAME[hit.kind], hit.id)


def _public_page(hit: queries.Hit) -> str:
    """The absolute address of a hit's page, for files that leave the site."""
    endpoint, values = kinds.page_args(kinds.BY_NAME[hit.kind], hit.id)
    return public_url(endpoint, **values)


def _unavailable(params: SearchParams, exc: Exception) -> tuple[str, int]:
    current_app.logger.warning("search unavailable: %s", exc)
    return render_template("search.html", params=params, query=params.query, result=None,
                           unavailable=True, page=None), 503


@bp.get("/search")
def search_page() -> tuple[str, int] | str:
    params = parse_params(request.args, current_app.config["PAGE_SIZE"])
    try:
        result, slow = search_twice(params)
    except (TransportError, ApiError) as exc:
        return _unavailable(params, exc)
    labels = facet_labels(result, params.filters)
    return render_template(
        "search.html", params=params, query=params.query, result=result, unavailable=False,
        slow=slow,
        page=ResultPage(params.page, params.size, result.total), labels=labels,
        facet_titles=FACET_LABELS, chips=active_filters(params, labels),
        sort_labels=SORT_LABELS, search_url=search_url, detail_url=detail_url,
        euro_range=_euro_range, budget_buckets=facets.BUDGET_BUCKETS,
    )


# --- exports ----------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    ("Art", lambda h: kinds.LABELS.get(h.kind, h.kind)),
    ("ID", lambda h: h.id),
    ("Titel", lambda h: h.title),
    ("Akronym", lambda h: h.source.get("acronym") or ""),
    ("Förderkennzeichen", lambda h: h.source.get("fkz") or ""),
    ("Ressort", lambda h: h.source.get("ressort") or ""),
    ("Förderprogramm", lambda h: h.source.get("programme_title") or ""),
    ("Status", lambda h: PROGRAMME_STATUSES.get(h.source.get("status") or "", "")),
    ("Beginn", lambda h: h.source.get("start_date") or ""),
    ("Ende", lambda h: h.source.get("end_date") or ""),
    ("Fördersumme (EUR)", lambda h: _csv_amount(h.source.get("budget_eur"))),
    ("Kommunen", lambda h: ", ".join(h.source.get("municipality_names") or [])),
    ("Länder", lambda h: ", ".join(h.source.get("states") or [])),
    ("Themenfelder", lambda h: ", ".join(h.source.get("topic_names") or [])),
    ("Adresse", lambda h: _public_page(h)),
]
INTERNAL_FIELDS = {"spell", "complete", "version", "confidential"}


def _csv_amount(value: float | None) -> str:
    return "" if value is None else german_formats.plain_amount(value)


def _export_hits(params: SearchParams) -> list[queries.Hit]:
    access = params.access()
    return list(queries.iterate_hits(
        indexing.client(), indexing.alias(access), params.query, filters=params.filters,
        ranges=params.ranges, access=access, sort=params.sort,
    ))


def _xlsx_value(name: str, hit: queries.Hit, get: Any) -> Any:
    """Cells as numbers where the CSV writes German text."""
    if name == "Fördersumme (EUR)":
        return hit.source.get("budget_eur")
    return get(hit)


@bp.get("/search/export.<fmt>")
def export(fmt: str) -> Any:
    if fmt not in ("csv", "json", "xlsx"):
        abort(404)
    params = parse_params(request.args, current_app.config["PAGE_SIZE"])
    try:
        hits = _export_hits(params)
    except (TransportError, ApiError) as exc:
        return _unavailable(params, exc)
    if fmt == "xlsx":
        rows = ([_xlsx_value(name, hit, get) for name, get in EXPORT_COLUMNS] for hit in hits)
        sheet = ("Suchergebnis", [name for name, _ in EXPORT_COLUMNS], rows)
        return send_file(xlsx_file([sheet]), mimetype=XLSX_MIMETYPE, as_attachment=True,
                         download_name="suchergebnis.xlsx")
    if fmt == "json":
        body = json.dumps({
            "query": params.query, "filters": params.filters, "total": len(hits),
            "hits": [{**{k: v for k, v in h.source.items() if k not in INTERNAL_FIELDS},
                      "url": _public_page(h)}
                     for h in hits],
        }, ensure_ascii=False, indent=1)
        response = Response(body, mimetype="application/json")
    else:
        rows = ([get(hit) for _, get in EXPORT_COLUMNS] for hit in hits)
        body = "".join(csv_chunks([name for name, _ in EXPORT_COLUMNS], rows))
        response = Response(body, mimetype="text/csv")
        response.charset = "utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="suchergebnis.{fmt}"'
    return response
