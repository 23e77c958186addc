"""A Kreis by name finds the records located in its Kommunen (issue 11 §2): the Kreis names
come from the Destatis district list (`zukunftsstadt/data/districts.json`)."""

from __future__ import annotations

import pytest

from search import queries
from zukunftsstadt import districts
from zukunftsstadt.extensions import db
from zukunftsstadt.services import indexing

from . import factories


@pytest.fixture
def located(app) -> dict[str, int]:
    schwedt = factories.municipality("12073532", "Schwedt/Oder")
    angermuende = factories.municipality("12073008", "Angermünde")
    dresden = factories.municipality("14612000", "Dresden")
    found = {
        "schwedt": factories.project(title="Sprachkurse für Fachkräfte",
                                     municipalities=[schwedt]),
        "angermuende": factories.project(title="Bürgerstrom vom Acker",
                                         municipalities=[angermuende]),
        "dresden": factories.project(title="Starkregen im Elbtal", municipalities=[dresden]),
        "vogelsberg": factories.project(title="Gemeindeschwester", municipalities=[
            factories.municipality("06535015", "Lauterbach (Hessen)")]),
    }
    db.session.commit()
    indexing.rebuild()
    indexing.refresh()
    return {key: record.id for key, record in found.items()}


def _complete_hits(query: str) -> set[int]:
    result = queries.search(indexing.client(), indexing.alias(queries.PUBLIC), query)
    return {int(h.id) for h in result.hits if h.all_terms}


@pytest.mark.parametrize("query", ["Uckermark", "Landkreis Uckermark", "uckermark"])
def test_a_kreis_name_finds_the_records_located_in_its_kommunen(located, query):
    assert _complete_hits(query) == {located["schwedt"], located["angermuende"]}


def test_a_kreis_named_with_kreis_is_found_by_its_name(located):
    assert _complete_hits("Vogelsbergkreis") == {located["vogelsberg"]}


def test_district_names_come_from_the_official_list():
    assert districts.name_of("12073532") == "Landkreis Uckermark"
    assert districts.name_of("06535015") == "Vogelsbergkreis"
    assert districts.name_of("14612000") is None  # a kreisfreie Stadt is its own Kommune
    assert districts.name_of("99999999") is None
    assert len(districts.all_names()) > 280  # 294 Kreise, the kreisfreie Städte aside
