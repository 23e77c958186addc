"""Command line: `flask import foerderkatalog FILE [--dry-run]`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

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
