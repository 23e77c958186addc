"""Sessions end on the server, and the own password flow (issue 12, findings 2, 3 and 8).

A session cookie copied before logout, a password change, deactivation or a change of role
opens nothing afterwards: neither pages nor the API. Changing one's own password works
(no 500), asks for the current one, refuses common and trivial passwords and revokes the
account's API keys. Failed logins are throttled per account and client address.
"""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from zukunftsstadt import rate_limits
from zukunftsstadt.extensions import db
from zukunftsstadt.models import Ressort, User
from zukunftsstadt.services import accounts, api_tokens

from . import factories, users

NEW_PASSWORD = "Stadtgrün-und-Kaltluft-2031"


@pytest.fixture(autouse=True)
def _fresh_limiter():
    rate_limits.reset()


def _signed_in(app, user: User) -> FlaskClient:
    client = app.test_client()
    assert users.login(client, user).status_code == 302
    return client


def _replay(app, client: FlaskClient) -> FlaskClient:
    """Another client that sends the cookie `client` holds now (a copied session)."""
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    return copy


def _opens_account_pages(client: FlaskClient) -> bool:
    keys = client.get("/konto/api-schluessel")
    me = client.get("/api/v1/me")
    assert (keys.status_code == 200) == (me.status_code == 200), (keys.status_code,
                                                                   me.status_code)
    return keys.status_code == 200


def _change_own_password(client: FlaskClient, current: str = users.PASSWORD,
                         new: str = NEW_PASSWORD, confirm: str | None = None):
    token = users.csrf_token(client, "/konto/passwort")
    return client.post("/konto/passwort", data={
        "csrf_token": token, "current_password": current, "password": new,
        "confirm": new if confirm is None else confirm})


def test_a_cookie_copied_before_logout_opens_nothing_afterwards(app):
    user = users.make("editor", "BMWSB")
    client = _signed_in(app, user)
    other_device = _signed_in(app, user)
    stolen = _replay(app, client)
    assert _opens_account_pages(stolen)
    client.post("/logout", data={"csrf_token": users.csrf_token(client, "/")})
    assert not _opens_account_pages(stolen)
    assert not _opens_account_pages(client)
    assert not _opens_account_pages(other_device)  # logout ends every session of the account
    assert stolen.get("/konto/api-schluessel").headers["Location"].startswith("/login")
    assert _opens_account_pages(_signed_in(app, user))  # signing in again works


def test_logout_without_a_session_is_harmless(client):
    response = client.post("/logout", data={"csrf_token": users.csrf_token(client)})
    assert response.status_code == 302


def test_changing_ones_own_password_works_and_ends_the_other_sessions(app):
    user = users.make("analyst")
    client = _signed_in(app, user)
    other_device = _signed_in(app, user)
    stolen = _replay(app, client)
    response = _change_own_password(client)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert "Ihr Passwort wurde geändert" in client.get("/").get_data(as_text=True)
    assert _opens_account_pages(client)  # this session goes on
    assert not _opens_account_pages(other_device)
    assert not _opens_account_pages(stolen)
    assert users.login(app.test_client(), user).status_code == 401
    assert users.login(app.test_client(), user, NEW_PASSWORD).status_code == 302


def test_the_current_password_is_asked_for(app):
    user = users.make("analyst")
    client = _signed_in(app, user)
    page = client.get("/konto/passwort").get_data(as_text=True)
    assert 'name="current_password"' in page and 'autocomplete="current-password"' in page
    wrong = _change_own_password(client, current="nicht-das-Passwort-1")
    assert wrong.status_code == 422
    assert "Das bisherige Passwort ist nicht korrekt." in wrong.get_data(as_text=True)
    missing = _change_own_password(client, current="")
    assert missing.status_code == 422
    db.session.expire_all()
    assert accounts.authenticate(user.email, users.PASSWORD, "127.0.0.1") is not None


@pytest.mark.parametrize("password", [
    "aaaaaaaaaaaa", "123456789012", "passwort1234", "password1234", "qwertzuiop12",
    "abcabcabcabc", "Passwort12345", "iloveyou1234", "zukunftsstadt", "111111111111",
    "abcdefghijkl",
    # One German word with digits and signs (an outside probe found the first one accepted).
    "Sommer2024!!", "Fruehling2025?", "Sonnenblume1!", "2024Wintergarten",
])
def test_common_and_trivial_passwords_are_refused(app, password):
    user = users.make("analyst")
    client = _signed_in(app, user)
    response = _change_own_password(client, new=password)
    assert response.status_code == 422
    assert "zu leicht zu erraten" in response.get_data(as_text=True)
    with pytest.raises(accounts.AccountError, match="zu leicht zu erraten"):
        accounts.create_user("neu@example.org", "Neu", password, "analyst")


def test_a_password_change_revokes_the_accounts_api_keys(app):
    user = users.make("editor", "BMWSB")
    _, plain = api_tokens.create(user, "Skript")
    headers = {"Authorization": f"Bearer {plain}"}
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200
    client = _signed_in(app, user)
    page = client.get("/konto/passwort").get_data(as_text=True)
    assert "API-Schlüssel" in page and "widerrufen" in page  # said before it happens
    assert _change_own_password(client).status_code == 302
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    db.session.expire_all()
    assert api_tokens.active_tokens(db.session.get(User, user.id)) == []


def test_deactivation_ends_every_session_also_after_reactivation(app):
    user = users.make("editor", "BMWSB")
    client = _signed_in(app, user)
    stolen = _replay(app, client)
    account = db.session.get(User, user.id)
    account.active = False
    db.session.commit()
    assert not _opens_account_pages(client)
    account.active = True
    db.session.commit()
    assert not _opens_account_pages(stolen)


@pytest.mark.parametrize("change", ["role", "ressorts"])
def test_a_change_of_role_or_ressorts_ends_every_session(app, change):
    user = users.make("editor", "BMWSB")
    factories.ressort("BMV")
    db.session.commit()
    client = _signed_in(app, user)
    account = db.session.get(User, user.id)
    if change == "role":
        account.role = "analyst"
    else:
        account.ressorts = [db.session.query(Ressort).filter_by(code="BMV").one()]
    db.session.commit()
    assert not _opens_account_pages(client)


def test_an_unrelated_change_of_the_account_keeps_its_sessions(app):
    user = users.make("editor", "BMWSB")
    client = _signed_in(app, user)
    account = db.session.get(User, user.id)
    account.name = "Neuer Name"
    db.session.commit()
    assert _opens_account_pages(client)


def _login_from(app, address: str, user: User, password: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return users.login(client, user, password)


def test_failures_from_elsewhere_do_not_lock_out_the_owner(app):
    user = users.make("analyst")
    for _ in range(accounts.MAX_FAILURES):
        assert _login_from(app, "203.0.113.9", user, "falsches-Passwort-123").status_code == 401
    assert _login_from(app, "203.0.113.9", user, users.PASSWORD).status_code == 429
    assert _login_from(app, "198.51.100.7", user, users.PASSWORD).status_code == 302


def test_one_address_cannot_try_many_accounts(app):
    """Spreading guesses over accounts does not escape the throttle: the address is blocked
    for every account, even the right password of one it never tried; others are not."""
    victims = [users.make("analyst", email=f"konto-{n}@example.org")
               for n in range(accounts.MAX_ADDRESS_FAILURES // (accounts.MAX_FAILURES - 1) + 1)]
    tries = 0
    for victim in victims:
        for _ in range(accounts.MAX_FAILURES - 1):  # below the per-account limit each
            if tries == accounts.MAX_ADDRESS_FAILURES:
                break
            assert _login_from(app, "203.0.113.9", victim,
                               "falsches-Passwort-123").status_code == 401
            tries += 1
    assert tries == accounts.MAX_ADDRESS_FAILURES
    fresh = users.make("editor", "BMWSB")
    blocked = _login_from(app, "203.0.113.9", fresh, users.PASSWORD)
    assert blocked.status_code == 429
    assert "Anmeldeversuche" in blocked.get_data(as_text=True)
    assert _login_from(app, "198.51.100.7", fresh, users.PASSWORD).status_code == 302


def test_a_success_clears_only_the_failures_of_its_own_address(app):
    """Signing in from home does not reset the count an attacker runs up elsewhere."""
    user = users.make("analyst")
    for _ in range(accounts.MAX_FAILURES - 1):
        assert _login_from(app, "203.0.113.9", user, "falsches-Passwort-123").status_code == 401
    assert _login_from(app, "198.51.100.7", user, users.PASSWORD).status_code == 302
    assert _login_from(app, "203.0.113.9", user, "falsches-Passwort-123").status_code == 401
    assert _login_from(app, "203.0.113.9", user, users.PASSWORD).status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(app):
    """With TRUSTED_PROXIES=1 (production behind a reverse proxy) the address the proxy
    reports is the client's; without it, a forged X-Forwarded-For changes nothing."""
    from zukunftsstadt import create_app

    from .conftest import FreshContextClient

    proxied = create_app("test", overrides={"TRUSTED_PROXIES": 1})
    proxied.test_client_class = FreshContextClient
    user = users.make("analyst")

    def login_via_proxy(target, forwarded: str, password: str) -> int:
        client = target.test_client()
        client.environ_base.update(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
        return users.login(client, user, password).status_code

    for n in range(accounts.MAX_FAILURES):
        assert login_via_proxy(proxied, "203.0.113.9", "falsches-Passwort-123") == 401
        assert login_via_proxy(app, f"198.51.100.{n}", "falsches-Passwort-123") == 401
    assert login_via_proxy(proxied, "203.0.113.9", users.PASSWORD) == 429
    assert login_via_proxy(proxied, "198.51.100.7", users.PASSWORD) == 302
    assert login_via_proxy(app, "192.0.2.1", users.PASSWORD) == 429  # forged header ignored
