"""Security finding 6: what the public sees is scored from public records only, so a score can
not tell an anonymous visitor that a hidden draft or a confidential programme gained a word."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from zukunftsstadt.extensions import db
from zukunftsstadt.models import PriorityMatch
from zukunftsstadt.services import indexing, priority_matching, records

from . import factories

TEXT = ("Hitzeschutz für Pflegeheime: Kühlräume, Trinkpläne und eine Frühwarnung helfen "
        "älteren Bewohnern durch sommerliche Hitzewellen.")
HIDDEN = "Hitzeschutz Hitzeschutz Hitzeschutz: Trinkpläne und Kühlräume für Pflegeheime."
PLANNED = {"title": "Kühle Pflegeheime", "summary": TEXT, "ressort": "BMBFSFJ"}


@pytest.fixture
def public_records(app) -> list[Any]:
    programme = factories.programme(title="Klimaanpassung", ressort=factories.ressort("BMUKN"))
    found = [factories.project(title=f"Hitzeschutz im Quartier {n}", summary=summary,
                               programme=programme)
             for n, summary in enumerate((TEXT, f"{TEXT} Dazu kommen schattige Radwege.",
                                          "Kühlräume gegen Hitze im Pflegeheim."))]
    found.append(factories.project(title="Radwege", summary="Sichere Radwege zur Schule.",
                                   programme=programme))
    db.session.commit()
    indexing.rebuild()
    indexing.refresh()
    return found


def _scores(client) -> dict[str, float]:
    """What an anonymous visitor can read: search scores and overlap-check scores."""
    hits = client.get("/api/v1/search", query_string={"q": "Hitzeschutz Pflegeheime"}).json
    found = {f"search:{h['kind']}-{h['id']}": h["score"] for h in hits["hits"]}
    check = client.post("/api/v1/overlaps/check", json=PLANNED)
    assert check.status_code == 200, check.json
    for hit in check.json:
        found[f"check:{hit['kind']}-{hit['id']}"] = hit["score"]
    return found


def _add_hidden_records() -> None:
    secret = factories.programme(title="Hitzeschutz geheim", description=HIDDEN, key="geheim-6",
                                 ressort=factories.ressort("BMG"), confidential=True)
    for n in range(5):
        factories.project(title=f"Hitzeschutz Entwurf {n}", summary=HIDDEN,
                          publication_status="draft", programme=secret)
    db.session.commit()
    indexing.drain_all()
    indexing.refresh()


def test_anonymous_scores_do_not_change_when_hidden_records_gain_words(client, public_records):
    before = _scores(client)
    assert sum(k.startswith("search:") for k in before) >= 3
    assert any(k.startswith("check:") for k in before)
    _add_hidden_records()
    assert _scores(client) == before


def test_signed_in_readers_still_find_the_hidden_records(app, public_records):
    from search import queries
    from search.access import Access

    _add_hidden_records()
    everything = Access(all_drafts=True, all_confidential=True)
    result = queries.search(indexing.client(), indexing.alias(everything), "Hitzeschutz",
                            access=everything)
    assert sum(h.title.startswith("Hitzeschutz Entwurf") for h in result.hits) == 5


def test_coverage_is_computed_on_public_records_only(app, public_records):
    priority = factories.priority(title="Hitzeschutz in Pflegeheimen", description=TEXT)
    db.session.commit()
    indexing.drain_all()
    indexing.refresh()
    run = priority_matching.compute()
    before = _matches(priority.id)
    assert run.text_matching and len(before) >= 3
    _add_hidden_records()
    priority_matching.compute()
    assert _matches(priority.id) == before


def _matches(priority_id: int) -> set[tuple[str, int, float]]:
    rows = db.session.scalars(select(PriorityMatch).where(
        PriorityMatch.priority_id == priority_id))
    return {(m.kind, m.record_id, m.score) for m in rows}


def test_a_record_leaves_the_public_index_when_it_is_unpublished(client, public_records):
    record = public_records[0]
    record.publication_status = "draft"
    record.version += 1
    db.session.commit()
    records.enqueue(record)
    db.session.commit()
    indexing.drain_all()
    indexing.refresh()
    assert indexing.check().ok
    ids = {h["id"] for h in client.get("/api/v1/search", query_string={"q": "Hitzeschutz"})
           .json["hits"]}
    assert str(record.id) not in ids
