"""Measure search, priority coverage and overlaps on a labelled evaluation set from outside,
through the JSON API, as an independent evaluation does.

A set (tests/data/eval/*.json, format in tests/data/eval/README.md) holds a catalogue in the
load format, graded queries, the true coverage of each research priority and labelled overlap
pairs. Each set is loaded into an empty database and index of its own. The development set is
for tuning; the held-out set is never tuned on (see README, "Qualität").

Used by tests/test_quality.py (held-out targets) and `make quality` (both sets).
"""

from __future__ import annotations

import json
import math
import os
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

EVAL_DIR = Path(__file__).parent / "data" / "eval"
SETS = {"development": EVAL_DIR / "development.json", "heldout": EVAL_DIR / "heldout.json"}
# The targets of issue 11 for the held-out set.
TARGETS = {
    "success@3": 0.95, "ndcg@10": 0.85, "coverage_precision": 0.85, "coverage_recall": 0.8,
    "overlap_recall@5": 0.95, "overlap_precision_hoch": 0.9, "near_duplicates_hoch": 0.9,
}
# What the held-out set measured on 2026-12-03 (rounded down), where it is below the target:
# tests/test_quality.py fails when a change makes a metric worse than this. Raise a floor to
# the target once the target holds; lower one only for a measured reason named in the commit
# (nDCG@10: 0.707 -> 0.696 when the first request became all-words-only for search speed;
# coverage recall 0.449 -> 0.426 with the neighbours' share, chosen on the development set,
# where precision/recall went 0.775/0.588 -> 0.816/0.603; held-out precision 0.687 -> 0.758).
FLOORS = {**TARGETS, "ndcg@10": 0.72, "coverage_precision": 0.76,
          "coverage_recall": 0.42, "overlap_precision_hoch": 0.88}
# Counts of priorities judged wrongly (issue target: 0 for both), same rule as FLOORS. On
# 2026-12-07 the coverage widening (thresholds chosen on the development set) moved the
# held-out judgements from 1 + 3 to 2 + 1 wrong: one ceiling up, the other down.
CEILINGS = {"covered_called_keine": 2, "uncovered_not_flagged": 1}


@dataclass
class Report:
    name: str
    metrics: dict[str, float] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"== {self.name}"]
        for key, value in self.metrics.items():
            target = TARGETS.get(key)
            mark = "" if target is None else ("  ok" if value >= target else
                                              f"  UNTER ZIEL {target}")
            out.append(f"  {key:28} {value:8.3f}{mark}")
        for key, value in self.details.items():
            out.append(f"  {key}: {value}")
        return out


def load_set(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def record_ids() -> dict[str, str]:
    """Label id ("project:FKZ", "lab:key") -> the API's "kind:id"."""
    from zukunftsstadt.extensions import db
    from zukunftsstadt.models import Project, RealWorldLab

    ids = {f"project:{p.fkz}": f"project:{p.id}" for p in db.session.query(Project)}
    ids.update({f"lab:{lab.key}": f"lab:{lab.id}" for lab in db.session.query(RealWorldLab)})
    return ids


def _dcg(gains: list[float]) -> float:
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def search_metrics(client: FlaskClient, queries: list[dict[str, Any]],
                   ids: dict[str, str]) -> tuple[dict[str, float], dict[str, Any]]:
    success, ndcg, by_type = [], [], {}
    failures = []
    for q in queries:
        relevant = {ids[k]: g for k, g in q["relevant"].items() if k in ids}
        response = client.get("/api/v1/search", query_string={
            "q": q["query"], "size": 10, "labels": "0"})
        assert response.status_code == 200, (q["query"], response.status_code)
        got = [f"{h['kind']}:{h['id']}" for h in response.get_json()["hits"]]
        gains = [relevant.get(g, 0) for g in got[:10]]
        ideal = _dcg(sorted(relevant.values(), reverse=True)[:10])
        value = _dcg(gains) / ideal if ideal else 0.0
        hit3 = any(relevant.get(g, 0) > 0 for g in got[:3])
        success.append(hit3)
        ndcg.append(value)
        by_type.setdefault(q.get("type", "?"), []).append(value)
        if value < 0.5 or not hit3:
            failures.append(f"{q['id']} {q['query']!r} ndcg {value:.2f}")
    metrics = {"success@3": sum(success) / len(success), "ndcg@10": statistics.mean(ndcg)}
    details = {"ndcg by type": {t: round(statistics.mean(v), 2) for t, v in by_type.items()},
               "weak queries": failures}
    return metrics, details


def coverage_metrics(client: FlaskClient, truth: dict[str, list[str]],
                     ids: dict[str, str]) -> tuple[dict[str, float], dict[str, Any]]:
    from zukunftsstadt.extensions import db
    from zukunftsstadt.models import ResearchPriority

    response = client.get("/api/v1/gaps/priorities")
    assert response.status_code == 200, response.status_code
    body = response.get_json()
    rows = body["priorities"] if isinstance(body, dict) else body
    keys = {p.id: p.key for p in db.session.query(ResearchPriority)}
    found: dict[str, set[str]] = {}
    levels: dict[str, str] = {}
    for row in rows:
        key = row.get("key") or keys.get(row.get("id"))
        found[key] = {f"{r['kind']}:{r['id']}" for r in row.get("records", [])}
        levels[key] = row["level"]
    true_pairs = {(k, ids[r]) for k, records in truth.items() for r in records if r in ids}
    got_pairs = {(k, r) for k, records in found.items() if k in truth for r in records}
    hit = len(true_pairs & got_pairs)
    covered = [k for k, v in truth.items() if v]
    uncovered = [k for k, v in truth.items() if not v]
    metrics = {
        "coverage_precision": hit / len(got_pairs) if got_pairs else 0.0,
        "coverage_recall": hit / len(true_pairs) if true_pairs else 0.0,
        "covered_called_keine": float(sum(levels.get(k) == "keine" for k in covered)),
        "uncovered_not_flagged": float(sum(levels.get(k) != "keine" for k in uncovered)),
    }
    details = {"text_matching": body.get("text_matching") if isinstance(body, dict) else None,
               "per priority (true/found/hit)": {
                   k: (len(v), len(found.get(k, ())),
                       len({ids[r] for r in v if r in ids} & found.get(k, set())))
                   for k, v in truth.items()}}
    return metrics, details


def overlap_metrics(client: FlaskClient, labels: dict[str, list[list[str]]],
                    ids: dict[str, str]) -> tuple[dict[str, float], dict[str, Any]]:
    def check(a: str, b: str) -> tuple[int | None, str | None]:
        kind, record_id = ids[a].split(":")
        response = client.get(f"/api/v1/records/{kind}/{record_id}/overlaps")
        assert response.status_code == 200, response.status_code
        got = [(f"{c['kind']}:{c['id']}", c.get("level")) for c in response.get_json()]
        for rank, (doc, level) in enumerate(got):
            if doc == ids[b]:
                return rank, level
        return None, None

    results = {group: [check(a, b) for a, b in labels.get(group, [])]
               for group in ("planted", "hard_negatives", "near_duplicates")}
    planted = results["planted"]
    in_top5 = sum(1 for rank, _ in planted if rank is not None and rank < 5)
    high = {g: sum(1 for _, level in r if level == "hoch") for g, r in results.items()}
    flagged = sum(high.values())
    metrics = {
        "overlap_recall@5": in_top5 / len(planted) if planted else 0.0,
        "overlap_precision_hoch": ((high["planted"] + high["near_duplicates"]) / flagged
                                   if flagged else 1.0),
        "near_duplicates_hoch": (high["near_duplicates"] / len(results["near_duplicates"])
                                 if results["near_duplicates"] else 0.0),
    }
    details = {"hard negatives rated hoch": high["hard_negatives"],
               "planted missed": [a for (a, _), (rank, _) in zip(labels.get("planted", []),
                                                                  planted, strict=True)
                                  if rank is None or rank >= 5]}
    return metrics, details


def evaluate(app: Flask, data: dict[str, Any], name: str) -> Report:
    """Load the set into the app's (empty) database and index, then measure through the API."""
    from zukunftsstadt.services import dataset, indexing

    report = Report(name)
    with app.app_context():
        dataset.load(data["catalogue"], f"{name}.json")
        _, errors = indexing.rebuild()
        assert not errors, errors
        indexing.refresh()
        ids = record_ids()
        refresh_coverage(app)
    client = app.test_client()
    with app.app_context():
        for part in (search_metrics(client, data["queries"], ids),
                     coverage_metrics(client, data["coverage"], ids),
                     overlap_metrics(client, data["overlaps"], ids)):
            report.metrics.update(part[0])
            report.details.update(part[1])
    return report


def refresh_coverage(app: Flask) -> None:
    """Compute the stored coverage, as the search worker does after changes."""
    from zukunftsstadt.services import priority_matching

    priority_matching.compute()


def make_app(name: str) -> Flask:
    """An app on its own SQLite file and index prefix (the search node must be running)."""
    from flask_migrate import upgrade

    from zukunftsstadt import create_app

    instance = Path(__file__).parent.parent / "instance"
    instance.mkdir(exist_ok=True)
    database = instance / f"quality-{name}-{os.getpid()}.sqlite"
    database.unlink(missing_ok=True)
    url = os.environ.get("QUALITY_DATABASE_URL", f"sqlite:///{database}")
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url,
                                 "SEARCH_INDEX_PREFIX": f"quality{os.getpid()}{name}",
                                 "SEARCH_TIMEOUT": 30.0})
    with app.app_context():
        upgrade(directory=str(Path(__file__).parent.parent / "migrations"))
    return app


def drop(app: Flask) -> None:
    """Drop the set's indices and its SQLite file (`make_app`)."""
    from search import indices
    from zukunftsstadt.extensions import db
    from zukunftsstadt.services import indexing

    with app.app_context():
        indices.drop_all(indexing.client(), app.config["SEARCH_INDEX_PREFIX"])
        db.engine.dispose()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and "QUALITY_DATABASE_URL" not in os.environ:
        Path(uri.removeprefix("sqlite:///")).unlink(missing_ok=True)
