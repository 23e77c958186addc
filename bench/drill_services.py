"""The failure drill's services (`bench/cluster.py`): a three-node Elasticsearch cluster from
the project's distribution and PostgreSQL, each in the drill's temporary directory, and the
small helpers all parts of the drill share."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
