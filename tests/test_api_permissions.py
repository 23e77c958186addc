"""The API answers every role exactly as the pages do (QUALITY.md S2, S5)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from zukunftsstadt import rate_limits
from zukunftsstadt.extensions import db
from zukunftsstadt.models import AuditEvent

from . import factories, users
from .api_clients import TokenClient, token_for


@pytest.fixture
def world(app):
    rate_limits.reset()
    a, b = factories.ressort("BMWSB"), factories.ressort("BMV")
    own = factories.programme(title="Eigenes Programm", ressort=a)
    other = factories.programme(title="Fremdes Programm", ressort=b)
    secret = factories.programme(title="Vertrauliches Fremdprogramm", ressort=b,
                                 confidential=True, status="planned",
                                 publication_status="draft")
    records = {
        "own_programme": own,
        "own_draft": factories.project(title="Eigener Entwurf", programme=own,
                                       publication_status="draft"),
        "other_project": factories.project(title="Fremdes Vorhaben", programme=other),
        "other_draft": factories.project(title="Fremder Entwurf", programme=other,
                                         publication_status="draft"),
        "secret_programme": secret,
        "secret_project": factories.project(title="Vertrauliches Vorhaben", programme=secret,
                                            publication_status="draft"),
        "other_lab": factories.lab(name="Fremdes Reallabor", ressort=b,
                                   description="Ein Reallabor im Quartier."),
    }
    db.session.commit()
    clients = {None: TokenClient(app, None)}
    for role, codes in (("editor", ("BMWSB",)), ("analyst", ()), ("coordination", ())):
        clients[role] = TokenClient(app, token_for(users.make(role, *codes)))
    return {"records": records, "clients": clients}


PATHS = {"own_programme": "programmes", "secret_programme": "programmes",
         "other_lab": "real-world-labs"}
# role -> record -> (may read, may change)
MATRIX = {
    None: {"own_draft": (False, False), "other_project": (True, False),
           "other_draft": (False, False), "secret_programme": (False, False),
           "secret_project": (False, False), "other_lab": (True, False)},
    "editor": {"own_draft": (True, True), "own_programme": (True, True),
               "other_project": (True, False), "other_draft": (False, False),
               "secret_programme": (False, False), "secret_project": (False, False),
               "other_lab": (True, False)},
    "analyst": {"own_draft": (True, False), "other_draft": (True, False),
                "secret_programme": (False, False), "secret_project": (False, False)},
    "coordination": {"other_draft": (True, True), "secret_programme": (True, True),
                     "secret_project": (True, True), "other_lab": (True, True)},
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_role_matrix_like_the_pages(app, world, role):
    client = world["clients"][role]
    before = db.session.scalar(select(func.count()).select_from(AuditEvent))
    changed = 0
    for name, (may_read, may_change) in MATRIX[role].items():
        record = world["records"][name]
        url = f"/api/v1/{PATHS.get(name, 'projects')}/{record.id}"
        read = client.get(url)
        assert (read.status_code == 200) == may_read, (role, name, read.status_code)
        listed = client.get(url.rsplit("/", 1)[0], query_string={"size": 100}).get_json()
        assert (record.id in {r["id"] for r in listed["items"]}) == may_read, (role, name)
        field = "name" if name == "other_lab" else "title"
        answer = client.patch(url, json={"version": record.version, field: "Übernommen"})
        expected = 200 if may_change else (401 if role is None else 404 if not may_read
                                           else 403)
        assert answer.status_code == expected, (role, name, answer.get_json())
        changed += may_change
        deleted = client.delete(f"{url}?version=999")
        assert deleted.status_code == (409 if may_change else expected), (role, name)
    after = db.session.scalar(select(func.count()).select_from(AuditEvent))
    assert after - before == changed  # nothing else was written


def test_session_patch_and_delete_need_the_csrf_token(app, world):
    editor = users.make("editor", "BMWSB", email="browser-editor@example.org")
    browser = app.test_client()
    users.login(browser, editor)
    record = world["records"]["own_draft"]
    url = f"/api/v1/projects/{record.id}"
    assert browser.patch(url, json={"version": record.version, "title": "x"}).status_code == 400
    assert browser.delete(url).status_code == 400
    assert browser.post(f"{url}/status", json={"target": "submitted"}).status_code == 400
    token = users.csrf_token(browser, "/konto/api-schluessel")
    answer = browser.patch(url, json={"version": record.version, "title": "Im Browser"},
                           headers={"X-CSRFToken": token})
    assert answer.status_code == 200 and answer.get_json()["title"] == "Im Browser"
