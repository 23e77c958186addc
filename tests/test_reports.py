"""Transfer reports: compile from a scope, publish, read as a Kommune, PDF."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from zukunftsstadt.extensions import db
from zukunftsstadt.models import TransferReport

from . import factories, users


@pytest.fixture
def material(app):
    heat = factories.topic("klimaanpassung", "Klimaanpassung")
    programme = factories.programme(title="Klimaanpassung in Städten")
    done = factories.project(title="Kühle Orte für Ältere", topics=[heat],
                             results="Zwölf kühle Orte wurden eingerichtet und gut genutzt.",
                             results_status="final", end_date=date(2024, 6, 30),
                             contact_name="Dr. Fiktiva Frei", contact_email="frei@example.org",
                             contact_public=True, programme=programme)
    running = factories.project(title="Hitzeaktionsplan im Aufbau", topics=[heat],
                                results_status="none", contact_name="Geheim Person",
                                contact_public=False, programme=programme)
    factories.project(title="Radwege ohne Hitzebezug", programme=programme)
    boss = users.make("coordination")
    db.session.commit()
    return {"done": done, "running": running, "boss": boss}


def _post(client, url, data):
    return client.post(url, data={**data, "csrf_token": users.csrf_token(client, url)})


def _compile(client) -> TransferReport:
    created = _post(client, "/transferberichte/neu", {
        "title": "Hitze in der Stadt", "scope": "topic:klimaanpassung",
        "introduction": "Hitzewellen nehmen zu.", "transferability": "Gut übertragbar."})
    assert created.status_code == 302, created.get_data(as_text=True)[-1500:]
    report = TransferReport.query.one()
    assert created.location == f"/transferberichte/{report.id}/zusammenstellen"  # the builder
    compose = client.get(f"/transferberichte/{report.id}/zusammenstellen").get_data(
        as_text=True)
    assert compose.index("Kühle Orte für Ältere") < compose.index("Hitzeaktionsplan im Aufbau")
    assert "Radwege ohne Hitzebezug" not in compose
    return report


def test_compile_publish_and_read_as_kommune(app, client, material):
    users.login(client, material["boss"])
    report = _compile(client)
    done, running = material["done"], material["running"]
    _post(client, f"/transferberichte/{report.id}/zusammenstellen", {
        "record": [f"project:{done.id}", f"project:{running.id}"],
        f"position-project:{done.id}": "2", f"position-project:{running.id}": "1"})
    anonymous = app.test_client()
    assert anonymous.get(f"/transferberichte/{report.id}").status_code == 404
    _post(client, f"/transferberichte/{report.id}/status", {"target": "published"})
    page = anonymous.get(f"/transferberichte/{report.id}").get_data(as_text=True)
    for heading in ("Ausgangslage", "Ansätze und Ergebnisse", "Übertragbarkeit",
                    "Ansprechpartner", "Quellen"):
        assert f">{heading}</h2>" in page
    assert page.index("Hitzeaktionsplan im Aufbau") < page.index("Kühle Orte für Ältere")
    assert "Dr. Fiktiva Frei" in page and "Geheim Person" not in page
    listing = anonymous.get("/transferberichte/?topic=klimaanpassung").get_data(as_text=True)
    assert "Hitze in der Stadt" in listing
    assert "Hitze in der Stadt" not in anonymous.get(
        "/transferberichte/?topic=mobilitaet").get_data(as_text=True)
    assert "Hitze in der Stadt" in anonymous.get("/transferberichte/?q=Hitzewellen").get_data(
        as_text=True)


def test_pdf_has_sections_titles_and_page_numbers(app, client, material):
    users.login(client, material["boss"])
    report = _compile(client)
    _post(client, f"/transferberichte/{report.id}/zusammenstellen",
          {"record": [f"project:{material['done'].id}"]})
    response = client.get(f"/transferberichte/{report.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in ("Hitze in der Stadt", "Ausgangslage", "Ansätze und Ergebnisse",
                     "Übertragbarkeit", "Ansprechpartner", "Quellen", "Kühle Orte für Ältere",
                     "Seite 1 von"):
        assert expected in text, expected
    links = [a["/A"].get("/URI") for page in reader.pages for a in
             (page.get("/Annots") or []) if a.get_object().get("/A")]
    assert any(uri and "/vorhaben/" in uri for uri in links)


def test_editors_see_when_sources_changed(app, client, material):
    users.login(client, material["boss"])
    report = _compile(client)
    _post(client, f"/transferberichte/{report.id}/zusammenstellen",
          {"record": [f"project:{material['done'].id}"]})
    page = client.get(f"/transferberichte/{report.id}").get_data(as_text=True)
    assert "Quellen haben sich geändert" not in page
    project = material["done"]
    url = f"/vorhaben/{project.id}/bearbeiten"
    data = users.form_data(client, url)
    data["results"] = "Neue Erkenntnisse nach drei Sommern."
    assert client.post(url, data=data).status_code == 302
    page = client.get(f"/transferberichte/{report.id}").get_data(as_text=True)
    assert "Quellen haben sich geändert" in page and "Fassung 1 → 2" in page


def test_only_the_koordination_builds_reports(app, client, material):
    editor = users.make("editor", "BMFTR")
    users.login(client, editor)
    assert client.get("/transferberichte/neu").status_code == 403


def test_the_builder_proposes_tagged_reallabore_of_a_priority_and_names_their_places(client):
    priority = factories.priority(key="fs-hitze", title="Hitzevorsorge")
    leipzig = factories.municipality("14713000", "Leipzig")
    factories.lab(name="Reallabor Kühle Höfe", research_priorities=[priority],
                  municipalities=[leipzig])
    factories.project(title="Trinkbrunnen im Quartier", research_priorities=[priority],
                      municipalities=[leipzig])
    factories.lab(name="Reallabor ohne Hitzebezug")
    users.login(client, users.make("coordination"))
    created = _post(client, "/transferberichte/neu", {
        "title": "Hitzevorsorge vor Ort", "scope": "priority:fs-hitze",
        "introduction": "Hitze.", "transferability": "Übertragbar."})
    builder = client.get(created.location).get_data(as_text=True)
    assert "Reallabor Kühle Höfe" in builder and "Trinkbrunnen im Quartier" in builder
    assert "Reallabor ohne Hitzebezug" not in builder
    assert builder.count("Leipzig") >= 2  # the Kommunen of both proposals
