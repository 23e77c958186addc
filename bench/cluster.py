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
import itertools
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search import node, node_install  # noqa: E402  (standard library only)

BIN = ROOT / ".venv" / "bin"
DEMO = ROOT / "zukunftsstadt" / "demo" / "demo-data.json"
HTTP_PORTS = (9311, 9312, 9313)
TRANSPORT_PORTS = (9411, 9412, 9413)
CLUSTER = "zukunftsstadt-drill"
INDEX_PREFIX = "zukunftsstadt"
PASSWORD = "Drill-Passwort-2026!"
SEARCH_WORDS = ("Hitze", "Quartier", "Mobilität", "Wasser", "Klimaanpassung", "Stadtgrün",
                "Wohnen", "Energie", "Digitalisierung", "Reallabor", "Verkehr", "Beteiligung")
T0 = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - T0:7.1f}s] {message}", flush=True)


class DrillError(RuntimeError):
    """A setup step failed; the drill cannot go on."""


def free_port(preferred: int) -> int:
    for port in range(preferred, preferred + 50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise DrillError(f"no free port from {preferred}")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_until(what: str, check: Callable[[], bool], timeout: float, every: float = 0.5) -> float:
    """Poll `check` until true; return the seconds it took, raise DrillError on timeout."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        with contextlib.suppress(Exception):
            if check():
                return time.monotonic() - started
        time.sleep(every)
    raise DrillError(f"timed out after {timeout:.0f} s waiting for {what}")


def tail(path: Path, lines: int = 20) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


# --------------------------------------------------------------------------- Elasticsearch


@dataclass
class EsNode:
    number: int
    home: Path
    http_port: int
    transport_port: int

    @property
    def name(self) -> str:
        return f"drill-{self.number}"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def config_dir(self) -> Path:
        return self.home / "config"

    @property
    def pid_file(self) -> Path:
        return self.home / "node.pid"

    def pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            pid = int(self.pid_file.read_text().strip())
            os.kill(pid, 0)
            if Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] not in "ZX":
                return pid
        return None


class Cluster:
    """Three nodes of the project's distribution, each with its own config, data and logs."""

    def __init__(self, base: Path, heap: str) -> None:
        self.base = base
        self.heap = heap
        self.cfg = node_install.NodeConfig(home=base, heap=heap)
        self.nodes = [EsNode(i + 1, base / f"node-{i + 1}", HTTP_PORTS[i], TRANSPORT_PORTS[i])
                      for i in range(3)]
        self.dist: Path | None = None
        self.user: Any = None
        self.java_home: Path | None = None

    def prepare(self) -> None:
        for port in (*HTTP_PORTS, *TRANSPORT_PORTS):
            if port_open(port):
                raise DrillError(f"port {port} is in use; is another drill running?")
        self.java_home = node_install.find_java()
        # Download (cached per machine), unpack, hunspell, analysis plugin, analysis files:
        # exactly what `flask search node start` installs, into this drill's directory.
        self.dist = node_install.ensure_distribution(self.cfg, progress=lambda m: log("  " + m))
        if os.geteuid() == 0:
            self.user = node._ensure_user()
        for n in self.nodes:
            shutil.copytree(self.dist / "config", n.config_dir)
            for sub in ("data", "logs", "tmp"):
                (n.home / sub).mkdir(parents=True)
            self._write_config(n)
        if self.user is not None:
            node._chown_tree(self.base, self.user.pw_uid, self.user.pw_gid)

    def _write_config(self, n: EsNode) -> None:
        assert self.dist is not None
        settings: dict[str, Any] = {
            "cluster.name": CLUSTER,
            "node.name": n.name,
            "network.host": "127.0.0.1",
            "http.port": n.http_port,
            "transport.port": n.transport_port,
            "discovery.seed_hosts": [f"127.0.0.1:{p}" for p in TRANSPORT_PORTS],
            "cluster.initial_master_nodes": [m.name for m in self.nodes],
            "path.data": str(n.home / "data"),
            "path.logs": str(n.home / "logs"),
            "cluster.routing.allocation.disk.threshold_enabled": False,
            "action.destructive_requires_name": False,
        }
        if (self.dist / "modules" / "ingest-geoip").is_dir():
            settings["ingest.geoip.downloader.enabled"] = False
        if (self.dist / "modules" / "x-pack-security").is_dir():
            settings["xpack.security.enabled"] = False
        body = "".join(f"{k}: {json.dumps(v)}\n" for k, v in settings.items())
        (n.config_dir / "elasticsearch.yml").write_text(f"# bench/cluster.py\n{body}")

    def launch(self, n: EsNode) -> subprocess.Popen[bytes]:
        """Start the launcher of node `n` (daemonised with -d); returns the launcher process."""
        assert self.dist is not None and self.java_home is not None
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ES_", "JAVA_", "_JAVA_"))}
        kw: dict[str, Any] = {}
        if self.user is not None:
            kw = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
            env.update(HOME=str(n.home), USER=node.NODE_USER, LOGNAME=node.NODE_USER)
        env.update(ES_JAVA_HOME=str(self.java_home),
                   ES_JAVA_OPTS=f"-Xms{self.heap} -Xmx{self.heap}", ES_PATH_CONF=str(n.config_dir),
                   ES_TMPDIR=str(n.home / "tmp"))
        n.pid_file.unlink(missing_ok=True)
        out = open(n.home / "logs" / "startup.log", "ab")  # noqa: SIM115 (closed by the child)
        try:
            return subprocess.Popen(
                [str(self.dist / "bin" / "elasticsearch"), "-d", "-p", str(n.pid_file)],
                cwd=n.home / "logs", env=env, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True, **kw)
        finally:
            out.close()

    def start(self, nodes: list[EsNode], timeout: float = 240) -> None:
        launchers = [(n, self.launch(n)) for n in nodes]
        for n, proc in launchers:
            try:
                rc = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise DrillError(f"{n.name} did not start within {timeout:.0f} s") from None
            if rc != 0 or n.pid() is None:
                raise DrillError(f"{n.name} failed to start (exit {rc}):\n"
                                 f"{tail(n.home / 'logs' / 'startup.log')}\n"
                                 f"{tail(n.home / 'logs' / f'{CLUSTER}.log')}")

    def kill(self, n: EsNode) -> None:
        pid = n.pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            wait_until(f"{n.name} to die", lambda: n.pid() is None, 30, 0.1)

    def stop(self, n: EsNode, timeout: float = 90) -> None:
        pid = n.pid()
        if pid is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        try:
            wait_until(f"{n.name} to stop", lambda: n.pid() is None, timeout, 0.2)
        except DrillError:
            self.kill(n)

    def live(self) -> list[EsNode]:
        return [n for n in self.nodes if n.pid() is not None]

    def request(self, method: str, path: str, body: Any = None, timeout: float = 30,
                avoid: EsNode | None = None) -> Any:
        """JSON request to the first live node (other than `avoid`)."""
        last: Exception | None = None
        for n in self.live():
            if n is avoid:
                continue
            try:
                r = requests.request(method, n.url + path, json=body, timeout=timeout)
                r.raise_for_status()
                return r.json()
            except (requests.RequestException, ValueError) as exc:
                last = exc
        raise DrillError(f"no node answered {method} {path}: {last}")

    def health(self, wait_for: str | None = None, timeout: int = 60, nodes: int | None = None,
               avoid: EsNode | None = None) -> dict[str, Any]:
        params = [f"timeout={timeout}s"]
        if wait_for:
            params.append(f"wait_for_status={wait_for}")
        if nodes:
            params.append(f"wait_for_nodes={nodes}")
        return self.request("GET", "/_cluster/health?" + "&".join(params), timeout=timeout + 10,
                            avoid=avoid)

    def wait_status(self, status: str, timeout: float, nodes: int | None = None) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            with contextlib.suppress(DrillError):
                left = int(timeout - (time.monotonic() - started))
                h = self.health(status, min(30, max(1, left)), nodes)
                if not h.get("timed_out"):
                    return time.monotonic() - started
            time.sleep(0.5)
        raise DrillError(f"cluster not {status} within {timeout:.0f} s")

    def replicas(self) -> dict[str, int]:
        """Replicas per index of the app, as `SEARCH_REPLICAS` made them."""
        found = self.request("GET", f"/{INDEX_PREFIX}-*/_settings/index.number_of_replicas")
        return {name: int(value["settings"]["index"]["number_of_replicas"])
                for name, value in found.items()}

    def allocation(self, value: str | None, avoid: EsNode | None = None) -> None:
        self.request("PUT", "/_cluster/settings",
                     {"persistent": {"cluster.routing.allocation.enable": value}}, avoid=avoid)


# --------------------------------------------------------------------------- PostgreSQL


class Postgres:
    def __init__(self, base: Path, port: int) -> None:
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: int(p.parent.parent.name)
                      if p.parent.parent.name.isdigit() else 0)
        if not bins:
            raise DrillError("PostgreSQL is not installed (apt-get install postgresql)")
        self.bin = bins[-1].parent
        self.data = base / "pg"
        self.port = port
        self.db = "zukunftsstadt_drill"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
        if check and out.returncode != 0:
            raise DrillError(f"{' '.join(args[:2])} failed: {out.stdout}{out.stderr}")
        return out

    def init(self) -> None:
        self.data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.data, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                  "-E", "UTF8")
        self.start()
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), self.db)

    def start(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l",
                  str(self.data / "server.log"), "-w", "-o",
                  f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 "
                  "-c max_connections=200", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop",
                  check=False)

    def url(self, application: str = "") -> str:
        suffix = f"?application_name={application}" if application else ""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.db}{suffix}"

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=self.db,
                             connect_timeout=5, autocommit=True) as conn:
            cur = conn.execute(sql, params)  # type: ignore[arg-type]
            return cur.fetchall() if cur.description else []


# --------------------------------------------------------------------------- Load


@dataclass
class Event:
    at: float
    kind: str  # "save" or "search"
    ok: bool
    status: int  # 0: no HTTP answer
    seconds: float
    phase: str
    detail: str = ""


@dataclass
class Saved:
    id: int
    fkz: str
    version: int
    title: str


@dataclass
class Load:
    """Saves through the JSON API and searches, in background threads, with a ledger of every
    acknowledged save and of the saves whose outcome is unknown (no answer)."""

    base_url: str
    tokens: dict[str, str]
    programme_id: int
    copy_texts: list[tuple[str, str]]
    pause: float
    phase: str = "setup"
    events: list[Event] = field(default_factory=list)
    ledger: dict[int, Saved] = field(default_factory=dict)
    unknown_fkz: list[str] = field(default_factory=list)
    stop_flag: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)
    counter: int = 0

    def start(self, writers: int = 2, searchers: int = 2) -> None:
        for i in range(writers):
            self.threads.append(threading.Thread(target=self._writer, args=(i,), daemon=True))
        for i in range(searchers):
            self.threads.append(threading.Thread(target=self._searcher, args=(i,), daemon=True))
        for t in self.threads:
            t.start()

    def stop(self) -> None:
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=30)

    def _record(self, kind: str, started: float, response: requests.Response | None,
                ok_codes: tuple[int, ...], detail: str = "") -> bool:
        status = response.status_code if response is not None else 0
        ok = status in ok_codes
        if response is not None and not ok:
            detail = f"{response.headers.get('Content-Type', '')} {response.text[:200]}"
        with self.lock:
            self.events.append(Event(time.monotonic(), kind, ok, status,
                                     time.monotonic() - started, self.phase, detail))
        return ok

    def _send(self, method: str, path: str, token: str | None, **kw: Any
              ) -> tuple[requests.Response | None, str]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            return requests.request(method, self.base_url + path, headers=headers,
                                    timeout=15, **kw), ""
        except requests.RequestException as exc:
            return None, f"{type(exc).__name__}: {exc}"[:200]

    def _writer(self, number: int) -> None:
        rng = random.Random(number)
        mine: list[int] = []
        token = self.tokens["editor"]
        while not self.stop_flag.is_set():
            if not mine or rng.random() < 0.35:
                with self.lock:
                    self.counter += 1
                    fkz = f"99DR{number}{self.counter:05d}"
                if rng.random() < 0.3 and self.copy_texts:  # near-copy of another Ressort's
                    title, summary = rng.choice(self.copy_texts)  # record: an overlap alert
                else:
                    title = f"Drill {fkz}: {rng.choice(SEARCH_WORDS)} im Quartier"
                    summary = f"Lasttest {fkz} mit {rng.choice(SEARCH_WORDS)} und Beteiligung."
                body = {"fkz": fkz, "title": title, "summary": summary,
                        "programme_id": self.programme_id}
                started = time.monotonic()
                resp, err = self._send("POST", "/api/v1/projects", token, json=body)
                if self._record("save", started, resp, (201,), err):
                    data = resp.json()  # type: ignore[union-attr]
                    with self.lock:
                        self.ledger[data["id"]] = Saved(data["id"], fkz, data["version"], title)
                    mine.append(data["id"])
                elif resp is None or resp.status_code >= 500:
                    with self.lock:
                        self.unknown_fkz.append(fkz)
            else:
                record_id = rng.choice(mine)
                with self.lock:
                    saved = self.ledger[record_id]
                title = f"Drill {saved.fkz}: {rng.choice(SEARCH_WORDS)}, Stand {saved.version + 1}"
                started = time.monotonic()
                resp, err = self._send("PATCH", f"/api/v1/projects/{record_id}", token,
                                       json={"version": saved.version, "title": title})
                if self._record("save", started, resp, (200,), err):
                    with self.lock:
                        saved.version, saved.title = resp.json()["version"], title  # type: ignore[union-attr]
                elif resp is None or resp.status_code >= 500 or resp.status_code == 409:
                    self._resync(saved, token)
            self.stop_flag.wait(self.pause)

    def _resync(self, saved: Saved, token: str) -> None:
        """After an answer-less update, read back what the database holds."""
        for _ in range(60):
            if self.stop_flag.is_set():
                return
            resp, _ = self._send("GET", f"/api/v1/projects/{saved.id}", token)
            if resp is not None and resp.status_code == 200:
                data = resp.json()
                with self.lock:
                    saved.version, saved.title = data["version"], data["title"]
                return
            time.sleep(1)

    def _searcher(self, number: int) -> None:
        rng = random.Random(100 + number)
        while not self.stop_flag.is_set():
            token = self.tokens["coordination"] if number % 2 else None
            started = time.monotonic()
            resp, err = self._send("GET", "/api/v1/search", token,
                                   params={"q": rng.choice(SEARCH_WORDS)})
            self._record("search", started, resp, (200,), err)
            self.stop_flag.wait(self.pause)

    # ----------------------------------------------------------------- statistics

    def window(self, since: float, until: float | None = None) -> list[Event]:
        with self.lock:
            return [e for e in self.events if e.at >= since and (until is None or e.at <= until)]

    @staticmethod
    def longest_gap(events: list[Event], since: float, until: float) -> float:
        """Longest time without a successful search, or without a successful save."""
        worst = 0.0
        for kind in ("save", "search"):
            times = [since, *sorted(e.at for e in events if e.kind == kind and e.ok), until]
            worst = max(worst, *(b - a for a, b in itertools.pairwise(times)))
        return worst

    def describe(self, since: float, until: float | None = None) -> str:
        until = until or time.monotonic()
        ev = self.window(since, until)
        parts = []
        for kind in ("save", "search"):
            mine = [e for e in ev if e.kind == kind]
            ok = sum(e.ok for e in mine)
            codes: dict[int, int] = {}
            for e in mine:
                if not e.ok:
                    codes[e.status] = codes.get(e.status, 0) + 1
            slow = max((e.seconds for e in mine), default=0.0)
            failed = ", ".join(f"{c or 'no answer'}×{n}" for c, n in sorted(codes.items()))
            plural = "searches" if kind == "search" else "saves"
            parts.append(f"{plural} {ok}/{len(mine)} ok" + (f" (failed: {failed})" if codes else "")
                         + f", slowest {slow:.1f} s")
        parts.append(f"longest gap {self.longest_gap(ev, since, until):.1f} s")
        return "; ".join(parts)


# --------------------------------------------------------------------------- Drill


@dataclass
class Step:
    name: str
    ok: bool
    seconds: float
    detail: str


class Drill:
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

    def outbox(self) -> tuple[int, int]:
        rows = self.pg.query("SELECT (SELECT count(*) FROM search_outbox), "
                             "(SELECT count(*) FROM overlap_alert)")
        return int(rows[0][0]), int(rows[0][1])

    def wait_delivered(self, timeout: float) -> float:
        """Wait until every outbox row queued up to now is delivered (saves go on meanwhile:
        rows queued later do not count); returns the seconds it took."""
        mark = self.pg.query("SELECT now()")[0][0]
        return wait_until("the outbox to deliver what was queued", lambda: self.pg.query(
            "SELECT count(*) FROM search_outbox WHERE created_at <= %s", mark)[0][0] == 0,
            timeout, 0.5)

    def delivered(self, timeout: float) -> tuple[bool, str]:
        """Every save acknowledged so far is in the catalogue index with at least its version,
        once the outbox rows queued up to now are delivered (the load goes on meanwhile)."""
        assert self.load is not None
        with self.load.lock:
            wanted = {s.id: s.version for s in self.load.ledger.values()}
        waited = self.wait_delivered(timeout)
        found: dict[int, int] = {}
        ids = sorted(wanted)
        for i in range(0, len(ids), 500):
            body = {"ids": [f"project-{n}" for n in ids[i:i + 500]]}
            answer = self.cluster.request(
                "POST", f"/{INDEX_PREFIX}-catalogue/_mget?_source=false", body)
            for doc in answer["docs"]:
                if doc.get("found"):
                    found[int(doc["_id"].split("-")[1])] = int(doc["_version"])
        missing = sum(1 for n in ids if n not in found)
        behind = sum(1 for n in ids if n in found and found[n] < wanted[n])
        ok = missing == 0 and behind == 0
        return ok, (f"outbox delivered {waited:.1f} s later; index holds all {len(ids)} "
                    f"acknowledged drill projects at their version" if ok else
                    f"outbox delivered {waited:.1f} s later, but of {len(ids)} acknowledged "
                    f"projects {missing} are missing in the index and {behind} behind")

    def alerts_state(self) -> str:
        """Queued overlap checks (alerts) and their last error, if any."""
        rows = self.pg.query("SELECT count(*), max(attempts), "
                             "(SELECT last_error FROM overlap_alert WHERE last_error IS NOT NULL "
                             "ORDER BY id DESC LIMIT 1) FROM overlap_alert")
        count, attempts, error = rows[0]
        if not count:
            return "overlap checks: none pending"
        first = (error or "").splitlines()[0][:220] if error else ""
        return (f"overlap checks pending: {count} (up to {attempts} attempts"
                + (f"; last error: {first}" if first else "") + ")")

    def search_check(self) -> tuple[bool, str]:
        out = self.flask("search", "check", check=False, timeout=300)
        lines = [ln for ln in out.stdout.splitlines() if ln.strip()]
        summary = next((ln for ln in reversed(lines) if "fehlend" in ln), lines[-1] if lines
                       else out.stderr[-300:])
        return out.returncode == 0, summary

    def run_step(self, name: str, body: Callable[[], tuple[bool, str]]) -> None:
        assert self.load is not None
        log(f"=== {name}")
        self.load.phase = name
        started = time.monotonic()
        try:
            ok, detail = body()
        except DrillError as exc:
            ok, detail = False, f"abgebrochen / aborted: {exc}"
        seconds = time.monotonic() - started
        detail = f"{detail}; load: {self.load.describe(started)}"
        self.steps.append(Step(name, ok, seconds, detail))
        log(f"{'OK  ' if ok else 'FAIL'} {name} ({seconds:.1f} s): {detail}")

    def hold(self, seconds: float) -> None:
        time.sleep(seconds)

    # ----------------------------------------------------------------- steps

    def step_baseline(self) -> tuple[bool, str]:
        assert self.load is not None
        since = time.monotonic()
        self.hold(15 if self.quick else 45)
        ev = self.load.window(since)
        bad = [e for e in ev if not e.ok]
        idx_ok, idx = self.delivered(120)
        saves = [e for e in ev if e.kind == "save"]
        searches = [e for e in ev if e.kind == "search"]
        # Saves must all succeed; a search may time out now and then (2.5 s) on a busy machine.
        ok = (idx_ok and bool(saves) and all(e.ok for e in saves) and bool(searches)
              and sum(e.ok for e in searches) >= 0.95 * len(searches))
        failed = f"{len(bad)} failed requests, e.g. {bad[0].status} {bad[0].detail[:160]}; " \
            if bad else "no failed request; "
        return ok, f"{failed}{idx}; {self.alerts_state()}"

    def step_kill_node(self) -> tuple[bool, str]:
        assert self.load is not None
        victim = self.cluster.nodes[1]
        master = self.cluster.request("GET", "/_cat/master?format=json")[0]["node"]
        self.cluster.kill(victim)
        killed_at = time.monotonic()
        log(f"  kill -9 {victim.name} (Master ist {master})")
        status = self.cluster.health(avoid=victim, timeout=30)["status"]
        wait_until("cluster to see 2 nodes", lambda: self.cluster.health(
            nodes=2, timeout=5)["number_of_nodes"] == 2, 90)
        status = self.cluster.health(timeout=5)["status"]
        log(f"  Cluster nach dem Ausfall: {status}, 2 Knoten")
        self.hold(20 if self.quick else 60)
        down = self.load.window(killed_at)
        searches = [e for e in down if e.kind == "search"]
        saves = [e for e in down if e.kind == "save"]
        yellow = self.cluster.health(timeout=5)["status"]
        t = time.monotonic()
        self.cluster.start([victim])
        self.cluster.wait_status("green", 240, nodes=3)
        green = time.monotonic() - t
        check_ok, check = self.delivered(180)
        search_ok = sum(e.ok for e in searches)
        save_ok = sum(e.ok for e in saves)
        ok = (status != "red" and yellow != "red" and searches and saves
              and search_ok >= 0.95 * len(searches) and save_ok == len(saves) and check_ok)
        return bool(ok), (f"while 2 of 3 nodes: cluster {yellow}, searches {search_ok}/"
                          f"{len(searches)} ok, saves {save_ok}/{len(saves)} ok; node back and "
                          f"green in {green:.1f} s; {check}")

    def step_rolling_restart(self) -> tuple[bool, str]:
        times = []
        for n in self.cluster.nodes:
            t = time.monotonic()
            self.cluster.allocation("primaries", avoid=n)
            with contextlib.suppress(DrillError):
                self.cluster.request("POST", "/_flush", avoid=n)
            self.cluster.stop(n)
            self.cluster.start([n])
            self.cluster.wait_status("yellow", 180, nodes=3)
            self.cluster.allocation(None)
            self.cluster.wait_status("green", 240, nodes=3)
            times.append(time.monotonic() - t)
            log(f"  {n.name} neu gestartet, Cluster grün ({times[-1]:.1f} s)")
        check_ok, check = self.delivered(180)
        return check_ok, (f"restart+green per node {', '.join(f'{s:.0f} s' for s in times)}; "
                          f"{check}")

    def step_kill_worker(self) -> tuple[bool, str]:
        # Pause both workers so that a backlog builds up, then let one drain it and kill it
        # while its transaction holds the outbox rows (RowShareLock on search_outbox).
        numbers = sorted(self.workers)
        for number in numbers:
            os.kill(self.workers[number].pid, signal.SIGSTOP)
        try:
            self.hold(5 if self.quick else 15)
            queued = self.pg.query(
                "INSERT INTO search_outbox (entity, entity_id, version, created_at, attempts, "
                "next_attempt_at) SELECT 'project', id, version, now(), 0, now() FROM project "
                "RETURNING id")
            backlog, alerts = self.outbox()
            log(f"  Rückstau: {backlog} Outbox-Zeilen ({len(queued)} davon als Neuindexierung "
                f"aller Projekte eingereiht), {alerts} Überschneidungsprüfungen")
            victim_no = numbers[0]
            victim = self.workers[victim_no]
            os.kill(victim.pid, signal.SIGCONT)
            mid_drain = False
            held = 0
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                rows = self.pg.query(
                    "SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
                    "WHERE a.application_name = %s AND l.relation = 'search_outbox'::regclass "
                    "AND a.state LIKE 'idle in transaction%%'", f"zs-drill-worker-{victim_no}")
                if rows[0][0]:
                    mid_drain = True
                    break
                time.sleep(0.02)
            held = self.outbox()[0]
            self.expected_exit.add(victim.pid)
            os.killpg(victim.pid, signal.SIGKILL)
            victim.wait(10)
            del self.workers[victim_no]
            log(f"  kill -9 Such-Worker {victim_no} "
                + ("mitten im Abarbeiten (Transaktion hält Outbox-Zeilen)" if mid_drain
                   else "ohne offene Outbox-Transaktion beobachtet zu haben")
                + f"; "
                f"{held} Zeilen noch im Outbox")
        finally:
            for proc in self.workers.values():
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGCONT)
        new = self.start_worker()
        log(f"  neuer Such-Worker {new} gestartet")
        check_ok, check = self.delivered(240)
        dup_notes = self.pg.query("SELECT count(*) FROM (SELECT user_id, key FROM notification "
                                  "WHERE key != '' GROUP BY user_id, key HAVING count(*) > 1) d")
        dup_fkz = self.pg.query("SELECT count(*) FROM (SELECT fkz FROM project GROUP BY fkz "
                                "HAVING count(*) > 1) d")
        ok = mid_drain and check_ok and dup_notes[0][0] == 0 and dup_fkz[0][0] == 0
        return ok, (f"killed mid-drain: {'yes' if mid_drain else 'NO'} ({held} rows in the "
                    f"outbox at the kill); {check}; duplicate notifications {dup_notes[0][0]}, "
                    f"duplicate FKZ {dup_fkz[0][0]}")

    def step_postgres_restart(self) -> tuple[bool, str]:
        assert self.load is not None
        t = time.monotonic()
        self.pg.stop("fast")
        stopped = time.monotonic()
        log(f"  PostgreSQL gestoppt ({stopped - t:.1f} s)")
        self.hold(8 if self.quick else 20)
        self.pg.start()
        started = time.monotonic()
        log("  PostgreSQL wieder gestartet")

        def recovered() -> bool:
            assert self.load is not None
            ev = self.load.window(started)
            return any(e.ok and e.kind == "save" for e in ev) and \
                any(e.ok and e.kind == "search" for e in ev)

        wait_until("saves and searches to succeed again", recovered, 90)
        time.sleep(3)
        back = max(min(e.at for e in self.load.window(started) if e.ok and e.kind == kind)
                   for kind in ("save", "search")) - started
        during = self.load.window(stopped + 0.5, started)
        failed = [e for e in during if not e.ok]
        codes: dict[str, int] = {}
        for e in failed:
            problem_json = "application/problem+json" in e.detail
            label = f"{e.status or 'no answer'}{' problem+json' if problem_json else ''}"
            codes[label] = codes.get(label, 0) + 1
        clean = all(e.status == 503 and "application/problem+json" in e.detail for e in failed)
        after = [e for e in self.load.window(started + back + 1) if not e.ok]
        sample = next((e.detail for e in failed if e.status != 503), "")
        idx_ok, idx = self.delivered(180)
        ok = bool(failed) and clean and not after and idx_ok
        detail = (f"while down: {len(failed)}/{len(during)} requests failed as "
                  f"{', '.join(f'{k}×{v}' for k, v in sorted(codes.items())) or '-'}"
                  + (f" (e.g. {sample[:160]})" if sample else "")
                  + f"; saves and searches succeed again {back:.1f} s after the start, "
                  f"without an app restart; failures after recovery: {len(after)}; {idx}")
        return ok, detail

    # ----------------------------------------------------------------- run

    def finish(self) -> tuple[bool, str, int, int]:
        """Stop the load; the final checks. Returns ok, detail, lost, duplicates."""
        assert self.load is not None
        self.load.stop()
        try:
            drained: float | None = self.wait_delivered(300)
        except DrillError:
            drained = None
        try:
            alerts_waited: float | None = wait_until(
                "overlap alerts", lambda: self.outbox()[1] == 0, 90 if self.quick else 300)
        except DrillError:
            alerts_waited = None
        alerts = self.alerts_state()
        check_ok, check = self.search_check()
        rows = {int(r[0]): (r[1], int(r[2]), r[3]) for r in self.pg.query(
            "SELECT id, fkz, version, title FROM project WHERE fkz LIKE '99DR%%'")}
        lost = 0
        for saved in self.load.ledger.values():
            got = rows.get(saved.id)
            if got is None or got[1] < saved.version or (got[1] == saved.version
                                                          and got[2] != saved.title):
                lost += 1
        fkzs = {r[0] for r in rows.values()}
        unknown_in_db = sum(1 for f in self.load.unknown_fkz if f in fkzs)
        dup_fkz = int(self.pg.query("SELECT count(*) FROM (SELECT fkz FROM project GROUP BY fkz "
                                    "HAVING count(*) > 1) d")[0][0])
        dup_notes = int(self.pg.query(
            "SELECT count(*) FROM (SELECT user_id, key FROM notification WHERE key != '' "
            "GROUP BY user_id, key HAVING count(*) > 1) d")[0][0])
        notes = int(self.pg.query("SELECT count(*) FROM notification WHERE key != ''")[0][0])
        report = re_numbers(check)
        index_lost = report.get("fehlend", 0) + report.get("veraltet", 0)
        total_lost = lost + index_lost
        ok = (check_ok and total_lost == 0 and dup_fkz == 0 and dup_notes == 0
              and alerts_waited is not None and drained is not None)
        pending = self.outbox()[0]
        detail = ((f"outbox delivered after {drained:.1f} s; " if drained is not None else
                   f"outbox NOT delivered within 300 s ({pending} rows left); ")
                  + (f"overlap checks done after {alerts_waited:.1f} s" if alerts_waited
                     is not None else f"NOT all overlap alerts delivered: {alerts}")
                  + f"; search check: {check}; acknowledged "
                  f"saves {len(self.load.ledger)} projects, lost {lost}; saves without answer "
                  f"{len(self.load.unknown_fkz)} (of these in the database: {unknown_in_db}); "
                  f"duplicate FKZ {dup_fkz}; overlap notifications {notes}, sent twice "
                  f"{dup_notes}")
        return ok, detail, total_lost, dup_fkz + dup_notes

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


def re_numbers(summary: str) -> dict[str, int]:
    """'0 fehlend, 1 veraltet, 0 verwaist, …' -> {'fehlend': 0, 'veraltet': 1, …}."""
    out: dict[str, int] = {}
    for part in summary.replace(";", ",").split(","):
        words = part.split()
        if len(words) >= 2 and words[0].isdigit():
            out[words[1]] = int(words[0])
    return out


@contextlib.contextmanager
def interrupt_as_exception() -> Iterator[None]:
    """SIGTERM/SIGHUP end the drill like Ctrl+C, so that cleanup runs."""
    def raise_interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt(f"signal {signum}")
    previous = {s: signal.signal(s, raise_interrupt) for s in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


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
