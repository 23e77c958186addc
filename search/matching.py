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
MAIN_FIELDS = [
    "title^3", "acronym^4", "summary", "objectives", "results", "programme_title^0.5",
    "topic_names^0.5", "organisation_name^0.5", "municipality_names^2", "state_names^2",
]
TEXT_FIELDS = ["title^3", "summary", "objectives", "results"]
PARTS_FIELDS = ["title.parts^2", "summary.parts", "objectives.parts", "results.parts",
                "topic_names.parts^0.5"]
# Synonyms match whole words and the parts of compounds ("heavy rain" -> Starkregenvorsorge).
SYNONYM_FIELDS = [*TEXT_FIELDS, *(f"{f.split('^')[0]}^0.5" for f in PARTS_FIELDS)]
PHRASE_FIELDS = ["title^4", "summary", "objectives"]
OPERATOR_FIELDS = [*MAIN_FIELDS, "fkz^5", *(f"{f.split('^')[0]}^0.5" for f in PARTS_FIELDS)]
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


def _word_clause(word: str, fuzzy: bool, loose: bool = False) -> dict[str, Any]:
    """What matches one word; `loose` adds, weighted low, any dictionary word inside it (a
    compound nobody used still finds records with its parts: "Hausärztemangel") and similar
    spellings. A loose match alone does not make a hit match the whole query."""
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
    inner = inner_words(word) if loose else []
    if inner:
        should.append({"multi_match": {"query": " ".join(inner), "fields": PARTS_FIELDS,
                                       "boost": 0.1}})
    if _AGS.match(word):
        should.append({"prefix": {"municipalities": {"value": word, "boost": 5}}})
    if loose and len(word) >= 5:
        should.append({"multi_match": {
            "query": word, "fields": ["title", "summary"],
            "fuzziness": "AUTO" if fuzzy else 1, "prefix_length": 1,
            "max_expansions": 20 if fuzzy else 10, "boost": 0.5 if fuzzy else 0.2,
        }})
    return {"bool": {"should": should, "minimum_should_match": 1}}


def plain_query(text: str, fuzzy: bool = False) -> dict[str, Any]:
    """Records with every word first, then the best partial matches (see module doc)."""
    found = words(text)
    clauses = [_word_clause(w, fuzzy) for w in found]
    phrase = " ".join(found)
    matches: list[dict[str, Any]] = [{"bool": {
        "should": [_word_clause(w, fuzzy, loose=True) for w in found],
        "minimum_should_match": PARTIAL}}]
    whole: list[dict[str, Any]] = [{"bool": {"must": clauses}}]
    if len(clauses) > 1:
        # Multi-word synonyms and English phrases ("urban heat island" -> Hitzeinsel): a
        # record with the whole translation matches the whole query.
        matches.append({"multi_match": {"query": phrase, "fields": SYNONYM_FIELDS,
                                        "analyzer": "german_synonyms"}})
        whole.append({"multi_match": {"query": phrase, "fields": SYNONYM_FIELDS,
                                      "analyzer": "german_synonyms", "operator": "and"}})
    should: list[dict[str, Any]] = [
        {"constant_score": {"filter": {"bool": {"should": whole, "minimum_should_match": 1}},
                            "boost": ALL_TERMS_BOOST, "_name": ALL_TERMS}},
    ]
    if len(clauses) > 1:
        should.append({"multi_match": {"query": phrase, "fields": PHRASE_FIELDS,
                                       "type": "phrase", "slop": 2, "boost": 2}})
    return {"bool": {"must": [{"bool": {"should": matches, "minimum_should_match": 1}}],
                     "should": should}}


def operator_query(text: str) -> dict[str, Any]:
    return {"simple_query_string": {
        "query": text, "fields": OPERATOR_FIELDS, "default_operator": "and",
        "flags": QUERY_FLAGS, "lenient": True, "fuzzy_max_expansions": 20,
        "fuzzy_prefix_length": 1,
    }}


# Funded work first: programmes and research priorities describe whole fields in long, general
# texts and would otherwise outrank the projects and Reallabore they are about.
KIND_WEIGHTS = {"programme": 0.5, "priority": 0.5}


def text_query(text: str, fuzzy: bool = False) -> dict[str, Any]:
    query = operator_query(text) if _OPERATORS.search(text) else plain_query(text, fuzzy)
    return {"function_score": {"query": query, "boost_mode": "multiply", "functions": [
        {"filter": {"term": {"kind": kind}}, "weight": weight}
        for kind, weight in KIND_WEIGHTS.items()]}}
