"""Amounts arrive as what they are (issue 12, finding 1).

A JSON number is a number: `2.125` is two euros and 12.5 cents, never 2,125 euros read in
German notation, and more than two decimals are refused (422), not rounded or multiplied.
Only text may be German notation: a CSV cell `2.125` is 2.125 euros in German notation
(2125), but a numeric XLSX cell 2.125 is a number and is refused like the API's.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from zukunftsstadt import rate_limits
from zukunftsstadt.extensions import db
from zukunftsstadt.importers import csvformat
from zukunftsstadt.importers.spreadsheet import SpreadsheetImport
from zukunftsstadt.models import Programme, Project

from . import factories, users
from .api_clients import TokenClient, token_for


@pytest.fixture
def world(app):
    rate_limits.reset()
    ressort = factories.ressort("BMWSB")
    programme = factories.programme(key="eigen", title="Eigenes Programm", ressort=ressort)
    project = factories.project(programme=programme, budget_eur=Decimal("100.00"))
    factories.municipality()
    db.session.commit()
    editor = TokenClient(app, token_for(users.make("editor", "BMWSB")))
    return {"programme": programme, "project": project, "editor": editor}


def _budget(model, record_id: int) -> Decimal | None:
    db.session.expire_all()
    return db.session.get(model, record_id).budget_eur


@pytest.mark.parametrize(("sent", "stored"), [
    (2.12, Decimal("2.12")), (2.5, Decimal("2.50")), (1000, Decimal("1000.00")),
    (1000.0, Decimal("1000.00")), (250000.5, Decimal("250000.50")), (0, Decimal("0.00")),
    (1234567.89, Decimal("1234567.89")),
])
def test_a_json_number_is_stored_as_that_number(world, sent, stored):
    project = world["project"]
    response = world["editor"].patch(f"/api/v1/projects/{project.id}",
                                     json={"version": project.version, "budget_eur": sent})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["budget_eur"] == float(stored)
    assert _budget(Project, project.id) == stored


@pytest.mark.parametrize(("sent", "reason"), [
    *((amount, "Nachkommastellen") for amount in (2.125, 0.001, 1.999, 1e-7, 999.999)),
    *((other, "Zahl") for other in ("1.000,50", "2.125", "NaN", True)),
])
def test_refused_amounts_get_a_german_reason_and_nothing_changes(world, sent, reason):
    """More than two decimals, amounts as text and other types are refused."""
    project = world["project"]
    response = world["editor"].patch(f"/api/v1/projects/{project.id}",
                                     json={"version": project.version, "budget_eur": sent})
    assert response.status_code == 422
    assert reason in response.get_json()["errors"]["budget_eur"][0]
    assert _budget(Project, project.id) == Decimal("100.00")


def test_creating_with_three_decimals_is_refused(world):
    project = {"fkz": "03API0009", "title": "Neues Vorhaben", "summary": "Kühle Orte.",
               "budget_eur": 250.125,
               "programme_id": world["programme"].id}
    response = world["editor"].post("/api/v1/projects", json=project)
    assert response.status_code == 422 and "budget_eur" in response.get_json()["errors"]
    assert Project.query.filter_by(fkz="03API0009").count() == 0
    programme = world["editor"].post("/api/v1/programmes", json={
        "title": "Teures Programm", "ressort_id": world["programme"].ressort_id,
        "budget_eur": 999.999})
    assert programme.status_code == 422 and "budget_eur" in programme.get_json()["errors"]
    assert Programme.query.filter_by(title="Teures Programm").count() == 0


def test_creating_with_a_fraction_keeps_the_fraction(world):
    response = world["editor"].post("/api/v1/projects", json={
        "fkz": "03API0010", "title": "Neues Vorhaben", "summary": "Kühle Orte.",
        "budget_eur": 250.12,
        "programme_id": world["programme"].id})
    assert response.status_code == 201, response.get_json()["errors"]
    assert _budget(Project, response.get_json()["id"]) == Decimal("250.12")




@pytest.mark.parametrize("raw", [b"NaN", b"Infinity", b"-Infinity", b"1e309"])
def test_non_finite_numbers_are_refused(world, raw):
    project = world["project"]
    body = b'{"version": %d, "budget_eur": %s}' % (project.version, raw)
    response = world["editor"].patch(f"/api/v1/projects/{project.id}", data=body,
                                     content_type="application/json")
    assert response.status_code in (400, 422)
    assert _budget(Project, project.id) == Decimal("100.00")


# --- spreadsheet import: numbers are numbers, text may be German -----------------------------

def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Schlüssel", "Titel", "Ressort", "Art", "Budget in Euro"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(kind: str, raw: bytes, name: str, actor=None):
    return SpreadsheetImport(kind, name, dry_run=False, actor=actor).run(io.BytesIO(raw))


def test_spreadsheet_number_cells_are_numbers(world):
    report = _import("programme", _xlsx([
        ["p-zahl", "Zahl", "BMWSB", "Wettbewerb", 2.12],
        ["p-ganz", "Ganz", "BMWSB", "Wettbewerb", 1000],
        ["p-drei", "Drei Stellen", "BMWSB", "Wettbewerb", 2.125],
    ]), "p.xlsx")
    assert (report.new, report.rejected) == (2, 1), report.rejections
    assert Programme.query.filter_by(key="p-zahl").one().budget_eur == Decimal("2.12")
    assert Programme.query.filter_by(key="p-ganz").one().budget_eur == Decimal("1000.00")
    assert Programme.query.filter_by(key="p-drei").count() == 0
    assert "Nachkommastellen" in report.rejections[0].reason


def test_spreadsheet_text_cells_may_be_german(world):
    csv = ("Schlüssel;Titel;Ressort;Art;Budget in Euro\n"
           "p-de;Deutsch;BMWSB;Wettbewerb;2.125\n"
           "p-komma;Komma;BMWSB;Wettbewerb;1.000,50\n"
           "p-drei;Drei Stellen;BMWSB;Wettbewerb;2,125\n")
    report = _import("programme", csv.encode(), "p.csv")
    assert (report.new, report.rejected) == (2, 1), report.rejections
    assert Programme.query.filter_by(key="p-de").one().budget_eur == Decimal("2125.00")
    assert Programme.query.filter_by(key="p-komma").one().budget_eur == Decimal("1000.50")


@pytest.mark.parametrize("text", ["1.234,567", "0,001", "12,125"])
def test_foerderkatalog_refuses_more_than_two_decimals(text):
    with pytest.raises(ValueError, match="Nachkommastellen"):
        csvformat.parse_amount(text)


def test_foerderkatalog_reads_german_thousands():
    assert csvformat.parse_amount("2.125") == Decimal("2125.00")
    assert csvformat.parse_amount("2.125,5") == Decimal("2125.50")


def test_german_dates_and_times():
    from datetime import date, datetime

    from zukunftsstadt import german_formats

    assert german_formats.day(date(2026, 3, 1)) == "01.03.2026"
    # stored times are UTC; pages show German local time, winter and summer
    assert german_formats.moment(datetime(2026, 12, 3, 13, 5)) == "03.12.2026, 14:05 Uhr"
    assert german_formats.moment(datetime(2026, 7, 1, 12, 0)) == "01.07.2026, 14:00 Uhr"
