"""What the public index costs (security finding 6): writes, disk and public search latency.

    .venv/bin/python bench/public_index.py [--size 300000] [--rounds 2]

Public readers search an index of their own, so that no score depends on hidden records. This
measures, on the synthetic catalogue of `bench/search.py` (about 10 % drafts and confidential
programmes) and in the same run:
1. bulk indexing into the catalogue index alone (before) and into catalogue and public index
   from one stream (now), in records per second;
2. the size on disk of both indices;
3. anonymous search latency (1 client, the query mix of `bench/search.py`): the catalogue with
   the public filter (before) against the public index (now).
Deletes its indices at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search import _direct, run_concurrent  # noqa: E402
from bench.search_corpus import fill, generate, query_mix  # noqa: E402
from search import indices  # noqa: E402
from search.access import is_public  # noqa: E402
from search.client import make_client  # noqa: E402

PREFIX = "bench-public"


def _fill(es: Any, docs: list[dict[str, Any]], names: tuple[str, ...]) -> float:
    """Index `docs` into fresh indices `names` in one stream; returns records per second."""
    seconds, failed = fill(es, PREFIX, docs, names)
    assert not failed, f"{failed} failed writes"
    return len(docs) / seconds


def _megabytes(es: Any, name: str) -> float:
    stats = es.indices.stats(index=indices.alias_name(PREFIX, name), metric="store")
    return stats["_all"]["primaries"]["store"]["size_in_bytes"] / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=2, help="passes over the 200 queries")
    parser.add_argument("--es-url", default=os.environ.get("ELASTICSEARCH_URL",
                                                           "http://127.0.0.1:9200"))
    opts = parser.parse_args()
    es = make_client(opts.es_url, timeout=120)
    indices.drop_all(es, PREFIX)
    docs = generate(opts.size)
    public = sum(is_public(d) for d in docs)
    print(f"generated {len(docs):,} records, {public:,} public", flush=True)

    alone = _fill(es, docs, (indices.CATALOGUE,))
    indices.drop_all(es, PREFIX)
    both = _fill(es, docs, indices.NAMES)
    del docs
    sizes = {name: _megabytes(es, name) for name in indices.NAMES}

    mix = query_mix()
    search = make_client(opts.es_url, timeout=30)
    before = run_concurrent(lambda a: _direct(search, indices.alias_name(PREFIX), a),
                            mix, 1, opts.rounds)
    now = run_concurrent(lambda a: _direct(search, indices.alias_name(PREFIX, indices.PUBLIC),
                                           a), mix, 1, opts.rounds)
    indices.drop_all(es, PREFIX)

    print()
    print(f"Public index, {opts.size:,} records ({public:,} public), {os.cpu_count()} CPUs")
    print(f"  indexing: catalogue alone {alone:,.0f} records/s, with the public index "
          f"{both:,.0f} records/s (ratio {both / alone:.2f})")
    catalogue, public_mb = sizes[indices.CATALOGUE], sizes[indices.PUBLIC]
    print(f"  disk: catalogue {catalogue:,.0f} MiB, public {public_mb:,.0f} MiB "
          f"(+{public_mb / catalogue:.0%})")
    print(f"  anonymous search, 1 client: catalogue + filter p50 {before['p50_ms']} ms, "
          f"p95 {before['p95_ms']} ms; public index p50 {now['p50_ms']} ms, "
          f"p95 {now['p95_ms']} ms (p50 ratio {now['p50_ms'] / before['p50_ms']:.2f})")


if __name__ == "__main__":
    main()
