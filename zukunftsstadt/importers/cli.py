"""Command line: `flask import foerderkatalog FILE` and `flask import spreadsheet KIND FILE`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

from ..services.record_columns import ALIASES
from .fk_layout import FileFormatError
from .foerderkatalog import BATCH_SIZE, import_file
from .report import ImportReport

import_cli = AppGroup("import", help="Daten aus externen Quellen übernehmen.")


@import_cli.command("foerderkatalog")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True,
              help="Probelauf: alles prüfen und berichten, nichts speichern.")
@click.option("--batch-size", default=BATCH_SIZE, show_default=True,
              help="Zeilen je Transaktion.")
@click.option("--all-problems", is_flag=True,
              help="Alle abgelehnten Zeilen und Hinweise ausgeben (sonst die ersten 50).")
def foerderkatalog(file: Path, dry_run: bool, batch_size: int, all_problems: bool) -> None:
    """CSV-Export des Förderkatalogs des Bundes importieren (idempotent nach FKZ)."""
    size = file.stat().st_size
    with click.progressbar(length=size, label="Lese Förderkatalog", file=sys.stderr,
                           show_percent=True) as bar:
        done = 0

        def progress(bytes_read: int) -> None:
            nonlocal done
            bar.update(bytes_read - done)
            done = bytes_read

        try:
            report = import_file(file, dry_run=dry_run, batch_size=batch_size,
                                 progress=progress)
        except FileFormatError as exc:
            click.secho(f"\n{exc}", fg="red", err=True)
            sys.exit(1)
    _print(report, None if all_problems else 50)


@import_cli.command("spreadsheet")
@click.argument("kind", type=click.Choice(sorted(ALIASES), case_sensitive=False))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True,
              help="Probelauf: alles prüfen und berichten, nichts speichern.")
@click.option("--all-problems", is_flag=True,
              help="Alle abgelehnten Zeilen und Hinweise ausgeben (sonst die ersten 50).")
def spreadsheet(kind: str, file: Path, dry_run: bool, all_problems: bool) -> None:
    """Ausgefüllte Vorlage (XLSX oder CSV) importieren: programme, project, lab, priority,
    organisation (idempotent nach Schlüssel bzw. FKZ)."""
    from .spreadsheet import SpreadsheetImport

    with click.progressbar(length=100, label=f"Lese {file.name}", file=sys.stderr,
                           show_percent=True) as bar:
        shown = 0

        def progress(done: int, total: int) -> None:
            nonlocal shown
            percent = min(100, done * 100 // total) if total else 100
            bar.update(percent - shown)
            shown = percent

        try:
            with file.open("rb") as raw:
                report = SpreadsheetImport(ALIASES[kind.lower()], file.name, dry_run=dry_run,
                                           progress=progress).run(raw)
        except FileFormatError as exc:
            click.secho(f"\n{exc}", fg="red", err=True)
            sys.exit(1)
    _print(report, None if all_problems else 50)


def _print(report: ImportReport, limit: int | None) -> None:
    for line in report.summary():
        click.echo(line)
    for title, problems, total in (("Abgelehnte Zeilen", report.rejections, report.rejected),
                                   ("Hinweise", report.warnings, report.warned)):
        if not problems:
            continue
        click.echo(f"\n{title} (Zeile | Spalte | Grund):")
        shown = problems if limit is None else problems[:limit]
        for p in shown:
            fkz = f" [{p.fkz}]" if p.fkz else ""
            click.echo(f"  {p.line} | {p.column} | {p.reason}{fkz}")
        if total > len(shown):
            click.echo(f"  … und {total - len(shown)} weitere"
                       + ("" if limit is None else " (alle mit --all-problems)"))


def register(app: Flask) -> None:
    app.cli.add_command(import_cli)
