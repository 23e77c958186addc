"""Every form against hostile input (F3), CSRF on every POST route (S2), the role matrix (S5)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from zukunftsstadt.extensions import db
from zukunftsstadt.models import AuditEvent, Organisation, Programme, Project, RealWorldLab

from . import factories, users
from .hostile import (
    HOSTILE_AMOUNTS,
    HOSTILE_DATES,
    HOSTILE_EMAILS,
    HOSTILE_TEXT,
    HOSTILE_URLS,
)

RAW_MARKUP = re.compile(r"<script>alert|<img src=x|<svg/onload")


@pytest.fixture
def world(app):
    """Ressort A (the editor's) and B (another), with records in every state."""
    a, b = factories.ressort("BMWSB"), factories.ressort("BMV")
    municipality = factories.municipality()
    topic = factories.topic()
    own = factories.programme(title="Eigenes Programm", ressort=a)
    other = factories.programme(title="Fremdes Programm", ressort=b)
    secret = factories.programme(title="Vertrauliches Fremdprogramm", ressort=b,
                                 confidential=True, status="planned",
                                 publication_status="draft")
    records = {
        "own_programme": own,
        "own_project": factories.project(title="Eigenes Vorhaben", programme=own),
        "own_lab": factories.lab(name="Eigenes Reallabor", ressort=a),
        "other_programme": other,
        "other_project": factories.project(title="Fremdes Vorhaben", programme=other),
        "other_draft": factories.project(title="Fremder Entwurf", programme=other,
                                         publication_status="draft"),
        "other_lab": factories.lab(name="Fremdes Reallabor", ressort=b),
        "secret_programme": secret,
        "secret_project": factories.project(title="Vertrauliches Vorhaben", programme=secret,
                                            publication_status="draft"),
        "priority": factories.priority(title="Schwerpunkt"),
    }
    org = Organisation(key="org-1", name="Hochschule Beispiel", kind="Hochschule",
                       publication_status="published")
    from zukunftsstadt.services import records as record_service

    record_service.save(org)
    records["organisation"] = org
    db.session.commit()
    accounts = {
        "editor": users.make("editor", "BMWSB"),
        "analyst": users.make("analyst"),
        "coordination": users.make("coordination"),
    }
    return {"records": records, "users": accounts, "municipality": municipality,
            "topic": topic, "ressort_a": a}


def _client_as(app, user):
    client = app.test_client()
    if user is not None:
        users.login(client, user)
    return client


SEGMENTS = {Programme: "programme", Project: "vorhaben", RealWorldLab: "reallabore"}


def _segment(record) -> str:
    from zukunftsstadt.models import ResearchPriority

    return {**SEGMENTS, ResearchPriority: "schwerpunkte", Organisation: "organisationen"}[
        type(record)]


DETAIL = {"programme": "/programme/{}", "vorhaben": "/vorhaben/{}",
          "reallabore": "/reallabore/{}", "schwerpunkte": "/schwerpunkte/{}"}

# role -> record -> (may read detail, may open edit form)
MATRIX = {
    None: {"own_project": (True, False), "other_draft": (False, False),
           "secret_project": (False, False), "secret_programme": (False, False),
           "other_lab": (True, False)},
    "editor": {"own_project": (True, True), "own_programme": (True, True),
               "own_lab": (True, True), "other_project": (True, False),
               "other_draft": (False, False), "other_lab": (True, False),
               "secret_programme": (False, False), "secret_project": (False, False),
               "priority": (True, False)},
    "analyst": {"own_project": (True, False), "other_draft": (True, False),
                "secret_programme": (False, False), "secret_project": (False, False),
                "priority": (True, False)},
    "coordination": {"other_draft": (True, True), "secret_programme": (True, True),
                     "secret_project": (True, True), "priority": (True, True),
                     "other_lab": (True, True)},
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_role_matrix(app, world, role):
    client = _client_as(app, world["users"].get(role))
    for name, (may_read, may_edit) in MATRIX[role].items():
        record = world["records"][name]
        segment = _segment(record)
        detail = client.get(DETAIL[segment].format(record.id))
        assert (detail.status_code == 200) == may_read, (role, name, detail.status_code)
        edit = client.get(f"/{segment}/{record.id}/bearbeiten")
        assert (edit.status_code == 200) == may_edit, (role, name, edit.status_code)
        if not may_edit:
            data = {"csrf_token": users.csrf_token(client, "/login"), "title": "Übernommen",
                    "name": "Übernommen", "version": record.version}
            client.post(f"/{segment}/{record.id}/bearbeiten", data=data)
            client.post(f"/{segment}/{record.id}/status", data={
                "csrf_token": data["csrf_token"], "target": "published"})
            client.post(f"/{segment}/{record.id}/loeschen", data={
                "csrf_token": data["csrf_token"]})
    db.session.expire_all()
    for record in world["records"].values():
        fresh = db.session.get(type(record), record.id)
        assert getattr(fresh, "title", getattr(fresh, "name", "")) != "Übernommen"
        if role != "coordination":
            assert fresh.deleted_at is None


def test_lists_and_search_hide_what_detail_pages_hide(app, world):
    from zukunftsstadt.services import indexing

    indexing.rebuild()
    for role, hidden in [(None, "Fremder Entwurf"), ("editor", "Fremder Entwurf"),
                         ("analyst", "Vertrauliches Vorhaben")]:
        client = _client_as(app, world["users"].get(role))
        assert hidden not in client.get("/vorhaben/").get_data(as_text=True), role
        hits = client.get("/api/v1/search", query_string={"q": hidden}).get_json()["hits"]
        assert hidden not in [h["title"] for h in hits], (role, hidden)
        assert not any(h["all_terms"] for h in hits), (role, hidden)
    boss = _client_as(app, world["users"]["coordination"])
    assert "Vertrauliches Vorhaben" in boss.get("/vorhaben/").get_data(as_text=True)


def _post_routes(app, world) -> list[str]:
    rec = world["records"]
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint == "static":
            continue
        values = {}
        if "segment" in rule.arguments:
            values["segment"] = "vorhaben"
        if "record_id" in rule.arguments:
            values["record_id"] = rec["own_project"].id
        if "user_id" in rule.arguments:
            values["user_id"] = world["users"]["editor"].id
        if "pair_id" in rule.arguments:
            values["pair_id"] = 1
        with app.test_request_context():
            from flask import url_for

            urls.append(url_for(rule.endpoint, **values))
    return urls


CSRF_EXEMPT = {"/api/v1/overlaps/check"}  # read-only JSON query, listed in the README


def test_every_post_route_rejects_missing_or_wrong_csrf(app, world):
    boss = _client_as(app, world["users"]["coordination"])
    urls = [u for u in _post_routes(app, world) if u not in CSRF_EXEMPT]
    assert len(urls) >= 10
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    for url in urls:
        for token in (None, "falsch"):
            data = {"target": "archived", "title": "CSRF", "password": "x" * 20,
                    "confirm": "x" * 20, "email": "csrf@example.org"}
            if token:
                data["csrf_token"] = token
            response = boss.post(url, data=data)
            assert response.status_code == 400, (url, token, response.status_code)
            assert "Formular abgelaufen oder ungültig" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before


def _valid(world, kind: str) -> dict[str, object]:
    programme = world["records"]["own_programme"]
    base = {
        "programme": {"title": "Programm", "ressort_id": world["ressort_a"].id,
                      "kind": "Wettbewerb", "status": "open"},
        "vorhaben": {"fkz": "03AB0001", "title": "Vorhaben", "summary": "Text",
                     "programme_id": programme.id, "lead_organisation_id": 0},
        "reallabore": {"name": "Labor", "description": "Text", "phase": "Umsetzung",
                       "ressort_id": world["ressort_a"].id},
        "schwerpunkte": {"title": "Schwerpunkt", "parent_id": 0},
        "organisationen": {"name": "Organisation", "kind": "Hochschule"},
    }
    return dict(base[kind])


TEXT_FIELDS = {
    "programme": ["title", "short_title", "funding_body", "description"],
    "vorhaben": ["title", "acronym", "summary", "objectives", "results", "executing_unit",
                 "contact_name", "municipalities"],
    "reallabore": ["name", "description"],
    "schwerpunkte": ["title", "description"],
    "organisationen": ["name", "city"],
}
SPECIAL_FIELDS = {
    "programme": {"budget_eur": HOSTILE_AMOUNTS, "start_date": HOSTILE_DATES,
                  "url": HOSTILE_URLS + HOSTILE_TEXT[:3]},
    "vorhaben": {"budget_eur": HOSTILE_AMOUNTS, "end_date": HOSTILE_DATES,
                 "contact_email": HOSTILE_EMAILS, "fkz": HOSTILE_TEXT[:10],
                 "programme_id": ["999999", "-1", "abc"], "topics": ["999999", "x"]},
    "reallabore": {"phase": ["Erfunden", "<script>"], "ressort_id": ["999999"]},
    "schwerpunkte": {"parent_id": ["999999", "abc"]},
    "organisationen": {"kind": ["Geheimdienst"]},
}


def test_every_form_survives_every_hostile_input(app, world):
    client = _client_as(app, world["users"]["coordination"])
    cases = 0
    for kind, fields in TEXT_FIELDS.items():
        url = f"/{kind}/neu"
        token = users.csrf_token(client, url)
        plan = [(f, v) for f in fields for v in HOSTILE_TEXT]
        plan += [(f, v) for f, values in SPECIAL_FIELDS[kind].items() for v in values]
        for n, (name, value) in enumerate(plan):
            data = _valid(world, kind)
            if kind == "vorhaben":
                data["fkz"] = f"03HX{n:04d}"
            data[name] = value
            data.update(csrf_token=token, ressort_id_extra="1", is_admin="1", version="7")
            response = client.post(url, data=data)
            cases += 1
            assert response.status_code in (302, 422), (kind, name, value[:40],
                                                         response.status_code)
            if response.status_code == 422:
                body = response.get_data(as_text=True)
                assert not RAW_MARKUP.search(body.split("<main", 1)[1]), (kind, name)
            else:
                shown = client.get(response.headers["Location"]).get_data(as_text=True)
                assert not RAW_MARKUP.search(shown), (kind, name, value[:40])
    # Nothing outside the created records changed.
    db.session.expire_all()
    assert db.session.get(Programme, world["records"]["own_programme"].id).version == 1
    assert cases >= 200
    print(f"hostile form cases: {cases}")


def test_hostile_values_are_refused_or_stored_safely(app, world):
    client = _client_as(app, world["users"]["coordination"])
    url = "/vorhaben/neu"
    token = users.csrf_token(client, url)
    for value, expected in [
        ("{{7*7}}", "{{7*7}}"),
        ("Stra\u00dfe und Strasse", "Straße und Strasse"),
        ("Mu\u0308nchen zerlegt", "München zerlegt"),
    ]:
        data = _valid(world, "vorhaben")
        data.update(csrf_token=token, fkz=f"03SV{len(expected):04d}", title=value)
        response = client.post(url, data=data)
        assert response.status_code == 302
        assert expected in client.get(response.headers["Location"]).get_data(as_text=True)
    for value, message in [
        ("Text mit\x00NUL-Byte", "unzulässige Steuerzeichen"),
        ("x" * 100_000, "Höchstens 500 Zeichen"),
        ("\u200b", "Bitte füllen Sie dieses Feld aus."),
    ]:
        data = _valid(world, "vorhaben")
        data.update(csrf_token=token, title=value)
        response = client.post(url, data=data)
        assert response.status_code == 422 and message in response.get_data(as_text=True)


def test_oversized_body_is_413_and_invalid_utf8_is_no_500(app, world):
    client = _client_as(app, world["users"]["coordination"])
    big = client.post("/vorhaben/neu", data={"summary": "x" * (2 * 1024 * 1024 + 100)})
    assert big.status_code == 413
    assert "Anfrage zu groß" in big.get_data(as_text=True)
    raw = client.post("/vorhaben/neu", data=b"title=\xff\xfe\xfd&summary=%ED%A0%80",
                      content_type="application/x-www-form-urlencoded")
    assert raw.status_code < 500
