"""Refusals confirm nothing the user may not read (issue 12, finding 7).

An editor of BMWSB must not learn from an error message that BMV has a confidential programme
or a draft with a certain FKZ: the FKZ uniqueness refusal and a spreadsheet dry run name such
a record in the same words as any value that cannot be used.
"""

from __future__ import annotations

import io
from datetime import date

import pytest

from zukunftsstadt import rate_limits
from zukunftsstadt.extensions import db
from zukunftsstadt.importers.spreadsheet import SpreadsheetImport

from . import factories, users
from .api_clients import TokenClient, token_for


@pytest.fixture
def hidden(app):
    rate_limits.reset()
    own = factories.ressort("BMWSB")
    other = factories.ressort("BMV")
    secret = factories.programme(key="geheim", title="Geheimes Programm", ressort=other,
                                 confidential=True, status="planned")
    factories.project(fkz="03GEH0001", title="Verborgener Entwurf", programme=secret,
                      publication_status="draft")
    visible = factories.programme(key="sichtbar", title="Sichtbares Programm", ressort=own)
    factories.project(fkz="03SIC0001", programme=visible)
    db.session.commit()
    editor = users.make("editor", "BMWSB")
    return {"editor": editor, "api": TokenClient(app, token_for(editor)), "own": visible}


def _fkz_message(hidden, fkz: str) -> str:
    response = hidden["api"].post("/api/v1/projects", json={
        "fkz": fkz, "title": "Neu", "summary": "Neu", "programme_id": hidden["own"].id,
        "start_date": str(date(2025, 1, 1))})
    assert response.status_code == 422
    return response.get_json()["errors"]["fkz"][0]


def test_the_fkz_refusal_is_the_same_for_hidden_and_visible_projects(hidden):
    secret, public = _fkz_message(hidden, "03GEH0001"), _fkz_message(hidden, "03SIC0001")
    assert secret == public
    assert "vergeben" not in secret and "03GEH0001" not in secret


def test_a_dry_run_names_no_record_the_editor_may_not_read(hidden):
    csv = ("Schlüssel;Titel;Ressort;Art\n"
           "geheim;Übernommen;BMWSB;Wettbewerb\n"
           "gibts-nicht-als-ressort;Neu;XYZ;Wettbewerb\n")
    report = SpreadsheetImport("programme", "p.csv", dry_run=True,
                               actor=hidden["editor"]).run(io.BytesIO(csv.encode()))
    reasons = [p.reason for p in report.rejections if p.line == 2]
    assert reasons, report.rejections
    text = " ".join(reasons)
    assert "nicht ändern" not in text and "Ressort" not in text and "gelöscht" not in text
    assert "kann hier nicht verwendet werden" in text
