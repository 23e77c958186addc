"""Loading and dumping the catalogue file (`flask catalogue load|dump`)."""

from __future__ import annotations

import json

import pytest

from zukunftsstadt.extensions import db
from zukunftsstadt.models import Project
from zukunftsstadt.services import dataset
from zukunftsstadt.services.dataset_export import dump

from .conftest import DEMO_FILE, reset_database


def test_dump_then_load_reproduces_the_catalogue(app):
    dataset.load_file(DEMO_FILE, demo=True)
    first = dump()
    reset_database()
    dataset.load(json.loads(json.dumps(first)), "roundtrip.json")
    assert dump() == first
    original = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    by_fkz = {p["fkz"]: p for p in first["projects"]}
    for item in original["projects"][:20]:
        dumped = by_fkz[item["fkz"]]
        for key in ("title", "summary", "start_date", "budget_eur"):
            assert dumped[key] == item[key], (item["fkz"], key)
        for key in ("municipalities", "topics", "sdgs"):  # links have no order
            assert sorted(dumped[key]) == sorted(item[key]), (item["fkz"], key)


def test_loading_again_changes_nothing(app):
    dataset.load_file(DEMO_FILE, demo=True)
    versions = {p.fkz: p.version for p in Project.query}
    dataset.load_file(DEMO_FILE, demo=True)
    db.session.expire_all()
    assert {p.fkz: p.version for p in Project.query} == versions


def test_bad_reference_loads_nothing_and_says_where(app):
    data = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    data["projects"][3]["municipalities"] = ["99999999"]
    with pytest.raises(dataset.DatasetError) as excinfo:
        dataset.load(data, "kaputt.json")
    assert "kaputt.json#projects/3" in str(excinfo.value)
    assert "unbekannter Verweis" in str(excinfo.value)
    assert Project.query.count() == 0


def test_wrong_format_is_refused(app, tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"format": "etwas anderes"}', encoding="utf-8")
    with pytest.raises(dataset.DatasetError, match="Unbekanntes Dateiformat"):
        dataset.load_file(path)
    path.write_text("{kein json", encoding="utf-8")
    with pytest.raises(dataset.DatasetError, match="kein gültiges JSON"):
        dataset.load_file(path)


def test_cli_load_reports_german_error_without_traceback(app, tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"format": "etwas anderes"}', encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["catalogue", "load", str(path)])
    assert result.exit_code == 1
    assert "Nichts geladen: Unbekanntes Dateiformat" in result.output
    assert "Traceback" not in result.output
