"""Spreadsheet import and list exports at scale: rows/s, time and memory.

Generates a CSV of projects in the template's format, imports it (dry run, then for real, then
again: every row unchanged) into a throwaway SQLite database (or the PostgreSQL database given
with --database-url, which is WIPED), exports the project list as CSV, XLSX and JSON through the
web routes as the Koordination would, imports the XLSX export again, and prints the numbers.
Memory of the exports is the peak of Python allocations (tracemalloc) while one export is
streamed to nowhere.

Run: .venv/bin/python bench/spreadsheets.py [--rows 20000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import fresh_app, peak_rss_mib  # noqa: E402

os.environ["ZS_INSTANCE_DIR"] = tempfile.mkdtemp(prefix="zs-bench-sheets-")
os.environ["SEARCH_AUTO_DRAIN"] = "0"

HEADER = ["Förderkennzeichen (FKZ)", "Titel", "Kurzbeschreibung", "Förderprogramm (Schlüssel)",
          "Kommunen", "Beginn", "Ende", "Fördersumme in Euro", "Themenfelder (Schlüssel)",
          "Nachhaltigkeitsziele (SDG)", "Veröffentlichungsstatus"]
WORDS = ["Klimaanpassung", "Quartier", "Hitzevorsorge", "Mobilität", "Wärmewende", "Stadtgrün",
         "Beteiligung", "Schwammstadt", "Straßenraum", "Mittelstädte", "Reallabor"]


def generate(rows: int, seed: int = 11) -> bytes:
    rng = random.Random(seed)
    out = io.StringIO()
    out.write("\ufeff" + ";".join(HEADER) + "\r\n")
    for n in range(rows):
        year = rng.randrange(2010, 2026)
        amount = f"{rng.uniform(1e4, 5e6):,.2f}".replace(",", "X").replace(".", ",").replace(
            "X", ".")
        cells = [f"03ZS{n:07d}", " ".join(rng.sample(WORDS, 4)) + f" {n}",
                 f'"{" ".join(rng.sample(WORDS, 8))}; Teil {n}"', "prg-bench",
                 f"{(n % 50) + 1:08d}", f"01.01.{year}", f"31.12.{year + 3}", f'"{amount}"',
                 rng.choice(["klima", "mobil", '"klima; mobil"']), '"11; 13"', "veröffentlicht"]
        out.write(";".join(cells) + "\r\n")
    return out.getvalue().encode("utf-8")


def seed_catalogue() -> None:
    from datetime import date

    from zukunftsstadt.extensions import db
    from zukunftsstadt.models import SDG, Municipality, Programme, Ressort, State, Topic
    from zukunftsstadt.services import records

    state = State(code="SN", name="Sachsen")
    ressort = Ressort(code="BMWSB", name="BMWSB", valid_from=date(2025, 5, 6))
    db.session.add_all([state, ressort, Topic(key="klima", name="Klima"),
                        Topic(key="mobil", name="Mobilität"), SDG(number=11, name="Städte"),
                        SDG(number=13, name="Klima")])
    for n in range(1, 51):
        db.session.add(Municipality(ags=f"{n:08d}", name=f"Gemeinde {n}", state=state,
                                    city_type="Mittelstadt"))
    records.save(Programme(key="prg-bench", title="Programm", kind="Förderrichtlinie",
                           status="running", ressort=ressort, publication_status="published"))
    db.session.commit()


def run(rows: int, database_url: str | None) -> None:
    from zukunftsstadt.extensions import db
    from zukunftsstadt.importers.spreadsheet import SpreadsheetImport
    from zukunftsstadt.services import accounts

    app = fresh_app(database_url, WTF_CSRF_ENABLED=False)
    data = generate(rows)
    print(f"Datei: {rows} Zeilen, {len(data) / 1e6:.1f} MB CSV")
    with app.app_context():
        seed_catalogue()
        engine = db.engine.url.get_backend_name()
        for label, dry_run in (("Probelauf", True), ("erster Import", False),
                               ("zweiter Import (unverändert)", False)):
            started = time.perf_counter()
            report = SpreadsheetImport("project", "bench.csv", dry_run=dry_run).run(
                io.BytesIO(data))
            seconds = time.perf_counter() - started
            print(f"{engine}, {label}: {report.rows} Zeilen in {seconds:.1f} s = "
                  f"{report.rows / seconds:,.0f} Zeilen/s; neu {report.new}, geändert "
                  f"{report.changed}, unverändert {report.unchanged}, abgelehnt "
                  f"{report.rejected}; Spitzenspeicher (Prozess) {peak_rss_mib():.0f} MiB")
            for problem in report.rejections[:3]:
                print(f"  abgelehnt: {problem}")
            sys.stdout.flush()
        accounts.create_user("bench@example.org", "Bench", "sehr-geheimes-Passwort-1",
                             "coordination", [])
        db.session.commit()
    client = app.test_client()
    client.post("/login", data={"email": "bench@example.org",
                                "password": "sehr-geheimes-Passwort-1"})
    xlsx = b""
    exports = [("csv", "/vorhaben/export.csv"), ("xlsx", "/vorhaben/export.xlsx"),
               ("json", "/vorhaben/export.json"), ("Katalog-JSON", "/export/katalog.json")]
    for (fmt, url), traced in [(e, False) for e in exports] + [(e, True) for e in exports]:
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        response = client.get(url, buffered=False)
        size = 0
        chunks = []
        for chunk in response.response:
            size += len(chunk)
            if fmt == "xlsx":
                chunks.append(chunk)
        response.close()
        seconds = time.perf_counter() - started
        xlsx = b"".join(chunks) or xlsx
        if traced:
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(f"{engine}, Export {fmt.upper()}: Spitze der Python-Allokationen "
                  f"{peak:.1f} MiB (mit tracemalloc, daher langsamer: {seconds:.1f} s)")
        else:
            print(f"{engine}, Export {fmt.upper()} (HTTP {response.status_code}): {rows} "
                  f"Vorhaben, {size / 1e6:.1f} MB in {seconds:.1f} s = {rows / seconds:,.0f} "
                  "Zeilen/s")
        sys.stdout.flush()
    with app.app_context():
        started = time.perf_counter()
        report = SpreadsheetImport("project", "export.xlsx", dry_run=True).run(io.BytesIO(xlsx))
        seconds = time.perf_counter() - started
        print(f"{engine}, XLSX-Export wieder importiert (Probelauf): {report.rows} Zeilen in "
              f"{seconds:.1f} s = {report.rows / seconds:,.0f} Zeilen/s; unverändert "
              f"{report.unchanged}, abgelehnt {report.rejected}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database-url", help="PostgreSQL URL; the database is WIPED")
    args = parser.parse_args()
    run(args.rows, args.database_url)


if __name__ == "__main__":
    main()
