"""The index definition runs unchanged on a standard Elasticsearch cluster: it names only
tokenizers and token filters that every standard distribution has (core and the
analysis-common module; our plugin registers the same names for the local test node)."""

from __future__ import annotations

from search import indices

# From the reference of the standard distribution (8.x): built-in tokenizers and token filters.
STANDARD_TOKENIZERS = {"standard", "whitespace", "keyword", "letter", "classic", "pattern"}
STANDARD_FILTERS = {
    "lowercase", "stop", "stemmer", "german_normalization", "german_stem",
    "dictionary_decompounder", "hyphenation_decompounder", "synonym", "synonym_graph",
    "asciifolding", "remove_duplicates", "unique", "word_delimiter_graph", "hunspell",
    "shingle", "keyword_marker", "stemmer_override", "length", "trim", "truncate",
}


def test_current_mapping_names_only_standard_analysis_components():
    definition = indices.load_definition(
        indices.CATALOGUE, indices.CURRENT_VERSIONS[indices.CATALOGUE])
    analysis = definition["settings"]["analysis"]
    custom = set(analysis.get("filter", {}))
    types = {spec["type"] for spec in analysis.get("filter", {}).values()}
    assert types <= STANDARD_FILTERS, types - STANDARD_FILTERS
    for name, analyzer in analysis["analyzer"].items():
        assert analyzer["tokenizer"] in STANDARD_TOKENIZERS, name
        unknown = set(analyzer["filter"]) - custom - STANDARD_FILTERS
        assert not unknown, (name, unknown)
    # Files are named relative to the config directory, where a cluster keeps them.
    paths = [v for spec in analysis.get("filter", {}).values() for k, v in spec.items()
             if k.endswith("_path")]
    assert paths and all(p.startswith("analysis/") for p in paths)
