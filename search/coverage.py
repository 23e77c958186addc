"""Research-priority coverage by text: which records' texts match a priority's description.

One method for every record, tagged or not:

1. The priority's text (title and description) is analysed by the index itself (`_analyze`
   with a text field's analyzer); each surface word that keeps a token is a query word, so stop
   words drop out and whatever the mapping does (stemming today; decompounding, normalisation
   and synonyms later) applies without a word list here. The dictionary parts of its compounds
   (`search.german.word_parts`) are terms too, weighted `part_weight`; all terms are matched
   on the decompounded `title.parts` and `body.parts` (summary, objectives, results), which hold
   whole words and the parts of compounds.
2. Each word's document frequency among the candidate records is counted by the index, with
   the same `multi_match` the scoring uses; a word's weight is its BM25 idf. A word no record
   uses keeps a share of the rarest word's weight (`unknown_weight`): a priority whose
   vocabulary the catalogue lacks is not covered.
3. One query per priority: a `constant_score` clause per word, named after the word and boosted
   by its share of the priority's total weight. A record's score is therefore the weighted share
   of the priority's vocabulary it contains, between 0 and 1 on every priority (calibrated across
   queries), `min_score` lets the index drop everything below the floor, and `matched_queries`
   say which words a match shares.
4. Cuts (`Thresholds`): an absolute floor, a share of the best score of the same priority, a
   share of the record's own best priority score, and a minimum number of shared words.
5. Widening (`expanded_relative` > 0): pseudo-relevance feedback with `more_like_this` from
   the priority's text and its best direct matches, so records that say the same in other
   words count too; only for priorities with a direct match above the floor. (On the
   development set: precision/recall 0.63/0.58 without, 0.78/0.59 with.)
6. Neighbours (`programme_weight`, `topic_weight`, `link_weight` > 0): the records of one
   programme, those with one topic, and a Reallabor with its projects (`links`, from the
   database) mostly serve the same priorities. A record's widened score on a priority is
   raised by the mean widened score of the other records of each of its groups on that
   priority; only priorities the record matches by text itself are raised, so every match
   keeps its own evidence.

No cap on the number of hits: all records above `read_floor` are read (`search_after`). Steps
4 and 6 and the thresholds are in `search.coverage_cuts` (pure Python on what the index
returned). Imports nothing from the app.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from elasticsearch import Elasticsearch

from .coverage_cuts import Match, Thresholds, cut
from .german import word_parts

# The text fields a record is matched on (projects: title, summary, objectives, results; labs:
# name as title and description as summary), in their decompounded form (`*.parts`, mapping v3):
# each holds the whole words as well as the parts of compounds, so "Wärme" finds
# "Abwasserwärme" and "Fernwärmenetz".
MATCH_FIELDS = ("title.parts", "body.parts")
# The same texts as whole words only: a compound's part counts as a term only where some record
# uses it as a word of its own, so splitting artefacts ("Genossen|schaften", "verb|essern")
# match nothing.
WORD_FIELDS = ("title", "body")
ANALYZED_FIELD = "summary"  # whose analyzer tells which words of a priority carry meaning
PAGE = 5000


@dataclass
class PriorityText:
    key: int
    title: str
    description: str


def _words(client: Elasticsearch, index: str, text: str) -> list[str]:
    """The words of `text` that the index's analyzer keeps, as written, in order, once each."""
    if not text.strip():
        return []
    tokens = client.indices.analyze(index=index, field=ANALYZED_FIELD, text=text)["tokens"]
    seen: dict[str, str] = {}
    for token in tokens:
        word = text[token["start_offset"]:token["end_offset"]]
        if len(word) >= 3 and not word.isdigit():
            seen.setdefault(word.casefold(), word)
    return list(seen.values())


def _parts(words: Iterable[str]) -> dict[str, str]:
    """The parts of the compounds among `words` (dictionary split, `search.german`), each
    mapped to the compound it comes from; parts shorter than four letters are left out."""
    found: dict[str, str] = {}
    for word in words:
        for part in word_parts(word):
            if len(part) >= 4 and part.casefold() != word.casefold():
                found.setdefault(part, word)
    return found


def _clause(word: str, fields: Sequence[str] = MATCH_FIELDS) -> dict[str, Any]:
    return {"multi_match": {"query": word, "fields": list(fields)}}


def _doc_freqs(client: Elasticsearch, index: str, words: Iterable[str],
               base: dict[str, Any], fields: Sequence[str] = MATCH_FIELDS) -> dict[str, int]:
    """How many candidate records each word matches (one msearch per 200 words)."""
    words = sorted(set(words))
    found: dict[str, int] = {}
    for start in range(0, len(words), 200):
        chunk = words[start:start + 200]
        body: list[dict[str, Any]] = []
        for word in chunk:
            body += [{"index": index}, {"size": 0, "track_total_hits": True, "query": {
                "bool": {"filter": [base], "must": [_clause(word, fields)]}}}]
        for word, answer in zip(chunk, client.msearch(searches=body)["responses"], strict=True):
            if "error" in answer:
                raise RuntimeError(f"msearch: {answer['error']}")
            found[word] = answer["hits"]["total"]["value"]
    return found


def _count(client: Elasticsearch, index: str, base: dict[str, Any]) -> int:
    return int(client.count(index=index, query=base)["count"])


def _idf(n: int, df: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def weights(title_words: Sequence[str], words: Sequence[str], freqs: dict[str, int], n: int,
            t: Thresholds, parts: dict[str, str] | None = None) -> dict[str, float]:
    """Each term's share of the priority's total weight (the shares sum to 1). A term is a
    word of the priority or a part of one of its compounds (`parts`: part -> compound), which
    weighs `part_weight` of a word; a part no record uses adds nothing."""
    title = {w.casefold() for w in title_words}
    unknown = _idf(n, 1) * t.unknown_weight
    raw = {w: (_idf(n, freqs[w]) if freqs.get(w) else unknown)
           * (t.title_weight if w.casefold() in title else 1.0) for w in words}
    seen = {w.casefold() for w in words}
    for part, word in (parts or {}).items():
        if part.casefold() not in seen and freqs.get(part):
            raw[part] = (_idf(n, freqs[part]) * t.part_weight
                         * (t.title_weight if word.casefold() in title else 1.0))
    total = math.fsum(raw.values()) or 1.0
    return {w: v / total for w, v in raw.items()}


def asked(words: Iterable[str], freqs: dict[str, int], n: int, t: Thresholds) -> list[str]:
    """The words worth a query clause: used by some record, and not by most of them."""
    limit = max(t.common * n, t.common_min)
    return [w for w in words if 0 < freqs.get(w, 0) <= limit]


def _hits(client: Elasticsearch, index: str, weights: dict[str, float], words: list[str],
          base: dict[str, Any], min_score: float, min_words: int) -> list[Match]:
    if not words:
        return []
    query = {"bool": {"filter": [base], "should": [
        {"constant_score": {"filter": _clause(w), "boost": weights[w], "_name": w}}
        for w in words], "minimum_should_match": max(1, min_words)}}
    found: list[Match] = []
    after: list[Any] | None = None
    while True:
        page = client.search(index=index, query=query, size=PAGE, sort=["_doc"],
                             search_after=after, track_scores=True, min_score=min_score,
                             source_includes=["kind", "id", "ressort"], track_total_hits=False)
        hits = page["hits"]["hits"]
        for hit in hits:
            source = hit["_source"]
            terms = sorted(hit.get("matched_queries") or [], key=lambda w: -weights.get(w, 0))
            found.append(Match(source["kind"], int(source["id"]), source.get("ressort"),
                               float(hit["_score"]), terms))
        if len(hits) < PAGE:
            return found
        after = hits[-1]["sort"]


@dataclass
class Gathered:
    """What the index says about the priorities' words: enough to score and cut again under
    other thresholds without asking the index (calibration)."""

    n: int
    freqs: dict[str, int]
    vocabulary: dict[int, tuple[list[str], list[str]]]  # key -> (title words, all words)
    raw: dict[int, list[Match]]
    expanded: dict[int, list[Match]] = field(default_factory=dict)  # score: share of the best
    parts: dict[int, dict[str, str]] = field(default_factory=dict)  # key -> part -> compound
    sizes: dict[str, int] = field(default_factory=dict)  # records per programme and topic

    def rescored(self, t: Thresholds) -> dict[int, list[Match]]:
        result = {}
        for key, matches in self.raw.items():
            w = weights(*self.vocabulary[key], self.freqs, self.n, t, self.parts.get(key))
            result[key] = [Match(m.kind, m.id, m.ressort, math.fsum(w.get(x, 0) for x in m.terms),
                                 sorted(m.terms, key=lambda x: -w.get(x, 0))) for m in matches]
        return cut(result, t, self.expanded, self.sizes)


def gather(client: Elasticsearch, alias: str, priorities: Sequence[PriorityText],
           base: dict[str, Any], t: Thresholds, *, min_score: float | None = None,
           min_words: int | None = None,
           progress: Callable[[int], None] | None = None,
           links: Links | None = None) -> Gathered:
    """Ask the index for every priority's matches at or above `min_score` (default
    `read_floor`) sharing at least `min_words` terms (default 1). `links`: the groups of
    linked records the database knows (a Reallabor and its projects), as neighbours."""
    index = next(iter(client.indices.get_alias(name=alias)))
    n = _count(client, index, base)
    vocabulary = {p.key: (_words(client, index, p.title),
                          _words(client, index, f"{p.title}\n{p.description}"))
                  for p in priorities}
    parts = {key: _parts(words) for key, (_, words) in vocabulary.items()}
    standalone = _doc_freqs(client, index, {x for ps in parts.values() for x in ps}, base,
                            WORD_FIELDS)
    parts = {key: {x: w for x, w in ps.items() if standalone.get(x)}
             for key, ps in parts.items()}
    freqs = _doc_freqs(client, index, [*(w for _, ws in vocabulary.values() for w in ws),
                                       *(x for ps in parts.values() for x in ps)], base)
    raw: dict[int, list[Match]] = {}
    for p in priorities:
        title_words, words = vocabulary[p.key]
        w = weights(title_words, words, freqs, n, t, parts[p.key])
        raw[p.key] = _hits(client, index, w, asked(w, freqs, n, t), base,
                           t.read_floor if min_score is None else min_score,
                           1 if min_words is None else min_words) if n else []
        if progress:
            progress(1)
    expanded = {p.key: _expand(client, index, p, raw[p.key], base, t) for p in priorities
                } if t.expanded_relative > 0 else {}
    sizes = _group_sizes(client, index, base) if expanded else {}
    if expanded and links:
        for matches in expanded.values():
            for m in matches:
                m.groups += links.get((m.kind, m.id), ())
        for groups in links.values():
            for group in groups:
                sizes[group] = sizes.get(group, 0) + 1
    return Gathered(n, freqs, vocabulary, raw, expanded, parts, sizes)


GROUP_FIELDS = {"programme": "programme", "topics": "topic"}  # index field -> group
# (kind, id) -> groups of linked records ("link:<lab id>": a Reallabor and its projects)
Links = dict[tuple[str, int], tuple[str, ...]]


def _groups(source: dict[str, Any]) -> tuple[str, ...]:
    found: list[str] = []
    for name, group in GROUP_FIELDS.items():
        value = source.get(name)
        for key in value if isinstance(value, list) else [value] if value else []:
            found.append(f"{group}:{key}")
    return tuple(found)


def _group_sizes(client: Elasticsearch, index: str, base: dict[str, Any]) -> dict[str, int]:
    """How many candidate records each programme and each topic has."""
    aggs = {name: {"terms": {"field": name, "size": 10000}} for name in GROUP_FIELDS}
    answer = client.search(index=index, query=base, size=0, aggs=aggs, track_total_hits=False)
    return {f"{group}:{bucket['key']}": bucket["doc_count"]
            for name, group in GROUP_FIELDS.items()
            for bucket in answer["aggregations"][name]["buckets"]}


def _expand(client: Elasticsearch, index: str, priority: PriorityText, matches: list[Match],
            base: dict[str, Any], t: Thresholds) -> list[Match]:
    """Pseudo-relevance feedback: the direct matches (`matches`, read from `read_floor` on)
    scored again by their likeness to the priority's text and its best matches (the seeds),
    as a share of the best of them. Ranks up records that say the same in other words; only
    records with some direct evidence are asked, which keeps precision and the cost bounded
    (widening to every record read 125,000 hits per priority at 300,000 records)."""
    seeds = sorted(matches, key=lambda m: -m.score)[:t.seeds]
    if not seeds:
        return []
    like: list[Any] = [f"{priority.title}\n{priority.description}"]
    like += [{"_index": index, "_id": f"{m.kind}-{m.id}"} for m in seeds]
    direct = {"ids": {"values": [f"{m.kind}-{m.id}" for m in matches]}}
    query = {"bool": {"filter": [base, direct], "must": [{"more_like_this": {
        "fields": list(MATCH_FIELDS[:4]), "like": like, "min_term_freq": 1, "min_doc_freq": 2,
        "max_query_terms": t.expansion_terms, "minimum_should_match": "1",
        "include": True}}]}}
    top = client.search(index=index, query=query, size=1, track_total_hits=False,
                        source=False)["hits"]["hits"]
    if not top:
        return []
    best = float(top[0]["_score"]) or 1.0
    found: list[Match] = []
    after: list[Any] | None = None
    while True:  # only what can pass the cut is read: at 300,000 records most hits cannot
        page = client.search(index=index, query=query, size=PAGE, sort=["_doc"],
                             search_after=after, track_scores=True,
                             min_score=best * t.expanded_relative,
                             source_includes=["kind", "id", "ressort", *GROUP_FIELDS],
                             track_total_hits=False)
        hits = page["hits"]["hits"]
        found.extend(Match(h["_source"]["kind"], int(h["_source"]["id"]),
                           h["_source"].get("ressort"), float(h["_score"]),
                           groups=_groups(h["_source"])) for h in hits)
        if len(hits) < PAGE:
            break
        after = hits[-1]["sort"]
    for m in found:
        m.score /= best
    return found


def match_priorities(
    client: Elasticsearch,
    alias: str,
    priorities: Sequence[PriorityText],
    base: dict[str, Any],
    thresholds: Thresholds | None = None,
    progress: Callable[[int], None] | None = None,
    links: Links | None = None,
) -> dict[int, list[Match]]:
    """Per priority key, the records of `base` (a filter) whose text matches it."""
    t = thresholds or Thresholds()
    found = gather(client, alias, priorities, base, t, progress=progress, links=links)
    return cut(found.raw, t, found.expanded, found.sizes)
