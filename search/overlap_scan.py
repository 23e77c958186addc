"""The portfolio scan: all cross-Ressort overlaps of a whole catalogue in one pass.

Asking the index once per record (as the check before funding does) costs about 100 ms a
record, far too slow for 300,000 records. The scan instead reads every document's analysed
terms once (term vectors, the same hunspell stems the check uses), builds a sparse tf-idf
matrix and compares all records at once:

1. candidates: each record's most distinctive terms (like more_like_this's query terms) are
   multiplied against the whole matrix; the best `pool` records of other Ressorts by that
   partial score are kept;
2. each candidate gets the exact cosine over all terms plus the structured evidence of
   `overlap.evidence`, so scores, levels and explanations are the check's.

Imports nothing from the app.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from elasticsearch import Elasticsearch
from scipy import sparse

from .german import fold
from .overlap import (
    STOPWORDS,
    TEXT_FIELDS,
    Candidate,
    Profile,
    Weights,
    evidence,
    explain,
    max_doc_freq,
)

SOURCE_FIELDS = ["kind", "id", "version", "title", "ressort", "budget_eur", "topics", "sdgs",
                 "research_priorities", "municipalities", "states", "organisation",
                 "organisation_name", "start_date", "end_date", "verbund"]
FETCH_BATCH = 500


@dataclass
class Corpus:
    """Every scanned document: its stored facts and a row of the tf-idf matrix."""

    docs: list[dict[str, Any]]
    profiles: list[Profile]
    ressorts: np.ndarray  # Ressort as a small integer per row (-1: none)
    matrix: sparse.csr_matrix  # rows L2-normalised tf-idf
    terms: list[str]  # column -> term
    doc_freq: np.ndarray


def _term_counts(item: dict[str, Any]) -> dict[str, tuple[int, tuple[str, ...]]]:
    """term -> (frequency over all text fields, the fields it occurs in)."""
    counts: dict[str, tuple[int, tuple[str, ...]]] = {}
    for name, stats in (item.get("term_vectors") or {}).items():
        for term, info in stats["terms"].items():
            n, fields = counts.get(term, (0, ()))
            counts[term] = (n + info["term_freq"], (*fields, name))
    return counts


def _keep(term: str) -> bool:
    return len(term) >= 3 and not term.isdigit() and fold(term) not in STOPWORDS


def load(client: Elasticsearch, alias: str, kinds: Iterable[str],
         progress: Callable[[int], None] | None = None) -> Corpus:
    """Read the facts and analysed terms of every document of `kinds` from the index."""
    index = next(iter(client.indices.get_alias(name=alias)))
    docs: list[dict[str, Any]] = []
    search_after: list[Any] | None = None
    while True:
        page = client.search(index=index, size=5000, sort=["_doc"], search_after=search_after,
                             query={"terms": {"kind": list(kinds)}},
                             source_includes=SOURCE_FIELDS, track_total_hits=False)
        hits = page["hits"]["hits"]
        if not hits:
            break
        docs.extend(h["_source"] | {"_id": h["_id"]} for h in hits)
        search_after = hits[-1]["sort"]

    def fetch(batch: list[dict[str, Any]]) -> list[dict[str, tuple[int, tuple[str, ...]]]]:
        response = client.mtermvectors(
            index=index, ids=[d["_id"] for d in batch], fields=TEXT_FIELDS,
            term_statistics=False, field_statistics=False, positions=False, offsets=False,
            payloads=False)
        # The node answers shard by shard, not in the order asked.
        by_id = {item["_id"]: _term_counts(item) for item in response["docs"]}
        return [by_id.get(d["_id"], {}) for d in batch]

    columns: dict[str, int] = {}
    indptr, indices, counts = [0], [], []
    # Document frequency per field, the largest counting, as the check's term statistics do.
    field_freq: dict[str, Counter[int]] = {name: Counter() for name in TEXT_FIELDS}
    batches = [docs[i:i + FETCH_BATCH] for i in range(0, len(docs), FETCH_BATCH)]
    with ThreadPoolExecutor(max_workers=2) as pool:  # the node analyses while we build
        for batch, vectors in zip(batches, pool.map(fetch, batches), strict=True):
            for vector in vectors:
                for term, (n, fields) in vector.items():
                    if _keep(term):
                        column = columns.setdefault(term, len(columns))
                        indices.append(column)
                        counts.append(n)
                        for name in fields:
                            field_freq[name][column] += 1
                indptr.append(len(indices))
            if progress:
                progress(len(batch))
    tf = sparse.csr_matrix((np.asarray(counts, dtype=np.float32), indices, indptr),
                           shape=(len(docs), len(columns)))
    doc_freq = np.zeros(len(columns), dtype=np.int64)
    for freq in field_freq.values():
        if freq:
            keys = np.fromiter(freq.keys(), dtype=np.int64, count=len(freq))
            values = np.fromiter(freq.values(), dtype=np.int64, count=len(freq))
            np.maximum.at(doc_freq, keys, values)
    idf = np.log1p(len(docs) / (1.0 + doc_freq)).astype(np.float32)
    tf.data = (1.0 + np.log(tf.data)) * idf[tf.indices]
    norms = np.sqrt(np.asarray(tf.multiply(tf).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sparse.csr_matrix(sparse.diags(1.0 / norms) @ tf, dtype=np.float32)
    codes: dict[str, int] = {}
    ressorts = np.array([codes.setdefault(d["ressort"], len(codes)) if d.get("ressort") else -1
                         for d in docs], dtype=np.int32)
    terms = [""] * len(columns)
    for term, column in columns.items():
        terms[column] = term
    return Corpus(docs=docs, profiles=[Profile.of(d) for d in docs], ressorts=ressorts,
                  matrix=matrix, terms=terms, doc_freq=doc_freq)


def _query_rows(corpus: Corpus, rows: np.ndarray, query_terms: int,
                max_doc_freq: int) -> sparse.csr_matrix:
    """The rows cut to their most distinctive terms (the others only cost time)."""
    block = corpus.matrix[rows].tocsr()
    block.data = np.where(corpus.doc_freq[block.indices] <= max_doc_freq, block.data, 0)
    for r in range(block.shape[0]):
        start, end = block.indptr[r], block.indptr[r + 1]
        if end - start > query_terms:
            values = block.data[start:end]
            cut = np.partition(values, end - start - query_terms)[end - start - query_terms]
            values[values < cut] = 0
    block.eliminate_zeros()
    return block


def _row(corpus: Corpus, row: int) -> tuple[np.ndarray, np.ndarray]:
    m = corpus.matrix
    return m.indices[m.indptr[row]:m.indptr[row + 1]], m.data[m.indptr[row]:m.indptr[row + 1]]


COMMON_SHARE = 0.05  # a term in more of the scanned documents than this is no reason


def shared_terms(corpus: Corpus, mine: dict[int, float], other: int,
                 limit: int = 8) -> list[str]:
    """The terms both texts share, most distinctive first (`mine`: column -> weight), without
    the catalogue's common ones (in more than COMMON_SHARE of the documents, at least 5):
    they weigh little in the score, and as a reason they read like stock phrases."""
    common = max(5, COMMON_SHARE * len(corpus.docs))
    columns, values = _row(corpus, other)
    both = [(-mine[c] * w, corpus.terms[c]) for c, w in zip(columns.tolist(), values.tolist(),
                                                             strict=True)
            if c in mine and corpus.doc_freq[c] <= common]
    return [term for _, term in sorted(both)[:limit]]


def find_pairs(
    corpus: Corpus,
    rows: Iterable[int] | None = None,
    *,
    weights: Weights | None = None,
    pool: int = 30,
    size: int = 10,
    query_terms: int = 25,
    chunk: int = 1000,
) -> Iterator[list[tuple[int, list[Candidate]]]]:
    """For each row: up to `size` records of other Ressorts at level mittel or hoch.

    Yields one list per chunk of rows, so the caller can store and commit as it goes.
    """
    weights = weights or Weights()
    n = len(corpus.docs)
    all_rows = np.arange(n) if rows is None else np.fromiter(rows, dtype=np.int64)
    cut = max_doc_freq(n)
    transposed = corpus.matrix.T.tocsr()
    for begin in range(0, len(all_rows), chunk):
        block_rows = all_rows[begin:begin + chunk]
        partial = (_query_rows(corpus, block_rows, query_terms, cut)
                   @ transposed).tocsr()
        pools = []
        for r, row in enumerate(block_rows):
            start, end = partial.indptr[r], partial.indptr[r + 1]
            cols, values = partial.indices[start:end], partial.data[start:end]
            other = corpus.ressorts[cols] != corpus.ressorts[row]
            if corpus.ressorts[row] < 0:
                other = cols != row
            cols, values = cols[other], values[other]
            if len(cols) > pool:
                cols = cols[np.argpartition(values, len(cols) - pool)[len(cols) - pool:]]
            pools.append(cols)
        # Exact cosines of all the chunk's candidate pairs in one sparse operation.
        sources = np.repeat(block_rows, [len(c) for c in pools])
        targets = np.concatenate(pools) if pools else np.array([], dtype=np.int64)
        exact = np.asarray(corpus.matrix[sources].multiply(corpus.matrix[targets])
                           .sum(axis=1)).ravel() if len(targets) else np.array([])
        out, offset = [], 0
        for row, cols in zip(block_rows.tolist(), pools, strict=True):
            similarities = exact[offset:offset + len(cols)]
            offset += len(cols)
            out.append((row, _scored(corpus, row, cols, similarities, weights, size)))
        yield out


def _scored(corpus: Corpus, row: int, cols: np.ndarray, similarities: np.ndarray,
            w: Weights, size: int) -> list[Candidate]:
    """The best `size` candidates at level mittel or hoch, explained."""
    profile = corpus.profiles[row]
    scored = []
    for col, similarity in zip(cols.tolist(), similarities.tolist(), strict=True):
        facts = evidence(profile, corpus.profiles[col], w)
        total = min(1.0, w.text * similarity + math.fsum(f[1] for f in facts))
        if total >= w.medium:
            scored.append((total, col, similarity, facts))
    if not scored:
        return []
    scored.sort(key=lambda x: -x[0])
    columns, values = _row(corpus, row)
    mine = dict(zip(columns.tolist(), values.tolist(), strict=True))
    found = []
    for total, col, similarity, facts in scored[:size]:
        doc = corpus.docs[col]
        found.append(Candidate(
            kind=doc.get("kind", ""), id=str(doc.get("id")), title=doc.get("title", ""),
            ressort=doc.get("ressort"), score=total,
            level="hoch" if total >= w.high else "mittel",
            terms=shared_terms(corpus, mine, col), facts=explain(facts),
            text_similarity=similarity, source=doc))
    return found
