"""The overlap review list and the Ressort matrix with as many stored pairs as a scan of a large
catalogue leaves (bench/overlaps.py: 2.3 million at 300,000 records).

Loads the demo data into a throwaway SQLite database and adds `--pairs` synthetic pairs: up
to a third between demo records, the rest naming records of a larger catalogue that is not
there, which no analyst may read. Then times the pages for the Koordination, an analyst and an
editor (median and slowest of 5 runs) and, as the baseline in the same run, what the pages
did before: load every pair as an object and look both records up to check them.
Run: .venv/bin/python bench/review.py [--pairs 300000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_PASSWORD = "Bench-Kaltluft-Schneise-42"  # zxcvbn refuses simple ones
sys.path.insert(0, str(ROOT))
os.environ["ZS_INSTANCE_DIR"] = tempfile.mkdtemp(prefix="zs-bench-review-")
os.environ["SEARCH_AUTO_DRAIN"] = "0"
RESSORTS = ["BMFTR", "BMWSB", "BMUKN", "BMV", "BMWE", "BMG"]


def _pairs(docs: list[str], count: int) -> list[dict]:
    rng = random.Random(3)
    seen: set[tuple[str, str]] = set()
    rows: list[dict] = []
    among_demo = min(count // 3, len(docs) * (len(docs) - 1) // 4)
    while len(rows) < count:
        if len(rows) < among_demo:
            a, b = sorted(rng.sample(docs, 2))
        else:
            a, b = sorted((f"project-{100_000 + rng.randrange(300_000)}",
                           f"project-{100_000 + rng.randrange(300_000)}"))
        if a == b or (a, b) in seen:
            continue
        seen.add((a, b))
        ra, rb = rng.sample(RESSORTS, 2)
        rows.append({"a_doc": a, "b_doc": b, "a_ressort": ra, "b_ressort": rb,
                     "a_title": f"Vorhaben {a}", "b_title": f"Vorhaben {b}",
                     "volume_eur": rng.randrange(10**5, 10**7), "score": rng.random() * 4,
                     "level": rng.choice(["hoch", "mittel"]), "reasons": {},
                     "status": rng.choice(["open"] * 8 + ["double_funding", "unrelated"]),
                     "comment": ""})
    return rows


def _time(client, url: str, runs: int = 5) -> tuple[float, float]:
    values = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        values.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(values), sorted(values)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=300_000)
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from zukunftsstadt import create_app, permissions
    from zukunftsstadt.extensions import db
    from zukunftsstadt.models import OverlapPair, Programme, Project, RealWorldLab
    from zukunftsstadt.services import accounts, dataset
    from zukunftsstadt.services.overlaps import doc_record

    app = create_app("development", {"SEARCH_AUTO_DRAIN": False, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        dataset.load_file(ROOT / "zukunftsstadt/demo/demo-data.json", demo=True)
        docs = [f"{kind}-{i}" for kind, model in (("project", Project),
                ("programme", Programme), ("lab", RealWorldLab))
                for i in db.session.scalars(select(model.id))]
        rows = _pairs(docs, args.pairs)
        for start in range(0, len(rows), 20_000):
            db.session.execute(insert(OverlapPair), rows[start:start + 20_000])
        db.session.commit()
        people = {
            "Koordination": accounts.create_user("k@example.org", "K", BENCH_PASSWORD,
                                                 "coordination", []),
            "Analyse": accounts.create_user("a@example.org", "A", BENCH_PASSWORD,
                                            "analyst", []),
            "Redaktion BMWSB": accounts.create_user("r@example.org", "R", BENCH_PASSWORD,
                                                    "editor", ["BMWSB"]),
        }
        print(f"{len(rows):,} Paare".replace(",", "."))
        print(f"{'Rolle':<18}{'Seite':<26}{'Median':>10}{'langsamste':>12}")
        for role, user in people.items():
            client = app.test_client()
            client.post("/login", data={"email": user.email, "password": BENCH_PASSWORD})
            for name, url in (("Liste, Seite 1", "/analyse/ueberschneidungen/"),
                              ("Liste, Seite 200", "/analyse/ueberschneidungen/?page=200"),
                              ("Liste, Filter hoch", "/analyse/ueberschneidungen/?level=hoch"),
                              ("Matrix", "/analyse/matrix")):
                median, slowest = _time(client, url)
                print(f"{role:<18}{name:<26}{median:>9.2f}s{slowest:>11.2f}s")
        # Baseline: the former way of the list for a reader who is not the Koordination.
        analyst = people["Analyse"]
        with app.test_request_context():
            started = time.perf_counter()
            visible = [p for p in db.session.scalars(select(OverlapPair).order_by(
                OverlapPair.score.desc())) if all(permissions.can_read(
                    analyst, doc_record(d)) for d in (p.a_doc, p.b_doc))]
            before = time.perf_counter() - started
        shown = f"{len(visible):,}".replace(",", ".")
        print(f"Vorher (alle Paare als Objekte, zwei Abfragen je Paar), Analyse: {before:.2f}s "
              f"für {shown} sichtbare Paare")


if __name__ == "__main__":
    main()
