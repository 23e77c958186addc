"""Templates per record kind and their import: dry-run report, idempotence, permissions.

Files are written here as people write them: CSV with `,` or `;`, with or without BOM,
German dates and amounts, a quoted cell over two lines; XLSX as exported by the app and then
edited in a spreadsheet program.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from zukunftsstadt.extensions import db
from zukunftsstadt.importers.spreadsheet import SpreadsheetImport
from zukunftsstadt.models import (
    AuditEvent,
    Organisation,
    OverlapAlert,
    Programme,
    Project,
    RealWorldLab,
    ResearchPriority,
    SearchOutbox,
)
from zukunftsstadt.services import records

from . import factories, users

PROJECTS_CSV = """\
Förderkennzeichen (FKZ),Titel,Kurzbeschreibung,Förderprogramm (Schlüssel),Kommunen,Beginn,\
Ende,Fördersumme in Euro,Themenfelder (Schlüssel),Nachhaltigkeitsziele (SDG),\
Zuwendungsempfänger,Veröffentlichungsstatus,Bemerkung
03SF0001A,Hitzeschutz im Quartier,Kühle Orte,smart-cities,14612000,01.04.2023,31.03.2026,\
"250.000,50",klimaanpassung,11; 13,tu-dresden,veröffentlicht,intern
03SF0001B,Hitzeschutz Partner,"Erste Zeile
zweite Zeile",smart-cities,Görlitz,2023-04-01,,"1000,5",,,,,
kein fkz!,Falsches Kennzeichen,,,,,,,,,,,
03SF0003,Doppelt falsch,,,,30.02.2024,,-5,,,,,
03SF0004,Unbekannte Verweise,,gibt-es-nicht,99999999,,,,,,,,
03SF0005,Ende vor Beginn,,,,01.01.2024,31.12.2023,,,,,,
,,,,,,,,,,,,
03SF0006,Ohne Programm,,,,,,,,,Technische Universität Dresden,,
"""


@pytest.fixture
def catalogue(app):
    bmwsb = factories.ressort("BMWSB")
    factories.ressort("BMV")
    factories.municipality("14612000", "Dresden")
    factories.municipality("14626110", "Görlitz")
    factories.topic("klimaanpassung", "Klimaanpassung")
    from zukunftsstadt.models import SDG

    db.session.add_all([SDG(number=11, name="Nachhaltige Städte"),
                        SDG(number=13, name="Klimaschutz")])
    factories.programme(key="smart-cities", title="Modellprojekte Smart Cities", ressort=bmwsb)
    records.save(Organisation(key="tu-dresden", name="Technische Universität Dresden",
                              kind="Hochschule", publication_status="published"))
    records.commit()


def _run(kind: str, text: str | bytes, *, dry_run: bool = False, actor=None,
         name: str = "tabelle.csv"):
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return SpreadsheetImport(kind, name, dry_run=dry_run, actor=actor).run(io.BytesIO(raw))


def _counts(report) -> tuple[int, int, int, int]:
    return report.new, report.changed, report.unchanged, report.rejected


def test_dry_run_lists_every_bad_row_with_line_column_and_reason_and_writes_nothing(catalogue):
    outbox = SearchOutbox.query.count()
    report = _run("project", PROJECTS_CSV, dry_run=True)
    assert _counts(report) == (3, 0, 0, 4)
    problems = {(p.line, p.column): p.reason for p in report.rejections}
    assert "Förderkennzeichen" in problems[(5, "Förderkennzeichen (FKZ)")]
    assert "kein gültiges Datum" in problems[(6, "Beginn")]  # both problems of line 6
    assert "negativ" in problems[(6, "Fördersumme in Euro")]
    assert "nicht bekannt" in problems[(7, "Förderprogramm (Schlüssel)")]
    assert "Unbekannte Kommune: 99999999" in problems[(7, "Kommunen")]
    assert "nicht vor dem Beginn" in problems[(8, "Ende")]
    assert [(w.line, w.column) for w in report.warnings] == [(1, "Bemerkung")]
    assert report.dry_run and "Probelauf (nichts gespeichert)" in report.summary()[0]
    db.session.expire_all()
    assert Project.query.count() == 0
    assert SearchOutbox.query.count() == outbox


def test_import_twice_gives_the_same_catalogue_and_a_change_is_one_change(catalogue):
    first = _run("project", PROJECTS_CSV)
    assert _counts(first) == (3, 0, 0, 4)
    project = Project.query.filter_by(fkz="03SF0001A").one()
    assert project.budget_eur == Decimal("250000.50")
    assert project.start_date == date(2023, 4, 1)
    assert [m.name for m in project.municipalities] == ["Dresden"]
    assert [s.number for s in project.sdgs] == [11, 13]
    assert project.lead_organisation.key == "tu-dresden"
    assert project.publication_status == "published"
    assert project.source == "import" and project.source_ref == "tabelle.csv:2"
    partner = Project.query.filter_by(fkz="03SF0001B").one()
    assert partner.summary == "Erste Zeile\nzweite Zeile" and partner.publication_status == "draft"
    assert Project.query.filter_by(fkz="03SF0006").one().lead_organisation.key == "tu-dresden"
    versions = {p.fkz: p.version for p in Project.query}

    again = _run("project", PROJECTS_CSV)
    assert _counts(again) == (0, 0, 3, 4)
    db.session.expire_all()
    assert {p.fkz: p.version for p in Project.query} == versions

    changed = PROJECTS_CSV.replace("Hitzeschutz im Quartier", "Hitzeschutz im Wohnquartier")
    assert _counts(_run("project", changed)) == (0, 1, 2, 4)
    events = AuditEvent.query.filter_by(entity="project", entity_id=project.id).order_by(
        AuditEvent.id).all()
    assert events[-1].changes["title"] == ["Hitzeschutz im Quartier",
                                           "Hitzeschutz im Wohnquartier"]
    assert SearchOutbox.query.filter_by(entity="project", entity_id=project.id).count() == 2


def test_semicolons_bom_and_a_missing_column_that_keeps_values(catalogue):
    _run("project", PROJECTS_CSV)
    text = "\ufeffFörderkennzeichen (FKZ);Titel\r\n03SF0001A;Neuer Titel\r\n"
    report = _run("project", text)
    assert _counts(report) == (0, 1, 0, 0)
    project = Project.query.filter_by(fkz="03SF0001A").one()
    assert project.title == "Neuer Titel"
    assert project.budget_eur == Decimal("250000.50")  # column not in the file: kept


def test_a_file_of_another_kind_or_no_table_is_refused_as_a_whole(catalogue):
    from zukunftsstadt.importers.spreadsheet import FileFormatError

    with pytest.raises(FileFormatError, match="Pflichtspalten „Schlüssel“"):
        _run("programme", PROJECTS_CSV)
    with pytest.raises(FileFormatError, match="keine lesbare XLSX"):
        _run("programme", b"PK\x03\x04kaputt", name="x.xlsx")
    with pytest.raises(FileFormatError, match="leer"):
        _run("programme", b"")


def test_exported_xlsx_edited_in_a_spreadsheet_imports_as_exactly_the_edit(catalogue, client):
    factories.programme(key="zweites", title="Zweites Programm", ressort=factories.ressort("BMV"),
                        budget_eur=Decimal("1234.56"), end_date=date(2030, 12, 31))
    db.session.commit()
    users.login(client, users.make("coordination"))
    book = load_workbook(io.BytesIO(client.get("/programme/export.xlsx").get_data()))
    sheet = book.worksheets[0]
    assert _counts(_run("programme", _save(book), name="p.xlsx")) == (0, 0, 2, 0)
    header = [c.value for c in sheet[1]]
    sheet.cell(row=3, column=header.index("Titel") + 1, value="Zweites Programm (neu)")
    sheet.append(["drittes", "Drittes Programm", None, "bmwsb", None, None, "Wettbewerb"])
    report = _run("programme", _save(book), name="p.xlsx")
    assert _counts(report) == (1, 1, 1, 0), report.rejections
    assert Programme.query.filter_by(key="zweites").one().title == "Zweites Programm (neu)"
    created = Programme.query.filter_by(key="drittes").one()
    assert created.ressort.code == "BMWSB" and created.kind == "Wettbewerb"
    assert created.publication_status == "draft"


def _save(book) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_editors_import_only_their_ressorts_records_and_cannot_publish(catalogue):
    editor = users.make("editor", "BMWSB")
    factories.programme(key="fremd", title="Fremdes Programm", ressort=factories.ressort("BMV"))
    db.session.commit()
    text = ("Schlüssel;Titel;Ressort;Veröffentlichungsstatus\n"
            "eigenes;Eigenes Programm;BMWSB;\n"
            "anderes;Programm für BMV;BMV;\n"
            "fremd;Fremdes Programm geändert;BMV;\n"
            "sofort;Gleich veröffentlicht;BMWSB;veröffentlicht\n")
    report = _run("programme", text, actor=editor)
    assert _counts(report) == (1, 0, 0, 3)
    reasons = {p.line: p.reason for p in report.rejections}
    assert "nicht zu Ihren Ressorts" in reasons[3]
    assert "nicht ändern" in reasons[4]
    assert "Status dürfen Sie nicht setzen" in reasons[5]
    db.session.expire_all()
    assert Programme.query.filter_by(key="eigenes").one().publication_status == "draft"
    assert Programme.query.filter_by(key="fremd").one().title == "Fremdes Programm"
    assert Programme.query.filter_by(key="anderes").first() is None


def test_a_rejected_new_lab_leaves_no_trace_through_its_links(catalogue):
    editor = users.make("editor", "BMWSB")
    project = factories.project(fkz="01LAB0001", programme=Programme.query.filter_by(
        key="smart-cities").one())
    db.session.commit()
    text = ("Schlüssel;Name;Zuständiges Ressort;Vorhaben (FKZ)\n"
            "fremdes-labor;Labor für BMV;BMV;01LAB0001\n"
            "eigenes-labor;Labor;BMWSB;01LAB0001\n")
    assert _counts(_run("lab", text, actor=editor)) == (1, 0, 0, 1)
    db.session.expire_all()
    assert [lab.key for lab in RealWorldLab.query] == ["eigenes-labor"]
    assert [lab.key for lab in db.session.get(Project, project.id).real_world_labs] == [
        "eigenes-labor"]


def test_priorities_may_refer_to_rows_above_even_in_a_dry_run_but_never_in_a_circle(catalogue):
    text = ("Schlüssel;Titel;Übergeordneter Schwerpunkt (Schlüssel)\n"
            "klima;Klima;\n"
            "hitze;Hitze;klima\n"
            "klima;Klima;hitze\n")
    report = _run("priority", text, dry_run=True)
    assert _counts(report) == (2, 0, 0, 1)
    assert "sich selbst oder einem seiner Unterpunkte" in report.rejections[0].reason
    assert ResearchPriority.query.count() == 0
    _run("priority", text)
    assert ResearchPriority.query.filter_by(key="hitze").one().parent.key == "klima"


def test_hostile_cells_are_refused_or_stored_as_text(catalogue):
    text = ("Schlüssel;Name;Ort;Art\n"
            "xss;<script>alert(1)</script>;;Hochschule\n"
            "nul;Mit\x00Nullbyte;;\n"
            "art;Falsche Art;;Ministerium\n"
            "lang;" + "x" * 400 + ";;\n"
            "'; DROP TABLE organisation;--;Name;;\n")
    report = _run("organisation", text)
    assert _counts(report) == (1, 0, 0, 4)
    reasons = {p.line: p.reason for p in reversed(report.rejections)}
    assert "Steuerzeichen" in reasons[3]
    assert "erlaubt: „Hochschule“" in reasons[4]
    assert "Höchstens 300 Zeichen" in reasons[5]
    assert "kein gültiger Schlüssel" in reasons[6]
    assert Organisation.query.filter_by(key="xss").one().name == "<script>alert(1)</script>"


def test_templates_have_german_headers_and_a_help_sheet(catalogue, client):
    assert client.get("/import/vorlage/project.xlsx").status_code == 302  # to the login
    users.login(client, users.make("editor", "BMWSB"))
    assert client.get("/import/vorlage/priority.xlsx").status_code == 403
    assert client.get("/import/vorlage/project.pdf").status_code == 404
    response = client.get("/import/vorlage/project.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.get_data()))
    assert book.sheetnames == ["Daten", "Hilfe"]
    header = [c.value for c in book["Daten"][1]]
    assert header[:2] == ["Förderkennzeichen (FKZ)", "Titel"]
    help_rows = {r[0]: r for r in book["Hilfe"].iter_rows(min_row=2, values_only=True) if r[0]}
    assert help_rows["Förderkennzeichen (FKZ)"][2] == "ja"
    assert help_rows["Beginn"][3].startswith("Datum TT.MM.JJJJ")
    assert "Zwischenergebnisse" in help_rows["Stand der Ergebnisse"][4]
    assert "BMWSB" in help_rows["Ressort zum Förderzeitpunkt"][4]
    csv_text = client.get("/import/vorlage/programme.csv").get_data().decode("utf-8")
    assert csv_text.startswith("\ufeffSchlüssel;Titel;Kurztitel;Ressort;")


def test_upload_page_dry_run_then_import(catalogue, client):
    users.login(client, users.make("coordination"))
    page = client.get("/import/tabelle").get_data(as_text=True)
    assert "Vorlagen" in page and "/import/vorlage/organisation.xlsx" in page
    token = users.csrf_token(client, "/import/tabelle")
    data = {"csrf_token": token, "kind": "project", "action": "dry-run",
            "file": (io.BytesIO(PROJECTS_CSV.encode()), "vorhaben.csv")}
    response = client.post("/import/tabelle", data=data, content_type="multipart/form-data")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Bericht des Probelaufs – es wurde nichts gespeichert" in text
    assert "<td>6</td><td>03SF0003</td><td>Beginn</td>" in text
    assert Project.query.count() == 0
    data.update(action="import", file=(io.BytesIO(PROJECTS_CSV.encode()), "vorhaben.csv"))
    response = client.post("/import/tabelle", data=data, content_type="multipart/form-data")
    assert "Bericht des Imports" in response.get_data(as_text=True)
    assert Project.query.count() == 3
    data.update(file=(io.BytesIO(b"%PDF-1.4 \xff\xfe"), "x.csv"))
    response = client.post("/import/tabelle", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "weder eine XLSX-Arbeitsmappe noch eine CSV-Datei" in response.get_data(as_text=True)


def test_upload_page_is_for_those_who_may_create(catalogue, client):
    assert client.get("/import/tabelle").status_code == 302
    users.login(client, users.make("analyst"))
    assert client.get("/import/tabelle").status_code == 403
    users.login(client, users.make("editor", "BMWSB"))
    page = client.get("/import/tabelle").get_data(as_text=True)
    assert 'value="project"' in page and 'value="priority"' not in page


def test_command_line_dry_run_and_import(catalogue, app, tmp_path):
    path = tmp_path / "vorhaben.csv"
    path.write_text(PROJECTS_CSV, encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import", "spreadsheet", "vorhaben", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Probelauf (nichts gespeichert)" in result.output
    assert "  6 | Fördersumme in Euro | Der Betrag „-5“ ist negativ" not in result.output
    assert "Abgelehnt: 4" in result.output and "Neu: 3" in result.output
    assert Project.query.count() == 0
    result = runner.invoke(args=["import", "spreadsheet", "project", str(path)])
    assert "Neu: 3" in result.output
    assert Project.query.count() == 3
    bad = tmp_path / "leer.csv"
    bad.write_text("", encoding="utf-8")
    result = runner.invoke(args=["import", "spreadsheet", "project", str(bad)])
    assert result.exit_code == 1 and "leer" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_exported_list_imports_again_unchanged(catalogue, client, fmt):
    programme = Programme.query.filter_by(key="smart-cities").one()
    factories.project(fkz="01FORM001", title="=SUMME(A1) und -Liste", programme=programme,
                      contact_name="Erika Muster", contact_email="erika@beispiel.de",
                      topics=[factories.topic()], objectives="- erstens\n- zweitens")
    factories.lab(key="labor-1", ressort=programme.ressort,
                  projects=[Project.query.filter_by(fkz="01FORM001").one()])
    factories.priority(key="oben")
    factories.priority(key="unten", parent=ResearchPriority.query.filter_by(key="oben").one())
    db.session.commit()
    users.login(client, users.make("coordination"))
    for segment, kind in [("programme", "programme"), ("vorhaben", "project"),
                          ("reallabore", "lab"), ("schwerpunkte", "priority"),
                          ("organisationen", "organisation")]:
        exported = client.get(f"/{segment}/export.{fmt}").get_data()
        report = _run(kind, exported, name=f"{segment}.{fmt}")
        assert report.rows > 0 and report.unchanged == report.rows, (kind, report.rejections)


def test_control_characters_in_reference_cells_are_refused_not_sent_to_the_database(catalogue):
    text = "Schlüssel;Titel;Ressort\nnul;Programm;BM\x00WSB\nok;Programm;BMWSB\n"
    report = _run("programme", text)
    assert _counts(report) == (1, 0, 0, 1)
    assert (report.rejections[0].column, report.rejections[0].reason) == (
        "Ressort", "Die Zelle enthält unzulässige Steuerzeichen.")


def test_editors_import_projects_with_topics_and_keep_links_they_cannot_see(catalogue):
    """Topics are reference data, not records with a Ressort: an editor's import that names
    one works. A link to a record the editor may not see (so missing from the editor's
    export) stays when the editor imports that export again."""
    editor = users.make("editor", "BMWSB")
    hidden = factories.priority(key="fs-entwurf", title="Entwurf", publication_status="draft")
    own = factories.project(fkz="03SF0100", title="Eigenes Vorhaben",
                            programme=Programme.query.filter_by(key="smart-cities").one(),
                            research_priorities=[hidden])
    db.session.commit()
    text = ("Förderkennzeichen (FKZ);Titel;Themenfelder (Schlüssel);"
            "Forschungsschwerpunkte (Schlüssel)\n"
            "03SF0100;Eigenes Vorhaben;klimaanpassung;\n")
    report = _run("project", text, actor=editor)
    assert _counts(report) == (0, 1, 0, 0), report.rejections
    db.session.expire_all()
    project = db.session.get(type(own), own.id)
    assert [t.key for t in project.topics] == ["klimaanpassung"]
    assert [p.key for p in project.research_priorities] == ["fs-entwurf"]
    # The history shows the changed topics by name, as after a form's edit.
    event = AuditEvent.query.filter_by(entity="project", entity_id=own.id).order_by(
        AuditEvent.id.desc()).first()
    assert event.changes["topics"] == [[], ["Klimaanpassung"]]
    # Imported rows wait for the portfolio scan instead of one overlap check each.
    assert OverlapAlert.query.filter_by(entity="project", entity_id=own.id).count() == 0


def test_a_workbook_that_unpacks_to_a_huge_size_is_refused_before_reading(catalogue):
    """An XLSX is a ZIP: 200 KB can unpack to hundreds of MB of shared strings."""
    import zipfile

    from zukunftsstadt.importers.spreadsheet import FileFormatError

    packed = io.BytesIO()
    with (zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive,
          archive.open("xl/sharedStrings.xml", "w") as entry):
        for _ in range(130):
            entry.write(b"a" * (1 << 20))
    assert len(packed.getvalue()) < 1_000_000
    with pytest.raises(FileFormatError, match="entpackt"):
        _run("project", packed.getvalue(), name="bombe.xlsx", dry_run=True)
