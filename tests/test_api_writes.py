"""Write endpoints: the same rules as the forms (permissions, validation, versions, history)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from zukunftsstadt import rate_limits
from zukunftsstadt.extensions import db
from zukunftsstadt.models import (
    SDG,
    AuditEvent,
    Organisation,
    Programme,
    Project,
    SearchOutbox,
    User,
)

from . import factories, users
from .api_clients import TokenClient, token_for
from .hostile import HOSTILE_TEXT


@pytest.fixture
def world(app):
    rate_limits.reset()
    own = factories.programme(title="Eigenes Programm", ressort=factories.ressort("BMWSB"))
    other = factories.programme(title="Fremdes Programm", ressort=factories.ressort("BMV"))
    municipality = factories.municipality()
    topic = factories.topic()
    db.session.add_all([SDG(number=11, name="Nachhaltige Städte"), SDG(number=13, name="Klima")])
    db.session.commit()
    clients = {role: TokenClient(app, token_for(users.make(role, *codes)))
               for role, codes in (("editor", ("BMWSB",)), ("analyst", ()),
                                   ("coordination", ()))}
    return {"own": own, "other": other, "municipality": municipality, "topic": topic,
            **clients}


def _project(world, **extra):
    return {"fkz": "03API0001", "title": "Hitzeschutz über die API",
            "summary": "Kühle Orte im Quartier.", "programme_id": world["own"].id,
            "municipalities": [world["municipality"].ags], "topics": [world["topic"].id],
            "sdgs": [11, 13], "budget_eur": 250000.5, "start_date": "2025-01-01",
            "end_date": "2026-12-31", **extra}


def test_editor_creates_a_draft_with_history_and_outbox(app, world):
    response = world["editor"].post("/api/v1/projects", json=_project(world))
    assert response.status_code == 201, response.get_json()["errors"]
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/projects/{body['id']}"
    assert body["publication_status"] == "draft" and body["version"] == 1
    assert body["budget_eur"] == 250000.5 and body["sdgs"] == [11, 13]
    assert [m["ags"] for m in body["municipalities"]] == [world["municipality"].ags]
    project = db.session.get(Project, body["id"])
    assert project.source == "api" and project.ressort.code == "BMWSB"
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.entity == "project", AuditEvent.entity_id == project.id)) == "create"
    assert db.session.scalar(select(func.count()).select_from(SearchOutbox).where(
        SearchOutbox.entity_id == project.id)) >= 1
    assert app.test_client().get(f"/api/v1/projects/{project.id}").status_code == 404


def test_choices_and_roles_are_those_of_the_forms(app, world):
    foreign = world["editor"].post("/api/v1/projects",
                                   json=_project(world, programme_id=world["other"].id))
    assert foreign.status_code == 422 and "programme_id" in foreign.get_json()["errors"]
    analyst = world["analyst"].post("/api/v1/projects", json=_project(world))
    assert analyst.status_code == 403
    priority = world["editor"].post("/api/v1/research-priorities", json={"title": "Neu"})
    assert priority.status_code == 403
    boss = world["coordination"].post("/api/v1/research-priorities", json={"title": "Neu"})
    assert boss.status_code == 201
    other_programme = world["editor"].patch(f"/api/v1/programmes/{world['other'].id}",
                                            json={"version": 1, "title": "Übernommen"})
    assert other_programme.status_code == 403
    assert db.session.get(Programme, world["other"].id).title == "Fremdes Programm"
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0


def test_update_with_optimistic_locking(app, world):
    created = world["editor"].post("/api/v1/projects", json=_project(world)).get_json()
    url = f"/api/v1/projects/{created['id']}"
    first = world["editor"].patch(url, json={"version": 1, "title": "Erste Änderung"})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    assert first.get_json()["sdgs"] == [11, 13]  # fields not sent stay as they were
    stale = world["coordination"].patch(url, json={"version": 1, "title": "Veraltet"})
    assert stale.status_code == 409
    problem = stale.get_json()
    assert problem["current_version"] == 2 and problem["changed_by"].startswith("Test editor")
    assert db.session.get(Project, created["id"]).title == "Erste Änderung"
    missing = world["editor"].patch(url, json={"title": "Ohne Version"})
    assert missing.status_code == 422 and "version" in missing.get_json()["errors"]


def test_workflow_and_soft_delete(app, world):
    created = world["editor"].post("/api/v1/projects", json=_project(world)).get_json()
    url = f"/api/v1/projects/{created['id']}"
    submitted = world["editor"].post(f"{url}/status", json={"target": "submitted"})
    assert submitted.get_json()["publication_status"] == "submitted"
    assert world["editor"].post(f"{url}/status", json={"target": "published"}).status_code == 403
    published = world["coordination"].post(f"{url}/status", json={"target": "published"})
    assert published.status_code == 200
    assert app.test_client().get(url).status_code == 200
    assert world["editor"].delete(f"{url}?version=1").status_code == 409
    assert world["analyst"].delete(url).status_code == 403
    assert world["editor"].delete(url).status_code == 204
    assert app.test_client().get(url).status_code == 404
    assert world["editor"].get(url).status_code == 404
    assert world["coordination"].get(url).get_json()["deleted_at"] is not None


@pytest.mark.parametrize("body", [
    {"fkz": "03API0001"},
    {**{"fkz": "a b!", "title": "x", "summary": "y"}},
    {"fkz": "03API9", "title": " \u200b ", "summary": "y"},
    {"fkz": "03API9", "title": "x", "summary": "y", "budget_eur": -1},
    {"fkz": "03API9", "title": "x", "summary": "y", "budget_eur": 1e308},
    {"fkz": "03API9", "title": "x", "summary": "y", "start_date": "2024-02-30"},
    {"fkz": "03API9", "title": "x", "summary": "y", "start_date": "2025-01-01",
     "end_date": "2024-01-01"},
    {"fkz": "03API9", "title": "x", "summary": "y", "contact_email": "a@b.de\r\nBcc: x@y"},
    {"fkz": "03API9", "title": "x", "summary": "y", "topics": [999999]},
    {"fkz": "03API9", "title": "x", "summary": "y", "municipalities": ["Atlantis"]},
    {"fkz": "03API9", "title": "x", "summary": "y", "is_admin": True},
    {"fkz": "03API9", "title": ["x"], "summary": "y"},
    {"fkz": "03API9", "title": "x\x00y", "summary": "y"},
])
def test_bad_input_is_a_field_error(app, world, body):
    response = world["coordination"].post("/api/v1/projects", json=body)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0


def test_hostile_text_is_stored_as_text_or_refused(app, world):
    for n, value in enumerate(HOSTILE_TEXT):
        response = world["coordination"].post("/api/v1/organisations",
                                              json={"name": value, "kind": "Hochschule"})
        assert response.status_code in {201, 422}, (value, response.status_code)
        if response.status_code == 201:
            stored = db.session.get(Organisation, response.get_json()["id"])
            assert stored.name == response.get_json()["name"], n
    for raw in (b"{", b"\xff\xfe", b"[]", b'"text"'):
        response = world["coordination"].post("/api/v1/organisations", data=raw,
                                              content_type="application/json")
        assert response.status_code == 400


def test_parallel_updates_with_the_same_version_let_exactly_one_win(app, world):
    created = world["editor"].post("/api/v1/projects", json=_project(world)).get_json()
    url = f"/api/v1/projects/{created['id']}"
    results: list[int] = []
    barrier = threading.Barrier(20)

    def save(n: int) -> None:
        client = TokenClient(app, world["editor"].headers["Authorization"].split()[1])
        barrier.wait()
        results.append(client.patch(url, json={"version": 1, "title": f"Fassung {n}"})
                       .status_code)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200] + [409] * 19
    db.session.expire_all()
    assert db.session.get(Project, created["id"]).version == 2


def test_updated_since_sees_a_change_in_any_time_zone(app, world):
    created = world["editor"].post("/api/v1/projects", json=_project(world)).get_json()
    changed = datetime.fromisoformat(created["updated_at"].replace("Z", "+00:00"))
    for moment, found in [(changed - timedelta(minutes=1), True),
                          (changed + timedelta(minutes=1), False)]:
        for zone in (UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))):
            body = world["editor"].get("/api/v1/projects", query_string={
                "updated_since": moment.astimezone(zone).isoformat()}).get_json()
            assert (created["id"] in {p["id"] for p in body["items"]}) == found, (moment, zone)


def test_links_to_records_the_editor_cannot_see_survive_an_edit(app, client, world):
    """A project linked to a research priority still in draft: its editor may not see the
    priority, yet may change the project (API and page), and the link stays."""
    created = world["editor"].post("/api/v1/projects", json=_project(world)).get_json()
    hidden = factories.priority(key="fs-entwurf", title="Entwurf", publication_status="draft")
    project = db.session.get(Project, created["id"])
    project.research_priorities = [hidden]
    db.session.commit()
    url = f"/api/v1/projects/{created['id']}"
    changed = world["editor"].patch(url, json={"version": project.version, "acronym": "NEU"})
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["research_priorities"] == []  # not named to the editor
    editor = User.query.filter_by(role="editor").one()
    users.login(client, editor)
    page = f"/vorhaben/{created['id']}/bearbeiten"
    data = users.form_data(client, page)
    data["title"] = "Über die Seite geändert"
    assert client.post(page, data=data).status_code == 302
    db.session.expire_all()
    project = db.session.get(Project, created["id"])
    assert project.acronym == "NEU" and project.title == "Über die Seite geändert"
    assert [p.key for p in project.research_priorities] == ["fs-entwurf"]


def test_a_choice_that_is_not_offered_is_refused_in_german(app, world):
    response = world["editor"].post("/api/v1/projects", json=_project(world, sdgs=[99]))
    assert response.status_code == 422
    assert response.get_json()["errors"]["sdgs"] == [
        "„99“ steht nicht zur Auswahl. Bitte wählen Sie Einträge aus der Liste."]
    response = world["editor"].post("/api/v1/projects", json=_project(world, sdgs=[98, 99]))
    assert response.get_json()["errors"]["sdgs"] == [  # not "„98', '99“"
        "2 der gewählten Einträge stehen nicht zur Auswahl. Bitte wählen Sie Einträge aus der "
        "Liste."]


def test_malformed_status_targets_and_versions_are_input_errors(app, world):
    created = world["editor"].post("/api/v1/projects", json=_project(world)).get_json()
    url = f"/api/v1/projects/{created['id']}"
    move = world["editor"].post(f"{url}/status", json={"target": "quatsch"})
    assert move.status_code == 422
    assert "Erlaubt sind: draft" in move.get_json()["errors"]["target"][0]
    delete = world["editor"].delete(f"{url}?version=abc")
    assert delete.status_code == 400 and "ganze Zahl" in delete.get_json()["detail"]
    assert db.session.get(Project, created["id"]).deleted_at is None
