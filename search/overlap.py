"""Overlap detection: text similarity plus structured evidence, one explained score.

Candidates come from `more_like_this` over title, summary, objectives and results; each is then
scored in Python so the score can say why: the distinctive terms both texts share and every
structured fact (shared topics, place, organisation, period, Verbund) with its weight.
Works on plain documents (dicts as stored in the index); imports nothing from the app.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from .german import clean, fold
from .queries import PUBLIC, Access, access_filter

TEXT_FIELDS = ["title", "summary", "objectives", "results"]
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
STOPWORDS = frozenset(
    word
    for line in (Path(__file__).parent / "data" / "overlap_stopwords.txt").read_text(
        encoding="utf-8").splitlines() if not line.startswith("#")
    for word in line.split()
)


@dataclass(frozen=True)
class Weights:
    """How much each kind of evidence adds to the score (kept in configuration)."""

    text: float = 0.7
    shared_topic: float = 0.04
    shared_sdg: float = 0.01
    shared_priority: float = 0.06
    same_municipality: float = 0.10
    same_state: float = 0.03
    same_organisation: float = 0.12
    overlapping_period: float = 0.05
    same_verbund: float = 0.25
    high: float = 0.42  # level "hoch" from this score on
    medium: float = 0.26  # level "mittel"


@dataclass
class Candidate:
    kind: str
    id: str
    title: str
    ressort: str | None
    score: float
    level: str | None
    terms: list[str] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)
    text_similarity: float = 0.0
    source: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "ressort": self.ressort, "title": self.title,
                "score": round(self.score, 3), "level": self.level,
                "reasons": {"terms": self.terms, "facts": self.facts}}


def _text(doc: dict[str, Any]) -> str:
    return " ".join(str(doc.get(name) or "") for name in TEXT_FIELDS)


def _stem(word: str) -> str:
    """A light German suffix strip so that Quartier/Quartiere/Quartieren meet."""
    for suffix in ("ungen", "innen", "ern", "en", "er", "es", "e", "n", "s"):
        if len(word) - len(suffix) >= 5 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def terms(doc: dict[str, Any]) -> Counter[str]:
    """Content-word stems of a document's text, with their surface form kept separately."""
    return Counter(
        _stem(fold(w)) for w in _WORD.findall(clean(_text(doc)).lower())
        if fold(w) not in STOPWORDS and w not in STOPWORDS
    )


def _surface(doc: dict[str, Any]) -> dict[str, str]:
    forms: dict[str, str] = {}
    for word in _WORD.findall(clean(_text(doc))):
        forms.setdefault(_stem(fold(word.lower())), word)
    return forms


def text_similarity(a: Counter[str], b: Counter[str], idf: dict[str, float]) -> float:
    """Cosine similarity of tf-idf vectors."""
    dot = sum(a[t] * b[t] * idf.get(t, 1.0) ** 2 for t in a.keys() & b.keys())
    norm_a = math.sqrt(sum((v * idf.get(t, 1.0)) ** 2 for t, v in a.items()))
    norm_b = math.sqrt(sum((v * idf.get(t, 1.0)) ** 2 for t, v in b.items()))
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def _period(doc: dict[str, Any]) -> tuple[date, date] | None:
    try:
        start = date.fromisoformat(str(doc.get("start_date"))[:10])
    except ValueError:
        return None
    try:
        end = date.fromisoformat(str(doc.get("end_date"))[:10])
    except ValueError:
        end = start
    return start, end


def _shared(a: dict[str, Any], b: dict[str, Any], name: str) -> list[Any]:
    return sorted(set(a.get(name) or []) & set(b.get(name) or []))


def facts(a: dict[str, Any], b: dict[str, Any], w: Weights) -> list[dict[str, Any]]:
    """Each structured fact two documents share, with its weight and a German label."""
    found: list[dict[str, Any]] = []

    def add(name: str, label: str, weight: float) -> None:
        found.append({"name": name, "label": label, "weight": round(weight, 3)})

    topics = _shared(a, b, "topics")
    if topics:
        add("shared_topics", "gemeinsame Themenfelder: " + ", ".join(topics),
            w.shared_topic * min(len(topics), 3))
    sdgs = _shared(a, b, "sdgs")
    if sdgs:
        add("shared_sdgs", "gemeinsame SDGs: " + ", ".join(map(str, sdgs)),
            w.shared_sdg * min(len(sdgs), 3))
    priorities = _shared(a, b, "research_priorities")
    if priorities:
        add("shared_priorities", "gemeinsame Forschungsschwerpunkte: " + ", ".join(priorities),
            w.shared_priority * min(len(priorities), 2))
    places = _shared(a, b, "municipalities")
    if places:
        add("same_municipality", "gleiche Kommune (AGS " + ", ".join(places) + ")",
            w.same_municipality)
    elif _shared(a, b, "states"):
        add("same_state", "gleiches Land: " + ", ".join(_shared(a, b, "states")), w.same_state)
    if a.get("organisation") and a.get("organisation") == b.get("organisation"):
        add("same_organisation", f"gleiche Organisation: {a.get('organisation_name') or ''}",
            w.same_organisation)
    pa, pb = _period(a), _period(b)
    if pa and pb and pa[0] <= pb[1] and pb[0] <= pa[1]:
        add("overlapping_period", "überlappende Laufzeit", w.overlapping_period)
    if a.get("verbund") and a.get("verbund") == b.get("verbund"):
        add("same_verbund", f"gleicher Verbund {a['verbund']}", w.same_verbund)
    return found


def score(source: dict[str, Any], candidates: list[dict[str, Any]],
          weights: Weights = Weights()) -> list[Candidate]:
    """Score and explain candidates against `source`, best first."""
    bags = [terms(c) for c in candidates]
    mine = terms(source)
    docs = [mine, *bags]
    df = Counter(t for bag in docs for t in bag)
    idf = {t: math.log(1 + len(docs) / n) for t, n in df.items()}
    surface = _surface(source)
    result = []
    for doc, bag in zip(candidates, bags, strict=True):
        similarity = text_similarity(mine, bag, idf)
        shared = sorted(mine.keys() & bag.keys(), key=lambda t: (-idf[t] * min(mine[t], bag[t]), t))
        evidence = facts(source, doc, weights)
        total = min(1.0, weights.text * similarity + sum(f["weight"] for f in evidence))
        level = ("hoch" if total >= weights.high else
                 "mittel" if total >= weights.medium else None)
        result.append(Candidate(
            kind=doc.get("kind", ""), id=str(doc.get("id")), title=doc.get("title", ""),
            ressort=doc.get("ressort"), score=total, level=level,
            terms=[surface.get(t, t) for t in shared[:8]], facts=evidence,
            text_similarity=similarity, source=doc,
        ))
    return sorted(result, key=lambda c: -c.score)


def find(
    client: Elasticsearch,
    alias: str,
    source: dict[str, Any],
    *,
    exclude_ids: list[str] | None = None,
    exclude_ressort: str | None = None,
    kinds: tuple[str, ...] = ("project", "programme", "lab"),
    access: Access = PUBLIC,
    pool: int = 30,
    size: int = 5,
    weights: Weights = Weights(),
) -> list[Candidate]:
    """The `size` best explained candidates for a document (indexed or planned)."""
    must_not: list[dict[str, Any]] = []
    if exclude_ids:
        must_not.append({"ids": {"values": exclude_ids}})
    if exclude_ressort:
        must_not.append({"term": {"ressort": exclude_ressort}})
    response = client.search(
        index=alias,
        size=pool,
        query={"bool": {
            "must": [{"more_like_this": {
                "fields": TEXT_FIELDS, "like": _text(source), "min_term_freq": 1,
                "min_doc_freq": 1, "max_query_terms": 50, "minimum_should_match": "10%",
            }}],
            "filter": [access_filter(access), {"terms": {"kind": list(kinds)}}],
            "must_not": must_not,
        }},
        source_excludes=["compounds", "spell", "complete"],
    )
    docs = [h["_source"] for h in response["hits"]["hits"]]
    return score(source, docs, weights)[:size]
