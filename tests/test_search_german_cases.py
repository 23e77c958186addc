"""German query cases against the real node: inflections, umlaut-free spellings, compounds in
both directions, the DE/EN thesaurus and typos. Each case: query -> titles that must be among
the hits, and for some, titles that must not be.

Searches run as the search page runs them (`suggest=True`): typos are found through the
spelling suggestion or the fuzzy fallback. Records that match only part of a query are listed
after the others, under "Treffer, die nicht alle Begriffe enthalten": an excluded title must
not be among the hits that match the whole query.
"""

from __future__ import annotations

import pytest

from search import queries
from zukunftsstadt.extensions import db
from zukunftsstadt.services import indexing

from . import factories

RECORDS = {
    "pflege": ("Hitzeschutz in Pflegeeinrichtungen", "Kühlräume und Verschattung."),
    "senioren": ("Schutz älterer Menschen vor Hitze", "Ein Netzwerk der Nachbarschaftshilfe."),
    "rad": ("Radverkehr in Mittelstädten", "Sichere Wege für den Alltag."),
    "fahrrad": ("Fahrradverkehr auf dem Land", "Pendeln zwischen Dörfern."),
    "hap": ("Hitzeaktionsplan für Kommunen", "Ein Leitfaden für die Verwaltung."),
    "hap_en": ("Heat action plans for German cities", "A comparative study."),
    "strasse": ("Straßenraum neu verteilen", "Parkplätze werden zu Aufenthaltsflächen."),
    "gruen": ("Stadtgrün und Gesundheit", "Parks senken die Temperatur."),
    "schwamm": ("Schwammstadt Leipzig", "Regenwasser wird im Quartier gespeichert."),
    "quartier": ("Quartiersentwicklung mit Bürgerbeteiligung",
                 "Bewohnerinnen planen ihre Quartiere."),
    "klein": ("Klimaanpassung in Kleinstädten", "Anpassungsstrategien für den Sommer."),
    "dach": ("Dachbegrünung auf Schulgebäuden", "Gründächer speichern Wasser."),
    "laerm": ("Lärmschutz an Hauptstraßen", "Leise Fahrbahnbeläge."),
    "mobil": ("Mobilitätsstationen im ländlichen Raum", "Carsharing und Busse an einem Ort."),
    "waerme": ("Wärmeplanung für Innenstädte", "Die kommunale Wärmewende beginnt."),
    "kreislauf": ("Kreislaufwirtschaft im Bauwesen", "Baustoffe werden wiederverwendet."),
    "insel": ("Urban heat island monitoring", "Sensors measure the temperature."),
    "regen": ("Starkregenvorsorge in Dresden", "Überflutungen vermeiden."),
    "digital": ("Digitale Bürgerbeteiligung", "Online-Plattformen für die Planung."),
    "koeln": ("Hitzeschutzkonzept der Stadt Köln", "Maßnahmen für heiße Sommer."),
    "liefer": ("Lieferverkehr in der Altstadt", "Lastenräder für die letzte Meile."),
    "garten": ("Gemeinschaftsgärten in Großstädten", "Gemüse vom Dach."),
}

CASES: list[tuple[str, set[str], set[str]]] = [
    # inflections (German light stemmer and normalisation on the node); "Stadt" also finds
    # the compounds that contain it (ranked below, see test_german_search)
    ("Stadt", {"koeln", "gruen", "schwamm"}, set()),
    ("Städte", {"koeln"}, set()),
    ("Quartieren", {"quartier", "schwamm"}, set()),
    ("Kleinstadt", {"klein"}, set()),
    ("Innenstadt", {"waerme"}, set()),
    ("Großstadt", {"garten"}, set()),
    ("Gründach", {"dach"}, set()),
    ("Dörfer", {"fahrrad"}, set()),
    # umlaut-free spellings
    ("Strassenraum", {"strasse"}, set()),
    ("Stadtgruen", {"gruen"}, set()),
    ("Waermeplanung", {"waerme"}, set()),
    ("Mobilitaetsstationen", {"mobil"}, set()),
    ("Gruendaecher", {"dach"}, set()),
    ("Buergerbeteiligung", {"quartier", "digital"}, set()),
    ("Laermschutz", {"laerm"}, {"pflege", "senioren"}),
    # compounds, both directions
    ("Hitzeschutz", {"pflege", "senioren", "koeln"}, {"laerm"}),
    ("Schutz vor Hitze", {"pflege", "senioren", "koeln"}, {"laerm"}),
    ("Hitzeschutzkonzept", {"koeln"}, {"laerm", "rad"}),
    ("Radverkehr", {"rad", "fahrrad"}, {"liefer"}),
    ("Fahrradverkehr", {"rad", "fahrrad"}, {"liefer"}),
    ("Verkehr mit dem Rad", {"rad"}, set()),
    ("Planung der Wärme", {"waerme"}, set()),
    ("Entwicklung der Quartiere", {"quartier"}, set()),
    ("Begrünung von Dächern", {"dach"}, set()),
    ("Anpassung an das Klima", {"klein"}, set()),
    ("Starkregen", {"regen"}, set()),
    ("Lärmschutz", {"laerm"}, {"pflege", "senioren", "koeln"}),
    ("Quartier", {"quartier", "schwamm"}, set()),
    # DE/EN thesaurus
    ("heat action plan", {"hap", "hap_en"}, {"pflege"}),
    ("Hitzeaktionsplan", {"hap", "hap_en"}, set()),
    ("cycling", {"rad", "fahrrad"}, set()),
    ("sponge city", {"schwamm"}, set()),
    ("Hitzeinsel", {"insel"}, set()),
    ("circular economy", {"kreislauf"}, set()),
    ("citizen participation", {"quartier", "digital"}, set()),
    ("green roof", {"dach"}, set()),
    ("heavy rain", {"regen"}, set()),
    ("city logistics", {"liefer"}, set()),
    ("climate adaptation", {"klein"}, set()),
    ("urban green", {"gruen"}, set()),
    ("heat transition", {"waerme"}, set()),
    # typos: exact query finds nothing, similar spellings do
    ("Hitzeschtuz", {"pflege"}, set()),
    ("Kreislaufwirtschft", {"kreislauf"}, set()),
    ("Bürgerbeteilgung", {"quartier", "digital"}, set()),
    ("Schwamstadt", {"schwamm"}, set()),
    ("Dachbegrunung", {"dach"}, set()),
    # operators keep working with the expansions
    ("Hitze -Pflegeeinrichtungen", {"senioren"}, {"pflege"}),
    ('"Radverkehr in Mittelstädten"', {"rad"}, {"fahrrad"}),
    ("Radverk*", {"rad"}, {"liefer"}),
]


@pytest.fixture(scope="module")
def corpus(app):
    from .conftest import reset_database

    reset_database()
    made = {key: factories.project(title=title, summary=summary)
            for key, (title, summary) in RECORDS.items()}
    db.session.commit()
    _, errors = indexing.rebuild()
    assert not errors
    return {key: record.title for key, record in made.items()}


def _titles(query: str) -> tuple[set[str], set[str]]:
    """All titles found, and those of the hits that match the whole query."""
    result = queries.search(indexing.client(), indexing.alias(), query, size=50, suggest=True)
    return {hit.title for hit in result.hits}, {hit.title for hit in result.hits if hit.all_terms}


def test_there_are_at_least_40_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize(("query", "expected", "excluded"), CASES, ids=[c[0] for c in CASES])
def test_german_query_case(corpus, query, expected, excluded):
    found, whole = _titles(query)
    missing = {corpus[k] for k in expected} - found
    assert not missing, f"{query!r} did not find {missing}; found {found}"
    wrong = {corpus[k] for k in excluded} & whole
    assert not wrong, f"{query!r} should not find {wrong}"
