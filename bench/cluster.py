"""Failure drill on one machine: a three-node Elasticsearch cluster, PostgreSQL, the app under
gunicorn and two search workers, under steady load while nodes, a worker and the database fail.

Run it from the checkout, as root (the search nodes run as the node user of `search/node.py`,
PostgreSQL as `postgres`), after `make setup` (distribution zip and analysis plugin):

    .venv/bin/python bench/cluster.py --quick      # at most ~15 minutes on 2 cores
    .venv/bin/python bench/cluster.py              # longer load windows
    .venv/bin/python bench/cluster.py --quick --keep   # keep the temp dir (logs) afterwards

What it starts, all in one temporary directory that is removed at the end (also on failure and
Ctrl+C):

* three Elasticsearch nodes (http 9311-9313, transport 9411-9413) from the same distribution
  and German analysis plugin that `search/node_install.py` provisions, each with its own config
  dir (ES_PATH_CONF), data and log dirs and a 512m heap, run as the node user; the app's
  indices get one replica;
* the app and the workers reach the cluster through the list of its nodes
  (`ELASTICSEARCH_URL=http://127.0.0.1:9311,…`: a refused connection goes to the next node),
  and the app's indices get one replica (`SEARCH_REPLICAS=1`);
* PostgreSQL (initdb/pg_ctl as `postgres`, port 5499 or the next free one);
* the app under gunicorn (4 workers, gthread) and two `flask search worker` processes; a
  worker that exits by itself is restarted as systemd would, and reported.

Then, under a steady load of API saves (create/update projects) and searches, it checks:

1. baseline: saves and searches succeed (every save, at least 95 % of the searches: a search
   may hit its 2.5 s timeout on a busy machine), the outbox drains;
2. kill -9 of one data node: searches keep answering (cluster yellow, at least 95 % of them),
   saves keep succeeding, and once the node is back and the cluster green the outbox has
   delivered everything;
3. a rolling restart of all three nodes, one at a time, green between;
4. kill -9 of a search worker in the middle of a drain (both workers are paused, every
   project is queued once more in `search_outbox` as a bulk re-index would, one worker is let
   go and killed while its transaction holds outbox rows): no row lost, none written twice;
   a new worker is started;
5. a PostgreSQL restart: requests fail with 503 problem details (not 500) and recover without
   a restart of the app.

At the end `flask search check` must find the index true to the database (no missing, stale or
orphan document), every acknowledged save must be in the database with its version, no FKZ may
exist twice, and no overlap alert may have been sent twice (unique key of `notification`).
Exit code 0 only when every check passed; the last line is a one-line summary.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.drill_load import Load  # noqa: E402
from bench.drill_services import (  # noqa: E402
    BIN,
    DEMO,
    HTTP_PORTS,
    INDEX_PREFIX,
    PASSWORD,
    T0,
    Cluster,
    DrillError,
    Postgres,
    free_port,
    interrupt_as_exception,
    log,
    tail,
    wait_until,
)
from bench.drill_steps import DrillSteps, Step  # noqa: E402
from search import node  # noqa: E402


class Drill(DrillSteps):
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.quick: bool = args.quick
        self.tmp = Path(tempfile.mkdtemp(prefix="zs-drill-"))
        self.tmp.chmod(0o755)  # the node user and postgres must reach their directories
        self.cluster = Cluster(self.tmp / "es", args.heap)
        self.pg = Postgres(self.tmp, free_port(5499))
        self.app_port = free_port(8099)
        self.gunicorn: subprocess.Popen[bytes] | None = None
        self.workers: dict[int, subprocess.Popen[bytes]] = {}
        self.worker_serial = 0
        self.worker_restarts: list[str] = []
        self.expected_exit: set[int] = set()
        self.supervising = threading.Event()
        self.load: Load | None = None
        self.steps: list[Step] = []
        self.notes: list[str] = []
        self.pg_started = False
        self.env = self._app_env()

    # ----------------------------------------------------------------- processes

    def _app_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("ES_", "JAVA_", "FLASK_", "ZS_", "SEARCH_", "DATABASE_",
                                    "TEST_", "ELASTICSEARCH_"))}
        (self.tmp / "instance").mkdir()
        (self.tmp / "logs").mkdir()
        env.update(
            ZS_CONFIG="production", SECRET_KEY=secrets.token_hex(32),
            ZS_INSTANCE_DIR=str(self.tmp / "instance"),
            DATABASE_URL=self.pg.url("zs-drill-app"),
            ELASTICSEARCH_URL=",".join(f"http://127.0.0.1:{port}" for port in HTTP_PORTS),
            SEARCH_REPLICAS="1",
            SEARCH_INDEX_PREFIX=INDEX_PREFIX, API_RATE_LIMIT="0",
            OVERLAP_SCAN_SCHEDULE="0",  # the daily portfolio scan is not what is drilled here
            FLASK_APP="wsgi", PYTHONUNBUFFERED="1",
        )
        return env

    def flask(self, *args: str, timeout: float = 600, check: bool = True
              ) -> subprocess.CompletedProcess[str]:
        out = subprocess.run([str(BIN / "flask"), *args], cwd=ROOT, env=self.env,
                             capture_output=True, text=True, timeout=timeout, check=False)
        if check and out.returncode != 0:
            raise DrillError(f"flask {' '.join(args)} failed ({out.returncode}):\n"
                             f"{out.stdout[-2000:]}{out.stderr[-3000:]}")
        return out

    def start_worker(self) -> int:
        self.worker_serial += 1
        number = self.worker_serial
        env = {**self.env, "DATABASE_URL": self.pg.url(f"zs-drill-worker-{number}")}
        out = open(self.tmp / "logs" / f"worker-{number}.log", "ab")  # noqa: SIM115
        try:
            self.workers[number] = subprocess.Popen(
                [str(BIN / "flask"), "search", "worker", "--interval", "0.5"], cwd=ROOT, env=env,
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        finally:
            out.close()
        return number

    def _supervise(self) -> None:
        """Restart a worker that exits by itself, as systemd (Restart=always) would; noted."""
        while self.supervising.is_set():
            for number, proc in list(self.workers.items()):
                if proc.poll() is not None and proc.pid not in self.expected_exit:
                    del self.workers[number]
                    last = tail(self.tmp / "logs" / f"worker-{number}.log", 3).replace("\n", " | ")
                    msg = (f"worker {number} exited by itself (exit {proc.returncode}) during "
                           f"'{self.load.phase if self.load else 'setup'}': {last[-300:]}")
                    self.worker_restarts.append(msg)
                    log(f"  ! {msg}; restarting it (as systemd Restart=always would)")
                    time.sleep(1)
                    self.start_worker()
            time.sleep(0.5)

    def start_gunicorn(self) -> None:
        out = open(self.tmp / "logs" / "gunicorn.log", "ab")  # noqa: SIM115
        try:
            self.gunicorn = subprocess.Popen(
                [str(BIN / "gunicorn"), "--workers", "4", "--worker-class", "gthread",
                 "--threads", "4", "--bind", f"127.0.0.1:{self.app_port}", "--timeout", "60",
                 "--graceful-timeout", "5", "wsgi:app"],
                cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            out.close()
        wait_until("gunicorn", lambda: requests.get(
            f"http://127.0.0.1:{self.app_port}/health", timeout=5).status_code < 500, 120)

    # ----------------------------------------------------------------- setup

    def setup(self) -> None:
        log(f"Arbeitsverzeichnis / temp dir: {self.tmp}")
        started = time.monotonic()
        self.cluster.prepare()
        log(f"Distribution und Plugin bereit ({time.monotonic() - started:.1f} s): "
            f"{self.cluster.dist}")
        t = time.monotonic()
        self.cluster.start(self.cluster.nodes)
        self.cluster.wait_status("green", 180, nodes=3)
        h = self.cluster.health()
        log(f"Cluster {h['cluster_name']}: {h['number_of_nodes']} Knoten, {h['status']} "
            f"({time.monotonic() - t:.1f} s)")

        t = time.monotonic()
        self.pg.init()
        self.pg_started = True
        log(f"PostgreSQL auf Port {self.pg.port} ({time.monotonic() - t:.1f} s)")
        t = time.monotonic()
        self.flask("db", "upgrade")
        self.flask("catalogue", "load", "--demo", str(DEMO))
        self.flask("search", "rebuild")
        replicas = self.cluster.replicas()
        if not replicas or set(replicas.values()) != {1}:
            raise DrillError(f"SEARCH_REPLICAS=1, but the indices have {replicas}")
        self.cluster.wait_status("green", 120)
        log(f"Migriert, Demodaten geladen, Index aufgebaut; 1 Replikat für "
            f"{', '.join(sorted(replicas))} ({time.monotonic() - t:.1f} s)")
        accounts = self._accounts()
        t = time.monotonic()
        self.start_gunicorn()
        for _ in range(2):
            self.start_worker()
        self.supervising.set()
        threading.Thread(target=self._supervise, daemon=True, name="supervisor").start()
        log(f"gunicorn (4 Worker, gthread) auf Port {self.app_port} und 2 Such-Worker laufen "
            f"({time.monotonic() - t:.1f} s)")
        self.load = Load(f"http://127.0.0.1:{self.app_port}", accounts["tokens"],
                         accounts["programme_id"], accounts["copy_texts"],
                         pause=0.15 if self.quick else 0.1)

    def _accounts(self) -> dict[str, Any]:
        """Accounts and personal API tokens as the tests make them (services.accounts,
        services.api_tokens), plus a programme to write into and texts of another Ressort."""
        script = f"""
import json
from sqlalchemy import select
from wsgi import app
from zukunftsstadt.extensions import db
from zukunftsstadt.models import Programme, Project
from zukunftsstadt.services import accounts, api_tokens
with app.app_context():
    programmes = db.session.scalars(select(Programme).order_by(Programme.id)).all()
    counts = {{}}
    for p in db.session.scalars(select(Project)):
        if p.ressort is not None:
            counts[p.ressort.code] = counts.get(p.ressort.code, 0) + 1
    own = next(p for p in programmes if p.ressort.code != max(counts, key=counts.get))
    other = max(counts, key=counts.get)
    texts = [(p.title, p.summary) for p in db.session.scalars(select(Project))
             if p.ressort is not None and p.ressort.code == other and p.summary][:20]
    out = {{"programme_id": own.id, "own": own.ressort.code, "other": other,
           "copy_texts": texts, "tokens": {{}}}}
    for role, codes in (("editor", [own.ressort.code]), ("coordination", []),
                        ("analyst", [])):
        user = accounts.create_user(f"drill-{{role}}@example.org", f"Drill {{role}}",
                                    {PASSWORD!r}, role, codes)
        out["tokens"][role] = api_tokens.create(user, "Drill")[1]
    other_editor = accounts.create_user("drill-editor-other@example.org", "Drill editor 2",
                                        {PASSWORD!r}, "editor", [other])
    print(json.dumps(out))
"""
        out = subprocess.run([str(BIN / "python"), "-c", script], cwd=ROOT, env=self.env,
                             capture_output=True, text=True, timeout=120, check=False)
        if out.returncode != 0:
            raise DrillError(f"accounts failed:\n{out.stderr[-3000:]}")
        data = json.loads(out.stdout.strip().splitlines()[-1])
        log(f"Konten und API-Schlüssel angelegt (Redaktion {data['own']}, Redaktion "
            f"{data['other']}, Koordination, Analyse); Programm {data['programme_id']}, "
            f"{len(data['copy_texts'])} Texte aus {data['other']} für Überschneidungen")
        return data

    # ----------------------------------------------------------------- checks

    def run(self) -> int:
        self.setup()
        assert self.load is not None
        self.load.start()
        run_started = time.monotonic()
        self.run_step("1 Grundlast / baseline", self.step_baseline)
        self.run_step("2 kill -9 eines Datenknotens / data node", self.step_kill_node)
        self.run_step("3 rollierender Neustart / rolling restart", self.step_rolling_restart)
        self.run_step("4 kill -9 eines Such-Workers / search worker", self.step_kill_worker)
        pg_started = time.monotonic()
        self.run_step("5 PostgreSQL-Neustart / restart", self.step_postgres_restart)
        log("=== 6 Abschluss / final checks")
        t = time.monotonic()
        ok, detail, lost, dups = self.finish()
        self.steps.append(Step("6 Abschluss / final checks", ok, time.monotonic() - t, detail))
        log(f"{'OK  ' if ok else 'FAIL'} Abschluss ({time.monotonic() - t:.1f} s): {detail}")
        if self.worker_restarts:
            log(f"Hinweis: {len(self.worker_restarts)} Such-Worker beendeten sich selbst und "
                "wurden neu gestartet:")
            for msg in self.worker_restarts:
                log(f"  - {msg}")
        for note in self.notes:
            log(f"Hinweis: {note}")
        ev = self.load.window(run_started)
        writes = [e for e in ev if e.kind == "save"]
        searches = [e for e in ev if e.kind == "search"]
        errors = sum(not e.ok for e in ev)
        gap = Load.longest_gap(ev, run_started, max((e.at for e in ev), default=run_started))
        search_gap = Load.longest_gap([e for e in ev if e.at <= pg_started], run_started,
                                      pg_started)
        passed = sum(s.ok for s in self.steps)
        log("Schritte / steps:")
        for s in self.steps:
            log(f"  {'OK  ' if s.ok else 'FAIL'} {s.name} ({s.seconds:.1f} s)")
        all_ok = passed == len(self.steps) and lost == 0
        print(f"SUMMARY {'PASS' if all_ok else 'FAIL'}: writes {len(writes)} "
              f"({sum(e.ok for e in writes)} ok), searches {len(searches)} "
              f"({sum(e.ok for e in searches)} ok), errors {errors}, longest gap {gap:.1f} s "
              f"({search_gap:.1f} s before the PostgreSQL restart), "
              f"lost {lost}, duplicates {dups}, worker self-exits {len(self.worker_restarts)}, "
              f"steps {passed}/{len(self.steps)} ok, total {time.monotonic() - T0:.0f} s",
              flush=True)
        return 0 if all_ok else 1

    # ----------------------------------------------------------------- cleanup

    def cleanup(self) -> None:
        log("Aufräumen / cleaning up …")
        self.supervising.clear()
        if self.load is not None:
            self.load.stop_flag.set()
        procs = [*self.workers.values(), *([self.gunicorn] if self.gunicorn else [])]
        for proc in procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGCONT)
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        for n in self.cluster.nodes:
            with contextlib.suppress(Exception):
                self.cluster.kill(n)
        if self.pg_started:
            self.pg.stop("immediate")
        if self.args.keep:
            log(f"Behalten / kept: {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="short load windows (at most ~15 minutes on 2 cores)")
    parser.add_argument("--heap", default="512m", help="heap per search node (default 512m)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("Bitte als root starten (Knoten laufen als Benutzer "
              f"{node.NODE_USER}, PostgreSQL als postgres). / Run as root.", file=sys.stderr)
        return 2
    drill = Drill(args)
    with interrupt_as_exception():
        try:
            return drill.run()
        except KeyboardInterrupt:
            log("Abgebrochen / interrupted")
            print("SUMMARY FAIL: interrupted", flush=True)
            return 130
        except (DrillError, node.NodeError, subprocess.SubprocessError, OSError,
                psycopg.Error) as exc:
            log(f"Abbruch / aborted: {exc}")
            traceback.print_exc()
            print(f"SUMMARY FAIL: aborted during setup or a step: {str(exc)[:200]}", flush=True)
            return 2
        finally:
            drill.cleanup()


if __name__ == "__main__":
    sys.exit(main())
