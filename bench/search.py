"""Search benchmark (issue 3 §3): synthetic German catalogue, bulk indexing, query latency.

    .venv/bin/python bench/search.py [--size 20000] [--clients 1 8] [--skip-r3]
                                     [--baseline REV] [--workers 4]

1. generates `--size` realistic German records (programmes, projects, Reallabore, research
   priorities) with the app's own search fields (spelling, completion);
2. bulk-indexes them as the app does (every record into `bench-catalogue`, the public ones also
   into `bench-public`, which anonymous searches read) and reports records/s;
3. runs a fixed mix of 200 queries with facets, sorting and paging, with 1 and 8 concurrent
   clients, three ways: directly against Elasticsearch with the query code of `--baseline`
   (a git revision, read with `git show`: the baseline of the same run, on the same node),
   directly with today's `search.queries`, and through the app's HTTP endpoint
   `/api/v1/search` under gunicorn (gthread workers, as in production; one kept-alive
   connection per client) with the API rate limit off; reports p50/p95 and the ratios the
   targets are set in. The shard request cache is cleared before each of them;
4. measures commit-to-searchable (R3): records saved through the services into a scratch
   SQLite database while an outbox worker runs with its default interval.
Prints a table, writes JSON to bench/results/, deletes the bench indices at the end.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.search_corpus import fill, generate, query_mix  # noqa: E402
from search import indices, queries  # noqa: E402
from search.client import make_client  # noqa: E402

PREFIX = "bench"
BASELINE = "5f01253"  # the search code before facets moved to a cached request of their own


def baseline_queries(revision: str) -> Any:
    """`search/queries.py` as it was at `revision`, as a module of today's `search` package
    (its helpers are today's)."""
    source = subprocess.run(["git", "show", f"{revision}:search/queries.py"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout
    spec = importlib.util.spec_from_loader("search._baseline_queries", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "search"
    sys.modules[spec.name] = module  # dataclasses look their module up
    exec(compile(source, f"{revision}:search/queries.py", "exec"), module.__dict__)
    return module


def _direct(client: Any, alias: str, args: dict[str, Any], code: Any = queries) -> None:
    filters = {k: v if isinstance(v, list) else [str(v)] for k, v in args.items()
               if k in queries.FACETS}
    ranges = queries.Ranges(year_from=args.get("year_from"), year_to=args.get("year_to"),
                            budget_min=args.get("budget_min"))
    code.search(client, alias, args.get("q", ""), filters=filters, ranges=ranges,
                sort=args.get("sort", "relevance"), page=args.get("page", 1), size=20,
                facets=True, suggest=True)


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "n": len(ordered),
    }


def run_concurrent(call: Any, mix: list[dict[str, Any]], clients: int,
                   rounds: int) -> dict[str, float]:
    work = [args for _ in range(rounds) for args in mix]
    samples: list[float] = []
    lock = threading.Lock()

    def one(args: dict[str, Any]) -> None:
        started = time.perf_counter()
        call(args)
        elapsed = time.perf_counter() - started
        with lock:
            samples.append(elapsed)

    for args in mix[:20]:  # warm-up
        call(args)
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(one, work))
    wall = time.perf_counter() - started
    return {**_percentiles(samples), "qps": round(len(work) / wall, 1)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AppServer:
    """The app under gunicorn (gthread) in a subprocess, reading the bench index."""

    def __init__(self, es_url: str, workdir: Path, workers: int = 4, threads: int = 4) -> None:
        self.port = _free_port()
        self.workers, self.threads = workers, threads
        db_path = workdir / "bench-app.sqlite"
        # No API rate limit: the benchmark is faster than any real client, and a 429 answered
        # quickly must not count as a fast search.
        self.env = {**os.environ, "ZS_CONFIG": "development", "SEARCH_AUTO_DRAIN": "0",
                    "API_RATE_LIMIT": "0",
                    "SEARCH_INDEX_PREFIX": PREFIX, "ELASTICSEARCH_URL": es_url,
                    "DATABASE_URL": f"sqlite:///{db_path}", "ZS_INSTANCE_DIR": str(workdir)}
        self.process: subprocess.Popen[bytes] | None = None
        self._local = threading.local()  # one kept-alive connection per client thread

    def __enter__(self) -> AppServer:
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=self.env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--worker-class", "gthread",
             "--workers", str(self.workers), "--threads", str(self.threads),
             "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                self.get("/health")
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("app server did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(10)

    def get(self, path: str) -> bytes:
        """GET over this thread's kept-alive connection (as browsers keep theirs, and as the
        direct path's client pools its connections to the node); a connection the server
        closed after its keep-alive time is opened again once."""
        for attempt in (1, 2):
            conn = getattr(self._local, "conn", None)
            if conn is None:
                conn = self._local.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=30)
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
                break
            except (OSError, http.client.HTTPException):  # closed, or not listening yet
                conn.close()
                self._local.conn = None
                if attempt == 2:
                    raise
        if response.status != 200 and not path.startswith("/health"):
            raise RuntimeError(f"{path}: HTTP {response.status}")
        if path.startswith("/api/") and b'"hits"' not in body:
            raise RuntimeError(f"{path}: no hit list in the answer")
        return body

    def search(self, args: dict[str, Any]) -> None:
        self.get("/api/v1/search?" + urlencode(args, doseq=True))


def commit_to_searchable(es_url: str, workdir: Path, records: int = 40) -> dict[str, float]:
    """R3: save through the services, a worker drains every second; time until searchable."""
    os.environ.update({"ZS_INSTANCE_DIR": str(workdir), "SEARCH_AUTO_DRAIN": "0"})
    from flask_migrate import upgrade

    from zukunftsstadt import create_app
    from zukunftsstadt.extensions import db
    from zukunftsstadt.models import Project
    from zukunftsstadt.services import indexing
    from zukunftsstadt.services import records as record_service

    app = create_app("development", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench-r3.sqlite'}",
        "SEARCH_INDEX_PREFIX": f"{PREFIX}-r3", "SEARCH_URL": es_url,
    })
    app.extensions["search_client"] = make_client(es_url, 10)
    stop = threading.Event()

    def worker() -> None:  # what `flask search worker` does, default interval 1 s
        with app.app_context():
            while not stop.is_set():
                sent, _ = indexing.drain_outbox()
                db.session.remove()
                if not sent:
                    time.sleep(1.0)

    samples: list[float] = []
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        indexing.ensure_index()
        thread = threading.Thread(target=worker, daemon=True)
        thread.start()
        es, alias = indexing.client(), indexing.alias()
        for n in range(records):
            term = f"Messpunkt{n}x{random.randrange(10**6)}"
            record_service.save(Project(fkz=f"03R3{n:05d}", title=term, summary="R3",
                                        publication_status="published"))
            db.session.commit()
            committed = time.perf_counter()
            while es.count(index=alias, query={"match": {"title": term}})["count"] == 0:
                time.sleep(0.02)
            samples.append(time.perf_counter() - committed)
            time.sleep(random.random() * 0.3)
        stop.set()
        thread.join()
        indices.drop_all(es, f"{PREFIX}-r3")
        db.session.query(Project).delete()
    return _percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--rounds", type=int, default=2, help="passes over the 200 queries")
    parser.add_argument("--es-url", default=os.environ.get("ELASTICSEARCH_URL",
                                                           "http://127.0.0.1:9200"))
    parser.add_argument("--skip-r3", action="store_true")
    parser.add_argument("--baseline", default=BASELINE,
                        help="git revision whose search code is the baseline")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the bench index")
    opts = parser.parse_args()

    before = baseline_queries(opts.baseline)
    es = make_client(opts.es_url, timeout=120)
    indices.drop_all(es, PREFIX)
    result: dict[str, Any] = {"size": opts.size, "date": time.strftime("%Y-%m-%d %H:%M"),
                              "cpus": os.cpu_count()}
    started = time.perf_counter()
    docs = generate(opts.size)
    result["generate_s"] = round(time.perf_counter() - started, 1)
    print(f"generated {len(docs)} documents in {result['generate_s']} s", flush=True)

    bulk_s, failed = fill(es, PREFIX, docs)
    result["indexing"] = {"docs": len(docs), "failed": failed, "seconds": round(bulk_s, 1),
                          "docs_per_s": round(len(docs) / bulk_s)}
    print(f"indexed at {result['indexing']['docs_per_s']} docs/s", flush=True)
    del docs

    mix = query_mix()
    alias = indices.alias_name(PREFIX, indices.PUBLIC)  # anonymous searches, as in the app
    search_client = make_client(opts.es_url, timeout=30)
    print("API rate limit off (API_RATE_LIMIT=0); only 200 answers with hits count",
          flush=True)
    paths = {f"vorher ({opts.baseline})": lambda a: _direct(search_client, alias, a, before),
             "direkt": lambda a: _direct(search_client, alias, a)}
    result["paths"] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        with AppServer(opts.es_url, workdir, opts.workers) as server:
            paths[f"app (gunicorn {opts.workers}x{server.threads})"] = server.search
            for name, call in paths.items():
                result["paths"][name] = {}
                for clients in opts.clients:
                    es.indices.clear_cache(index=alias, request=True)
                    row = run_concurrent(call, mix, clients, opts.rounds)
                    result["paths"][name][clients] = row
                    print(f"{name}, {clients} clients: {row}", flush=True)
        if not opts.skip_r3:
            result["commit_to_searchable"] = commit_to_searchable(opts.es_url, workdir)
    if not opts.keep:
        indices.drop_all(es, PREFIX)

    print()
    print(f"Search benchmark, {opts.size:,} documents, {os.cpu_count()} CPUs")
    print(f"  bulk indexing: {result['indexing']['docs_per_s']:,} docs/s "
          f"({result['indexing']['seconds']} s, {result['indexing']['failed']} failed)")
    print(f"  {'path':<24} {'clients':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'q/s':>7}")
    for name, rows in result["paths"].items():
        for clients, row in rows.items():
            print(f"  {name:<24} {clients:>7} {row['p50_ms']:>8} {row['p95_ms']:>8} "
                  f"{row['max_ms']:>8} {row['qps']:>7}")
    old, new, app = result["paths"].values()
    ratios = result["ratios"] = {}
    if 8 in old:
        ratios["p95, 8 clients: direkt / vorher (Ziel <= 0.25)"] = (
            new[8]["p95_ms"] / old[8]["p95_ms"])
    if 1 in old:
        ratios["p50, 1 client: direkt / vorher (Ziel <= 0.5)"] = (
            new[1]["p50_ms"] / old[1]["p50_ms"])
        ratios["p50, 1 client: app / direkt (Ziel <= 1.3)"] = (
            app[1]["p50_ms"] / new[1]["p50_ms"])
    for label, value in ratios.items():
        print(f"  {label}: {value:.2f}")
    if "commit_to_searchable" in result:
        r3 = result["commit_to_searchable"]
        print(f"  commit-to-searchable (R3, worker interval 1 s): p50 {r3['p50_ms']} ms, "
              f"p95 {r3['p95_ms']} ms")
    out = ROOT / "bench" / "results" / f"search-{opts.size}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"  written: {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
