"""Entering and maintaining records through the forms: validation, locking, workflow, history."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from zukunftsstadt.extensions import db
from zukunftsstadt.models import AuditEvent, Programme, Project, SearchOutbox
from zukunftsstadt.services import editing

from . import factories, users


@pytest.fixture
def editor_client(app, client):
    factories.ressort("BMWSB")
    user = users.make("editor", "BMWSB")
    users.login(client, user)
    client.user = user
    return client


@pytest.fixture
def programme(app):
    item = factories.programme(title="Nationale Projekte des Städtebaus",
                               ressort=factories.ressort("BMWSB"))
    factories.municipality("14713000", "Leipzig")
    factories.municipality("14612000", "Dresden")
    factories.topic()
    db.session.commit()
    return item


def _post(client, url, data):
    data = dict(data)
    data["csrf_token"] = users.csrf_token(client, url)
    return client.post(url, data=data)


def test_editor_creates_project_after_fixing_errors(editor_client, programme):
    bad = _post(editor_client, "/vorhaben/neu", {
        "fkz": "03 sf-0712a!", "title": "   ", "summary": "\u200b", "programme_id": programme.id,
        "municipalities": "Atlantis", "start_date": "2024-02-30", "end_date": "",
        "budget_eur": "1e309", "contact_email": "a@b.de\r\nBcc: x@y", "lead_organisation_id": 0})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    for message in ["Bitte korrigieren Sie", "Bitte füllen Sie dieses Feld aus.",
                    "Förderkennzeichen hat ein ungültiges Format",
                    "gültiges Datum", "Betrag in Euro", "gültige E-Mail-Adresse",
                    "Unbekannte Kommune: Atlantis"]:
        assert message in page, message
    assert Project.query.count() == 0
    good = _post(editor_client, "/vorhaben/neu", {
        "fkz": "03sf0712a", "title": "Hitzeschutz im Quartier", "acronym": "HiQu",
        "summary": "Ein Vorhaben für kühle Quartiere.", "programme_id": programme.id,
        "municipalities": "Leipzig; 14612000", "start_date": "01.03.2024",
        "end_date": "2026-02-28", "budget_eur": "1.000,50", "lead_organisation_id": 0,
        "topics": [factories.topic().id], "contact_email": "person@example.org"})
    assert good.status_code == 302, good.get_data(as_text=True)[-2000:]
    project = Project.query.one()
    assert project.fkz == "03SF0712A"
    assert str(project.budget_eur) == "1000.50"
    assert [m.name for m in project.municipalities] == ["Dresden", "Leipzig"]
    assert project.publication_status == "draft" and project.source == "form"
    assert project.created_by_id == editor_client.user.id
    assert SearchOutbox.query.filter_by(entity="project", entity_id=project.id).count() == 1


def test_end_before_start_and_duplicate_fkz(editor_client, programme):
    factories.project(fkz="03SF0001", programme=programme)
    db.session.commit()
    response = _post(editor_client, "/vorhaben/neu", {
        "fkz": "03SF0001", "title": "Doppelt", "summary": "x", "programme_id": programme.id,
        "start_date": "2025-01-01", "end_date": "2024-12-31", "lead_organisation_id": 0})
    page = response.get_data(as_text=True)
    assert "Das Ende darf nicht vor dem Beginn liegen." in page
    response = _post(editor_client, "/vorhaben/neu", {
        "fkz": "03SF0001", "title": "Doppelt", "summary": "x", "programme_id": programme.id,
        "lead_organisation_id": 0})
    assert "Dieses Förderkennzeichen kann hier nicht verwendet werden." in response.get_data(
        as_text=True)  # words that confirm no record the editor may not read (issue 12)


def test_choice_of_another_ressorts_programme_is_refused(editor_client, programme):
    foreign = factories.programme(title="Fremdes Programm", ressort=factories.ressort("BMV"))
    db.session.commit()
    response = _post(editor_client, "/vorhaben/neu", {
        "fkz": "03XY0001", "title": "Trick", "summary": "x", "programme_id": foreign.id,
        "lead_organisation_id": 0, "ressort_id": foreign.ressort_id, "is_admin": "1",
        "version": "99"})
    assert response.status_code == 422
    assert "Förderprogramm: Keine gültige Auswahl." in response.get_data(as_text=True)
    assert Project.query.count() == 0


def test_second_save_with_old_version_sees_the_conflict(app, editor_client, programme):
    project = factories.project(title="Ursprünglicher Titel", programme=programme)
    db.session.commit()
    url = f"/vorhaben/{project.id}/bearbeiten"
    mine = users.form_data(editor_client, url)
    other = app.test_client()
    colleague = users.make("editor", "BMWSB", email="kollegin@example.org")
    users.login(other, colleague)
    theirs = users.form_data(other, url)
    theirs["title"] = "Titel der Kollegin"
    assert other.post(url, data=theirs).status_code == 302
    mine["title"] = "Mein Titel"
    mine["summary"] = "Meine lange Beschreibung, die nicht verloren gehen darf."
    response = editor_client.post(url, data=mine)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Jemand hat diesen Datensatz inzwischen geändert" in page
    assert colleague.name in page
    assert "Titel der Kollegin" in page and "Mein Titel" in page
    assert "Meine lange Beschreibung, die nicht verloren gehen darf." in page  # input kept
    db.session.expire_all()
    assert db.session.get(Project, project.id).title == "Titel der Kollegin"


def test_parallel_saves_with_the_same_version_let_exactly_one_win(app, programme):
    project = factories.project(title="Start", programme=programme)
    editor = users.make("editor", "BMWSB")
    db.session.commit()
    clients = []
    for _ in range(20):
        c = app.test_client()
        users.login(c, editor)
        clients.append((c, users.form_data(c, f"/vorhaben/{project.id}/bearbeiten")))
    results: list[int] = []
    barrier = threading.Barrier(len(clients))

    def save(c, data, n):
        data = dict(data, title=f"Fassung {n}")
        barrier.wait()
        results.append(c.post(f"/vorhaben/{project.id}/bearbeiten", data=data).status_code)

    threads = [threading.Thread(target=save, args=(c, d, n)) for n, (c, d) in
               enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [302] + [409] * 19
    db.session.expire_all()
    assert db.session.get(Project, project.id).version == 2


def test_workflow_draft_submitted_published(app, editor_client, programme):
    coordination = users.make("coordination")
    project = factories.project(title="Vorhaben im Entwurf", programme=programme,
                                publication_status="draft")
    db.session.commit()
    anonymous = app.test_client()
    assert anonymous.get(f"/vorhaben/{project.id}").status_code == 404
    page = editor_client.get(f"/vorhaben/{project.id}").get_data(as_text=True)
    assert "Zur Prüfung einreichen" in page and "Veröffentlichen" not in page
    response = _post(editor_client, f"/vorhaben/{project.id}/status", {"target": "published"})
    assert response.status_code == 403
    _post(editor_client, f"/vorhaben/{project.id}/status", {"target": "submitted"})
    boss = app.test_client()
    users.login(boss, coordination)
    assert _post(boss, f"/vorhaben/{project.id}/status",
                 {"target": "published"}).status_code == 302
    assert anonymous.get(f"/vorhaben/{project.id}").status_code == 200
    history = boss.get(f"/vorhaben/{project.id}/verlauf").get_data(as_text=True)
    assert "Veröffentlichungsstatus" in history and "<td>veröffentlicht</td>" in history
    assert "Test coordination" in history and "Test editor" in history


def test_history_shows_field_differences(editor_client, programme):
    project = factories.project(title="Alt", programme=programme)
    db.session.commit()
    url = f"/vorhaben/{project.id}/bearbeiten"
    data = users.form_data(editor_client, url)
    data["title"] = "Neu"
    editor_client.post(url, data=data)
    page = editor_client.get(f"/vorhaben/{project.id}/verlauf").get_data(as_text=True)
    assert "<th scope=\"row\">Titel</th><td>Alt</td><td>Neu</td>" in page


def test_soft_delete_needs_confirmation_and_coordination_restores(app, editor_client,
                                                                  programme):
    project = factories.project(title="Bald gelöscht", programme=programme)
    db.session.commit()
    confirm = editor_client.get(f"/vorhaben/{project.id}/loeschen").get_data(as_text=True)
    assert "löschen?" in confirm and "Ja, löschen" in confirm
    _post(editor_client, f"/vorhaben/{project.id}/loeschen", {})
    assert app.test_client().get(f"/vorhaben/{project.id}").status_code == 404
    assert editor_client.get(f"/vorhaben/{project.id}").status_code == 410  # explained
    boss = app.test_client()
    users.login(boss, users.make("coordination"))
    assert project.fkz in boss.get("/papierkorb").get_data(as_text=True)
    _post(boss, f"/vorhaben/{project.id}/wiederherstellen", {})
    assert app.test_client().get(f"/vorhaben/{project.id}").status_code == 200


def test_erasing_the_contact_person_removes_it_everywhere(app, editor_client, programme):
    project = factories.project(title="Mit Kontakt", programme=programme,
                                contact_name="Dr. Erika Beispiel",
                                contact_email="erika@example.org")
    db.session.commit()
    url = f"/vorhaben/{project.id}/bearbeiten"
    data = users.form_data(editor_client, url)
    data["contact_email"] = "erika.beispiel@example.org"
    editor_client.post(url, data=data)
    from zukunftsstadt.services import indexing

    indexing.drain_outbox()
    _post(editor_client, f"/vorhaben/{project.id}/personendaten-loeschen", {"confirm": "1"})
    db.session.expire_all()
    stored = db.session.get(Project, project.id)
    assert stored.contact_name is None and stored.contact_email is None
    history = " ".join(str(e.changes) for e in AuditEvent.query.filter_by(
        entity="project", entity_id=project.id))
    assert "Erika" not in history and "erika" not in history
    erase = AuditEvent.query.filter_by(entity="project", action="erase").one()
    assert erase.user_id == editor_client.user.id
    outbox = " ".join(f"{r.entity}{r.entity_id}{r.last_error}" for r in SearchOutbox.query)
    assert "Erika" not in outbox
    client = indexing.client()
    hits = client.search(index="*", q="Erika", size=5)["hits"]["total"]["value"]
    assert hits == 0


def test_organisation_and_programme_forms(app, client):
    boss = users.make("coordination")
    factories.ressort("BMFTR")
    db.session.commit()
    users.login(client, boss)
    response = _post(client, "/organisationen/neu", {"name": "Hochschule Musterstadt",
                                                     "city": "Musterstadt",
                                                     "kind": "Hochschule"})
    assert response.status_code == 302
    response = _post(client, "/programme/neu", {
        "title": "Zukunftsstadt 2030", "ressort_id": factories.ressort("BMFTR").id,
        "kind": "Wettbewerb", "status": "planned", "confidential": "y",
        "budget_eur": "-1", "url": "javascript:alert(1)"})
    page = response.get_data(as_text=True)
    assert "nicht negativ" in page and "http:// oder https://" in page
    response = _post(client, "/programme/neu", {
        "title": "Zukunftsstadt 2030", "ressort_id": factories.ressort("BMFTR").id,
        "kind": "Wettbewerb", "status": "planned", "confidential": "y",
        "budget_eur": "12.500.000", "url": "https://www.example.org/zukunftsstadt"})
    assert response.status_code == 302
    programme = Programme.query.filter_by(title="Zukunftsstadt 2030").one()
    assert programme.confidential and str(programme.budget_eur) == "12500000.00"


def test_project_page_shows_similar_records_of_other_ressorts(app, editor_client, programme):
    from zukunftsstadt.services import indexing

    other = factories.programme(title="Klimaanpassung", ressort=factories.ressort("BMUKN"))
    twin = factories.project(
        title="Hitzeschutz für Pflegeheime im Quartier", programme=other,
        summary="Pflegeheime im Quartier schützen ältere Menschen vor Hitzewellen.")
    factories.project(title="Digitale Bauakte", programme=other,
                      summary="Eine Bauakte für Genehmigungen.")
    own = factories.project(
        title="Hitzeschutz in Pflegeheimen", programme=programme,
        summary="Ältere Menschen in Pflegeheimen vor Hitzewellen schützen.")
    db.session.commit()
    indexing.rebuild()
    page = editor_client.get(f"/vorhaben/{own.id}").get_data(as_text=True)
    section = page.split("Mögliche Überschneidungen mit anderen Ressorts", 1)[1].split(
        "</section>")[0]
    assert f'href="/vorhaben/{twin.id}"' in section
    assert "Digitale Bauakte" not in section
    assert "Nationale Projekte" not in section  # its own Ressort is left out


def test_koordination_lets_a_ressort_publish_itself(app, editor_client, programme):
    project = factories.project(programme=programme, publication_status="draft")
    db.session.commit()
    refused = _post(editor_client, f"/vorhaben/{project.id}/status", {"target": "published"})
    assert refused.status_code == 403
    boss = app.test_client()
    users.login(boss, users.make("coordination"))
    assert "BMWSB" in boss.get("/ressorts/").get_data(as_text=True)
    _post(boss, "/ressorts/", {"publish": ["BMWSB"]})
    allowed = _post(editor_client, f"/vorhaben/{project.id}/status", {"target": "published"})
    assert allowed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).publication_status == "published"
    assert _post(editor_client, "/ressorts/", {"publish": []}).status_code == 403


def test_project_without_programme_belongs_to_todays_successor_ressort(app, client):
    from zukunftsstadt.models import Ressort

    bmbf = Ressort(code="BMBF", name="Bundesministerium für Bildung und Forschung",
                   valid_from=date(1994, 11, 17), valid_to=date(2025, 5, 5))
    bmftr = Ressort(code="BMFTR", name="Bundesministerium für Forschung, Technologie und "
                    "Raumfahrt", valid_from=date(2025, 5, 6), predecessor=bmbf)
    db.session.add_all([bmbf, bmftr])
    project = factories.project(programme=None, ressort_at_funding=bmbf)
    db.session.commit()
    assert project.ressort.code == "BMFTR"
    users.login(client, users.make("editor", "BMFTR"))
    assert client.get(f"/vorhaben/{project.id}/bearbeiten").status_code == 200


def test_history_speaks_german_names_not_ids_and_codes(app, editor_client, programme):
    other = factories.programme(title="Zweites Programm des Bundes",
                                ressort=factories.ressort("BMWSB"))
    project = factories.project(title="Vorhaben mit Geschichte", programme=programme,
                                publication_status="draft")
    db.session.commit()
    url = f"/vorhaben/{project.id}/bearbeiten"
    data = users.form_data(editor_client, url)
    data["programme_id"] = str(other.id)
    data["results_status"] = "interim"
    data["contact_public"] = "y"
    assert editor_client.post(url, data=data).status_code == 302
    _post(editor_client, f"/vorhaben/{project.id}/status", {"target": "submitted"})
    page = editor_client.get(f"/vorhaben/{project.id}/verlauf").get_data(as_text=True)
    rows = page[page.index('<ol class="history">'):]
    assert "Nationale Projekte des Städtebaus" in rows and "Zweites Programm des Bundes" in rows
    assert "<td>Entwurf</td><td>eingereicht</td>" in rows
    assert "Zwischenergebnisse" in rows and "<td>nein</td><td>ja</td>" in rows
    for internal in ("draft", "submitted", "interim", "created_by_id", ">none<",
                     f"<td>{programme.id}</td>"):
        assert internal not in rows, internal


def test_a_link_to_a_deleted_record_explains_instead_of_404(app, editor_client, programme):
    project = factories.project(title="Bald gelöschtes Vorhaben", programme=programme)
    db.session.commit()
    url = f"/vorhaben/{project.id}"
    assert editor_client.get(url).status_code == 200
    editing.soft_delete(project, users.make("coordination"))
    response = editor_client.get(url)
    assert response.status_code == 410
    page = response.get_data(as_text=True)
    assert "gelöscht und ist nicht mehr im Katalog" in page and "Papierkorb" in page
    assert app.test_client().get(url).status_code == 404  # nothing said to the public


def test_who_creates_which_kind_comes_from_the_registry(app, client):
    """Editors create programmes, projects, Reallabore and organisations for their Ressorts;
    research priorities and transfer reports belong to the Koordination."""
    from zukunftsstadt import kinds

    users.login(client, users.make("editor", "BMWSB"))
    offered = {kind.name: client.get(f"/{kind.segment}/neu").status_code
               for kind in kinds.ALL}
    assert {name for name, status in offered.items() if status == 200} == {
        kind.name for kind in kinds.ALL if kind.editors_create} == {
        "programme", "project", "lab", "organisation"}
    assert offered["priority"] == offered["report"] == 403
    client.get("/logout")
    users.login(client, users.make("coordination"))
    assert all(client.get(f"/{kind.segment}/neu").status_code == 200
               for kind in kinds.ALL)
