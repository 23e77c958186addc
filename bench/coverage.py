"""Research-priority coverage benchmark (issue 11 §3): 50 priorities against 300,000 records.

    .venv/bin/python bench/coverage.py [--size 300000] [--priorities 50] [--keep]

Indexes the synthetic catalogue of bench/overlap_corpus.py into a bench index (or reuses it
when `--keep` left one of the same size), makes `--priorities` priorities from the corpus's
vocabulary (a title of two compounds, a description of eight to twelve), and times
`search.coverage.match_priorities` as the worker runs it (`flask analysis coverage`: every
priority, every published project and Reallabor, no cap on the hits), then the bulk insert of
the matches into a scratch SQLite table as the app stores them. Target: at most 60 s.
Prints a table, writes JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import overlap_corpus  # noqa: E402
from bench.common import report  # noqa: E402
from search import coverage, indices  # noqa: E402
from search.client import make_client  # noqa: E402

PREFIX = "benchcov"
PUBLIC = {"bool": {"filter": [{"terms": {"kind": ["project", "lab"]}},
                              {"term": {"publication_status": "published"}},
                              {"term": {"confidential": False}}]}}


def priorities(count: int) -> list[coverage.PriorityText]:
    rng = random.Random(11)
    words = overlap_corpus.WORDS[:300]  # the Zipf head: many records match (worst case)
    found = []
    for n in range(count):
        picked = rng.sample(words, 14)
        found.append(coverage.PriorityText(
            n + 1, f"{picked[0]} und {picked[1]}",
            f"Vorhaben zu {', '.join(picked[2:8])} sowie {' und '.join(picked[8:12])} in "
            f"Städten und Gemeinden; dazu zählen auch {picked[12]} und {picked[13]}."))
    return found


def _store(matches: dict[int, list[coverage.Match]]) -> float:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "coverage.sqlite")
        db.execute("CREATE TABLE priority_match (id INTEGER PRIMARY KEY, priority_id INT, "
                   "kind TEXT, record_id INT, ressort TEXT, score REAL, terms TEXT)")
        db.executemany("INSERT INTO priority_match (priority_id, kind, record_id, ressort, "
                       "score, terms) VALUES (?, ?, ?, ?, ?, ?)",
                       ((p, m.kind, m.id, m.ressort, m.score, json.dumps(m.terms[:12]))
                        for p, ms in matches.items() for m in ms))
        db.commit()
        db.close()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=300_000)
    parser.add_argument("--priorities", type=int, default=50)
    parser.add_argument("--keep", action="store_true", help="keep the bench index for reuse")
    parser.add_argument("--es-url", default=os.environ.get("ELASTICSEARCH_URL",
                                                           "http://127.0.0.1:9200"))
    args = parser.parse_args()
    client = make_client(args.es_url, timeout=300)
    alias = indices.alias_name(PREFIX)
    reused = (client.indices.exists_alias(name=alias)
              and client.count(index=alias)["count"] >= args.size)
    index_seconds = 0.0
    if not reused:
        docs, _ = overlap_corpus.generate(args.size)
        indices.drop_all(client, PREFIX)
        started = time.perf_counter()
        _, errors = indices.rebuild(client, PREFIX, (
            indices.Action(f"{d['kind']}-{d['id']}", 1, d) for d in docs))
        assert not errors, list(errors.items())[:3]
        index_seconds = time.perf_counter() - started
        del docs
    client.indices.refresh(index=alias)
    try:
        started = time.perf_counter()
        matches = coverage.match_priorities(client, alias, priorities(args.priorities), PUBLIC)
        match_seconds = time.perf_counter() - started
        store_seconds = _store(matches)
    finally:
        if not args.keep:
            indices.drop_all(client, PREFIX)
    counts = sorted(len(m) for m in matches.values())
    result = {
        "size": args.size, "priorities": args.priorities, "index_reused": bool(reused),
        "indexing_s": round(index_seconds, 1), "match_s": round(match_seconds, 1),
        "store_s": round(store_seconds, 1), "total_s": round(match_seconds + store_seconds, 1),
        "matches": sum(counts), "matches_median": counts[len(counts) // 2] if counts else 0,
        "matches_max": counts[-1] if counts else 0,
    }
    report("Abdeckung der Forschungsschwerpunkte, Korpus "
           + f"{args.size:,}".replace(",", ".") + " Datensätze", result, f"coverage-{args.size}")


if __name__ == "__main__":
    main()
