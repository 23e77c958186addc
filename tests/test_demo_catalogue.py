"""The demo data set as `make run` shows it: loaded, indexed and found in German."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from search import queries
from zukunftsstadt.extensions import db
from zukunftsstadt.models import (
    Municipality,
    Programme,
    Project,
    RealWorldLab,
    ResearchPriority,
    Ressort,
    State,
    TransferReport,
)
from zukunftsstadt.services import indexing

from .conftest import DEMO_FILE


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_data_is_large_enough_and_says_it_is_demo(demo_catalogue):
    assert _count(Programme) >= 15
    assert _count(Project) >= 150
    assert _count(RealWorldLab) >= 25
    assert _count(ResearchPriority) >= 15
    assert _count(State) == 16
    assert "Demodaten" in json.loads(DEMO_FILE.read_text(encoding="utf-8"))["notice"]
    assert {r.code for r in Ressort.query} >= {
        "BMFTR", "BMWSB", "BMUKN", "BMWE", "BMV", "BMDS", "BMLEH", "BMAS", "BMBFSFJ", "BMG",
        "BMBF", "BMWK", "BMUV", "BMDV",
    }
    assert Ressort.query.filter_by(code="BMFTR").one().predecessor.code == "BMBF"
    assert all(re.fullmatch(r"\d{8}", m.ags) for m in Municipality.query)
    assert {m.city_type for m in Municipality.query} == {
        "Großstadt", "Mittelstadt", "Kleinstadt", "Landgemeinde"}


def test_every_record_is_indexed(demo_catalogue):
    counts = indexing.client().count(index=indexing.alias())["count"]
    expected = sum(_count(m) for m in (Programme, Project, RealWorldLab, ResearchPriority,
                                       TransferReport))
    assert counts == expected


def test_staedte_hitze_finds_heat_projects_with_highlights(demo_catalogue, client):
    result = queries.search(indexing.client(), indexing.alias(), "Städte Hitze")
    projects = [h for h in result.hits if h.kind == "project"]
    assert len(projects) >= 3
    for hit in projects[:3]:
        text = " ".join(f for fragments in hit.highlight.values() for f in fragments)
        assert re.search(r"<mark>Hitze", text), text
        assert re.search(r"<mark>St(a|ä)dt", text), text
    page = client.get("/search?q=St%C3%A4dte+Hitze").get_data(as_text=True)
    assert page.count("<mark>") >= 6


def test_health_counts_match_the_database(demo_catalogue, client):
    body = client.get("/health").get_json()
    assert body["search"]["documents"]["project"] == _count(Project)


def test_pages_of_the_demo_catalogue_render(demo_catalogue, client):
    for url in ("/", "/programme/", "/vorhaben/", "/vorhaben/?page=3", "/reallabore/",
                "/schwerpunkte/"):
        assert client.get(url).status_code == 200, url
    for model, prefix in ((Programme, "/programme/"), (Project, "/vorhaben/"),
                          (RealWorldLab, "/reallabore/"), (ResearchPriority, "/schwerpunkte/")):
        record = db.session.scalars(
            select(model).where(model.publication_status == "published").limit(1)
        ).one()
        assert client.get(f"{prefix}{record.id}").status_code == 200


def test_demo_has_published_transfer_reports_linked_from_the_start_page(demo_catalogue,
                                                                        client):
    from zukunftsstadt.models import TransferReport

    published = TransferReport.query.filter_by(publication_status="published").all()
    assert len(published) >= 2 and all(len(r.items) >= 5 for r in published)
    start = client.get("/").get_data(as_text=True)
    assert '<a href="/transferberichte/">Transferberichte</a>' in start
    listing = client.get("/transferberichte/").get_data(as_text=True)
    assert all(r.title in listing for r in published)


def _search_api(client, q: str) -> dict:
    return client.get("/api/v1/search", query_string={"q": q, "size": 50}).get_json()


def test_a_land_lists_the_projects_located_there(demo_catalogue, client):
    located = {str(p.id) for p in db.session.scalars(select(Project)) if p.publication_status
               == "published" and any(m.state.name == "Thüringen" for m in p.municipalities)}
    body = _search_api(client, "Thüringen")
    found = {h["id"] for h in body["hits"] if h["kind"] == "project"}
    assert located and located <= found


def test_english_words_find_the_german_records(demo_catalogue, client):
    for query, word in [("green roofs", "Dachbegrünung"), ("urban heat island", "Hitzeinsel")]:
        body = _search_api(client, query)
        assert body["total"] > 0 and not body["fuzzy"], query
        text = json.dumps(body["hits"][:5], ensure_ascii=False)
        assert re.search(word[:6], text, re.IGNORECASE), (query, text[:300])


def test_forms_spellings_compounds_and_synonyms_are_found_without_typo_notice(
        demo_catalogue, client):
    projects = {p.fkz: str(p.id) for p in db.session.scalars(select(Project))}
    cases = [("Pflegeheim", None), ("Gruendaecher", "67AS1150"), ("Obdachlosigkeit",
                                                                  "ZMI52330WL01")]
    for query, fkz in cases:
        body = _search_api(client, query)
        assert body["total"] > 0 and body["suggestion"] is None and not body["fuzzy"], query
        if fkz:
            assert projects[fkz] in [h["id"] for h in body["hits"][:3]], query
    # "Hitze" finds records that only say Hitzeschutz… or Hitzerisiko… (compound parts).
    body = _search_api(client, "Hitze")
    titles = " ".join(h["title"] for h in body["hits"])
    assert re.search(r"Hitzeschutz|Hitzerisiko|Hitzeaktion", titles)
