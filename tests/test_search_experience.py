"""The search page and API: facets that combine, sorting, paging, exports, suggestions."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from zukunftsstadt.extensions import db
from zukunftsstadt.services import indexing

from . import factories


@pytest.fixture
def corpus(app):
    hot = factories.topic("hitze", "Hitze")
    water = factories.topic("wasser", "Wasser")
    leipzig = factories.municipality("14713000", "Leipzig")
    prg_a = factories.programme(title="Klimaresiliente Städte", short_title="KliRes",
                                ressort=factories.ressort("BMWSB"), status="open")
    prg_b = factories.programme(title="Zukunftsstadt Forschung", ressort=factories.ressort(),
                                status="completed")
    made = {
        "a": factories.project(title="Hitzeschutz im Quartier", acronym="HITQ", programme=prg_a,
                               topics=[hot], budget_eur=Decimal("80000"),
                               start_date=date(2019, 3, 1)),
        "b": factories.project(title="Hitzeaktionsplan für Leipzig", programme=prg_a,
                               topics=[hot, water], municipalities=[leipzig],
                               budget_eur=Decimal("2500000"), start_date=date(2023, 1, 1)),
        "c": factories.project(title="Regenwasser im Quartier", programme=prg_b, topics=[water],
                               budget_eur=Decimal("600000"), start_date=date(2021, 6, 1)),
        "draft": factories.project(title="Hitzeschutz Entwurf", programme=prg_b,
                                   publication_status="draft"),
        "lab": factories.lab(name="Reallabor Hitzeinsel", description="Hitze im Stadtteil."),
    }
    db.session.commit()
    _, errors = indexing.rebuild()
    assert not errors
    return made


def _api(client, **args):
    response = client.get("/api/v1/search", query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _facet(body, name):
    return {f["value"]: f["count"] for f in body["facets"][name]}


def test_api_shape_and_permissions(client, corpus):
    body = _api(client, q="Hitze")
    assert set(body) >= {"total", "hits", "facets"}
    hit = body["hits"][0]
    assert set(hit) >= {"kind", "id", "title", "ressort", "score", "highlight"}
    ids = {(h["kind"], h["id"]) for h in body["hits"]}
    assert ("project", str(corpus["draft"].id)) not in ids  # anonymous: published only
    assert ("project", str(corpus["a"].id)) in ids
    assert ("lab", str(corpus["lab"].id)) in ids


def test_facets_combine_with_counts(client, corpus):
    body = _api(client, q="Hitze")
    assert _facet(body, "kind") == {"project": 2, "lab": 1}
    assert _facet(body, "topic") == {"hitze": 2, "wasser": 1}
    labels = {f["value"]: f["label"] for f in body["facets"]["topic"]}
    assert labels["hitze"] == "Hitze"
    # One value chosen: hits narrow, the facet's own counts stay, the others follow.
    body = _api(client, q="Hitze", kind="project", topic="wasser")
    assert [h["id"] for h in body["hits"]] == [str(corpus["b"].id)]
    assert _facet(body, "kind") == {"project": 1}  # only project has topic wasser
    assert _facet(body, "topic") == {"hitze": 2, "wasser": 1}
    # Two values of one facet: OR.
    body = _api(client, kind=["project", "lab"], topic=["hitze", "wasser"])
    assert body["total"] == 3
    body = _api(client, ressort="BMWSB")
    assert {h["title"] for h in body["hits"]} >= {"Hitzeschutz im Quartier",
                                                  "Hitzeaktionsplan für Leipzig"}


def test_ranges_sorting_and_paging(client, corpus):
    body = _api(client, kind="project", sort="amount_desc")
    assert [h["title"] for h in body["hits"]][:3] == [
        "Hitzeaktionsplan für Leipzig", "Regenwasser im Quartier", "Hitzeschutz im Quartier"]
    body = _api(client, kind="project", sort="start_asc")
    assert body["hits"][0]["title"] == "Hitzeschutz im Quartier"
    body = _api(client, kind="project", year_from="2021", year_to="2023")
    assert body["total"] == 2
    body = _api(client, kind="project", budget_min="500.000", budget_max="1000000")
    assert [h["title"] for h in body["hits"]] == ["Regenwasser im Quartier"]
    page2 = _api(client, kind="project", sort="amount_desc", size=1, page=2)
    assert [h["title"] for h in page2["hits"]] == ["Regenwasser im Quartier"]
    assert page2["total"] == 3
    # Nonsense parameters are dropped, never errors.
    body = _api(client, kind="nope", sdg="99", year_from="x", sort="evil", page="-3", size="1e9")
    assert body["total"] >= 5


def test_page_shows_facets_chips_and_keeps_state_in_links(client, corpus):
    page = client.get("/search?q=Hitze&topic=wasser&sort=amount_desc").get_data(as_text=True)
    assert "Ergebnisse eingrenzen" in page
    assert "Themenfeld: Wasser" in page  # the active filter chip
    assert "/search?q=Hitze&amp;sort=amount_desc" in page  # chip removes the filter only
    assert "Alle Filter entfernen" in page
    assert 'value="amount_desc" selected' in page
    assert "/search/export.csv?q=Hitze&amp;topic=wasser&amp;sort=amount_desc" in page
    assert "<script>" not in page.split("</main>")[0]  # no inline scripts
    assert 'src="/static/js/search-suggest.js"' in page


def test_csv_and_json_exports(client, corpus):
    response = client.get("/search/export.csv?q=Hitze&kind=project")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Art", "ID", "Titel"]
    assert {r[2] for r in rows[1:]} == {"Hitzeschutz im Quartier", "Hitzeaktionsplan für Leipzig"}
    assert "attachment" in response.headers["Content-Disposition"]
    body = client.get("/search/export.json?q=Hitze&kind=project").get_json()
    assert body["total"] == 2
    assert "spell" not in body["hits"][0] and body["hits"][0]["url"].startswith("http")
    assert client.get("/search/export.xml").status_code == 404


def test_csv_cells_never_become_formulas(client, app):
    factories.project(title="=HYPERLINK(\"http://x\")", summary="Formel")
    db.session.commit()
    indexing.rebuild()
    raw = client.get("/search/export.csv?q=Formel").get_data().decode("utf-8-sig")
    assert "'=HYPERLINK" in raw


def test_did_you_mean_and_fuzzy_fallback(client, corpus):
    body = _api(client, q="Hitzeaktionsplna")
    assert body["suggestion"] == "hitzeaktionsplan"
    assert body["hits"][0]["title"] == "Hitzeaktionsplan für Leipzig"
    page = client.get("/search?q=Regenwaser").get_data(as_text=True)
    assert "Meinten Sie" in page and "regenwasser" in page
    # Suggestions only come from public words: the draft's "Entwurf" is never offered.
    assert _api(client, q="Entwurff")["suggestion"] is None


def test_empty_result_says_what_to_try(client, corpus):
    page = client.get("/search?q=Quantenkryptographie").get_data(as_text=True)
    assert "Keine Treffer" in page and "weniger oder allgemeinere Begriffe" in page


def test_autocomplete_titles_and_acronyms(client, corpus):
    body = client.get("/api/v1/suggest?q=Hitzes").get_json()
    assert [s["title"] for s in body["suggestions"]] == ["Hitzeschutz im Quartier"]
    body = client.get("/api/v1/suggest?q=hitq").get_json()
    assert body["suggestions"][0]["acronym"] == "HITQ"
    body = client.get("/api/v1/suggest?q=Hitzeaktionsplan f").get_json()
    assert body["suggestions"][0]["url"] == f"/vorhaben/{corpus['b'].id}"
    body = client.get("/api/v1/suggest?q=Klimaresiliente Staedte").get_json()
    assert [s["kind"] for s in body["suggestions"]] == ["programme"]
    assert client.get("/api/v1/suggest?q=Hitzeschutz E").get_json()["suggestions"] == []
    for hostile in ["(((", "\\", "*", "x" * 5000, '"']:
        assert client.get("/api/v1/suggest", query_string={"q": hostile}).status_code == 200


def test_script_is_served_by_the_app(client):
    response = client.get("/static/js/search-suggest.js")
    assert response.status_code == 200
    assert "javascript" in response.mimetype
    response.close()


def test_api_answers_503_in_german_when_search_is_down(app, client):
    from search.client import make_client

    original = app.extensions["search_client"]
    app.extensions["search_client"] = make_client("http://127.0.0.1:9", timeout=1)
    try:
        response = client.get("/api/v1/search?q=Hitze")
        suggest = client.get("/api/v1/suggest?q=Hitze")
    finally:
        app.extensions["search_client"] = original
    assert response.status_code == 503 and "nicht erreichbar" in response.get_json()["detail"]
    assert suggest.status_code == 503


def test_totals_beyond_the_counting_limit_say_more_than(client, corpus, monkeypatch):
    """Totals are counted up to a limit (10,000; here 2): beyond it the page and the API say
    "mehr als", and the facet counts stay exact."""
    from search import queries

    monkeypatch.setattr(queries, "TOTAL_LIMIT", 2)
    body = _api(client, q="Hitze")
    assert (body["total"], body["total_exact"]) == (2, False)
    assert sum(_facet(body, "kind").values()) == 3  # two projects and the Reallabor
    assert "mehr als 2 Treffer" in client.get("/search?q=Hitze").get_data(as_text=True)
    monkeypatch.setattr(queries, "TOTAL_LIMIT", 10_000)
    body = _api(client, q="Hitze")
    assert body["total_exact"] and body["total"] >= 3
    assert "mehr als" not in client.get("/search?q=Hitze").get_data(as_text=True)


def test_facet_counts_follow_the_relaxed_query(client, corpus):
    """When too few records hold every word, the hits are those with most words; the counts
    beside them count the same records."""
    body = _api(client, q="Hitzeschutz Regenwasser")
    assert body["total"] >= 2
    assert sum(_facet(body, "kind").values()) == body["total"]
