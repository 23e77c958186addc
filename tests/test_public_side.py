"""What the public sees on record pages: contacts released for publication, a Reallabor's
Ressort, organisations and contact, and the transfer reports that cite a record."""

from __future__ import annotations

import json
from pathlib import Path

from zukunftsstadt.extensions import db
from zukunftsstadt.models import Organisation, TransferReport, TransferReportItem

from . import factories


def _world():
    ressort = factories.ressort("BMWSB")
    organisation = Organisation(key="org-tu", name="Technische Universität Musterstadt",
                                kind="Hochschule")
    db.session.add(organisation)
    shown = factories.project(title="Kühle Höfe", contact_name="Dr. Erika Muster",
                              contact_email="erika.muster@example.org", contact_public=True,
                              lead_organisation=organisation,
                              programme=factories.programme(ressort=ressort))
    hidden = factories.project(title="Stille Höfe", contact_name="Max Verborgen",
                               contact_email="max@example.org", contact_public=False,
                               programme=shown.programme)
    lab = factories.lab(name="Reallabor Hofklima", ressort=ressort, projects=[shown, hidden])
    for title, status in (("Bericht Hofklima", "published"), ("Entwurf Hofbericht", "draft")):
        report = TransferReport(key=title.lower().replace(" ", "-"), title=title,
                                publication_status=status)
        report.items = [TransferReportItem(position=1, kind="project", record_id=shown.id,
                                           record_version=shown.version),
                        TransferReportItem(position=2, kind="lab", record_id=lab.id,
                                           record_version=lab.version)]
        db.session.add(report)
    db.session.commit()
    return shown, hidden, lab


def test_a_contact_released_for_publication_is_shown_to_everyone(app, client):
    shown, hidden, _ = _world()
    page = client.get(f"/vorhaben/{shown.id}").get_data(as_text=True)
    assert "Dr. Erika Muster" in page and 'href="mailto:erika.muster@example.org"' in page
    page = client.get(f"/vorhaben/{hidden.id}").get_data(as_text=True)
    assert "Max Verborgen" not in page and "max@example.org" not in page


def test_a_reallabor_page_names_ressort_organisations_and_contact(app, client):
    _, _, lab = _world()
    page = client.get(f"/reallabore/{lab.id}").get_data(as_text=True)
    assert "Bundesministerium BMWSB" in page
    assert "Technische Universität Musterstadt" in page
    assert "Dr. Erika Muster" in page and "Max Verborgen" not in page


def test_record_pages_link_the_published_reports_that_cite_them(app, client):
    shown, _, lab = _world()
    for url in (f"/vorhaben/{shown.id}", f"/reallabore/{lab.id}"):
        page = client.get(url).get_data(as_text=True)
        section = page[page.index("In Transferberichten"):]
        report = TransferReport.query.filter_by(title="Bericht Hofklima").one()
        assert f'href="/transferberichte/{report.id}"' in section
        assert "Entwurf Hofbericht" not in page


def test_every_demo_reallabor_has_a_ressort():
    demo = Path(__file__).parent.parent / "zukunftsstadt" / "demo" / "demo-data.json"
    labs = json.loads(demo.read_text(encoding="utf-8"))["real_world_labs"]
    assert labs and [lab["key"] for lab in labs if not lab.get("ressort")] == []
