"""Browser: an editor downloads a template, checks a filled file in a dry run, and imports it;
the download page and the report pass axe."""

from __future__ import annotations

from openpyxl import load_workbook

from zukunftsstadt.models import Programme

from .test_browser import (  # noqa: F401
    _page,
    assert_accessible,
    browser,
    catalogue,
    live_server,
    login,
)


def test_template_dry_run_and_import_by_an_editor(browser, live_server, catalogue, tmp_path):  # noqa: F811
    page = _page(browser, live_server)
    login(page, catalogue["editor"])
    page.locator("summary", has_text="Test editor").click()  # the account menu
    page.get_by_role("link", name="Tabellen-Import").click()
    assert_accessible(page, "spreadsheet import page")
    with page.expect_download() as info:
        page.get_by_role("link", name="XLSX mit Hilfe-Blatt (Förderprogramme)").click()
    template = tmp_path / "vorlage.xlsx"
    info.value.save_as(template)
    book = load_workbook(template)
    assert book.sheetnames == ["Daten", "Hilfe"]
    book["Daten"].append(["bauen-2030", "Bauen 2030", None, "BMWSB"])
    book["Daten"].append(["kaputt", "Falsches Datum", None, "BMWSB", None, None, None, None,
                          None, None, "31.02.2025"])
    book.save(template)

    page.get_by_label("Art der Einträge").select_option("programme")
    page.get_by_label("Ausgefüllte Vorlage").set_input_files(str(template))
    page.get_by_role("button", name="Probelauf").click()
    assert "Bericht des Probelaufs – es wurde nichts gespeichert" in page.content()
    rejected = page.get_by_role("table", name="Abgelehnte Zeilen")
    assert "kein gültiges Datum" in rejected.inner_text() and "3" in rejected.inner_text()
    assert_accessible(page, "dry-run report")
    assert Programme.query.filter_by(key="bauen-2030").first() is None

    page.get_by_label("Art der Einträge").select_option("programme")
    page.get_by_label("Ausgefüllte Vorlage").set_input_files(str(template))
    page.get_by_role("button", name="Importieren").click()
    assert "Bericht des Imports" in page.content()
    assert Programme.query.filter_by(key="bauen-2030").one().publication_status == "draft"


def test_download_page_and_list_links(browser, live_server, catalogue):  # noqa: F811
    page = _page(browser, live_server)
    page.goto("/vorhaben/")
    page.get_by_role("link", name="Daten herunterladen (CSV, XLSX, JSON)").click()
    assert_accessible(page, "download page")
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel-Arbeitsmappe (XLSX) mit einem Blatt je Art").click()
    assert info.value.suggested_filename.startswith("katalog-")
