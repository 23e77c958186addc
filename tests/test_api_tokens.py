"""Personal API tokens: created and revoked on the account page, stored hashed, acting with
the account's role; the rate limit; CSRF for session requests only."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text

from zukunftsstadt import rate_limits
from zukunftsstadt.extensions import db
from zukunftsstadt.models import ApiToken, Project

from . import factories, users
from .api_clients import TokenClient, token_for


@pytest.fixture(autouse=True)
def _fresh_limiter():
    rate_limits.reset()
    yield
    rate_limits.reset()


def _create_on_page(client, name: str):
    token = users.csrf_token(client, "/konto/api-schluessel")
    return client.post("/konto/api-schluessel", data={"csrf_token": token, "name": name})


def test_token_is_shown_once_stored_hashed_and_works_until_revoked(app):
    factories.project(title="Entwurf im Ressort", publication_status="draft")
    db.session.commit()
    analyst = users.make("analyst")
    browser = app.test_client()
    users.login(browser, analyst)
    page = _create_on_page(browser, "Abgleich Fachverfahren")
    assert page.status_code == 201
    html = page.get_data(as_text=True)
    plain = re.search(r'id="new-token" type="text" readonly value="(zs_[^"]+)"', html).group(1)
    assert "nur dieses eine Mal" in html
    listing = browser.get("/konto/api-schluessel").get_data(as_text=True)
    assert "Abgleich Fachverfahren" in listing and plain not in listing
    dump = " ".join(str(v) for row in db.session.execute(text("SELECT * FROM api_token"))
                    for v in row)
    assert plain not in dump  # only the hash is stored

    api = TokenClient(app, plain)
    body = api.get("/api/v1/projects?publication_status=draft").get_json()
    assert [p["title"] for p in body["items"]] == ["Entwurf im Ressort"]  # the analyst's view
    assert app.test_client().get("/api/v1/projects?publication_status=draft").get_json()[
        "total"] == 0
    stored = db.session.scalar(select(ApiToken))
    assert stored.last_used_at is not None

    token_id = stored.id
    form_token = users.csrf_token(browser, "/konto/api-schluessel")
    browser.post("/konto/api-schluessel/widerrufen",
                 data={"csrf_token": form_token, "token_id": token_id})
    response = api.get("/api/v1/projects")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert "Bearer" in response.headers["WWW-Authenticate"]


def test_one_cannot_revoke_another_accounts_token(app):
    owner, other = users.make("analyst"), users.make("editor", "BMV")
    plain = token_for(owner)
    token_id = db.session.scalar(select(ApiToken.id))
    browser = app.test_client()
    users.login(browser, other)
    form_token = users.csrf_token(browser, "/konto/api-schluessel")
    browser.post("/konto/api-schluessel/widerrufen",
                 data={"csrf_token": form_token, "token_id": token_id})
    assert TokenClient(app, plain).get("/api/v1/projects").status_code == 200


def test_deactivated_account_and_wrong_tokens_are_refused(app):
    user = users.make("coordination")
    plain = token_for(user)
    for header in (f"Bearer {plain}x", "Bearer zs_", "Bearer ", "bearer " + "x" * 5000):
        response = app.test_client().get("/api/v1/projects", headers={"Authorization": header})
        assert response.status_code == 401, header
    # Another scheme (e.g. a staging proxy's Basic login) is not a key: read as anonymous.
    basic = app.test_client().get("/api/v1/projects",
                                  headers={"Authorization": "Basic YWJjOmRlZg=="})
    assert basic.status_code == 200
    user.active = False
    db.session.commit()
    assert TokenClient(app, plain).get("/api/v1/projects").status_code == 401


def test_rate_limit_answers_429_with_retry_after(app):
    plain = token_for(users.make("analyst"))
    app.config["API_RATE_LIMIT"] = 5
    try:
        api = TokenClient(app, plain)
        statuses = [api.get("/api/v1/topics").status_code for _ in range(6)]
        other_client = app.test_client().get("/api/v1/topics")  # another key (no token)
    finally:
        app.config["API_RATE_LIMIT"] = 300
    assert statuses == [200] * 5 + [429]
    assert other_client.status_code == 200
    app.config["API_RATE_LIMIT"] = 5
    try:  # made-up keys count against the address, not a fresh bucket each
        guesses = [app.test_client().get("/api/v1/topics", headers={
            "Authorization": f"Bearer zs_guess{n}"}).status_code for n in range(5)]
    finally:
        app.config["API_RATE_LIMIT"] = 300
    assert guesses == [401] * 4 + [429]
    limited = TokenClient(app, plain)
    app.config["API_RATE_LIMIT"] = 5
    try:
        response = limited.get("/api/v1/topics")
    finally:
        app.config["API_RATE_LIMIT"] = 300
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert int(response.headers["Retry-After"]) >= 1
    assert response.get_json()["title"] == "Zu viele Anfragen"


def test_session_writes_need_csrf_token_writes_do_not(app):
    programme = factories.programme(ressort=factories.ressort("BMWSB"))
    db.session.commit()
    editor = users.make("editor", "BMWSB")
    body = {"fkz": "03API0001", "title": "Über die API", "summary": "Text",
            "programme_id": programme.id}
    browser = app.test_client()
    users.login(browser, editor)
    refused = browser.post("/api/v1/projects", json=body)
    assert refused.status_code == 400 and refused.mimetype == "application/problem+json"
    assert db.session.scalar(select(func.count()).select_from(Project)) == 0
    csrf = users.csrf_token(browser, "/konto/api-schluessel")
    accepted = browser.post("/api/v1/projects", json=body, headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 201, accepted.get_json()
    by_token = TokenClient(app, token_for(editor)).post(
        "/api/v1/projects", json={**body, "fkz": "03API0002"})
    assert by_token.status_code == 201
    anonymous = app.test_client().post("/api/v1/projects", json=body)
    assert anonymous.status_code == 401


def test_me_names_the_account_and_key(app):
    editor = users.make("editor", "BMWSB")
    plain = token_for(editor, "Fachverfahren")
    body = TokenClient(app, plain).get("/api/v1/me").get_json()
    assert (body["role"], body["ressorts"], body["api_key"]["name"]) == (
        "editor", ["BMWSB"], "Fachverfahren")
    assert body["api_key"]["prefix"] == plain[:10]
    assert app.test_client().get("/api/v1/me").status_code == 401
    browser = app.test_client()
    users.login(browser, editor)
    assert browser.get("/api/v1/me").get_json()["api_key"] is None
