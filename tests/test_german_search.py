"""German search against the real node: inflection, umlaut spellings, syntax, highlighting."""

from __future__ import annotations

import pytest

from search import queries
from zukunftsstadt.extensions import db
from zukunftsstadt.services import indexing

from . import factories


@pytest.fixture
def corpus(app):
    """A few projects whose words differ only in the ways a German search must bridge."""
    made = {
        "stadt": factories.project(
            title="Klimaanpassung einer Stadt",
            summary="Die Stadt entwickelt einen Plan gegen sommerliche Überhitzung."),
        "quartier": factories.project(
            title="Energieversorgung im Quartier",
            summary="Ein Quartier stellt seine Wärmeversorgung auf erneuerbare Quellen um."),
        "strasse": factories.project(
            title="Kühle Straße", summary="Verschattung und Entsiegelung im Straßenraum."),
        "gruen": factories.project(
            title="Stadtgrün als Infrastruktur", summary="Bäume und Beete für alle."),
        "hitze": factories.project(
            title="Hitzeschutz in Städten",
            summary="Städte und Gemeinden schützen ältere Menschen vor Hitze.",
            objectives="Ein Hitzeaktionsplan für die Quartieren der Innenstadt."),
        "xss": factories.project(
            title="<script>alert(1)</script> Hitzeinsel",
            summary='Messung der Hitzeinsel "><img src=x onerror=alert(1)>'),
    }
    db.session.commit()
    _, errors = indexing.rebuild()
    assert not errors
    return made


def _ids(query: str) -> set[int]:
    result = queries.search(indexing.client(), indexing.alias(), query, size=50)
    return {int(hit.id) for hit in result.hits}


def _analyze(text: str) -> list[str]:
    response = indexing.client().indices.analyze(
        index=indexing.alias(), analyzer="german_text", text=text
    )
    return [t["token"] for t in response["tokens"]]


def test_analysis_chain_reduces_inflections_on_the_node(corpus):
    assert _analyze("Quartieren") == _analyze("Quartier")
    assert _analyze("Gebäuden") == _analyze("Gebäude")
    assert _analyze("Städte") == _analyze("Stadt") == _analyze("Staedte")
    assert _analyze("Straße") == _analyze("Strasse")
    assert "die" not in _analyze("Die Stadt")


@pytest.mark.parametrize(("query", "expected"), [
    ("Städte", {"stadt", "hitze"}),
    ("Stadt", {"stadt", "hitze"}),
    ("Quartieren", {"quartier", "hitze"}),
    ("Strasse", {"strasse"}),
    ("Stadtgruen", {"gruen"}),
    ("Staedte", {"hitze"}),
])
def test_inflections_and_umlaut_spellings_find_the_same(corpus, query, expected):
    assert {corpus[key].id for key in expected} <= _ids(query)


def test_a_whole_word_ranks_above_a_compound_that_contains_it(corpus):
    ranked = [int(h.id) for h in queries.search(indexing.client(), indexing.alias(), "Stadt",
                                                size=50).hits]
    assert ranked.index(corpus["stadt"].id) < ranked.index(corpus["gruen"].id)


def test_syntax_users_know(corpus):
    assert _ids('"Kühle Straße"') == {corpus["strasse"].id}
    assert corpus["hitze"].id not in _ids("Hitze* -Gemeinden")
    assert corpus["xss"].id in _ids("Hitze* -Gemeinden")
    assert {corpus["gruen"].id, corpus["strasse"].id} <= _ids("Stadtgrün | Straße")
    assert corpus["hitze"].id in _ids("Hitzeakt*")


@pytest.mark.parametrize("query", [
    "title:* OR _exists_:x", "(((((", "\\", "*", "*Hitze", '"offene Phrase', "x" * 10_000,
    "\x00Hitze", "Stra\u0308sse", "\u202eetizH", "' OR '1'='1", "{{7*7}}",
])
def test_hostile_queries_never_fail(corpus, client, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert "Treffer" in response.get_data(as_text=True)


def test_results_page_highlights_and_escapes(corpus, client):
    page = client.get("/search", query_string={"q": "Hitzeinsel"}).get_data(as_text=True)
    assert "<mark>Hitzeinsel</mark>" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in page
    assert f'href="/vorhaben/{corpus["xss"].id}"' in page


def test_drafts_are_not_found_by_anonymous_search(corpus):
    draft = factories.project(title="Geheimer Hitzeentwurf", publication_status="draft")
    db.session.commit()
    indexing.drain_outbox()
    indexing.refresh()
    assert draft.id not in _ids("Hitzeentwurf")
    result = queries.search(indexing.client(), indexing.alias(), "Hitzeentwurf",
                            access=queries.Access(all_drafts=True, all_confidential=True))
    assert [int(h.id) for h in result.hits if h.all_terms] == [draft.id]


def test_kind_filter_and_empty_state(corpus, client):
    page = client.get("/search?q=Stadtgrün&kind=lab").get_data(as_text=True)
    assert "Keine Treffer" in page and "Entfernen Sie Filter" in page
    page = client.get("/search?q=Stadtgrün&kind=project").get_data(as_text=True)
    assert "als Infrastruktur" in page and "Keine Treffer" not in page
