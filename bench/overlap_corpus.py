"""A synthetic catalogue for the overlap benchmark, with a realistic vocabulary and planted
cross-Ressort overlaps.

The corpus of bench/search_corpus.py builds every text from 20 themes, so each record there has
about 5 % of the corpus as near-copies: fine for search latency, useless for overlap
detection. Here each record draws its words from about 28,000 compound nouns: a third from
its programme's theme (so similar records mostly share a Ressort, as in real portfolios), the
rest Zipf-distributed, in German sentence frames; and every 200th record restates an
earlier record of another Ressort in other sentences: those are the planted pairs the scan
must find. Structured fields (Ressort, places, topics, period, budget) come from
bench/search_corpus.py.
"""

from __future__ import annotations

import random
import zlib
from typing import Any

from bench import search_corpus

FIRST = ["Regen", "Wasser", "Hitze", "Wärme", "Energie", "Rad", "Verkehr", "Quartier", "Stadt",
    "Grün", "Dach", "Fassade", "Boden", "Baum", "Park", "Schul", "Kita", "Pflege", "Senioren",
    "Jugend", "Bürger", "Nachbarschafts", "Daten", "Sensor", "Mobilitäts", "Bus", "Bahn",
    "Liefer", "Logistik", "Handels", "Laden", "Markt", "Wohn", "Miet", "Bau", "Holz", "Beton",
    "Kreislauf", "Abfall", "Lärm", "Luft", "Klima", "Strom", "Solar", "Speicher", "Lade",
    "Fußgänger", "Spiel", "Sport", "Kultur", "Bibliotheks", "Gesundheits", "Ernährungs", "Garten",
    "Acker", "Wald", "Fluss", "Ufer", "Brücken", "Straßen", "Platz", "Kanal", "Hafen",
    "Innenstadt", "Dorf", "Gewerbe", "Industrie", "Flächen", "Leerstands", "Zukunfts", "Schwamm",
    "Versickerungs", "Kühl", "Schatten", "Trinkwasser", "Abwasser", "Wärmepumpen", "Fernwärme",
    "Nahwärme", "Tram", "Seilbahn", "Carsharing", "Lastenrad", "Ruf", "Pendler"]
SECOND = ["management", "konzept", "netz", "plan", "strategie", "system", "kataster",
    "monitoring", "modell", "labor", "station", "speicher", "ausbau", "sanierung", "beratung",
    "förderung", "dialog", "werkstatt", "plattform", "verbund", "atlas", "check", "index",
    "pilot", "programm", "zentrum", "initiative", "service", "lösung", "analyse", "agentur",
    "lotse", "fonds", "zähler", "bilanz", "szenario", "leitbild"]
# about 3,000 two-part and 30,000 three-part compounds, in a fixed shuffled order (rank = Zipf)
WORDS = [f + s for f in FIRST for s in SECOND] + [
    f + m.lower() + s for f in FIRST for m in FIRST[::3] for s in SECOND[::4]]
random.Random(1).shuffle(WORDS)
CLUSTER = 12  # a programme's theme: twelve words its projects share
FRAMES = [
    "Das Vorhaben entwickelt mit der Kommune ein {0} und verbindet es mit dem {1}.",
    "Im Mittelpunkt stehen {0} und {1} für die kommunale Praxis.",
    "Erprobt werden {0}, {1} und {2} in ausgewählten Stadtteilen.",
    "Ziel ist ein übertragbares {0}, das {1} und {2} zusammenführt.",
    "Die Verwaltung setzt {0} gemeinsam mit Partnern aus dem {1} um.",
    "Mit Messungen wird die Wirkung von {0} auf {1} bewertet.",
    "Bewohnerinnen und Bewohner gestalten {0} und {1} von Beginn an mit.",
    "Die Ergebnisse fließen in {0} und einen Leitfaden zum {1} ein.",
]
PLANT_EVERY = 200


def _words(rng: random.Random, theme: list[str], count: int) -> list[str]:
    """A third of the words from the record's theme, the rest Zipf-distributed overall."""
    themed = [rng.choice(theme) for _ in range(count // 3)]
    general = [WORDS[min(len(WORDS) - 1, int((rng.paretovariate(1.1) - 1) * 50))]
               for _ in range(count - len(themed))]
    return themed + general


def _theme(doc: dict[str, Any]) -> list[str]:
    """A programme's projects share its theme words; a programme belongs to one Ressort."""
    seed = zlib.crc32(f"{doc['ressort']}/{doc['programme']}".encode())
    return random.Random(seed).sample(WORDS, CLUSTER)


def _places(rng: random.Random, doc: dict[str, Any]) -> None:
    """1-3 of Germany's about 11,000 municipalities, large ones more often (bench/search.py
    uses 28 cities: far too few places for a fair test of "same Kommune")."""
    codes = {min(10_999, int((rng.paretovariate(0.8) - 1) * 40)) for _ in range(rng.choice(
        [1, 1, 1, 2, 3]))}
    doc["municipalities"] = [f"{1 + c % 16:02d}{c:06d}" for c in sorted(codes)]
    doc["states"] = sorted({search_corpus.STATES[c % 16] for c in codes})


def _text(rng: random.Random, words: list[str]) -> tuple[str, str, str]:
    sentences, pool = [], list(words)
    rng.shuffle(pool)
    while pool:
        frame = rng.choice(FRAMES)
        need = frame.count("{")
        take, pool = pool[:need], pool[need:]
        sentences.append(frame.format(*(take + ["Quartier"] * need)))
    summary = " ".join(sentences)
    objectives = "Ziele: " + ", ".join(rng.sample(words, min(4, len(words)))) + "."
    results = "Ergebnisse zu " + " und ".join(rng.sample(words, min(2, len(words)))) + "."
    return summary, objectives, results


def generate(size: int, seed: int = 7) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """`size` documents and the planted cross-Ressort pairs as document ids."""
    rng = random.Random(seed)
    docs: list[dict[str, Any]] = []
    vocab: list[list[str]] = []
    planted: list[tuple[str, str]] = []
    for n in range(1, size + 1):
        doc = search_corpus._doc(n, rng)
        if doc["kind"] == "priority":
            docs.append(doc)
            vocab.append([])
            continue
        source = None
        if n % PLANT_EVERY == 0 and docs:
            source = next((d for d in reversed(docs[-50:]) if d["kind"] != "priority"
                           and d["ressort"] != doc["ressort"]), None)
        if source is not None:
            words = vocab[int(source["id"]) - 1]
            words = rng.sample(words, int(len(words) * 0.8)) + _words(rng, _theme(doc), 4)
            planted.append((f"{source['kind']}-{source['id']}", f"{doc['kind']}-{doc['id']}"))
        else:
            words = _words(rng, _theme(doc), rng.randint(12, 24))
        _places(rng, doc)
        summary, objectives, results = _text(rng, words)
        title_words = rng.sample(words, 2)
        doc.update(title=f"{title_words[0]} und {title_words[1]}", summary=summary,
                   objectives=objectives, results=results)
        docs.append(search_corpus.with_search_fields(doc))
        vocab.append(words)
    return docs, planted
