"""Run the local single-node Elasticsearch for development and tests.

It listens on 127.0.0.1 only. When running as root, the node runs as the system user
``zukunftsstadt-es`` because Elasticsearch refuses to run as root. What it runs is provisioned
by `search.node_install`.

Standard library only; this package must not import the application.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .node_install import (  # noqa: F401  (re-exported: the node's public interface)
    CLUSTER_NAME,
    DEFAULT_VERSION,
    HINT,
    NODE_USER,
    NodeConfig,
    NodeError,
    Progress,
    ensure_distribution,
    find_java,
)


def _read_pid(cfg: NodeConfig) -> int | None:
    try:
        return int(cfg.pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def _pid_alive(pid: int) -> bool:
    """True if ``pid`` is a live (non-zombie) process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat_line.rpartition(")")[2].split()[0] not in ("Z", "X")


def _our_pid(cfg: NodeConfig) -> int | None:
    """PID from the pid file if that process is alive and is our Elasticsearch."""
    pid = _read_pid(cfg)
    if pid is None or not _pid_alive(pid):
        return None
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return pid
    if "elasticsearch" not in cmdline.lower():
        return None  # pid reused by something else
    return pid


def _http_json(url: str, timeout: float = 5) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return json.loads(resp.read().decode())
    except (urllib.error.URLError, OSError, ValueError):
        return None


def _node_version(url: str) -> str | None:
    """Version of the node answering at ``url``, None if nothing answers.

    ``GET /`` lives in the rest-root module, which the integ-test-zip lacks; use ``_nodes``.
    """
    doc = _http_json(f"{url}/_nodes/_local?filter_path=nodes.*.version", timeout=3)
    nodes = list((doc or {}).get("nodes", {}).values())
    return nodes[0].get("version") if nodes else None


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _log_tail(cfg: NodeConfig, lines: int = 30) -> str:
    parts = []
    for log in (cfg.server_log, cfg.startup_log):
        text = _tail(log, lines)
        if text.strip():
            parts.append(f"--- {log} ---\n{text}")
    return "\n".join(parts) or "(kein Log / no log)"


# --------------------------------------------------------------------------- Root handling


def _ensure_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(NODE_USER)
    except KeyError:
        pass
    try:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", NODE_USER],
            check=True,
            capture_output=True,
            text=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or exc
        raise NodeError(
            f"Systembenutzer {NODE_USER} konnte nicht angelegt werden / could not create "
            f"system user {NODE_USER}: {detail}"
        ) from exc
    return pwd.getpwnam(NODE_USER)


# Node homes for root when the checkout lies where the node user cannot go (/root, mktemp -d).
PRIVATE_HOMES = Path("/var/lib/zukunftsstadt")


def _blocking_parent(path: Path) -> Path | None:
    """The first existing parent of ``path`` that the node user cannot traverse, if any."""
    for parent in reversed(path.resolve().parents):
        if parent.exists() and not parent.stat().st_mode & stat.S_IXOTH:
            return parent
    return None


def usable_home(home: Path) -> Path:
    """Where the node lives: ``home``, or, for root when the node user cannot reach ``home``
    (a checkout in /root or in a ``mktemp -d`` directory), a directory of its own under
    /var/lib/zukunftsstadt named after ``home``, so that ``make run`` works there as well."""
    if os.geteuid() != 0 or _blocking_parent(home) is None:
        return home
    digest = hashlib.sha256(str(home.resolve()).encode()).hexdigest()[:12]
    return PRIVATE_HOMES / f"search-node-{digest}"


def _check_reachable(path: Path, what: str) -> None:
    """Ensure every parent of ``path`` is world-executable so the node user can reach it."""
    for parent in reversed(path.resolve().parents):
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            raise NodeError(
                f"{what} {path}: Verzeichnis {parent} ist für den Benutzer {NODE_USER} nicht "
                f"durchsuchbar (chmod o+x {parent} oder anderes Verzeichnis wählen). / "
                f"directory {parent} is not traversable by user {NODE_USER} "
                f"(chmod o+x it or choose another location). {HINT}"
            )


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [dirpath, *(os.path.join(dirpath, n) for n in dirnames + filenames)]:
            st = os.lstat(name)
            if st.st_uid != uid or st.st_gid != gid:
                os.lchown(name, uid, gid)


# --------------------------------------------------------------------------- Node lifecycle


def _has_geoip_setting(dist: Path) -> bool:
    """Whether this distribution ships the ingest-geoip module (owner of the geoip settings)."""
    return (dist / "modules" / "ingest-geoip").is_dir()


def _write_config(cfg: NodeConfig, dist: Path) -> None:
    settings: dict[str, str] = {
        "cluster.name": CLUSTER_NAME,
        "node.name": "local",
        "discovery.type": "single-node",
        "network.host": "127.0.0.1",
        "http.port": str(cfg.port),
        "transport.port": str(cfg.transport_port),
        "path.data": str(cfg.data_dir),
        "path.logs": str(cfg.logs_dir),
        "cluster.routing.allocation.disk.threshold_enabled": "false",
        "action.destructive_requires_name": "false",
    }
    if _has_geoip_setting(dist):
        settings["ingest.geoip.downloader.enabled"] = "false"
    if (dist / "modules" / "x-pack-security").is_dir():
        # The integ-test-zip ships x-pack-security: without this, the launcher auto-configures
        # TLS and passwords. Only set when the module exists, unknown settings are fatal.
        settings["xpack.security.enabled"] = "false"
        certs = dist / "config" / "certs"
        if certs.is_dir():  # leftovers of an earlier security auto-configuration
            shutil.rmtree(certs)
            (dist / "config" / "elasticsearch.keystore").unlink(missing_ok=True)
    body = "".join(f"{k}: {json.dumps(v)}\n" for k, v in settings.items())
    header = "# Managed by search/node.py - rewritten on every start.\n"
    (dist / "config" / "elasticsearch.yml").write_text(header + body)


def wait_for_yellow(url: str, timeout: float, log_file: Path | None = None) -> dict[str, Any]:
    """Wait until the cluster at ``url`` is at least yellow; return the health document."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        wait = max(1, min(int(remaining), 30))
        req = f"{url}/_cluster/health?wait_for_status=yellow&timeout={wait}s"
        try:
            with urllib.request.urlopen(req, timeout=wait + 5) as resp:
                health = json.loads(resp.read().decode())
            if health.get("status") in ("yellow", "green") and not health.get("timed_out"):
                return health
            last = health
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError, ValueError) as exc:
            last = exc
        time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))
    tail = _tail(log_file) if log_file else ""
    raise NodeError(
        f"Elasticsearch unter {url} wurde nicht innerhalb von {timeout:.0f}s bereit "
        f"(mindestens gelb). / Elasticsearch at {url} did not reach yellow within "
        f"{timeout:.0f}s. Letzter Stand / last state: {last}\n{tail}"
    )


def is_running(cfg: NodeConfig) -> bool:
    """True if our node process is alive and its HTTP port answers."""
    return _our_pid(cfg) is not None and _node_version(cfg.url) is not None


def start(cfg: NodeConfig, timeout: float = 180, progress: Progress = print) -> str:
    """Start the node (idempotent) and wait for yellow health; return its URL."""
    deadline = time.monotonic() + timeout
    pid = _our_pid(cfg)
    if pid is not None:
        progress(f"Elasticsearch läuft bereits / already running (pid {pid}): {cfg.url}")
        _wait_or_fail(cfg, deadline)
        return cfg.url
    cfg.pid_file.unlink(missing_ok=True)
    for port in (cfg.port, cfg.transport_port):
        if _port_open(port):
            raise NodeError(
                f"Port {port} ist bereits belegt (nicht von unserem Knoten). Anderen Port wählen "
                f"oder ELASTICSEARCH_URL auf den vorhandenen Cluster setzen. / Port {port} is "
                f"already in use by something else; choose another port or set "
                f"ELASTICSEARCH_URL to the existing cluster."
            )

    as_root = os.geteuid() == 0
    if as_root:
        cfg.home.mkdir(parents=True, exist_ok=True)
        _check_reachable(cfg.home, "Knotenverzeichnis / node home")
    java_home = find_java()
    if as_root:
        _check_reachable(java_home / "bin" / "java", "Java")
    dist = ensure_distribution(cfg, progress)
    for d in (cfg.data_dir, cfg.logs_dir):
        d.mkdir(parents=True, exist_ok=True)
    _write_config(cfg, dist)
    tmp_dir = cfg.home / "tmp"
    shutil.rmtree(tmp_dir, ignore_errors=True)
    tmp_dir.mkdir()

    popen_kw: dict[str, Any] = {}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ES_", "JAVA_", "_JAVA_"))}
    if as_root:
        user = _ensure_user()
        _chown_tree(cfg.home, user.pw_uid, user.pw_gid)
        popen_kw = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
        env.update(HOME=str(cfg.home), USER=NODE_USER, LOGNAME=NODE_USER)
    env.update(
        ES_JAVA_HOME=str(java_home),
        ES_JAVA_OPTS=f"-Xms{cfg.heap} -Xmx{cfg.heap}",
        ES_PATH_CONF=str(dist / "config"),
        ES_TMPDIR=str(tmp_dir),
    )

    progress(f"Starte Elasticsearch {cfg.version} / starting on {cfg.url} (Java: {java_home})")
    with open(cfg.startup_log, "ab") as log:
        log.write(f"\n=== start {time.strftime('%Y-%m-%d %H:%M:%S')} ===\n".encode())
        log.flush()
        proc = subprocess.Popen(
            [str(dist / "bin" / "elasticsearch"), "-d", "-p", str(cfg.pid_file)],
            cwd=cfg.logs_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **popen_kw,
        )
    # With -d the launcher returns once the server has started (or failed).
    try:
        rc = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        stop(cfg, timeout=10)
        raise NodeError(
            f"Elasticsearch startete nicht innerhalb von {timeout:.0f}s. / Elasticsearch did "
            f"not start within {timeout:.0f}s.\n{_log_tail(cfg)}"
        ) from None
    if rc != 0 or _our_pid(cfg) is None:
        stop(cfg, timeout=10)
        raise NodeError(
            f"Elasticsearch konnte nicht gestartet werden (Exit-Code {rc}). / Elasticsearch "
            f"failed to start (exit code {rc}). {HINT}\n{_log_tail(cfg)}"
        )
    _wait_or_fail(cfg, deadline)
    progress(f"Elasticsearch bereit / ready: {cfg.url}")
    return cfg.url


def _wait_or_fail(cfg: NodeConfig, deadline: float) -> None:
    try:
        wait_for_yellow(cfg.url, max(1.0, deadline - time.monotonic()), cfg.server_log)
    except NodeError as exc:
        raise NodeError(f"{exc}\n{_tail(cfg.startup_log)}") from None


def stop(cfg: NodeConfig, timeout: float = 60) -> bool:
    """Stop our node: SIGTERM, wait, SIGKILL as last resort. True if it was running."""
    pid = _our_pid(cfg)
    if pid is None:
        cfg.pid_file.unlink(missing_ok=True)
        return False
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _pid_alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        end = time.monotonic() + 10
        while _pid_alive(pid) and time.monotonic() < end:
            time.sleep(0.1)
    cfg.pid_file.unlink(missing_ok=True)
    return True


def status(cfg: NodeConfig) -> dict[str, Any]:
    """Describe the node: running, url, pid, version, cluster_status, home."""
    pid = _our_pid(cfg)
    version = _node_version(cfg.url) if pid is not None else None
    health = _http_json(f"{cfg.url}/_cluster/health", timeout=3) if version else None
    return {
        "running": version is not None,
        "url": cfg.url,
        "pid": pid,
        "version": version,
        "cluster_status": (health or {}).get("status"),
        "home": str(cfg.home),
    }
