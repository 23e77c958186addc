"""Overlap benchmark (issue 5 §3): the check for one record, and the full portfolio scan.

    .venv/bin/python bench/overlaps.py [--size 20000] [--checks 200] [--scan 1000]

Indexes the synthetic corpus of bench/search.py into a bench index, then
1. runs `search.overlap.find` (more_like_this + explained scoring, as the app's check does)
   for `--checks` random records and reports p50/p95;
2. scans `--scan` records one after another as `flask analysis overlaps` does and reports the
   time per record and the full-scan time extrapolated to the corpus (a full measured scan at
   300,000 records would take longer than a session allows: the extrapolation says so).
Prints a table, writes JSON to bench/results/, deletes the bench index.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from search import indices, overlap  # noqa: E402
from search.client import make_client  # noqa: E402
from search.queries import Access  # noqa: E402

PREFIX = "benchov"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def main() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_search", ROOT / "bench" / "search.py")
    bench_search = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_search)  # the corpus generator of bench/search.py
    generate = bench_search.generate

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--scan", type=int, default=1000)
    parser.add_argument("--es-url", default=os.environ.get("ELASTICSEARCH_URL",
                                                           "http://127.0.0.1:9200"))
    args = parser.parse_args()
    client = make_client(args.es_url, timeout=120)
    everything = Access(all_drafts=True, all_confidential=True)
    docs = generate(args.size)
    started = time.perf_counter()
    indices.drop_all(client, PREFIX)
    alias = indices.alias_name(PREFIX)
    _, errors = indices.rebuild(client, PREFIX, (
        indices.Action(f"{d['kind']}-{d['id']}", 1, d) for d in docs))
    assert not errors, list(errors.items())[:3]
    index_seconds = time.perf_counter() - started
    rng = random.Random(5)
    candidates = [d for d in docs if d["kind"] in {"project", "programme", "lab"}]
    try:
        checks = []
        for doc in rng.sample(candidates, min(args.checks, len(candidates))):
            t0 = time.perf_counter()
            overlap.find(client, alias, doc, exclude_ids=[f"{doc['kind']}-{doc['id']}"],
                         exclude_ressort=doc.get("ressort"), access=everything)
            checks.append((time.perf_counter() - t0) * 1000)
        scan_docs = candidates[: min(args.scan, len(candidates))]
        t0 = time.perf_counter()
        pairs = 0
        for doc in scan_docs:
            found = overlap.find(client, alias, doc, exclude_ids=[f"{doc['kind']}-{doc['id']}"],
                                 exclude_ressort=doc.get("ressort"), access=everything,
                                 size=10)
            pairs += sum(1 for c in found if c.level)
        per_record = (time.perf_counter() - t0) / len(scan_docs)
    finally:
        indices.drop_all(client, PREFIX)
    result = {
        "size": args.size, "indexing_s": round(index_seconds, 1),
        "check_p50_ms": round(statistics.median(checks), 1),
        "check_p95_ms": round(_percentile(checks, 0.95), 1),
        "scan_records_measured": len(scan_docs), "scan_ms_per_record": round(per_record * 1000, 1),
        "scan_pairs_found": pairs,
        "full_scan_extrapolated_min": round(per_record * len(candidates) / 60, 1),
        "scannable_records": len(candidates),
    }
    print("Überschneidungen, Korpus " + f"{args.size:,}".replace(",", ".") + " Datensätze")
    for key, value in result.items():
        print(f"  {key:<32}{value}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"overlaps-{args.size}.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
