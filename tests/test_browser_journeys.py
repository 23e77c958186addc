"""The four journeys of the daily work (issue 14) in the browser, on the demo catalogue, with
axe-core on every page they pass: an editor, the Koordination, an analyst, a visitor."""

from __future__ import annotations

from zukunftsstadt.extensions import db
from zukunftsstadt.services import indexing, overlap_scans

from . import users
from .test_browser import _page, assert_accessible, browser, live_server, login  # noqa: F401


def _check(page, what: str) -> None:
    assert_accessible(page, what)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, f"{what} is {width} px wide"


def _wide(browser, live_server):  # noqa: F811
    page = _page(browser, live_server)
    page.set_viewport_size({"width": 1366, "height": 900})
    return page


def test_editor_enters_an_overlapping_project_submits_it_and_reads_its_history(
        browser, live_server, demo_catalogue):  # noqa: F811
    account = users.make("editor", "BMG")
    db.session.commit()
    editor = _wide(browser, live_server)
    login(editor, account)
    editor.get_by_role("link", name="Vorhaben", exact=True).click()
    editor.get_by_role("link", name="Vorhaben anlegen").click()
    _check(editor, "project form")
    editor.get_by_label("Förderkennzeichen (FKZ)").fill("ZMI52326HK099")
    editor.get_by_label("Titel", exact=False).first.fill("Kühle Pflegeheime im Sommer")
    editor.get_by_label("Förderprogramm").select_option(label="BMG: Gesunde Kommune – "
                                                        "Modellvorhaben kommunaler Hitzeschutz "
                                                        "und Gesundheitsförderung")
    editor.get_by_label("Kurzbeschreibung").fill(
        "Hitzeschutz in Pflegeheimen und Krankenhäusern: Kühlräume, Trinkpläne und ein "
        "Hitzewarnsystem schützen ältere Bewohnerinnen und Bewohner vor Hitzewellen.")
    editor.get_by_label("Beginn").fill("01.04.2027")
    editor.get_by_label("Themenfelder filtern").fill("gesund")
    editor.get_by_role("group", name="Themenfelder").get_by_label("Gesundheit", exact=True).check()
    editor.get_by_role("button", name="Speichern").click()
    editor.wait_for_url("**/vorhaben/*")
    assert "wurde als Entwurf angelegt" in editor.content()
    similar = editor.locator("section.similar")
    assert "mit anderen Ressorts" in similar.inner_text()
    assert "HitzeGesundPflegeheim" in similar.inner_text()  # BMUKN's heat project
    _check(editor, "new project with its overlaps")
    editor.get_by_role("button", name="Zur Prüfung einreichen").click()
    assert "Neuer Status: eingereicht" in editor.content()
    editor.get_by_role("link", name="Verlauf").click()
    history = editor.locator("main").inner_text()
    assert "eingereicht" in history and "Gesundheit" in history and "submitted" not in history
    _check(editor, "history")


def test_koordination_works_the_queue_runs_a_scan_and_decides_a_pair(
        browser, live_server, demo_catalogue):  # noqa: F811
    account = users.make("coordination")
    db.session.commit()
    boss = _wide(browser, live_server)
    login(boss, account)
    boss.get_by_role("link", name="Eingang").click()
    _check(boss, "review queue")
    waiting = boss.locator("table tbody tr").count()
    assert waiting >= 1
    boss.locator("table tbody tr").first.get_by_role("button", name="Veröffentlichen").click()
    assert "1 Eintrag veröffentlicht" in boss.content()
    assert boss.locator("table tbody tr").count() == waiting - 1

    boss.get_by_role("link", name="Überschneidungen").click()
    boss.get_by_role("button", name="Abgleich jetzt starten").click()
    assert "Der Portfolio-Abgleich ist angestoßen" in boss.content()
    overlap_scans.run_if_due()  # what `flask search worker` does next
    boss.get_by_role("link", name="Überschneidungen").click()
    _check(boss, "review list after the scan")
    boss.get_by_label("Stufe").select_option("hoch")
    boss.get_by_role("button", name="Filtern").click()
    boss.get_by_role("link", name="Bewerten").first.click()
    _check(boss, "pair review")
    first = boss.locator("main ul li a").first
    title = first.inner_text()
    boss.get_by_label("Bewertung").select_option(label="komplementär")
    boss.get_by_label("Kommentar", exact=False).fill("Ergänzen sich: Bau und Betrieb.")
    boss.get_by_role("button", name="Bewertung speichern").click()
    assert boss.get_by_label("Stufe").input_value() == "hoch"  # back on the filtered list
    boss.get_by_role("link", name=title).first.click()
    decisions = boss.locator("section.similar").inner_text()
    assert "Bewertete Überschneidungen" in decisions and "komplementär" in decisions
    _check(boss, "record with its decided overlap")


def test_analyst_reads_the_gaps_follows_a_cell_and_checks_a_plan_by_kommune_name(
        browser, live_server, demo_catalogue):  # noqa: F811
    account = users.make("analyst")
    db.session.commit()
    analyst = _wide(browser, live_server)
    login(analyst, account)
    analyst.get_by_role("link", name="Lücken").click()
    _check(analyst, "gap page")
    cell = analyst.locator("table.heatmap td a").first
    cell.click()
    assert analyst.locator("main").inner_text().strip()
    _check(analyst, "page behind a matrix cell")
    analyst.get_by_role("link", name="Prüfen").click()
    analyst.get_by_label("Titel des geplanten Vorhabens").fill("Hitzeschutz im Quartier")
    analyst.get_by_label("Kurzbeschreibung").fill(
        "Kühle Orte, Trinkbrunnen und Hitzewarnung für ältere Menschen im Quartier.")
    analyst.get_by_label("Kommunen", exact=False).fill("Leipzig")
    analyst.get_by_role("button", name="Prüfen").click()
    assert analyst.get_by_role("heading", name="Ergebnis").is_visible()
    assert analyst.locator("li.candidate").count() >= 1
    assert analyst.locator(".kern-error").count() == 0  # "Leipzig" is taken as a Kommune
    _check(analyst, "check before funding with results")


def test_visitor_finds_a_report_from_the_start_page_opens_the_pdf_and_a_contact(
        browser, live_server, demo_catalogue, tmp_path):  # noqa: F811
    indexing.drain_outbox()
    indexing.refresh()
    visitor = _wide(browser, live_server)
    visitor.goto("/")
    visitor.get_by_label("Wonach suchen Sie?").fill("Erfahrungen aus Forschung und Reallaboren")
    visitor.get_by_label("Wonach suchen Sie?").press("Enter")
    visitor.wait_for_url("**/search?**")
    _check(visitor, "search with a report among the hits")
    visitor.get_by_role("link", name="Hitzeschutz in Stadt und Quartier").first.click()
    assert "/transferberichte/" in visitor.url
    _check(visitor, "report page")
    with visitor.expect_download() as info:
        visitor.get_by_role("link", name="Als PDF herunterladen").click()
    path = tmp_path / "bericht.pdf"
    info.value.save_as(path)
    assert path.read_bytes()[:4] == b"%PDF"
    contacts = visitor.locator("a[href^='mailto:']")
    assert contacts.count() >= 1, "no released contact on the report page"
