"""Downloads: lists, search results and the whole catalogue as CSV, XLSX and JSON.

Every export shows what the page shows to the same visitor, and the whole-catalogue JSON
survives the trip through `flask catalogue load` into an empty installation unchanged.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from zukunftsstadt.extensions import db
from zukunftsstadt.services import dataset, indexing
from zukunftsstadt.services.dataset_export import dump

from . import factories, users
from .conftest import DEMO_FILE, reset_database


def _csv(response) -> list[list[str]]:
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def _xlsx(response):
    return load_workbook(io.BytesIO(response.get_data()), read_only=True)


@pytest.fixture
def mixed(app):
    """Published, draft and confidential records of two Ressorts, one with a contact person."""
    bmwsb, bmftr = factories.ressort("BMWSB"), factories.ressort("BMFTR")
    open_prg = factories.programme(key="offen", title="Offenes Programm", ressort=bmwsb)
    secret = factories.programme(key="geheim", title="Geplantes Programm", ressort=bmftr,
                                 confidential=True, status="planned")
    made = {
        "public": factories.project(fkz="01PUB0001", title="=SUMME(A1:A9) Öffentlich",
                                    programme=open_prg, contact_name="Erika Muster",
                                    contact_email="erika@beispiel.de",
                                    budget_eur=Decimal("1234567.89"),
                                    start_date=date(2023, 4, 1)),
        "draft": factories.project(fkz="01DRA0001", title="Entwurf BMWSB", programme=open_prg,
                                   publication_status="draft"),
        "secret": factories.project(fkz="01GEH0001", title="Vertrauliches Vorhaben",
                                    programme=secret),
        "open_prg": open_prg,
    }
    db.session.commit()
    return made


def test_list_exports_show_what_the_page_shows(client, mixed):
    rows = _csv(client.get("/vorhaben/export.csv"))
    assert rows[0][:3] == ["Förderkennzeichen (FKZ)", "Titel", "Akronym"]
    assert [r[0] for r in rows[1:]] == ["01PUB0001"]  # no draft, nothing confidential
    assert "Ansprechperson" not in rows[0]  # contact data only for those who maintain records
    assert "Erika" not in client.get("/vorhaben/export.json").get_data(as_text=True)

    editor = users.make("editor", "BMWSB")
    users.login(client, editor)
    rows = _csv(client.get("/vorhaben/export.csv?sort=fkz"))
    assert [r[0] for r in rows[1:]] == ["01DRA0001", "01PUB0001"]
    assert rows[2][rows[0].index("Ansprechperson")] == "Erika Muster"
    other = users.make("editor", "BMV")
    users.login(client, other)
    rows = _csv(client.get("/vorhaben/export.csv?sort=fkz"))
    assert rows[1][rows[0].index("Ansprechperson")] == ""  # not their Ressort

    users.login(client, users.make("analyst"))
    book = _xlsx(client.get("/vorhaben/export.xlsx?sort=fkz"))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["01DRA0001", "01PUB0001"]  # drafts, not confidential
    assert "Ansprechperson" not in rows[0]

    coordination = users.make("coordination")
    users.login(client, coordination)
    body = client.get("/vorhaben/export.json?sort=fkz").get_json()
    assert [i["fkz"] for i in body["items"]] == ["01DRA0001", "01GEH0001", "01PUB0001"]
    assert body["total"] == 3 and body["kind"] == "project"


def test_csv_export_is_german_excel_text_and_never_a_formula(client, mixed):
    rows = _csv(client.get("/vorhaben/export.csv"))
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["Titel"] == "'=SUMME(A1:A9) Öffentlich"
    assert record["Fördersumme in Euro"] == "1234567,89"
    assert record["Beginn"] == "01.04.2023"
    assert record["Förderprogramm (Schlüssel)"] == "offen"
    assert record["Kommunen"] == "14612000"
    assert record["Veröffentlichungsstatus"] == "veröffentlicht"


def test_xlsx_export_keeps_numbers_dates_and_text(client, mixed):
    response = client.get("/vorhaben/export.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    sheet = _xlsx(response).worksheets[0]
    header, first = list(sheet.iter_rows(values_only=True))[:2]
    record = dict(zip(header, first, strict=True))
    assert record["Titel"] == "=SUMME(A1:A9) Öffentlich"  # stored as text, not a formula
    assert record["Fördersumme in Euro"] == pytest.approx(1234567.89)
    assert record["Beginn"] == datetime(2023, 4, 1)


def test_list_filter_and_sort_apply_to_the_export(client, mixed):
    factories.programme(key="zweites", title="Anderes Programm", ressort=factories.ressort("BMV"))
    db.session.commit()
    rows = _csv(client.get("/programme/export.csv?ressort=BMWSB"))
    assert [r[0] for r in rows[1:]] == ["offen"]
    rows = _csv(client.get("/programme/export.csv?sort=titel"))
    assert [r[1] for r in rows[1:]] == ["Anderes Programm", "Offenes Programm"]
    page = client.get("/programme/?ressort=BMWSB").get_data(as_text=True)
    assert "/programme/export.xlsx?sort=titel&amp;ressort=BMWSB" in page


def test_bad_export_addresses_are_404_not_500(client, mixed):
    assert client.get("/vorhaben/export.pdf").status_code == 404
    assert client.get("/unbekannt/export.csv").status_code == 404
    assert client.get("/organisationen/export.csv").status_code == 404  # signed-in only
    assert client.get("/export/katalog.exe").status_code == 404
    assert client.get("/programme/export.csv?ressort=%00%27&sort=((").status_code == 200
    assert client.get("/programme/?ressort=%00").status_code == 200


def test_whole_catalogue_as_xlsx_and_zip_respects_visibility(client, mixed):
    book = _xlsx(client.get("/export/katalog.xlsx"))
    assert book.sheetnames == ["Förderprogramme", "Vorhaben", "Reallabore",
                               "Forschungsschwerpunkte"]
    fkz = [r[0] for r in list(book["Vorhaben"].iter_rows(values_only=True))[1:]]
    assert fkz == ["01PUB0001"]
    archive = zipfile.ZipFile(io.BytesIO(client.get("/export/katalog.zip").get_data()))
    assert sorted(archive.namelist()) == ["programme.csv", "reallabore.csv",
                                          "schwerpunkte.csv", "vorhaben.csv"]
    text = archive.read("programme.csv").decode("utf-8-sig")
    assert "Offenes Programm" in text and "Geplantes Programm" not in text
    users.login(client, users.make("coordination"))
    book = _xlsx(client.get("/export/katalog.xlsx"))
    assert "Organisationen" in book.sheetnames
    assert len(list(book["Vorhaben"].iter_rows())) == 4


def test_catalogue_json_is_for_the_coordination_only(client, mixed):
    assert client.get("/export/katalog.json").status_code == 302  # to the login
    users.login(client, users.make("analyst"))
    assert client.get("/export/katalog.json").status_code == 403
    assert "katalog.json" not in client.get("/export/").get_data(as_text=True)


def test_whole_catalogue_as_json_lists_for_every_reader(client, mixed):
    """The JSON download for everyone: one list per kind, item for item what that list's own
    JSON export gives the same reader (no drafts, confidential plans or contacts for the
    public)."""
    for login in (None, "analyst"):
        if login:
            users.login(client, users.make(login))
        page = client.get("/export/").get_data(as_text=True)
        assert "/export/katalog-listen.json" in page
        response = client.get("/export/katalog-listen.json")
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        lists = {part["kind"]: part for part in json.loads(response.get_data())["lists"]}
        expected = {"programme", "project", "lab", "priority"} | (
            {"organisation"} if login else set())
        assert set(lists) == expected
        for segment, kind, key in (("vorhaben", "project", "fkz"),
                                   ("programme", "programme", "key")):
            single = json.loads(client.get(f"/{segment}/export.json").get_data())
            assert lists[kind]["items"] == sorted(single["items"], key=lambda i: i[key])
            assert lists[kind]["total"] == single["total"]
        fkz = [item["fkz"] for item in lists["project"]["items"]]
        if login:
            assert "01DRA0001" in fkz and "01GEH0001" not in fkz  # drafts, no secrets
        else:
            assert fkz == ["01PUB0001"]
            assert "erika" not in response.get_data(as_text=True)


def test_catalogue_json_round_trip_through_an_empty_installation(app, client, tmp_path):
    """Acceptance: download the JSON, load it into an empty installation, download again."""
    dataset.load_file(DEMO_FILE, demo=True)
    factories.project(fkz="01GEH0002", title="Vertraulich und Entwurf",
                      publication_status="draft", contact_name="Max Beispiel",
                      programme=factories.programme(key="geheim-2", confidential=True,
                                                    status="planned"))  # no Ressort at funding
    factories.lab(key="rwl-ressort", ressort=factories.ressort("BMWSB"))
    db.session.commit()
    users.login(client, users.make("coordination", email="k1@example.org"))
    first = client.get("/export/katalog.json")
    assert first.status_code == 200
    assert first.headers["Content-Disposition"].startswith("attachment")
    path = tmp_path / "katalog.json"
    path.write_bytes(first.get_data())
    assert first.get_data(as_text=True) == json.dumps(dump(), ensure_ascii=False, indent=2) + "\n"

    reset_database()  # an empty installation
    result = app.test_cli_runner().invoke(args=["catalogue", "load", str(path)])
    assert result.exit_code == 0, result.output

    fresh = app.test_client()
    users.login(fresh, users.make("coordination", email="k2@example.org"))
    second = fresh.get("/export/katalog.json")
    assert second.get_data() == first.get_data()
    data = json.loads(second.get_data())
    assert len(data["projects"]) == len(json.loads(DEMO_FILE.read_text("utf-8"))["projects"]) + 1
    assert any(p["contact_name"] == "Max Beispiel" for p in data["projects"])
    lab = next(lab for lab in data["real_world_labs"] if lab["key"] == "rwl-ressort")
    assert lab["ressort"] == "BMWSB"  # editors of the Ressort can still maintain it


def test_search_result_as_xlsx(client, mixed):
    _, errors = indexing.rebuild()
    assert not errors
    response = client.get("/search/export.xlsx?q=Öffentlich")
    assert response.status_code == 200
    rows = list(_xlsx(response).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == ("Art", "ID", "Titel")
    assert [r[2] for r in rows[1:]] == ["=SUMME(A1:A9) Öffentlich"]
    assert rows[1][rows[0].index("Fördersumme (EUR)")] == pytest.approx(1234567.89)
    page = client.get("/search?q=Öffentlich").get_data(as_text=True)
    assert "/search/export.xlsx?q=" in page


def test_exports_name_no_linked_record_the_reader_may_not_see(client, mixed):
    """A published Reallabor linked to a draft and a confidential project: anonymous visitors
    get the lab but neither project's FKZ (the lab's page hides them too)."""
    factories.lab(key="rwl-offen", name="Offenes Reallabor",
                  projects=[mixed["public"], mixed["draft"], mixed["secret"]])
    db.session.commit()
    text = client.get("/reallabore/export.csv").get_data(as_text=True)
    assert "rwl-offen" in text and "01PUB0001" in text
    assert "01DRA0001" not in text and "01GEH0001" not in text
