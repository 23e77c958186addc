"""Browser: the Koordination compiles a report from the demo data, a Kommune reads it as PDF."""

from __future__ import annotations

import io

import pypdfium2
from pypdf import PdfReader

from zukunftsstadt.extensions import db
from zukunftsstadt.models import Project, RealWorldLab, TransferReport

from . import users
from .test_browser import _page, assert_accessible, browser, live_server, login  # noqa: F401


def test_compile_publish_read_and_download(browser, live_server, demo_catalogue, tmp_path):  # noqa: F811
    boss_user = users.make("coordination")
    boss = _page(browser, live_server)
    login(boss, boss_user)
    boss.goto("/")
    boss.get_by_role("link", name="Transferberichte").first.click()
    boss.get_by_role("link", name="Transferbericht anlegen").click()
    boss.get_by_label("Titel").fill("Grün-blaue Infrastruktur für heiße Sommer")
    boss.get_by_label("Geltungsbereich").select_option("topic:klimaanpassung")
    boss.get_by_label("Ausgangslage").fill("Städte werden heißer; Grün kühlt.")
    boss.get_by_role("button", name="Speichern").click()
    boss.wait_for_url("**/zusammenstellen")  # a new report opens in its builder
    boxes = boss.locator("input[name=record]")
    assert boxes.count() >= 5
    for n in range(5):
        boxes.nth(n).check()
    boss.get_by_role("button", name="Zusammenstellung speichern").click()
    assert "Zusammenstellung gespeichert: 5 Einträge." in boss.content()
    boss.get_by_role("button", name="Veröffentlichen").click()
    report = TransferReport.query.filter_by(
        title="Grün-blaue Infrastruktur für heiße Sommer").one()

    kommune = _page(browser, live_server)
    kommune.goto("/transferberichte/")
    assert_accessible(kommune, "report list")
    assert kommune.get_by_role("link", name="Hitzeschutz in Stadt und Quartier").count() == 1
    kommune.get_by_role("link", name="Grün-blaue Infrastruktur für heiße Sommer").click()
    assert_accessible(kommune, "report page")
    kommune.emulate_media(media="print")
    assert kommune.get_by_role("heading", name="Ansätze und Ergebnisse").is_visible()
    with kommune.expect_download() as info:
        kommune.get_by_role("link", name="Als PDF herunterladen").click()
    path = tmp_path / "bericht.pdf"
    info.value.save_as(path)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(path.read_bytes())).pages)
    assert "Ansätze und Ergebnisse" in text and "Ansprechpartner" in text
    flat = " ".join(text.split())
    for item in report.items:
        record = db.session.get(Project if item.kind == "project" else RealWorldLab,
                                item.record_id)
        title = record.title if item.kind == "project" else record.name
        assert " ".join(title.split()[:4]) in flat, title
    first_page = pypdfium2.PdfDocument(str(path))[0].render(scale=1.5).to_pil()
    first_page.save(tmp_path / "seite1.png")
    # Laid out: a good share of the page carries ink, not a blank or a single line.
    histogram = first_page.convert("L").histogram()
    dark = sum(histogram[:200])
    assert dark > sum(histogram) * 0.01
