"""Time to generate a transfer report with 30 records (HTML page and PDF).

Uses the demo data in a throwaway SQLite database; prints medians and p95 of 5 runs.
Run: .venv/bin/python bench/reports.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["ZS_INSTANCE_DIR"] = tempfile.mkdtemp(prefix="zs-bench-")
os.environ["SEARCH_AUTO_DRAIN"] = "0"


def main() -> None:
    from flask_migrate import upgrade

    from zukunftsstadt import create_app
    from zukunftsstadt.extensions import db
    from zukunftsstadt.models import Project, TransferReport
    from zukunftsstadt.services import dataset, reports

    app = create_app("development", {"SEARCH_AUTO_DRAIN": False})
    with app.app_context():
        upgrade()
        dataset.load_file(ROOT / "zukunftsstadt/demo/demo-data.json", demo=True)
        ids = db.session.scalars(db.select(Project.id).where(
            Project.publication_status == "published").limit(30)).all()
        report = TransferReport(title="Benchmark mit 30 Einträgen", scope="selection:",
                                publication_status="published")
        reports.compile_report(report, [("project", i) for i in ids], None)
        client = app.test_client()
        timings: dict[str, list[float]] = {"HTML-Seite": [], "PDF": []}
        for _ in range(5):
            for name, url in (("HTML-Seite", f"/transferberichte/{report.id}"),
                              ("PDF", f"/transferberichte/{report.id}/pdf")):
                started = time.perf_counter()
                response = client.get(url)
                timings[name].append(time.perf_counter() - started)
                assert response.status_code == 200, response.status_code
        print(f"Transferbericht mit {len(report.items)} Einträgen, 5 Läufe")
        print(f"{'Ausgabe':<12}{'Median':>10}{'p95':>10}{'erste':>10}")
        for name, values in timings.items():
            p95 = sorted(values)[max(int(len(values) * 0.95) - 1, 0)]
            print(f"{name:<12}{statistics.median(values):>9.3f}s{p95:>9.3f}s"
                  f"{values[0]:>9.3f}s")


if __name__ == "__main__":
    main()
