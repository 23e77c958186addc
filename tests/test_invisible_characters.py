"""No bidi overrides or invisible format characters in stored text (issue 12, informational).

A right-to-left override turns "Bericht‮txt.exe" into something else on screen, and a
zero-width space makes two equal-looking titles differ. Forms, the JSON API and the spreadsheet
import refuse such text with a German message naming the character; nothing is stored. The
Förderkatalog importer drops them from the federal CSV, with the same list of characters.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from zukunftsstadt import rate_limits
from zukunftsstadt.extensions import db
from zukunftsstadt.importers import csvformat
from zukunftsstadt.models import Project, TransferReport

from . import factories, users
from .api_clients import TokenClient, token_for
from .test_spreadsheet_import import _run, catalogue  # noqa: F401 (fixture)

REFUSED = ["Bericht\u202etxt.exe\u202c", "Hitze\u200bschutz", "Kühle\u2060Orte",
           "\ufeffQuartier", "Links\u200fRechts", "Isoliert \u2067x\u2069"]
MESSAGE = "unsichtbare Steuer- oder Formatzeichen"


@pytest.fixture
def setting(app):
    rate_limits.reset()
    programme = factories.programme(title="Eigenes Programm", ressort=factories.ressort("BMWSB"))
    editor = users.make("editor", "BMWSB")
    boss = users.make("coordination")
    db.session.commit()
    return {"programme": programme, "editor": editor, "boss": boss}


def _post(client, url: str, data: dict[str, object]):
    return client.post(url, data={**data, "csrf_token": users.csrf_token(client, url)})


def _projects() -> int:
    return db.session.scalar(select(func.count()).select_from(Project)) or 0


@pytest.mark.parametrize("value", REFUSED)
@pytest.mark.parametrize("field", ["title", "summary"])
def test_project_form_refuses_invisible_characters(app, setting, field, value):
    client = app.test_client()
    users.login(client, setting["editor"])
    data = {"fkz": "03SF0712A", "title": "Hitzeschutz", "summary": "Kühle Orte.",
            "programme_id": setting["programme"].id, "lead_organisation_id": 0}
    response = _post(client, "/vorhaben/neu", {**data, field: value})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert MESSAGE in page and "Bitte entfernen Sie sie." in page
    assert _projects() == 0
    assert _post(client, "/vorhaben/neu", data).status_code == 302  # the same without


def test_the_message_names_the_character_and_where_it_is(app, setting):
    client = app.test_client()
    users.login(client, setting["editor"])
    response = _post(client, "/vorhaben/neu", {
        "fkz": "03SF0712A", "title": "Bericht\u202etxt.exe", "summary": "Kühle Orte.",
        "programme_id": setting["programme"].id, "lead_organisation_id": 0})
    assert "U+202E" in response.get_data(as_text=True)
    assert "8. Zeichen" in response.get_data(as_text=True)


def test_report_form_refuses_a_right_to_left_override(app, setting):
    client = app.test_client()
    users.login(client, setting["boss"])
    response = _post(client, "/transferberichte/neu", {
        "title": "Hitze\u202e in der Stadt", "scope": "selection:"})
    assert response.status_code == 422 and MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TransferReport)) == 0


@pytest.mark.parametrize("value", REFUSED[:3])
def test_api_refuses_invisible_characters_on_create_and_change(app, setting, value):
    api = TokenClient(app, token_for(setting["editor"]))
    body = {"fkz": "03API0001", "title": "Hitzeschutz", "summary": "Kühle Orte.",
            "programme_id": setting["programme"].id}
    refused = api.post("/api/v1/projects", json={**body, "title": value})
    assert refused.status_code == 422
    assert MESSAGE in refused.get_json()["errors"]["title"][0]
    assert _projects() == 0
    created = api.post("/api/v1/projects", json=body).get_json()
    changed = api.patch(f"/api/v1/projects/{created['id']}",
                        json={"version": created["version"], "summary": value})
    assert changed.status_code == 422 and MESSAGE in changed.get_json()["errors"]["summary"][0]
    db.session.expire_all()
    assert db.session.get(Project, created["id"]).summary == "Kühle Orte."


def test_spreadsheet_import_refuses_the_cell(catalogue):  # noqa: F811
    text = ("Förderkennzeichen (FKZ),Titel,Kurzbeschreibung\r\n"
            "03SF0001A,Bericht\u202etxt.exe,Kühle Orte\r\n")
    report = _run("project", text, dry_run=True)
    assert report.rejected == 1
    assert any(MESSAGE in p.reason for p in report.rejections)


def test_the_foerderkatalog_reader_drops_them():
    assert csvformat.clean("Hitze\u200bschutz \u202eim\u202c Quartier\ufeff") == (
        "Hitzeschutz im Quartier")
