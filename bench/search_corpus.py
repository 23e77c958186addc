"""The synthetic German catalogue of the search benchmarks: records, a query mix, and filling
the bench indices as the app fills them (every record into the catalogue index, the public
ones also into the public index). Used by bench/search.py and bench/public_index.py."""

from __future__ import annotations

import random
import time
import zlib
from datetime import date, timedelta
from typing import Any

from elasticsearch.helpers import parallel_bulk

from search import indices
from search.access import is_public
from zukunftsstadt.services.documents import with_search_fields

RESSORTS = ["BMFTR", "BMWSB", "BMUKN", "BMWE", "BMV", "BMDS", "BMLEH", "BMAS", "BMBFSFJ", "BMG"]
STATES = ["BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST",
          "SH", "TH"]
CITY_TYPES = ["Großstadt", "Mittelstadt", "Kleinstadt", "Landgemeinde"]
CITIES = ["Leipzig", "Dresden", "Köln", "München", "Görlitz", "Lüneburg", "Würzburg",
          "Bochum", "Kassel", "Rostock", "Erfurt", "Jena", "Freiburg", "Münster", "Cottbus",
          "Halle (Saale)", "Oldenburg", "Bamberg", "Wittenberge", "Eberswalde", "Saarbrücken",
          "Kiel", "Lübeck", "Heidelberg", "Tübingen", "Potsdam", "Magdeburg", "Schwerin"]
TOPICS = {
    "klimaanpassung": "Klimaanpassung", "klimaschutz": "Klimaschutz", "mobilitaet": "Mobilität",
    "wohnen": "Wohnen", "energie": "Energie und Wärme", "gruen": "Stadtgrün",
    "wasser": "Wasser", "digital": "Digitalisierung", "beteiligung": "Beteiligung",
    "kreislauf": "Kreislaufwirtschaft", "gesundheit": "Gesundheit", "handel": "Innenstadt",
}
THEMES = [
    ("Hitzeschutz", "Hitze"), ("Radverkehr", "Fahrrad"), ("Schwammstadt", "Regenwasser"),
    ("Quartiersentwicklung", "Quartier"), ("Wärmeplanung", "Wärme"),
    ("Dachbegrünung", "Gründach"), ("Bürgerbeteiligung", "Beteiligung"),
    ("Kreislaufwirtschaft", "Baustoffe"), ("Mobilitätsstationen", "Carsharing"),
    ("Starkregenvorsorge", "Starkregen"), ("Innenstadtentwicklung", "Leerstand"),
    ("Lieferverkehr", "Lastenrad"), ("Stadtgrün", "Bäume"), ("Energiewende", "Photovoltaik"),
    ("Digitalisierung der Verwaltung", "Daten"), ("Gemeinschaftsgärten", "Nachbarschaft"),
    ("Lärmschutz", "Verkehrslärm"), ("Hitzeaktionsplan", "Pflegeeinrichtungen"),
    ("Sozialer Zusammenhalt", "Nachbarschaft"), ("Bezahlbarer Wohnraum", "Mieten"),
]
APPROACHES = ["im Bestand", "in Klein- und Mittelstädten", "im ländlichen Raum",
              "für ältere Menschen", "mit Reallaboren", "durch Kooperation von Kommunen",
              "als Modellvorhaben", "in Großwohnsiedlungen", "an Schulen", "im Quartier"]
SENTENCES = [
    "Das Vorhaben entwickelt gemeinsam mit der Kommune {b} Maßnahmen zum Thema {a}.",
    "Im Mittelpunkt stehen {a} und die Frage, wie Städte mit {b} umgehen.",
    "Die Ergebnisse werden in einem Leitfaden für die kommunale Praxis veröffentlicht.",
    "Bewohnerinnen und Bewohner werden von Beginn an in die Planung einbezogen.",
    "Mit Messungen und Befragungen wird die Wirkung der Maßnahmen im Stadtteil bewertet.",
    "Ziel ist ein übertragbares Konzept für {a} in Quartieren unterschiedlicher Größe.",
    "Die Verwaltung erprobt neue Verfahren, um {b} schneller umzusetzen.",
    "Partner aus Wissenschaft, Wirtschaft und Zivilgesellschaft arbeiten zusammen.",
]
QUERY_WORDS = [
    "Hitzeschutz", "Schutz vor Hitze", "Radverkehr", "cycling", "Schwammstadt", "Quartier",
    "Quartieren", "Städte", "Wärmeplanung", "Waermeplanung", "heat action plan",
    "Dachbegrünung", "Bürgerbeteiligung", "Kreislaufwirtschaft", "Mobilitätsstationen",
    "Starkregen", "Leerstand Innenstadt", "Lastenrad", "Stadtgruen", "Photovoltaik",
    "Nachbarschaft", "Leipzig", "Hitze Pflegeeinrichtungen", "\"im Bestand\"", "Quartier*",
    "Hitzeschtuz", "Regenwasser -Starkregen", "Hitze | Starkregen", "Daten Verwaltung",
    "Mieten", "Kommune Görlitz", "Reallabor", "Baustoffe", "sponge city", "Bäume",
]


def _doc(n: int, rng: random.Random) -> dict[str, Any]:
    roll = rng.random()
    kind = ("project" if roll < 0.85 else "programme" if roll < 0.93
            else "lab" if roll < 0.98 else "priority")
    theme, word = rng.choice(THEMES)
    approach = rng.choice(APPROACHES)
    cities = rng.sample(CITIES, rng.choice([1, 1, 1, 2, 3]))
    start = date(2005, 1, 1) + timedelta(days=rng.randrange(0, 21 * 365))
    summary = " ".join(rng.choice(SENTENCES).format(a=theme, b=word) for _ in range(4))
    topics = rng.sample(list(TOPICS), rng.choice([1, 2, 3]))
    ressort = rng.choice(RESSORTS)
    published = rng.random() < 0.9
    doc: dict[str, Any] = {
        "kind": kind, "id": str(n), "version": 1,
        "title": f"{theme} {approach}" + (f" in {cities[0]}" if kind != "priority" else ""),
        "acronym": f"{theme[:4].upper()}{n % 97}" if kind == "project" else None,
        "fkz": f"03SF{n:05d}{rng.choice('AB')}" if kind == "project" else None,
        "summary": summary,
        "objectives": f"Ziele: {theme} {approach}; {word} in {', '.join(cities)}.",
        "results": "" if start.year > 2022 else f"Ergebnisse zu {word} liegen vor.",
        "publication_status": "published" if published else "draft",
        "confidential": kind == "programme" and rng.random() < 0.05,
        "ressort": ressort, "ressort_name": f"Bundesministerium {ressort}",
        "programme": f"prg-{rng.randrange(300)}",
        "programme_title": f"Förderprogramm {theme}",
        "topics": topics, "topic_names": [TOPICS[t] for t in topics],
        "sdgs": rng.sample([3, 6, 7, 9, 11, 12, 13, 15], 2),
        "municipalities": [f"{zlib.crc32(c.encode()) % 10**8:08d}" for c in cities],
        "municipality_names": cities,
        "states": sorted({STATES[zlib.crc32(c.encode()) % 16] for c in cities}),
        "city_types": sorted({CITY_TYPES[zlib.crc32(c.encode()) % 4] for c in cities}),
        "status": rng.choice(["planned", "open", "running", "completed"])
        if kind == "programme" else None,
        "phase": rng.choice(["Konzeption", "Umsetzung", "Verstetigung"]) if kind == "lab"
        else None,
        "start_date": start.isoformat(),
        "end_date": (start + timedelta(days=rng.randrange(365, 5 * 365))).isoformat(),
        "funding_year": start.year,
        "budget_eur": round(rng.lognormvariate(12.5, 1.2), 2),
    }
    return with_search_fields(doc)


def generate(size: int, seed: int = 7) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [_doc(n, rng) for n in range(1, size + 1)]


def query_mix(count: int = 200, seed: int = 11) -> list[dict[str, Any]]:
    """A fixed mix: text and browse queries, facet filters, ranges, sorts, pages."""
    rng = random.Random(seed)
    mix = []
    for _ in range(count):
        args: dict[str, Any] = {}
        if rng.random() < 0.85:
            args["q"] = rng.choice(QUERY_WORDS)
        if rng.random() < 0.5:
            args["kind"] = rng.choice(["project", "programme", "lab"])
        if rng.random() < 0.3:
            args["ressort"] = rng.sample(RESSORTS, rng.choice([1, 2]))
        if rng.random() < 0.3:
            args["topic"] = rng.choice(list(TOPICS))
        if rng.random() < 0.2:
            args["land"] = rng.choice(STATES)
        if rng.random() < 0.15:
            args["year_from"], args["year_to"] = 2015, 2022
        if rng.random() < 0.1:
            args["budget_min"] = 500000
        if rng.random() < 0.25:
            args["sort"] = rng.choice(["start_desc", "amount_desc"])
        if rng.random() < 0.2:
            args["page"] = rng.choice([2, 3, 10])
        mix.append(args)
    return mix


def fill(es: Any, prefix: str, docs: list[dict[str, Any]],
         names: tuple[str, ...] = indices.NAMES) -> tuple[float, int]:
    """Index `docs` into fresh indices `names` in one stream, swap the aliases and merge;
    returns (seconds of the bulk load, failed writes)."""
    new = {name: indices.begin_rebuild(es, prefix, name) for name in names}
    ops = ({"_index": index, "_id": f"{d['kind']}-{d['id']}", "_source": d, "version": 1,
            "version_type": "external_gte"}
           for d in docs for name, index in new.items()
           if name == indices.CATALOGUE or is_public(d))
    started = time.perf_counter()
    failed = sum(1 for ok, _ in parallel_bulk(es, ops, thread_count=2, chunk_size=1000,
                                              raise_on_error=False) if not ok)
    seconds = time.perf_counter() - started
    for name, index in new.items():
        indices.finish_rebuild(es, prefix, index, name)
        es.options(request_timeout=900).indices.forcemerge(index=index, max_num_segments=5)
    return seconds, failed
