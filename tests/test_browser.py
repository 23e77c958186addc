"""As a person would use it: Playwright driving Debian's Chromium against a live server.

Scenarios of the data-entry issue, plus axe-core (from npm) on every page and state.
"""

from __future__ import annotations

import json
import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from zukunftsstadt.extensions import db
from zukunftsstadt.services import indexing

from . import factories, users

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
AXE = Path(__file__).parents[1] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="module")
def live_server(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "Chromium fehlt: apt-get install chromium"
    assert AXE.exists(), "axe-core fehlt: npm install"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _page(browser, base_url):
    # axe is injected from outside the page, so the test context lets it past the CSP.
    context = browser.new_context(base_url=base_url, bypass_csp=True, locale="de-DE")
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    return page


def axe_violations(page) -> list[str]:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    assert len(result["passes"]) >= 10, "axe did not check the page"
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x: "
            f"{json.dumps([n['target'] for n in v['nodes']][:3])})"
            for v in result["violations"]]


def assert_accessible(page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what} ({page.url}):\n" + "\n".join(violations)


def login(page, user) -> None:
    page.goto("/login")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill(users.PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/")


@pytest.fixture
def catalogue(app):
    ressort = factories.ressort("BMWSB")
    programme = factories.programme(title="Nationale Projekte des Städtebaus", ressort=ressort)
    factories.municipality("14713000", "Leipzig")
    factories.topic()
    factories.project(title='Schutz vor Hitze <script>alert("xss")</script>',
                      programme=programme, summary='"><img src=x onerror=alert(1)>')
    editor = users.make("editor", "BMWSB")
    coordination = users.make("coordination")
    db.session.commit()
    indexing.rebuild()
    return {"programme": programme, "editor": editor, "coordination": coordination}


def test_manager_enters_project_koordination_publishes_public_finds_it(
        browser, live_server, catalogue):
    editor = _page(browser, live_server)
    login(editor, catalogue["editor"])
    editor.goto("/vorhaben/neu")
    assert_accessible(editor, "empty project form")
    editor.get_by_label("Förderkennzeichen (FKZ)").fill("falsch!")
    editor.get_by_label("Förderprogramm").select_option(label="BMWSB: Nationale Projekte des "
                                                        "Städtebaus")
    editor.get_by_role("button", name="Speichern").click()
    assert editor.get_by_role("alert").get_by_text("Bitte korrigieren Sie").is_visible()
    assert_accessible(editor, "form with errors")
    editor.get_by_label("Förderkennzeichen (FKZ)").fill("03WS2026A")
    editor.get_by_label("Titel", exact=False).first.fill("Kühle Höfe für Leipzig")
    editor.get_by_label("Kurzbeschreibung").fill(
        "Das Vorhaben entsiegelt Innenhöfe und pflanzt Bäume gegen sommerliche Hitze.")
    editor.get_by_label("Kommunen").fill("Leipzig")
    editor.get_by_label("Fördersumme in Euro").fill("480.000,00")
    editor.get_by_role("button", name="Speichern").click()
    editor.wait_for_url("**/vorhaben/*")
    assert "wurde als Entwurf angelegt" in editor.content()
    project_url = editor.url
    assert_accessible(editor, "project detail for its editor")
    editor.get_by_role("button", name="Zur Prüfung einreichen").click()
    assert "Neuer Status: eingereicht" in editor.content()

    boss = _page(browser, live_server)
    login(boss, catalogue["coordination"])
    boss.goto(project_url)
    boss.get_by_role("button", name="Veröffentlichen").click()
    assert "Neuer Status: veröffentlicht" in boss.content()
    boss.get_by_role("link", name="Verlauf").click()
    assert "Test editor" in boss.content()
    assert_accessible(boss, "history page")

    indexing.drain_outbox()  # what `flask search worker` does in production
    indexing.refresh()
    public = _page(browser, live_server)
    public.goto("/")
    public.get_by_label("Wonach suchen Sie?").fill("kühle Höfe Leipzig")
    public.get_by_label("Wonach suchen Sie?").press("Enter")
    public.wait_for_url("**/search?**")
    public.get_by_role("link", name="Kühle Höfe für Leipzig").click()
    assert public.url == project_url
    assert public.dialogs == []


def test_edit_conflict_in_two_browsers(browser, live_server, catalogue):
    project = factories.project(title="Gemeinsam bearbeitet", programme=catalogue["programme"])
    colleague = users.make("editor", "BMWSB", email="kollegin@example.org")
    db.session.commit()
    first, second = _page(browser, live_server), _page(browser, live_server)
    login(first, catalogue["editor"])
    login(second, colleague)
    url = f"/vorhaben/{project.id}/bearbeiten"
    first.goto(url)
    second.goto(url)
    second.get_by_label("Titel", exact=False).first.fill("Fassung der Kollegin")
    second.get_by_role("button", name="Speichern").click()
    second.wait_for_url(f"**/vorhaben/{project.id}")
    first.get_by_label("Titel", exact=False).first.fill("Meine Fassung")
    first.get_by_role("button", name="Speichern").click()
    conflict = first.get_by_role("alert")
    assert "Jemand hat diesen Datensatz inzwischen geändert" in conflict.inner_text()
    assert "Fassung der Kollegin" in conflict.inner_text()
    assert first.get_by_label("Titel", exact=False).first.input_value() == "Meine Fassung"
    assert_accessible(first, "conflict page")


@pytest.mark.parametrize("path", ["/", "/programme/", "/vorhaben/", "/reallabore/",
                                  "/schwerpunkte/", "/search?q=Hitze", "/search?q=gibtsnicht",
                                  "/login", "/gibt-es-nicht"])
def test_public_pages_have_no_axe_violations_and_run_no_injected_script(
        browser, live_server, catalogue, path):
    page = _page(browser, live_server)
    page.goto(path)
    assert_accessible(page, path)
    assert page.dialogs == []


def test_keyboard_alone_reaches_search(browser, live_server, catalogue):
    page = _page(browser, live_server)
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "start-q":
            break
    assert page.evaluate("document.activeElement.id") == "start-q"
    page.keyboard.type("Hitze")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?**")
    assert "Treffer" in page.content()


def test_analysis_and_internal_pages_have_no_axe_violations(browser, live_server, catalogue):
    boss = _page(browser, live_server)
    boss.set_viewport_size({"width": 1366, "height": 800})
    login(boss, catalogue["coordination"])
    for path in ["/analyse/luecken", "/analyse/ueberschneidungen/", "/analyse/matrix",
                 "/benachrichtigungen", "/konten/", "/ressorts/", "/papierkorb",
                 "/transferberichte/", "/transferberichte/neu", "/programme/neu",
                 "/koordination/eingang", "/vorhaben/?ressort=BMWSB&q=Hitze"]:
        boss.goto(path)
        assert_accessible(boss, path)
        width = boss.evaluate("document.documentElement.scrollWidth")
        assert width <= 1366, f"{path} is {width} px wide in a 1366 px window"
    boss.goto("/analyse/pruefen")
    boss.get_by_label("Titel des geplanten Vorhabens").fill("Schutz vor Hitze")
    boss.get_by_label("Kurzbeschreibung").fill("Schutz vor Hitze für ältere Menschen.")
    boss.get_by_role("button", name="Prüfen").click()
    assert "Ergebnis" in boss.content()
    assert_accessible(boss, "overlap check with results")


def test_search_states_by_keyboard_have_no_axe_violations(browser, live_server, catalogue):
    page = _page(browser, live_server)
    page.goto("/search?q=Hitze&kind=project")
    assert_accessible(page, "results with an active filter")
    search_box = page.locator("#q")
    search_box.fill("")
    search_box.type("Schu", delay=30)
    page.wait_for_selector("[role=listbox] [role=option]", timeout=5000)
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#q", "aria-expanded") == "true"
    assert page.get_attribute("#q", "aria-activedescendant")
    assert_accessible(page, "autocomplete open")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.dialogs == []
