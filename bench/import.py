"""Import speed of the Förderkatalog CSV export (target: 300,000 rows in under 10 minutes).

Generates a synthetic file in the real format (ISO-8859-15, `;`, `="..."` cells, German amounts,
0 amounts, Verbund partners, bookkeeping rows, a few bad rows), imports it into a throwaway
SQLite database (or the PostgreSQL database given with --database-url, which is WIPED), then
imports it a second time (every row unchanged), and prints rows/s, time and peak memory.

Run: .venv/bin/python bench/import.py [--rows 300000] [--database-url URL]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import fresh_app, peak_rss_mib  # noqa: E402

os.environ["ZS_INSTANCE_DIR"] = tempfile.mkdtemp(prefix="zs-bench-import-")
os.environ["SEARCH_AUTO_DRAIN"] = "0"

HEADER = [
    "FKZ", "Ressort", "Referat", "Administrierende Stelle", "Arb.-Einh.",
    "Förderempfänger /Auftragnehmer", "Gemeindekennziffer", "Stadt/Gemeinde", "Ort",
    "Bundesland", "Staat", "Ausführende Stelle", "Gemeindekennziffer", "Stadt/Gemeinde", "Ort",
    "Bundesland", "Staat", "Thema des geförderten Vorhabens", "Leistungsplansystematik",
    "Klartext Leistungsplansystematik", "Laufzeit von", "Laufzeit bis",
    "Förder- / Auftragssumme (Anteil des Bundes) in EUR", "Förderprofil", "Projekt", "Förderart",
]
RESSORTS = ["BMBF", "BMBF", "BMBF", "BMWK", "BMDV", "BMWSB", "BMUV"]
WORDS = ["Klimaanpassung", "Quartier", "Hitzevorsorge", "Mobilität", "Wärmewende", "Stadtgrün",
         "Kreislaufwirtschaft", "Beteiligung", "Digitalisierung", "Schwammstadt", "Energie",
         "Straßenraum", "Gründerzeitviertel", "Mittelstädte", "Wohnungsbau", "Reallabor"]
KINDS = ["Universität", "Hochschule", "Stadt", "Fraunhofer-Institut für", "Stadtwerke"]
MUNICIPALITIES = 400


def _ags(n: int) -> str:
    return f"{(n % 16) + 1:02d}{n:06d}"


def _german(amount: float) -> str:
    return f"{amount:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")


def generate(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="iso-8859-15", newline="") as out:
        out.write(";".join(HEADER) + "\r\n")
        n = 0
        while n < rows:
            partners = "AB" if rng.random() < 0.3 else ("ABC" if rng.random() < 0.1 else [""])
            stem = f"03SF{n:07d}"
            verbund = f"Verbund {rng.choice(WORDS)} {n}" if partners != [""] else ""
            for suffix in partners:
                if n >= rows:
                    break
                n += 1
                org_no = rng.randrange(8_000)
                org = f"{KINDS[org_no % len(KINDS)]} Musterort {org_no} für Ökologie"
                ags = _ags(rng.randrange(MUNICIPALITIES + 20))  # some unknown to the catalogue
                title = " ".join(rng.sample(WORDS, 5)) + f" - Teilprojekt {suffix or 'Ä'} {n}"
                start_year = rng.randrange(2005, 2025)
                amount = "0" if rng.random() < 0.05 else _german(rng.uniform(1e4, 5e6))
                end = f"31.12.{start_year + 3}"
                if rng.random() < 0.002:
                    end = "31.02.2020"  # a malformed date: rejected
                place = [ags, f"Gemeinde {ags}", "Musterort", "Sachsen", "Deutschland"]
                cells = [stem + suffix, rng.choice(RESSORTS), "725", "PT-J", "PTJ-UMW", org,
                         *place, f"{org} - Abteilung Stadtforschung", *place, title, "FA1010",
                         "Nachhaltige Stadtentwicklung, Zukunftsstadt", f"01.01.{start_year}",
                         end, amount, "Forschung und Entwicklung", verbund, "Zuwendung"]
                if rng.random() < 0.01:
                    cells[17] = "Sammelvorhabenbuchung"
                out.write(";".join(f'="{c}"' for c in cells) + "\r\n")


def seed_catalogue() -> None:
    from datetime import date

    from zukunftsstadt.extensions import db
    from zukunftsstadt.models import Municipality, Ressort, State

    states = [State(code=f"S{i:01X}", name=f"Land {i}") for i in range(16)]
    db.session.add_all(states)
    for n in range(MUNICIPALITIES):
        db.session.add(Municipality(ags=_ags(n), name=f"Gemeinde {_ags(n)}",
                                    state=states[n % 16], city_type="Mittelstadt"))
    old = {code: Ressort(code=code, name=code, valid_from=date(2000, 1, 1),
                         valid_to=date(2025, 5, 5)) for code in ["BMBF", "BMWK", "BMDV", "BMUV"]}
    db.session.add_all(old.values())
    for code, before in [("BMFTR", "BMBF"), ("BMWE", "BMWK"), ("BMV", "BMDV"),
                         ("BMUKN", "BMUV"), ("BMWSB", None)]:
        db.session.add(Ressort(code=code, name=code, valid_from=date(2025, 5, 6),
                               predecessor=old.get(before)))
    db.session.commit()


def run(path: Path, rows: int, database_url: str | None) -> None:
    from zukunftsstadt.extensions import db
    from zukunftsstadt.importers.foerderkatalog import import_file

    app = fresh_app(database_url)
    with app.app_context():
        seed_catalogue()
        engine = db.engine.url.get_backend_name()
        size = path.stat().st_size
        last = [0.0]

        def progress(done: int) -> None:
            now = time.monotonic()
            if now - last[0] > 5:
                last[0] = now
                print(f"  … {done / size:5.1%}", file=sys.stderr)

        for label in ("erster Import", "zweiter Import (unverändert)"):
            started = time.perf_counter()
            report = import_file(path, progress=progress)
            seconds = time.perf_counter() - started
            peak = peak_rss_mib()
            print(f"{engine}, {label}: {report.rows} Zeilen in {seconds:.1f} s = "
                  f"{report.rows / seconds:,.0f} Zeilen/s; neu {report.new}, geändert "
                  f"{report.changed}, unverändert {report.unchanged}, abgelehnt "
                  f"{report.rejected}, übersprungen {report.skipped}, Hinweise "
                  f"{report.warned}; Spitzenspeicher {peak:.0f} MiB")
            sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--database-url", help="PostgreSQL URL; the database is WIPED")
    args = parser.parse_args()
    path = Path(os.environ["ZS_INSTANCE_DIR"]) / f"foerderkatalog-{args.rows}.csv"
    started = time.perf_counter()
    generate(path, args.rows)
    print(f"Datei mit {args.rows} Zeilen erzeugt ({path.stat().st_size / 2**20:.1f} MiB, "
          f"{time.perf_counter() - started:.1f} s)")
    run(path, args.rows, args.database_url)


if __name__ == "__main__":
    main()
