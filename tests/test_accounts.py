"""Login, throttling, sessions and account management (QUALITY.md S4)."""

from __future__ import annotations

from zukunftsstadt.extensions import db
from zukunftsstadt.models import User
from zukunftsstadt.services import accounts

from . import users


def test_password_is_stored_as_argon2id(app):
    user = users.make("analyst")
    assert user.password_hash.startswith("$argon2id$")
    assert users.PASSWORD not in user.password_hash


def test_login_renews_the_session_and_logout_ends_it(client):
    user = users.make("analyst")
    client.get("/login")
    with client.session_transaction() as before:
        before["marker"] = "vor der Anmeldung"
    response = users.login(client, user)
    assert response.status_code == 302
    with client.session_transaction() as after:
        assert "marker" not in after  # the pre-login session was discarded
    page = client.get("/").get_data(as_text=True)
    assert "Test analyst" in page
    assert client.get("/").headers["Cache-Control"] == "no-store"
    token = users.csrf_token(client, "/")
    client.post("/logout", data={"csrf_token": token})
    assert "Anmelden</a>" in client.get("/").get_data(as_text=True)


def test_same_message_for_unknown_account_and_wrong_password(client):
    user = users.make("analyst")
    wrong = users.login(client, user, "falsches-Passwort-123")
    unknown = client.post("/login", data={"csrf_token": users.csrf_token(client),
                                          "email": "niemand@example.org",
                                          "password": "falsches-Passwort-123"})
    assert wrong.status_code == unknown.status_code == 401
    message = "E-Mail-Adresse oder Passwort sind nicht korrekt."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


def test_ten_failures_block_the_account_for_a_while(client):
    user = users.make("analyst")
    for _ in range(accounts.MAX_FAILURES):
        assert users.login(client, user, "falsches-Passwort-123").status_code == 401
    blocked = users.login(client, user)  # even the right password
    assert blocked.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in blocked.get_data(as_text=True)


def test_idle_timeout_logs_out(client):
    user = users.make("analyst")
    users.login(client, user)
    with client.session_transaction() as session:
        session["last_seen"] -= 31 * 60
    response = client.get("/papierkorb")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert "Test analyst" not in client.get("/").get_data(as_text=True)


def test_password_reset_by_admin_ends_old_sessions(client, app):
    admin = users.make("coordination", email="admin@example.org")
    editor = users.make("editor", "BMWSB")
    other = app.test_client()
    users.login(other, editor)
    assert "Test editor" in other.get("/").get_data(as_text=True)
    users.login(client, admin)
    token = users.csrf_token(client, f"/konten/{editor.id}/passwort")
    response = client.post(f"/konten/{editor.id}/passwort", data={
        "csrf_token": token, "password": "ein-neues-Passwort-2", "confirm": "ein-neues-Passwort-2"})
    assert response.status_code == 302
    assert "Test editor" not in other.get("/").get_data(as_text=True)


def test_password_reset_by_admin_refuses_guessable_passwords_with_422(client):
    admin = users.make("coordination", email="admin@example.org")
    editor = users.make("editor", "BMWSB")
    users.login(client, admin)
    token = users.csrf_token(client, f"/konten/{editor.id}/passwort")
    response = client.post(f"/konten/{editor.id}/passwort", data={
        "csrf_token": token, "password": "Sommer2024!!", "confirm": "Sommer2024!!"})
    assert response.status_code == 422
    assert "zu leicht zu erraten" in response.get_data(as_text=True)


def test_coordination_creates_accounts_in_the_ui(client):
    admin = users.make("coordination", email="admin@example.org")
    users.make("editor", "BMV")
    users.login(client, admin)
    token = users.csrf_token(client, "/konten/neu")
    short = client.post("/konten/neu", data={
        "csrf_token": token, "email": "neu@example.org", "name": "Neue Person",
        "role": "editor", "ressorts": ["BMV"], "password": "kurz", "confirm": "kurz"})
    assert "mindestens 12 Zeichen" in short.get_data(as_text=True)
    ok = client.post("/konten/neu", data={
        "csrf_token": token, "email": "neu@example.org", "name": "Neue Person",
        "role": "editor", "ressorts": ["BMV"], "password": "lang-genug-123",
        "confirm": "lang-genug-123"})
    assert ok.status_code == 302
    created = db.session.query(User).filter_by(email="neu@example.org").one()
    assert created.ressort_codes == ("BMV",)


def test_cli_creates_account(app):
    users.make("editor", "BMG")
    result = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "cli@example.org", "--name", "Per Kommandozeile",
        "--role", "editor", "--ressort", "BMG", "--password", "Kommandozeile-mit-Sonne-7"])
    assert result.exit_code == 0, result.output
    assert "Konto angelegt: cli@example.org (Ressort-Redaktion)" in result.output
    bad = app.test_cli_runner().invoke(args=[
        "users", "create", "--email", "x@example.org", "--name", "X", "--role", "editor",
        "--ressort", "GIBTSNICHT", "--password", "Kommandozeile-mit-Sonne-7"])
    assert bad.exit_code == 1 and "Unbekannte Ressorts: GIBTSNICHT" in bad.output
