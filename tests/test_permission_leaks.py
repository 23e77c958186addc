"""Regression tests from a review: what one role may not read stays hidden everywhere."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from zukunftsstadt.extensions import db
from zukunftsstadt.models import TransferReport, TransferReportItem
from zukunftsstadt.services import alerts, editing, indexing, records

from . import factories, users

SECRET = "Geheimes Kühlprogramm"
TEXT = ("Pflegeheime im Quartier bekommen Kühlräume, Trinkpläne und eine Frühwarnung, damit "
        "ältere Bewohner sommerliche Hitzewellen gut überstehen.")


@pytest.fixture
def setting(app):
    heat = factories.topic()
    secret = factories.programme(title=SECRET, key="geheim-1", ressort=factories.ressort("BMG"),
                                 confidential=True, status="planned",
                                 publication_status="draft",
                                 end_date=date.today() + timedelta(days=90))
    open_programme = factories.programme(title="Klimaanpassung", ressort=factories.ressort(
        "BMUKN"))
    hidden = factories.project(title="Verdecktes Pflegevorhaben", summary=TEXT, topics=[heat],
                               programme=secret, publication_status="draft")
    public = factories.project(title="Kühle Pflege", summary=TEXT, topics=[heat],
                               programme=open_programme, contact_name="Erika Beispiel",
                               contact_email="erika@example.org", contact_public=True)
    db.session.commit()
    indexing.rebuild()
    return {"hidden": hidden, "public": public}


def test_overlap_pairs_and_alerts_hide_confidential_titles(app, client, setting):
    assert app.test_cli_runner().invoke(args=["analysis", "overlaps"]).exit_code == 0
    from zukunftsstadt.models import OverlapPair

    pair = OverlapPair.query.one()
    for role, ressorts in (("editor", ("BMUKN",)), ("analyst", ())):
        viewer = app.test_client()
        users.login(viewer, users.make(role, *ressorts))
        listing = viewer.get("/analyse/ueberschneidungen/").get_data(as_text=True)
        assert "Verdecktes Pflegevorhaben" not in listing, role
        assert viewer.get(f"/analyse/ueberschneidungen/{pair.id}").status_code == 404
        assert "Verdecktes" not in viewer.get("/analyse/matrix").get_data(as_text=True)
    editor = users.make("editor", "BMUKN", email="zweite@example.org")
    users.login(client, editor)
    url = f"/vorhaben/{setting['public'].id}/bearbeiten"
    data = users.form_data(client, url)
    data["objectives"] = "Hitzeschutz"
    client.post(url, data=data)
    alerts.send_due()
    page = client.get("/benachrichtigungen").get_data(as_text=True)
    assert "Hohe Überschneidung" in page and "Verdecktes Pflegevorhaben" not in page


def test_search_filter_chip_does_not_reveal_programme_titles(client, setting):
    page = client.get("/search?programme=geheim-1").get_data(as_text=True)
    assert SECRET not in page


def test_report_hides_sources_that_are_no_longer_public(app, client, setting):
    public = setting["public"]
    report = TransferReport(key="tb-1", title="Bericht", scope="selection:",
                            publication_status="published")
    report.items = [TransferReportItem(position=0, kind="project", record_id=public.id,
                                       record_version=public.version)]
    db.session.add(report)
    db.session.commit()
    assert "erika@example.org" in client.get(f"/transferberichte/{report.id}").get_data(
        as_text=True)
    editing.soft_delete(public, users.make("coordination"))
    page = client.get(f"/transferberichte/{report.id}").get_data(as_text=True)
    assert "Kühle Pflege" not in page and "erika@example.org" not in page
    pdf = client.get(f"/transferberichte/{report.id}/pdf").data
    assert b"erika" not in pdf


def test_gap_page_hides_confidential_programmes_and_draft_priorities(app, client, setting):
    factories.priority(title="Entwurf eines Schwerpunkts", publication_status="draft")
    db.session.commit()
    users.login(client, users.make("editor", "BMV"))
    page = client.get("/analyse/luecken").get_data(as_text=True)
    assert SECRET not in page and "Entwurf eines Schwerpunkts" not in page
    csv = client.get("/analyse/luecken/schwerpunkt-ressort.csv").get_data(as_text=True)
    assert "Entwurf eines Schwerpunkts" not in csv


def test_huge_page_numbers_are_no_server_error(app, client, setting):
    assert client.get("/vorhaben/?page=99999999999999999999").status_code == 200
    users.login(client, users.make("coordination"))
    assert client.get("/analyse/ueberschneidungen/?page=99999999999999999999").status_code == 200


def test_history_hides_contact_data_from_readers_who_do_not_edit(app, client, setting):
    users.login(client, users.make("analyst"))
    page = client.get(f"/vorhaben/{setting['public'].id}/verlauf").get_data(as_text=True)
    assert "erika@example.org" not in page and "nur für die Redaktion sichtbar" in page


def test_editor_lists_own_draft_projects_without_programme(app, client):
    from zukunftsstadt.models import Ressort

    bmbf = Ressort(code="BMBF", name="BMBF", valid_from=date(1994, 1, 1),
                   valid_to=date(2025, 5, 5))
    bmftr = Ressort(code="BMFTR", name="BMFTR", valid_from=date(2025, 5, 6), predecessor=bmbf)
    db.session.add_all([bmbf, bmftr])
    factories.project(title="Verwaister Entwurf", programme=None, ressort_at_funding=bmbf,
                      publication_status="draft")
    db.session.commit()
    users.login(client, users.make("editor", "BMFTR"))
    assert "Verwaister Entwurf" in client.get("/vorhaben/").get_data(as_text=True)
    other = app.test_client()
    users.login(other, users.make("editor", "BMV"))
    assert "Verwaister Entwurf" not in other.get("/vorhaben/").get_data(as_text=True)


def test_draft_priorities_stay_out_of_the_priority_facet(app, client, setting):
    draft = factories.priority(key="wasserstoff-quartiere-1a2b3c",
                               title="Wasserstoff für Quartiere", publication_status="draft")
    public = factories.priority(key="hitzevorsorge-4d5e6f", title="Hitzevorsorge")
    setting["public"].research_priorities = [draft, public]
    records.save(setting["public"])
    db.session.commit()
    indexing.drain_all()
    indexing.refresh()
    page = client.get("/search?kind=project").get_data(as_text=True)
    api = client.get("/api/v1/search?kind=project").get_json()
    for text in (page, str(api["facets"])):
        assert "Hitzevorsorge" in text
        assert "wasserstoff" not in text.lower()
    users.login(client, users.make("coordination"))
    assert "Wasserstoff für Quartiere" in client.get("/search?kind=project").get_data(
        as_text=True)


def test_facet_labels_follow_a_priority_published_after_the_first_search(app, client, setting):
    # The anonymous label query is built once; its answer is read anew on every search.
    draft = factories.priority(key="schwammstadt-7a8b9c", title="Schwammstadt im Bestand",
                               publication_status="draft")
    setting["public"].research_priorities = [draft]
    records.save(setting["public"])
    db.session.commit()
    indexing.drain_all()
    indexing.refresh()
    assert "Schwammstadt" not in str(client.get("/api/v1/search?kind=project").get_json()[
        "facets"])
    draft.publication_status = "published"
    records.save(draft)
    db.session.commit()
    facets = client.get("/api/v1/search?kind=project").get_json()["facets"]
    assert {"value": "schwammstadt-7a8b9c", "label": "Schwammstadt im Bestand"} in [
        {k: f[k] for k in ("value", "label")} for f in facets["priority"]]
