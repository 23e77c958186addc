"""The analysis plugin (search/plugin) against the real node: every registered name via `_analyze`.

Each filter is defined inline, exactly as a mapping on a standard Elasticsearch cluster (with
the analysis-common module) would define it, so the same requests pass there too. Files named
by `*_path` settings are written into the local node's `config/analysis/` for the test; with
ELASTICSEARCH_URL those cases are skipped, as this suite cannot write into a remote node.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import BadRequestError, Elasticsearch

from config import TestConfig
from search import node
from search.client import make_client
from search.node_install import copy_analysis_files

# FOP hyphenation grammar, just enough to split "gründach" as "grün-dach" (letters outside
# <classes> are never hyphenated).
HYPHENATION_XML = """<?xml version="1.0" encoding="utf-8"?>
<hyphenation-info>
<hyphen-char value="-"/>
<hyphen-min before="2" after="2"/>
<classes>
aA bB cC dD eE fF gG hH iI jJ kK lL mM nN oO pP qQ rR sS tT uU vV wW xX yY zZ äÄ öÖ üÜ ß
</classes>
<patterns>
n1d
</patterns>
</hyphenation-info>
"""


@pytest.fixture(scope="module")
def es(search_url: str) -> Elasticsearch:
    return make_client(search_url, timeout=30)


@pytest.fixture(scope="module")
def analysis_dir() -> Iterator[Path]:
    """A scratch folder in the local node's config/analysis/ (removed again afterwards)."""
    if os.environ.get("ELASTICSEARCH_URL"):
        pytest.skip("files in a remote node's config directory cannot be written from here")
    cfg = node.NodeConfig(home=TestConfig.SEARCH_NODE_HOME, port=TestConfig.SEARCH_NODE_PORT)
    folder = cfg.dist_dir / "config" / "analysis" / f"pytest-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o755)
    (folder / "words.txt").write_text("# Testwörter\ngrün\n\ndach\ndächer\n", encoding="utf-8")
    (folder / "synonyms.txt").write_text("# Solr\nheat island, wärmeinsel\nhitze => wärme\n",
                                         encoding="utf-8")
    (folder / "hyphenation.xml").write_text(HYPHENATION_XML, encoding="utf-8")
    for f in folder.iterdir():
        f.chmod(0o644)
    yield folder
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()


def tokens(es: Elasticsearch, text: str, *filters: Any, tokenizer: str = "standard") -> list[str]:
    """Tokens of `text` after `tokenizer` → `lowercase` → `filters` (names or inline dicts)."""
    result = es.indices.analyze(tokenizer=tokenizer, filter=["lowercase", *filters], text=text)
    return [t["token"] for t in result["tokens"]]


def rel(folder: Path, name: str) -> str:
    """Path of a scratch file relative to the config directory, as mappings name it."""
    return f"analysis/{folder.name}/{name}"


def test_german_normalization(es: Elasticsearch) -> None:
    assert tokens(es, "Gründächer Gruendaecher Straße", "german_normalization") == [
        "grundacher", "grundacher", "strasse"]


def test_german_stem(es: Elasticsearch) -> None:
    assert tokens(es, "Häuser Gärten", "german_stem") == ["hau", "gar"]


@pytest.mark.parametrize(("language", "expected"), [
    ("light_german", ["haus", "haeus", "gart"]),
    ("minimal_german", ["haus", "haeus", "gart"]),
    ("german", ["haus", "haeus", "gart"]),
    ("german2", ["haus", "haus", "gart"]),  # German2 also reads ae/oe/ue as umlauts
    ("lightGerman", ["haus", "haeus", "gart"]),
])
def test_stemmer_german(es: Elasticsearch, language: str, expected: list[str]) -> None:
    stemmer = {"type": "stemmer", "language": language}
    assert tokens(es, "Häuser Haeuser Gärten", stemmer) == expected


@pytest.mark.parametrize(("settings", "expected"), [
    ({"language": "english"}, ["run", "poni"]),
    ({"language": "light_english"}, ["running", "pony"]),
    ({"name": "porter"}, ["run", "poni"]),
    ({}, ["run", "poni"]),  # default: porter
])
def test_stemmer_english(es: Elasticsearch, settings: dict[str, str], expected: list[str]) -> None:
    assert tokens(es, "running ponies", {"type": "stemmer", **settings}) == expected
    if not settings:
        assert tokens(es, "running ponies", "stemmer") == expected


def test_stemmer_unknown_language_is_refused(es: Elasticsearch) -> None:
    with pytest.raises(BadRequestError):
        tokens(es, "Hitze", {"type": "stemmer", "language": "klingon"})


def test_dictionary_decompounder_inline(es: Elasticsearch) -> None:
    words = ["grün", "dach", "dächer"]
    assert tokens(es, "Gründächer", {"type": "dictionary_decompounder", "word_list": words}) == [
        "gründächer", "grün", "dächer"]
    assert tokens(es, "Gründach", {"type": "dictionary_decompounder", "word_list": words}) == [
        "gründach", "grün", "dach"]
    # Sizes as in Elasticsearch: parts shorter than min_subword_size are dropped,
    # words shorter than min_word_size (5) are not split at all.
    bigger = {"type": "dictionary_decompounder", "word_list": words, "min_subword_size": 5}
    assert tokens(es, "Gründächer", bigger) == ["gründächer", "dächer"]
    assert tokens(es, "Dach", {"type": "dictionary_decompounder", "word_list": ["da"]}) == ["dach"]
    longest = {"type": "dictionary_decompounder", "word_list": words, "only_longest_match": True}
    assert tokens(es, "Gründächer", longest) == ["gründächer", "grün", "dächer"]


def test_dictionary_decompounder_word_list_path(es: Elasticsearch, analysis_dir: Path) -> None:
    decompounder = {"type": "dictionary_decompounder",
                    "word_list_path": rel(analysis_dir, "words.txt")}
    assert tokens(es, "Gründächer", decompounder) == ["gründächer", "grün", "dächer"]


def test_dictionary_decompounder_missing_file_is_refused(es: Elasticsearch) -> None:
    missing = {"type": "dictionary_decompounder", "word_list_path": "analysis/does-not-exist.txt"}
    with pytest.raises(BadRequestError):
        tokens(es, "Gründächer", missing)


def test_hyphenation_decompounder(es: Elasticsearch, analysis_dir: Path) -> None:
    decompounder = {"type": "hyphenation_decompounder",
                    "hyphenation_patterns_path": rel(analysis_dir, "hyphenation.xml"),
                    "word_list": ["grün", "dach"]}
    assert tokens(es, "Gründach", decompounder) == ["gründach", "grün", "dach"]


def test_synonym_graph_inline(es: Elasticsearch) -> None:
    synonyms = {"type": "synonym_graph", "synonyms": ["heat island, wärmeinsel", "# comment"]}
    assert sorted(tokens(es, "Wärmeinsel", synonyms)) == ["heat", "island", "wärmeinsel"]
    assert sorted(tokens(es, "Heat Island", synonyms)) == ["heat", "island", "wärmeinsel"]
    contract = {**synonyms, "expand": False}
    assert tokens(es, "Wärmeinsel", contract) == ["heat", "island"]
    assert tokens(es, "Hitze", {"type": "synonym_graph", "synonyms": ["hitze => wärme"]}) == [
        "wärme"]


def test_synonym_graph_lenient(es: Elasticsearch) -> None:
    # "hitze, , wärme" has an empty term: refused, unless lenient skips it.
    rules = ["hitze, , wärme"]
    with pytest.raises(BadRequestError):
        tokens(es, "Hitze", {"type": "synonym_graph", "synonyms": rules})
    lenient = {"type": "synonym_graph", "synonyms": rules, "lenient": True}
    assert sorted(tokens(es, "Hitze", lenient)) == ["hitze", "wärme"]


def test_synonym_graph_synonyms_path(es: Elasticsearch, analysis_dir: Path) -> None:
    synonyms = {"type": "synonym_graph", "synonyms_path": rel(analysis_dir, "synonyms.txt")}
    assert sorted(tokens(es, "Wärmeinsel", synonyms)) == ["heat", "island", "wärmeinsel"]
    assert tokens(es, "Hitze", synonyms) == ["wärme"]


def test_an_edited_synonyms_file_is_read_again(es: Elasticsearch, analysis_dir: Path) -> None:
    """The plugin keeps maps built from files (each index creation builds its filters again);
    a changed file must not be answered from that cache."""
    rules = analysis_dir / "edited-synonyms.txt"
    rules.write_text("dach, gründach\n", encoding="utf-8")
    rules.chmod(0o644)
    synonyms = {"type": "synonym_graph", "synonyms_path": rel(analysis_dir, rules.name)}
    assert sorted(tokens(es, "Dach", synonyms)) == ["dach", "gründach"]
    rules.write_text("dach, dachfläche, gründach\n", encoding="utf-8")
    os.utime(rules, (rules.stat().st_atime, rules.stat().st_mtime + 2))
    assert sorted(tokens(es, "Dach", synonyms)) == ["dach", "dachfläche", "gründach"]


def test_synonym(es: Elasticsearch) -> None:
    synonyms = {"type": "synonym", "synonyms": ["heat island, wärmeinsel"]}
    assert sorted(tokens(es, "Wärmeinsel", synonyms)) == ["heat", "island", "wärmeinsel"]


def test_asciifolding(es: Elasticsearch) -> None:
    assert tokens(es, "Straße Café Öko", "asciifolding") == ["strasse", "cafe", "oko"]
    keep = {"type": "asciifolding", "preserve_original": True}
    assert tokens(es, "Café", keep) == ["cafe", "café"]


def test_remove_duplicates_and_unique(es: Elasticsearch) -> None:
    # remove_duplicates only drops equal tokens at the same position.
    assert tokens(es, "Stadt Stadt", "remove_duplicates") == ["stadt", "stadt"]
    synonyms = {"type": "synonym_graph", "synonyms": ["straße, strasse"]}
    assert tokens(es, "Straße", synonyms, "german_normalization", "remove_duplicates") == [
        "strasse"]
    assert tokens(es, "Stadt Land Stadt", "unique") == ["stadt", "land"]
    same_position = {"type": "unique", "only_on_same_position": True}
    assert tokens(es, "Stadt Land Stadt", same_position) == ["stadt", "land", "stadt"]


def test_word_delimiter_graph(es: Elasticsearch) -> None:
    result = es.indices.analyze(tokenizer="standard", filter=["word_delimiter_graph"],
                                text="wi_fi PowerShot500")
    assert [t["token"] for t in result["tokens"]] == ["wi", "fi", "Power", "Shot", "500"]


def test_index_with_the_german_chain(es: Elasticsearch) -> None:
    """An index (not just `_analyze`) builds: the node also instantiates every plugin filter
    once with empty settings, which must not fail; both spellings give the same tokens."""
    index = f"{TestConfig.SEARCH_INDEX_PREFIX}-analysis-plugin"
    es.options(ignore_status=404).indices.delete(index=index)
    es.indices.create(index=index, settings={"analysis": {
        "filter": {
            "de_synonyms": {"type": "synonym_graph",
                            "synonyms": ["heat island, wärmeinsel", "gründach, dachbegrünung"]},
            "de_compounds": {"type": "dictionary_decompounder",
                             "word_list": ["grun", "dach", "dacher", "warme", "insel"]},
            "de_stem": {"type": "stemmer", "language": "light_german"},
        },
        "analyzer": {"de_text": {"tokenizer": "standard", "filter": [
            "lowercase", "de_synonyms", "german_normalization", "de_compounds", "de_stem",
            "remove_duplicates"]}},
    }})
    try:
        def analyze(text: str) -> list[str]:
            result = es.indices.analyze(index=index, analyzer="de_text", text=text)
            return [t["token"] for t in result["tokens"]]

        assert analyze("Gründächer") == analyze("Gruendaecher") == ["grundach", "grun", "dach"]
        assert sorted(analyze("Wärmeinsel")) == ["heat", "insel", "island", "warm", "warmeinsel"]
    finally:
        es.options(ignore_status=404).indices.delete(index=index)


def test_analysis_files_are_copied(tmp_path: Path) -> None:
    """search/data/analysis/ → config/analysis/: copied and updated; others are left alone
    (an index may still read them)."""
    source, dist = tmp_path / "data", tmp_path / "dist"
    (source / "sub").mkdir(parents=True)
    (source / "words.txt").write_text("grün\n", encoding="utf-8")
    (source / "sub" / "synonyms.txt").write_text("a, b\n", encoding="utf-8")
    (source / ".gitkeep").touch()
    target = dist / "config" / "analysis"
    target.mkdir(parents=True)
    (target / "kept.txt").touch()
    copy_analysis_files(dist, source)
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*")) == [
        "kept.txt", "sub", "sub/synonyms.txt", "words.txt"]
    (source / "words.txt").write_text("dach\n", encoding="utf-8")
    copy_analysis_files(dist, source)
    assert (target / "words.txt").read_text(encoding="utf-8") == "dach\n"
