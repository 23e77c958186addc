"""Command line: `flask search ...` and `flask catalogue ...`."""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path

import click
from elasticsearch import ApiError, TransportError
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from search import node

from .extensions import db
from .services import dataset, dataset_export, indexing, jobs
from .services.worker import Worker

search_cli = AppGroup("search", help="Suchindex und lokaler Elasticsearch-Knoten.")
node_cli = AppGroup("node", help="Lokalen Elasticsearch-Knoten starten, stoppen, prüfen.")
catalogue_cli = AppGroup("catalogue", help="Katalogdaten laden und sichern.")
search_cli.add_command(node_cli)


def node_config() -> node.NodeConfig:
    return node.NodeConfig(
        home=node.usable_home(Path(current_app.config["SEARCH_NODE_HOME"])),
        port=int(current_app.config["SEARCH_NODE_PORT"]),
    )


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)


@node_cli.command("start")
def node_start() -> None:
    """Lokalen Knoten herunterladen (beim ersten Mal), starten und auf Bereitschaft warten."""
    if current_app.config["ELASTICSEARCH_URL"]:
        click.echo(f"ELASTICSEARCH_URL ist gesetzt ({current_app.config['ELASTICSEARCH_URL']}); "
                   "es wird kein lokaler Knoten gestartet.")
        return
    started = time.monotonic()
    try:
        url = node.start(node_config(), progress=click.echo)
    except node.NodeError as exc:
        _fail(str(exc))
    click.echo(f"Suchknoten bereit unter {url} ({time.monotonic() - started:.1f} s).")


@node_cli.command("stop")
def node_stop() -> None:
    """Lokalen Knoten beenden."""
    was_running = node.stop(node_config())
    click.echo("Suchknoten beendet." if was_running else "Suchknoten lief nicht.")


@node_cli.command("status")
def node_status() -> None:
    """Zustand des lokalen Knotens als JSON."""
    click.echo(json.dumps(node.status(node_config()), indent=2, default=str))


@search_cli.command("init")
def search_init() -> None:
    """Index und Alias anlegen, falls sie fehlen."""
    try:
        click.echo(f"Index bereit: {indexing.ensure_index()}")
    except (TransportError, ApiError) as exc:
        _fail(f"Suchdienst nicht erreichbar ({current_app.config['SEARCH_URL']}): {exc}")


@search_cli.command("rebuild")
def search_rebuild() -> None:
    """Neuen Index aus der Datenbank füllen und den Alias atomar umschalten."""
    total = indexing.count_indexable()
    started = time.monotonic()
    try:
        with jobs.held(indexing.INDEX_JOB) as lease:
            if lease is None:
                _fail("Ein anderer Prozess baut den Suchindex gerade auf; bitte warten Sie, "
                      "bis er fertig ist.")
            with click.progressbar(length=total, label="Indexiere Datensätze") as bar:
                index, errors = indexing.rebuild(progress=bar.update)
    except (TransportError, ApiError) as exc:
        _fail(f"Suchdienst nicht erreichbar ({current_app.config['SEARCH_URL']}): {exc}")
    if errors:
        for doc, error in list(errors.items())[:10]:
            click.echo(f"  {doc}: {error}", err=True)
        _fail(f"{len(errors)} Dokumente fehlerhaft; der bisherige Index bleibt aktiv.")
    click.echo(f"{total} Datensätze in {index} ({time.monotonic() - started:.1f} s); "
               "Alias umgeschaltet.")


@search_cli.command("check")
@click.option("--repair", is_flag=True, help="Gefundene Abweichungen beheben.")
def search_check(repair: bool) -> None:
    """Datenbank und Suchindex vergleichen: fehlende, veraltete und verwaiste Dokumente."""
    total = indexing.count_indexable()
    try:
        with click.progressbar(length=2 * total, label="Vergleiche Datenbank und Index",
                               file=sys.stderr) as bar:
            report = indexing.check(progress=bar.update)
    except (TransportError, ApiError) as exc:
        _fail(f"Suchdienst nicht erreichbar ({current_app.config['SEARCH_URL']}): {exc}")
    for name in report.missing:
        click.echo(f"fehlt im Index: {name}")
    for name, (db_version, index_version) in report.stale.items():
        click.echo(f"veraltet: {name} (Datenbank v{db_version}, Index v{index_version})")
    for name in report.orphan:
        click.echo(f"verwaist (nicht in der Datenbank): {name}")
    for name in report.public:
        click.echo(f"im öffentlichen Index abweichend: {name}")
    if report.mapping_outdated:
        click.echo("Der Index hat eine ältere Mapping-Version; ein Neuaufbau ist nötig.")
    click.echo(f"{len(report.missing)} fehlend, {len(report.stale)} veraltet, "
               f"{len(report.orphan)} verwaist, {len(report.public)} im öffentlichen Index "
               f"abweichend; {indexing.outbox_size()} ausstehend im Outbox.")
    if report.ok:
        click.echo("Index und Datenbank stimmen überein.")
        return
    if not repair:
        sys.exit(1)
    errors = indexing.repair(report, progress=None)
    if errors:
        _fail(f"{len(errors)} Dokumente konnten nicht repariert werden.")
    click.echo("Repariert.")


@search_cli.command("worker")
@click.option("--once", is_flag=True, help="Einmal abarbeiten und beenden.")
@click.option("--interval", default=1.0, show_default=True, help="Sekunden zwischen Durchläufen.")
def search_worker(once: bool, interval: float) -> None:
    """Ausstehende Änderungen (Outbox) an den Suchindex senden, dann Überschneidungen
    gespeicherter Einträge prüfen und melden."""
    worker = Worker(report=click.echo)
    while True:
        try:
            sent, checked = worker.round()
        except SQLAlchemyError as exc:  # the database restarts: wait for it, do not exit
            with contextlib.suppress(SQLAlchemyError):
                db.session.rollback()
            if once:
                click.echo(f"Datenbank nicht erreichbar: {type(exc).__name__}", err=True)
                sys.exit(1)
            worker.failed("Outbox", exc)  # logged once, and once more when it is back
            time.sleep(max(interval, 2))
            continue
        if once:
            return
        if not sent and not checked:
            time.sleep(interval)


@catalogue_cli.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--demo", is_flag=True, help="Datensätze als Demodaten kennzeichnen.")
def catalogue_load(file: Path, demo: bool) -> None:
    """Katalogdaten aus einer JSON-Datei laden (neu anlegen oder aktualisieren)."""
    click.echo(f"Lade {file} …")
    try:
        counts = dataset.load_file(file, demo=demo, progress=click.echo)
    except dataset.DatasetError as exc:
        _fail(f"Nichts geladen: {exc}")
    click.echo(f"Geladen: {sum(counts.values())} Einträge.")


@catalogue_cli.command("dump")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path), required=False)
def catalogue_dump(file: Path | None) -> None:
    """Den ganzen Katalog als JSON schreiben (Datei oder Standardausgabe)."""
    text = json.dumps(dataset_export.dump(), ensure_ascii=False, indent=2)
    if file:
        file.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Geschrieben: {file}")
    else:
        click.echo(text)


analysis_cli = AppGroup("analysis", help="Analysen für die AG III.")


@analysis_cli.command("overlaps")
@click.option("--restart", is_flag=True, help="Alle Einträge neu prüfen statt fortzusetzen.")
def analysis_overlaps(restart: bool) -> None:
    """Alle Überschneidungen zwischen Ressorts finden und speichern (setzt fort)."""
    from .services import overlap_scans, overlaps

    started = time.monotonic()
    try:
        with click.progressbar(length=overlaps.count_scannable(),
                               label="Lese Texte aus dem Suchindex") as bar:
            corpus = overlaps.load_corpus(progress=bar.update)
        with click.progressbar(length=len(corpus.docs), label="Vergleiche Einträge") as bar:
            run = overlap_scans.run("command", progress=bar.update, corpus=corpus,
                                    resume=not restart)
    except (TransportError, ApiError) as exc:
        _fail(f"Suchdienst nicht erreichbar ({current_app.config['SEARCH_URL']}): {exc}. "
              "Bereits geprüfte Einträge bleiben gespeichert; ein neuer Aufruf setzt fort.")
    if run is None:
        _fail("Ein anderer Prozess hat den angestoßenen Abgleich gerade übernommen.")
    click.echo(f"{run.scanned} geprüft, {run.skipped} unverändert übersprungen, "
               f"{run.pairs} Paare gefunden ({time.monotonic() - started:.1f} s).")


@analysis_cli.command("coverage")
@click.option("--if-stale", is_flag=True,
              help="Nur rechnen, wenn Einträge seit dem letzten Stand geändert wurden.")
def analysis_coverage(if_stale: bool) -> None:
    """Abdeckung der Forschungsschwerpunkte durch Textähnlichkeit berechnen und speichern."""
    from .services import priority_matching

    if if_stale and not priority_matching.is_stale():
        click.echo("Abdeckung ist aktuell.")
        return
    indexing.drain_all()
    try:
        with click.progressbar(length=len(priority_matching.published_priorities()),
                               label="Gleiche Schwerpunkte ab") as bar:
            run = priority_matching.compute(progress=bar.update, timeout=300)
    except (TransportError, ApiError) as exc:
        _fail(f"Suchdienst nicht erreichbar ({current_app.config['SEARCH_URL']}): {exc}. "
              "Der bisherige Stand bleibt gespeichert.")
    if run is None:
        click.echo("Die Abdeckung wird gerade von einem anderen Prozess berechnet; "
                   "dessen Ergebnis wird gespeichert.")
        return
    click.echo(f"{run.priorities} Schwerpunkte, {run.records} Einträge mit Textzuordnung "
               f"({run.seconds:.1f} s).")


users_cli = AppGroup("users", help="Konten verwalten.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(["coordination", "editor", "analyst"]), required=True)
@click.option("--ressort", "ressorts", multiple=True, help="Ressort-Kürzel, mehrfach möglich.")
@click.password_option("--password", help="Mindestens 12 Zeichen.")
def users_create(email: str, name: str, role: str, ressorts: tuple[str, ...],
                 password: str) -> None:
    """Ein Konto anlegen."""
    from .services import accounts

    try:
        user = accounts.create_user(email, name, password, role, list(ressorts))
    except accounts.AccountError as exc:
        _fail(str(exc))
    click.echo(f"Konto angelegt: {user.email} ({user.role_label})")


def register(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(analysis_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(catalogue_cli)
