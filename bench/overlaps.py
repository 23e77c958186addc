"""Overlap benchmark (issue 5 §3): the check for one record, and the full portfolio scan.

    .venv/bin/python bench/overlaps.py [--size 20000] [--checks 200]

Indexes the synthetic catalogue of bench/overlap_corpus.py (realistic vocabulary, one planted
cross-Ressort overlap per 200 records) into a bench index, then
1. runs `search.overlap.find` (more_like_this + explained scoring, as the app's check does)
   for `--checks` random records and reports p50/p95;
2. runs the whole portfolio scan over every programme, project and Reallabor through the
   app's service, as `flask analysis overlaps` does (read the corpus from the index, compare,
   store the pairs in a scratch SQLite database), and reports its time and how many planted
   pairs it stored.
Prints a table, writes JSON to bench/results/, deletes the bench index.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import resource
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import overlap_corpus  # noqa: E402
from bench.common import report  # noqa: E402
from search import indices, overlap  # noqa: E402
from search.access import Access  # noqa: E402
from search.client import make_client  # noqa: E402

PREFIX = "benchov"
KINDS = ("project", "programme", "lab")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _scan_with_app(es_url: str, database: Path, planted: list[tuple[str, str]]) -> dict[str, Any]:
    """`flask analysis overlaps` as the app runs it: read the corpus from the index, compare,
    store the pairs in a (scratch) database, commit chunk by chunk. Runs in a process of its
    own so its peak memory is the scan's."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from zukunftsstadt import create_app
    from zukunftsstadt.extensions import db
    from zukunftsstadt.models import OverlapPair
    from zukunftsstadt.services import overlaps

    database.unlink(missing_ok=True)
    app = create_app("development", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SEARCH_URL": es_url,
        "SEARCH_INDEX_PREFIX": PREFIX, "SEARCH_AUTO_DRAIN": False})
    app.extensions["search_client"] = make_client(es_url, timeout=300)
    with app.app_context():
        upgrade()
        t0 = time.perf_counter()
        corpus = overlaps.load_corpus()
        load_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        overlaps.scan(corpus, resume=False)
        compare_s = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        pairs = set(db.session.execute(select(OverlapPair.a_doc, OverlapPair.b_doc)).tuples())
        high = db.session.scalar(select(func.count()).where(OverlapPair.level == "hoch"))
    database.unlink(missing_ok=True)
    return {"records": len(corpus.docs), "load_s": round(load_s, 1),
            "compare_s": round(compare_s, 1), "pairs": len(pairs), "hoch": high,
            "planted_found": sum(1 for a, b in planted if tuple(sorted((a, b))) in pairs),
            "peak_rss_mib": round(peak)}


def _settle(client: Any, alias: str) -> None:
    """Wait until the node has finished merging the freshly written segments: a catalogue in
    use is not in the middle of a bulk load."""
    quiet = 0
    while quiet < 3:
        stats = client.indices.stats(index=alias, metric="merge")
        quiet = quiet + 1 if stats["_all"]["total"]["merges"]["current"] == 0 else 0
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--es-url", default=os.environ.get("ELASTICSEARCH_URL",
                                                           "http://127.0.0.1:9200"))
    parser.add_argument("--database", default=str(ROOT / "instance" / "bench-overlaps.sqlite"),
                        help="scratch SQLite file for the scan's pairs (replaced)")
    args = parser.parse_args()
    client = make_client(args.es_url, timeout=300)
    everything = Access(all_drafts=True, all_confidential=True)
    t0 = time.perf_counter()
    docs, planted = overlap_corpus.generate(args.size)
    generate_s = time.perf_counter() - t0
    indices.drop_all(client, PREFIX)
    alias = indices.alias_name(PREFIX)
    t0 = time.perf_counter()
    _, errors = indices.rebuild(client, PREFIX, (
        indices.Action(f"{d['kind']}-{d['id']}", 1, d) for d in docs))
    assert not errors, list(errors.items())[:3]
    indices.ensure_index(client, PREFIX, indices.PUBLIC)  # the scan refreshes both aliases
    index_seconds = time.perf_counter() - t0
    _settle(client, alias)
    rng = random.Random(5)
    candidates = [d for d in docs if d["kind"] in KINDS]
    try:
        checks = []
        for doc in rng.sample(candidates, min(args.checks, len(candidates))):
            t0 = time.perf_counter()
            overlap.find(client, alias, doc, exclude_ids=[f"{doc['kind']}-{doc['id']}"],
                         exclude_ressort=doc.get("ressort"), access=everything)
            checks.append((time.perf_counter() - t0) * 1000)
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as child:
            scan = child.submit(_scan_with_app, args.es_url, Path(args.database),
                                planted).result()
    finally:
        indices.drop_all(client, PREFIX)
    result = {
        "size": args.size, "generate_s": round(generate_s, 1),
        "indexing_s": round(index_seconds, 1),
        "check_p50_ms": round(statistics.median(checks), 1),
        "check_p95_ms": round(_percentile(checks, 0.95), 1),
        "scan_records": scan["records"], "scan_load_s": scan["load_s"],
        "scan_compare_and_store_s": scan["compare_s"],
        "scan_total_min": round((scan["load_s"] + scan["compare_s"]) / 60, 2),
        "scan_pairs_stored": scan["pairs"], "scan_pairs_hoch": scan["hoch"],
        "planted_pairs": len(planted), "planted_found_by_scan": scan["planted_found"],
        "scan_peak_rss_mib": scan["peak_rss_mib"],
    }
    report("Überschneidungen, Korpus " + f"{args.size:,}".replace(",", ".") + " Datensätze",
           result, f"overlaps-{args.size}", width=32)


if __name__ == "__main__":
    main()
