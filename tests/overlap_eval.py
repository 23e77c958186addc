"""Evaluation of overlap detection on the labelled cases in tests/data/overlap_cases.json.

Loads the cases as projects beside whatever the database already holds (the demo data as
background), then measures recall of planted overlaps among the top 5 candidates and the
precision of the level "hoch". Used by tests/test_overlap_quality.py and
bench/overlap_quality.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import select

from zukunftsstadt.extensions import db
from zukunftsstadt.models import (
    Municipality,
    Organisation,
    Programme,
    Project,
    Ressort,
    State,
    Topic,
)
from zukunftsstadt.services import indexing, overlaps, records

CASES = Path(__file__).parent / "data" / "overlap_cases.json"
STATES = {"01": "SH", "02": "HH", "03": "NI", "04": "HB", "05": "NW", "06": "HE", "07": "RP",
          "08": "BW", "09": "BY", "10": "SL", "11": "BE", "12": "BB", "13": "MV", "14": "SN",
          "15": "ST", "16": "TH"}


@dataclass
class Quality:
    planted: int
    found_in_top5: int
    high_flags: int
    high_correct: int
    misses: list[str]
    false_high: list[str]

    @property
    def recall(self) -> float:
        return self.found_in_top5 / self.planted if self.planted else 0.0

    @property
    def precision(self) -> float:
        return self.high_correct / self.high_flags if self.high_flags else 1.0


def _get(model: type, column: str, value: str, **fields: object) -> object:
    found = db.session.scalar(select(model).where(getattr(model, column) == value))
    if found is None:
        found = model(**{column: value}, **fields)
        db.session.add(found)
        db.session.flush()
    return found


def _project(record: dict) -> Project:
    ressort = _get(Ressort, "code", record["ressort"], name=f"Ressort {record['ressort']}")
    programme = db.session.scalar(select(Programme).where(Programme.key == f"eval-{ressort.code}"))
    if programme is None:
        programme = records.save(Programme(key=f"eval-{ressort.code}", title="Auswertung",
                                           ressort=ressort, kind="Förderrichtlinie",
                                           status="running", publication_status="published"))
    places = []
    for ags in record.get("municipalities", []):
        code = STATES[ags[:2]]
        state = _get(State, "code", code, name=f"Land {code}")
        places.append(_get(Municipality, "ags", ags, name=f"Kommune {ags}", state_id=state.id,
                           city_type="Großstadt"))
    org = db.session.scalar(select(Organisation).where(Organisation.name == record["organisation"]))
    if org is None:
        org = records.save(Organisation(key=f"eval-{abs(hash(record['organisation']))}",
                                        name=record["organisation"], kind="Sonstige",
                                        publication_status="published"))
    topics = [_get(Topic, "key", key, name=key) for key in record.get("topics", [])]
    return records.save(Project(
        fkz=record["fkz"], title=record["title"], summary=record["summary"],
        objectives=record.get("objectives", ""), programme=programme, ressort_at_funding=ressort,
        municipalities=places, topics=topics, lead_organisation=org,
        start_date=date.fromisoformat(record["start_date"]),
        end_date=date.fromisoformat(record["end_date"]), publication_status="published"))


def load_cases() -> dict:
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    for group in ("planted", "decoys"):
        for case in cases[group]:
            case["a_id"] = _project(case["a"]).id
            case["b_id"] = _project(case["b"]).id
    records.commit()
    indexing.rebuild()
    return cases


def evaluate(cases: dict) -> Quality:
    partner: dict[int, int] = {}
    for case in cases["planted"]:
        partner[case["a_id"]] = case["b_id"]
        partner[case["b_id"]] = case["a_id"]
    found = high = correct = 0
    misses, false_high = [], []
    for case in cases["planted"]:
        top = overlaps.for_record(db.session.get(Project, case["a_id"]), overlaps.EVERYTHING)
        if str(case["b_id"]) in [c.id for c in top if c.kind == "project"]:
            found += 1
        else:
            misses.append(case["id"])
    for group in ("planted", "decoys"):
        for case in cases[group]:
            for side in ("a_id", "b_id"):
                record_id = case[side]
                for c in overlaps.for_record(db.session.get(Project, record_id),
                                             overlaps.EVERYTHING):
                    if c.level == "hoch":
                        high += 1
                        if c.kind == "project" and partner.get(record_id) == int(c.id):
                            correct += 1
                        else:
                            false_high.append(f"{case['id']}:{side[0]}→{c.title[:40]}")
    return Quality(len(cases["planted"]), found, high, correct, misses, false_high)
