"""The text part of a search: what a user's words match, and in which order.

Plain words (no operators) become one clause each; a record matches a word through:
- the word itself in the main fields, as the index analyses them (German normalisation folds
  umlauts and umlaut-free spellings alike, the light stemmer joins singular and plural);
- the parts of compounds inside documents (`*.parts`, decompounded in the index with the
  dictionary from Debian's word lists): "Hitze" finds "Hitzeschutzkonzept";
- the query word's own parts, all of them ("Gründach" finds "begrünte Dächer" and
  "Dachbegrünung");
- synonyms and English terms (OpenThesaurus, Ding; the search analyzer `german_synonyms`);
- the places a record is located in (Kommune, Land, AGS);
- similar spellings (typos), weighted low.
Records with every word come first (`all_terms`), then records with most of them: a query is
never answered with nothing when part of it matches. The whole phrase and the title weigh most.
Queries with operators ("…", -, *, |) keep their syntax through `simple_query_string`.
"""

from __future__ import annotations

import re
from typing import Any

from .german import inner_words, stopwords, word_parts

ALL_TERMS = "all_terms"
# `body` holds summary, objectives and results, `context` programme and topic names and the
# organisation, `places` the Kommunen and Länder (copy_to in the mapping): few fields per word
# keep a query of many clauses fast.
MAIN_FIELDS = ["title^3", "acronym^4", "body", "context^0.5", "places^2"]
TEXT_FIELDS = ["title^3", "body"]
PARTS_FIELDS = ["title.parts^2", "body.parts"]
# Synonyms match whole words and the parts of compounds ("heavy rain" -> Starkregenvorsorge).
SYNONYM_FIELDS = ["title^3", "body", "title.parts^0.5", "body.parts^0.5"]
PHRASE_FIELDS = ["title^4", "body"]
OPERATOR_FIELDS = [*MAIN_FIELDS, "fkz^5", "title.parts^0.5", "body.parts^0.5"]
QUERY_FLAGS = "AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|WHITESPACE|ESCAPE|SLOP|FUZZY"
# Share of words a partial match must have: 1 of 2, 2 of 3, 3 of 4, then 60 %.
PARTIAL = "1<-1 4<60%"
ALL_TERMS_BOOST = 100.0
MAX_WORDS = 12
_OPERATORS = re.compile(r'["*|()+]|(?:^|\s)-\w')
_WORD = re.compile(r"\w+")
_AGS = re.compile(r"^\d{5}(?:\d{3})?$")


def words(text: str) -> list[str]:
    """The query's words without stop words (unless it has nothing else)."""
    found = _WORD.findall(text)[:MAX_WORDS]
    content = [w for w in found if w.lower() not in stopwords()]
    return content or found


def _word_clause(word: str, fuzzy: bool, name: str) -> dict[str, Any]:
    """What matches one word. The strict alternatives carry `name`, so the hits that match
    every word are known; weighted low besides: any dictionary word inside it (a compound
    nobody used still finds records with its parts: "Hausärztemangel") and similar
    spellings (one letter; more in the fallback, `fuzzy`). Asked only when few records have
    every word (`search.queries.RELAX_BELOW`)."""
    return {"bool": {"should": [_strict(word, name), *_loose(word, fuzzy)],
                     "minimum_should_match": 1}}


def _strict(word: str, name: str | None = None) -> dict[str, Any]:
    should: list[dict[str, Any]] = [
        {"multi_match": {"query": word, "fields": MAIN_FIELDS}},
        {"multi_match": {"query": word, "fields": PARTS_FIELDS, "boost": 0.4}},
        {"multi_match": {"query": word, "fields": SYNONYM_FIELDS,
                         "analyzer": "german_synonyms", "boost": 0.5}},
        {"term": {"fkz": {"value": word.lower(), "boost": 10}}},
    ]
    parts = word_parts(word)
    if parts:
        should.append({"bool": {"must": [
            {"multi_match": {"query": part, "fields": PARTS_FIELDS}} for part in parts
        ], "boost": 0.5}})
    if _AGS.match(word):
        should.append({"prefix": {"municipalities": {"value": word, "boost": 5}}})
    clause: dict[str, Any] = {"bool": {"should": should, "minimum_should_match": 1}}
    if name:
        clause["bool"]["_name"] = name
    return clause


def _loose(word: str, fuzzy: bool) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    inner = inner_words(word)
    if inner:
        found.append({"multi_match": {"query": " ".join(inner), "fields": PARTS_FIELDS,
                                      "boost": 0.1}})
    if len(word) >= 5:
        found.append({"multi_match": {
            "query": word, "fields": ["title", "body"],
            "fuzziness": "AUTO" if fuzzy else 1, "prefix_length": 1,
            "max_expansions": 20 if fuzzy else 10, "boost": 0.5 if fuzzy else 0.2,
        }})
    return found


def _translation(phrase: str, name: str | None = None) -> dict[str, Any]:
    """The whole phrase through the synonyms, every part required: "urban heat island"
    matches Hitzeinseln."""
    query = {"query": phrase, "fields": SYNONYM_FIELDS, "analyzer": "german_synonyms",
             "operator": "and"}
    return {"multi_match": {**query, "_name": name} if name else query}


def plain_query(text: str, fuzzy: bool = False, relaxed: bool = True) -> dict[str, Any]:
    """Records with every word (or the whole translation); `relaxed`: also those with most
    words (1 of 2, 2 of 3, ...), which `whole_query` then ranks after the others."""
    found = words(text)
    names = [f"{ALL_TERMS}:{i}:{len(found)}" for i in range(len(found))]
    if relaxed:
        group = {"bool": {"should": [_word_clause(w, fuzzy, n) for w, n in zip(found, names,
                                                                               strict=True)],
                          "minimum_should_match": PARTIAL}}
    else:
        group = {"bool": {"must": [_strict(w, n) for w, n in zip(found, names, strict=True)]}}
    matches: list[dict[str, Any]] = [group]
    if relaxed and len(found) > 1:
        # Synonyms and translations split into their parts, for partial hits only:
        # "district heating" -> Fernwärme -> also "Nahwärme", "Wärmenetz".
        matches.append({"multi_match": {"query": " ".join(found), "fields": PARTS_FIELDS,
                                        "analyzer": "german_synonym_parts", "boost": 0.1}})
    should: list[dict[str, Any]] = []
    if len(found) > 1:
        phrase = " ".join(found)
        # Multi-word synonyms and English phrases, also in part ("cargo bike sharing").
        matches.append(_translation(phrase, f"{ALL_TERMS}:phrase") if not relaxed else
                       {"multi_match": {"query": phrase, "fields": SYNONYM_FIELDS,
                                        "analyzer": "german_synonyms"}})
        if relaxed:
            should.append(_translation(phrase, f"{ALL_TERMS}:phrase"))
        should.append({"multi_match": {"query": phrase, "fields": PHRASE_FIELDS,
                                       "type": "phrase", "slop": 2, "boost": 2}})
    return {"bool": {"must": [{"bool": {"should": matches, "minimum_should_match": 1}}],
                     "should": should}}


def whole_query(text: str) -> dict[str, Any] | None:
    """For rescoring the best hits: a constant for records with every word (or the whole
    translation), so they come before partial matches. Asked of the top hits only, it costs
    a fraction of asking it of every record."""
    found = words(text)
    if _OPERATORS.search(text) or not found:
        return None
    whole: list[dict[str, Any]] = [{"bool": {"must": [_strict(w) for w in found]}}]
    if len(found) > 1:
        whole.append(_translation(" ".join(found)))
    return _weighted({"constant_score": {"filter": {"bool": {"should": whole,
                                                             "minimum_should_match": 1}},
                                         "boost": ALL_TERMS_BOOST}})


def matches_all_terms(names: list[str] | dict[str, Any]) -> bool:
    """Whether a hit's matched named queries cover every word of the query."""
    words_found, total = set(), None
    for name in names:
        kind, _, rest = str(name).partition(":")
        if kind != ALL_TERMS:
            continue
        if rest == "phrase":
            return True
        index, _, count = rest.partition(":")
        words_found.add(index)
        total = int(count)
    return total is not None and len(words_found) == total


def operator_query(text: str) -> dict[str, Any]:
    return {"simple_query_string": {
        "query": text, "fields": OPERATOR_FIELDS, "default_operator": "and",
        "flags": QUERY_FLAGS, "lenient": True, "fuzzy_max_expansions": 20,
        "fuzzy_prefix_length": 1,
    }}


# Funded work first: programmes and research priorities describe whole fields in long, general
# texts and would otherwise outrank the projects and Reallabore they are about.
KIND_WEIGHTS = {"programme": 0.5, "priority": 0.5}


def is_plain(text: str) -> bool:
    """Plain words, no operators: the query can be relaxed."""
    return not _OPERATORS.search(text)


def _weighted(query: dict[str, Any]) -> dict[str, Any]:
    return {"function_score": {"query": query, "boost_mode": "multiply", "functions": [
        {"filter": {"term": {"kind": kind}}, "weight": weight}
        for kind, weight in KIND_WEIGHTS.items()]}}


def text_query(text: str, fuzzy: bool = False, relaxed: bool = True) -> dict[str, Any]:
    return _weighted(plain_query(text, fuzzy, relaxed) if is_plain(text)
                     else operator_query(text))
