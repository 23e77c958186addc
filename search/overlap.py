"""Overlap detection: text similarity plus structured evidence, one explained score.

Candidates come from `more_like_this` over title, summary, objectives and results; each is then
scored in Python so the score can say why: the distinctive terms both texts share and every
structured fact (shared topics, place, organisation, period, Verbund) with its weight.
Works on plain documents (dicts as stored in the index); imports nothing from the app.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch

from .access import PUBLIC, Access, access_filter
from .german import clean, fold

TEXT_FIELDS = ["title", "summary", "objectives", "results"]
# Candidates are also found through the inner parts of compounds (Radverkehrsnetz ~ Radroute).
CANDIDATE_FIELDS = [*TEXT_FIELDS, "title.parts", "body.parts"]
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

    # Calibrated on tests/data/overlap_cases.json (see tests/test_overlap_quality.py): the
    # text decides; a shared place is weak evidence (vocabulary-sharing decoys share it too).
    text: float = 1.0
    shared_topic: float = 0.02
    shared_sdg: float = 0.01
    shared_priority: float = 0.04
    same_municipality: float = 0.03
    same_state: float = 0.01
    same_organisation: float = 0.12
    overlapping_period: float = 0.05
    same_verbund: float = 0.25
    high: float = 0.30  # level "hoch" from this score on
    medium: float = 0.18  # level "mittel"


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


def _artificial(doc: dict[str, Any]) -> dict[str, Any]:
    return {"doc": {name: clean(str(doc.get(name) or "")) for name in TEXT_FIELDS},
            "fields": TEXT_FIELDS, "term_statistics": True, "field_statistics": True,
            "positions": False, "offsets": False}


_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
_DIGRAPH_E = re.compile(r"(?<!q)(?<=[aou])e")


def _normalised(word: str) -> str:
    """A word as the index's `german_normalization` spells it ('Kühlräume' -> 'kuhlraume')."""
    return _DIGRAPH_E.sub("", word.lower()).translate(_UMLAUTS)


def display_terms(doc: dict[str, Any], terms: list[str]) -> list[str]:
    """The words of `doc` that the index terms (normalised stems) stand for, for people:
    'kuhlraum' -> 'kühlräume'. A term without such a word stays as it is."""
    words = sorted({w.lower() for w in _WORD.findall(_text(doc))}, key=len)
    shown = []
    for term in terms:
        found = next((w for w in words if _normalised(w).startswith(term)
                      and len(_normalised(w)) - len(term) <= 3), term)
        shown.append(found)
    return list(dict.fromkeys(shown))


def vectors(client: Elasticsearch, alias: str,
            docs: list[dict[str, Any]]) -> list[dict[str, float]]:
    """tf-idf vectors of the documents' text as the index analyses it (normalised light
    stems, German stop words removed), with document frequencies from the whole index."""
    index = next(iter(client.indices.get_alias(name=alias)))
    response = client.mtermvectors(index=index, docs=[_artificial(d) for d in docs])
    result = []
    for item in response["docs"]:
        freq: Counter[str] = Counter()
        doc_freq: dict[str, int] = {}
        total = 1
        for stats in (item.get("term_vectors") or {}).values():
            total = max(total, stats.get("field_statistics", {}).get("doc_count", 1))
            for term, info in stats["terms"].items():
                if len(term) < 3 or term.isdigit() or fold(term) in STOPWORDS:
                    continue
                freq[term] += info["term_freq"]
                doc_freq[term] = max(doc_freq.get(term, 0), info.get("doc_freq", 0))
        result.append({t: (1 + math.log(n)) * math.log(1 + total / (1 + doc_freq[t]))
                       for t, n in freq.items()})
    return result


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    dot = sum(a[t] * b[t] for t in a.keys() & b.keys())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


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


@dataclass(frozen=True, slots=True)
class Profile:
    """The structured facts of a document, prepared once for many comparisons."""

    topics: frozenset[str]
    sdgs: frozenset[Any]
    priorities: frozenset[str]
    places: frozenset[str]
    states: frozenset[str]
    organisation: Any
    organisation_name: str
    verbund: Any
    period: tuple[date, date] | None

    @classmethod
    def of(cls, doc: dict[str, Any]) -> Profile:
        return cls(
            topics=frozenset(doc.get("topics") or ()), sdgs=frozenset(doc.get("sdgs") or ()),
            priorities=frozenset(doc.get("research_priorities") or ()),
            places=frozenset(doc.get("municipalities") or ()),
            states=frozenset(doc.get("states") or ()), organisation=doc.get("organisation"),
            organisation_name=doc.get("organisation_name") or "", verbund=doc.get("verbund"),
            period=_period(doc))


def evidence(a: Profile, b: Profile, w: Weights) -> list[tuple[str, float, Any]]:
    """Each structured fact two documents share: (name, weight, what is shared)."""
    found: list[tuple[str, float, Any]] = []
    if shared := a.topics & b.topics:
        found.append(("shared_topics", w.shared_topic * min(len(shared), 3), shared))
    if shared := a.sdgs & b.sdgs:
        found.append(("shared_sdgs", w.shared_sdg * min(len(shared), 3), shared))
    if shared := a.priorities & b.priorities:
        found.append(("shared_priorities", w.shared_priority * min(len(shared), 2), shared))
    if shared := a.places & b.places:
        found.append(("same_municipality", w.same_municipality, shared))
    elif shared := a.states & b.states:
        found.append(("same_state", w.same_state, shared))
    if a.organisation and a.organisation == b.organisation:
        found.append(("same_organisation", w.same_organisation, a.organisation_name))
    pa, pb = a.period, b.period
    if pa and pb and pa[0] <= pb[1] and pb[0] <= pa[1]:
        found.append(("overlapping_period", w.overlapping_period, None))
    if a.verbund and a.verbund == b.verbund:
        found.append(("same_verbund", w.same_verbund, a.verbund))
    return found


LABELS = {
    "shared_topics": "gemeinsame Themenfelder: {}", "shared_sdgs": "gemeinsame SDGs: {}",
    "shared_priorities": "gemeinsame Forschungsschwerpunkte: {}",
    "same_municipality": "gleiche Kommune (AGS {})", "same_state": "gleiches Land: {}",
    "same_organisation": "gleiche Organisation: {}", "overlapping_period": "überlappende Laufzeit",
    "same_verbund": "gleicher Verbund {}",
}


def explain(found: list[tuple[str, float, Any]]) -> list[dict[str, Any]]:
    """Evidence as shown to people: name, German label, weight, and the shared values (keys
    such as topic keys, for a caller that names them)."""
    def values(value: Any) -> list[str]:
        if isinstance(value, frozenset):
            return sorted(map(str, value))
        return [] if value is None else [str(value)]

    return [{"name": name, "label": LABELS[name].format(", ".join(values(value))),
             "weight": round(weight, 3), "values": values(value)}
            for name, weight, value in found]


def facts(a: dict[str, Any], b: dict[str, Any], w: Weights) -> list[dict[str, Any]]:
    """Each structured fact two documents share, with its weight and a German label."""
    return explain(evidence(Profile.of(a), Profile.of(b), w))


def score(source: dict[str, Any], candidates: list[dict[str, Any]],
          source_vector: dict[str, float], candidate_vectors: list[dict[str, float]],
          weights: Weights = Weights()) -> list[Candidate]:
    """Score and explain candidates against `source`, best first."""
    result = []
    for doc, vector in zip(candidates, candidate_vectors, strict=True):
        similarity = cosine(source_vector, vector)
        shared = sorted(source_vector.keys() & vector.keys(),
                        key=lambda t: (-source_vector[t] * vector[t], t))
        evidence = facts(source, doc, weights)
        total = min(1.0, weights.text * similarity + sum(f["weight"] for f in evidence))
        level = ("hoch" if total >= weights.high else
                 "mittel" if total >= weights.medium else None)
        result.append(Candidate(
            kind=doc.get("kind", ""), id=str(doc.get("id")), title=doc.get("title", ""),
            ressort=doc.get("ressort"), score=total, level=level,
            terms=display_terms(source, shared[:8]),
            facts=evidence, text_similarity=similarity, source=doc,
        ))
    return sorted(result, key=lambda c: -c.score)


def max_doc_freq(documents: int) -> int:
    """Terms in more documents than this find no candidates (they are in 2 % of the
    catalogue, so they say little, and their long posting lists cost the most time)."""
    return max(50, int(0.02 * documents))


_COUNTS: dict[str, tuple[float, int]] = {}


def _document_count(client: Elasticsearch, alias: str, max_age: float = 600.0) -> int:
    """The index's size, asked at most every ten minutes (it only sets a cut-off)."""
    now = time.monotonic()
    cached = _COUNTS.get(alias)
    if cached is None or now - cached[0] > max_age:
        cached = (now, int(client.count(index=alias)["count"]))
        _COUNTS[alias] = cached
    return cached[1]


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
        size=max(pool, size),
        query={"bool": {
            "must": [{"more_like_this": {
                "fields": CANDIDATE_FIELDS, "like": _text(source), "min_term_freq": 1,
                "min_doc_freq": 1, "max_query_terms": 30, "minimum_should_match": "5%",
                "max_doc_freq": max_doc_freq(_document_count(client, alias)),
            }}],
            "filter": [access_filter(access), {"terms": {"kind": list(kinds)}}],
            "must_not": must_not,
        }},
        source_excludes=["spell", "complete"],
    )
    docs = [h["_source"] for h in response["hits"]["hits"]]
    if not docs:
        return []
    source_vector, *candidate_vectors = vectors(client, alias, [source, *docs])
    return score(source, docs, source_vector, candidate_vectors, weights)[:size]
