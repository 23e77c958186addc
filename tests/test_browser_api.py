"""Browser: a user creates an API key on the account page, uses it, revokes it; axe on the
key page in every state and on the API documentation."""

from __future__ import annotations

from zukunftsstadt.extensions import db

from . import users
from .test_browser import _page, assert_accessible, browser, live_server, login  # noqa: F401


def test_create_use_and_revoke_a_key(browser, live_server, app):  # noqa: F811
    editor = users.make("editor", "BMWSB")
    db.session.commit()
    page = _page(browser, live_server)
    login(page, editor)
    page.locator("summary", has_text="Test editor").click()  # the account menu
    page.get_by_role("link", name="API-Schlüssel").click()
    assert_accessible(page, "key page, empty")
    page.get_by_role("button", name="Schlüssel anlegen").click()
    assert "Bitte füllen Sie dieses Feld aus." in page.content()
    assert_accessible(page, "key page with a field error")
    page.get_by_label("Bezeichnung").fill("Abgleich Fachverfahren")
    page.get_by_role("button", name="Schlüssel anlegen").click()
    token = page.get_by_label("Schlüssel", exact=True).input_value()
    assert token.startswith("zs_")
    assert_accessible(page, "key page showing the new key")

    api = page.context.request
    answer = api.get(f"{live_server}/api/v1/projects",
                     headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200 and answer.json()["total"] == 0

    page.goto("/konto/api-schluessel")
    assert token not in page.content()  # shown once only
    page.get_by_role("button", name="Schlüssel Abgleich Fachverfahren widerrufen").click()
    assert "wurde widerrufen" in page.content()
    refused = api.get(f"{live_server}/api/v1/projects",
                      headers={"Authorization": f"Bearer {token}"})
    assert refused.status == 401
    assert refused.headers["content-type"].startswith("application/problem+json")


def test_api_documentation_page_is_accessible(browser, live_server, app):  # noqa: F811
    page = _page(browser, live_server)
    page.goto("/")
    page.get_by_role("link", name="API-Dokumentation").click()
    assert page.get_by_role("heading", name="API-Dokumentation").is_visible()
    assert_accessible(page, "API documentation")
