"""Import of the Förderkatalog CSV export: counts, idempotence, services, dry run, upload page.

The fixtures under tests/data are written in the export's real format: ISO-8859-15, `;`,
`="..."` cells, German amounts, 0 for "not disclosed", bookkeeping rows, a cell with `;` and a
line break, Verbund partners, an unknown AGS, malformed dates, and the older layout.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from search import queries
from zukunftsstadt.extensions import db
from zukunftsstadt.importers import csvformat
from zukunftsstadt.importers.foerderkatalog import FileFormatError, import_file, import_stream
from zukunftsstadt.importers.lookups import current_ressort, organisation_kind
from zukunftsstadt.models import (
    AuditEvent,
    Municipality,
    Organisation,
    Programme,
    Project,
    Ressort,
    SearchOutbox,
    State,
    Verbund,
)
from zukunftsstadt.services import indexing, records

from . import users
from .conftest import reset_index

DATA = Path(__file__).parent / "data"
NEW = DATA / "foerderkatalog-neu.csv"
OLD = DATA / "foerderkatalog-alt.csv"
AMOUNT_COLUMN = "Förder- / Auftragssumme (Anteil des Bundes) in EUR"


def _ressort(code: str, valid_to: date | None = None, predecessor: Ressort | None = None):
    item = Ressort(code=code, name=f"Bundesministerium {code}", valid_to=valid_to,
                   valid_from=date(2000, 1, 1), predecessor=predecessor)
    db.session.add(item)
    return item


@pytest.fixture
def catalogue(app):
    """Länder, Kommunen and Ressorts with their successors, as a real installation has them."""
    states = {code: State(code=code, name=name) for code, name in
              [("SN", "Sachsen"), ("BY", "Bayern"), ("BW", "Baden-Württemberg")]}
    for ags, name, state, kind in [
        ("14612000", "Dresden", "SN", "Großstadt"), ("14626110", "Görlitz", "SN", "Mittelstadt"),
        ("09162000", "München", "BY", "Großstadt"), ("14713000", "Leipzig", "SN", "Großstadt"),
        ("08118048", "Ludwigsburg", "BW", "Mittelstadt"),
    ]:
        db.session.add(Municipality(ags=ags, name=name, state=states[state], city_type=kind))
    bmbf = _ressort("BMBF", date(2025, 5, 5))
    _ressort("BMFTR", predecessor=bmbf)
    _ressort("BMV", predecessor=_ressort("BMDV", date(2025, 5, 5)))
    bmwk = _ressort("BMWK", date(2025, 5, 5), predecessor=_ressort("BMWI", date(2021, 12, 7)))
    _ressort("BMWE", predecessor=bmwk)
    bmwsb = _ressort("BMWSB")
    db.session.flush()
    records.save(Programme(key="smart-cities", title="Modellvorhaben Smart Cities",
                           kind="Modellvorhaben", status="running", ressort=bmwsb,
                           publication_status="published"))
    records.commit()


def _project(fkz: str) -> Project:
    return Project.query.filter_by(fkz=fkz).one()


def _counts(report) -> tuple[int, int, int, int, int]:
    return report.new, report.changed, report.unchanged, report.rejected, report.skipped


def test_first_import_counts_and_fields(catalogue):
    report = import_file(NEW)
    assert report.layout == "aktuell"
    assert report.rows == 13
    assert _counts(report) == (7, 0, 0, 4, 2)
    assert report.organisations_created == 7

    kliq = _project("03SF0712A")
    assert kliq.title.startswith("Verbundprojekt: Klimaresiliente Quartiere")
    assert kliq.budget_eur == Decimal("1234567.89")
    assert (kliq.start_date, kliq.end_date) == (date(2022, 1, 1), date(2024, 12, 31))
    assert kliq.lead_organisation.name == "Technische Universität Dresden"
    assert kliq.lead_organisation.kind == "Hochschule"
    assert kliq.lead_organisation.source == "import"
    assert kliq.executing_unit.startswith("Technische Universität Dresden - Fakultät")
    assert [m.name for m in kliq.municipalities] == ["Dresden"]
    assert (kliq.source, kliq.source_ref) == ("import", "foerderkatalog-neu.csv:2")
    assert kliq.publication_status == "published"
    assert kliq.programme is None  # no programme known for it: it stays without one

    partner = _project("03SF0712B")
    assert partner.verbund is not None and partner.verbund_id == kliq.verbund_id
    assert partner.verbund.stem == "03SF0712"
    assert partner.verbund.title == "KliQ - Klimaresiliente Quartiere"
    assert [m.name for m in partner.municipalities] == ["Görlitz"]
    assert partner.lead_organisation.kind == "Kommune"

    assert _project("01UR2104").budget_eur is None  # 0 in the file: not disclosed
    quoted = _project("03SF0750")  # a cell with ";", a line break and doubled quotes
    assert quoted.title == ('Wohnen; Arbeiten und Leben im Quartier - "Stadt der kurzen Wege"')
    assert quoted.source_ref == "foerderkatalog-neu.csv:11"
    assert _project("10WS2025").programme.key == "smart-cities"  # Förderprofil = programme
    assert _project("19F2345").municipalities == []  # unknown AGS: imported without it
    assert not Project.query.filter(Project.fkz.in_(["03SF0000", "03SF0000X"])).count()


def test_rejected_rows_name_line_column_and_reason_in_german(catalogue):
    report = import_file(NEW, dry_run=True)
    found = {(p.line, p.column): p for p in report.rejections}
    assert sorted(found) == [(6, "Laufzeit bis"), (9, "FKZ"), (10, AMOUNT_COLUMN),
                             (13, "Laufzeit bis")]
    assert found[6, "Laufzeit bis"].reason == (
        "„31.02.2026“ ist kein gültiges Datum (erwartet TT.MM.JJJJ)")
    assert found[6, "Laufzeit bis"].fkz == "03SF0730"
    assert found[9, "FKZ"].reason == "Das Förderkennzeichen fehlt"
    assert "„12,5 Mio“ ist kein Betrag im deutschen Format" in found[10, AMOUNT_COLUMN].reason
    assert found[13, "Laufzeit bis"].reason == "Das Laufzeitende liegt vor dem Laufzeitbeginn"


def test_notes_for_unknown_ags_and_ressort(catalogue):
    report = import_file(NEW)
    notes = {(p.line, p.column): p.reason for p in report.warnings}
    assert notes[5, "Gemeindekennziffer (Ausführende Stelle)"] == (
        "Die Gemeindekennziffer 99999999 ist nicht im Katalog; das Vorhaben wird ohne diese "
        "Kommune übernommen")
    assert "„BMI“ ist nicht im Katalog" in notes[15, "Ressort"]
    # No executing unit: the recipient's place counts (Mannheim is not in the catalogue).
    assert (15, "Gemeindekennziffer (Förderempfänger)") in notes
    assert report.warned == 3
    assert _project("03EN3071").ressort_at_funding is None
    assert Municipality.query.count() == 5  # no Kommune is invented


def test_ressort_of_the_file_is_kept_and_mapped_to_todays(catalogue):
    report = import_file(NEW)
    kliq = _project("03SF0712A")
    assert kliq.ressort_at_funding.code == "BMBF"
    assert current_ressort(kliq.ressort_at_funding).code == "BMFTR"
    assert current_ressort(_project("19F2345").ressort_at_funding).code == "BMV"
    assert current_ressort(_project("10WS2025").ressort_at_funding).code == "BMWSB"
    assert report.ressort_mapping == {"BMBF → BMFTR": 4, "BMDV → BMV": 1}
    old = import_file(OLD)
    assert old.ressort_mapping["BMWI → BMWE"] == 1  # two steps: BMWi → BMWK → BMWE
    assert current_ressort(_project("0325999").ressort_at_funding).code == "BMWE"


def test_reimport_is_idempotent(catalogue):
    import_file(NEW)
    versions = {p.fkz: p.version for p in Project.query}
    events, outbox = AuditEvent.query.count(), SearchOutbox.query.count()
    organisations, verbuende = Organisation.query.count(), Verbund.query.count()
    db.session.expire_all()

    again = import_file(NEW)
    assert _counts(again) == (0, 0, 7, 4, 2)
    assert again.organisations_created == 0
    assert {p.fkz: p.version for p in Project.query} == versions
    assert (AuditEvent.query.count(), SearchOutbox.query.count()) == (events, outbox)
    assert (Organisation.query.count(), Verbund.query.count()) == (organisations, verbuende)


def test_changed_row_goes_through_the_services(catalogue, tmp_path):
    import_file(NEW)
    kliq = _project("03SF0712A")
    version = kliq.version
    changed = tmp_path / "foerderkatalog-neu.csv"
    changed.write_bytes(NEW.read_bytes().replace(b'="1.234.567,89"', b'="1.300.000,00"'))
    db.session.expire_all()

    report = import_file(changed)
    assert _counts(report) == (0, 1, 6, 4, 2)
    kliq = _project("03SF0712A")
    assert kliq.budget_eur == Decimal("1300000.00")
    assert kliq.version == version + 1
    event = AuditEvent.query.filter_by(entity="project", entity_id=kliq.id,
                                       action="update").one()
    assert event.changes["budget_eur"] == ["1234567.89", "1300000.00"]
    assert SearchOutbox.query.filter_by(entity="project", entity_id=kliq.id,
                                        version=kliq.version).count() == 1


def test_empty_cells_do_not_erase_and_manual_programme_stays(catalogue, tmp_path):
    import_file(NEW)
    munich = _project("01UR2104")
    munich.budget_eur = Decimal("99000.00")  # known from elsewhere; the file says 0
    munich.programme = Programme.query.filter_by(key="smart-cities").one()
    records.save(munich)
    records.commit()
    report = import_file(NEW)
    assert report.changed == 0
    munich = _project("01UR2104")
    assert munich.budget_eur == Decimal("99000.00")
    assert munich.programme.key == "smart-cities"


def test_dry_run_writes_nothing_and_reports_the_same(catalogue):
    before = (Project.query.count(), Organisation.query.count(), AuditEvent.query.count(),
              SearchOutbox.query.count(), Verbund.query.count())
    dry = import_file(NEW, dry_run=True, batch_size=3)  # several batches, each rolled back
    assert dry.dry_run
    assert (Project.query.count(), Organisation.query.count(), AuditEvent.query.count(),
            SearchOutbox.query.count(), Verbund.query.count()) == before
    real = import_file(NEW, batch_size=3)
    assert _counts(dry) == _counts(real)
    assert dry.organisations_created == real.organisations_created
    assert dry.rejections == real.rejections and dry.warnings == real.warnings
    assert dry.ressort_mapping == real.ressort_mapping


def test_older_layout(catalogue):
    import_file(NEW)
    report = import_file(OLD)
    assert report.layout == "älter"
    assert _counts(report) == (3, 0, 1, 1, 1)  # 03SF0712A is already there and unchanged
    assert [(p.line, p.column) for p in report.rejections] == [(7, "Laufzeit von")]
    partner = _project("033L155B")
    assert [m.name for m in partner.municipalities] == ["Ludwigsburg"]  # 7-digit AGS
    assert partner.verbund.title == "Grüne Stadt der Zukunft"
    assert partner.verbund_id == _project("033L155A").verbund_id
    assert _project("0325999").budget_eur == Decimal("1000.50")
    assert _project("0325999").lead_organisation.kind == "Unternehmen"


def test_imported_projects_are_searchable(catalogue, refresh):
    reset_index()
    import_file(NEW)
    indexing.drain_all()
    refresh()
    everything = queries.Access(all_drafts=True, all_confidential=True)
    result = queries.search(indexing.client(), indexing.alias(), "Straßenschluchten",
                            access=everything)
    # The one record with the word, then records like it (thin results), marked as partial.
    assert [hit.title for hit in result.hits if hit.all_terms] == [
        "Grünflächen in Straßenschluchten: Stadtgrün gegen Hitzeinseln"]
    assert result.hits[0].all_terms


def test_a_file_that_is_no_export_is_refused_as_a_whole(catalogue):
    with pytest.raises(FileFormatError, match="es fehlen die Spalten"):
        import_stream(io.BytesIO(b"Name;Betrag\r\nA;1\r\n"), "liste.csv")
    with pytest.raises(FileFormatError, match="leer"):
        import_stream(io.BytesIO(b""), "leer.csv")


def test_a_row_with_the_wrong_number_of_cells_is_rejected(catalogue):
    header = NEW.read_bytes().split(b"\r\n")[0]
    report = import_stream(io.BytesIO(header + b'\r\n="03SF0999";="BMBF"\r\n'), "kurz.csv")
    assert report.rejected == 1
    assert report.rejections[0].line == 2
    assert "2 statt 26 Spalten" in report.rejections[0].reason


def _row(fkz: str, title: str, header_cells: int) -> bytes:
    cells = [f'="{fkz}"', '="BMBF"'] + [""] * (header_cells - 2)
    cells[17] = title  # Thema des geförderten Vorhabens, as the file has it
    cells[20], cells[21] = "01.01.2024", "31.12.2025"
    return ";".join(cells).encode("iso-8859-15") + b"\r\n"


def test_a_stray_quote_spoils_one_row_at_most(catalogue):
    """A `"` inside a plain cell is a character, not the start of a quoted cell; an opening
    quote that never closes costs its own row, not the rest of the file."""
    header = NEW.read_bytes().split(b"\r\n")[0]
    width = header.count(b";") + 1
    body = (_row("03SF0801", 'Monitor 5" Zoll für Leitstellen', width)
            + _row("03SF0802", "Gründächer", width)
            + _row("03SF0803", '"Offenes Zitat ohne Ende', width)
            + b"".join(_row(f"03SF09{i:02d}", f"Vorhaben {i}", width) for i in range(30))
            + _row("03SF0804", "Sammelvorhabenbuchung", width))
    report = import_stream(io.BytesIO(header + b"\r\n" + body), "zitat.csv")
    assert _project("03SF0801").title == 'Monitor 5" Zoll für Leitstellen'
    assert _project("03SF0802").title == "Gründächer"
    assert Project.query.filter(Project.fkz.like("03SF09%")).count() == 30
    assert _project("03SF0803").title == '"Offenes Zitat ohne Ende'
    assert (report.new, report.skipped, report.rejected) == (33, 1, 0)


@pytest.mark.parametrize(("text", "amount"), [
    ("1.234.567,89", Decimal("1234567.89")), ("1234567,89", Decimal("1234567.89")),
    ("1.000", Decimal("1000.00")), ("0", None), ("0,00", None), ("", None),
    ("12.345 €", Decimal("12345.00")),
])
def test_german_amounts(text, amount):
    assert csvformat.parse_amount(text) == amount


@pytest.mark.parametrize("text", ["-1", "1e309", "NaN", "1,000.50", "12,5 Mio", "1.23.4"])
def test_bad_amounts(text):
    with pytest.raises(ValueError):
        csvformat.parse_amount(text)


def test_stray_quotes_in_the_exports_own_format_and_near_the_end():
    """The export writes `="…"` cells; an undoubled quote inside one stays where it was, and
    an unclosed quote in the last lines of a file spoils only its own line."""
    assert csvformat.split_cells('="03SF0801";="Monitor 5" Zoll";="x"') == [
        "03SF0801", 'Monitor 5" Zoll', "x"]
    assert csvformat.split_cells('"a "b" c";d') == ['a "b" c', "d"]
    text = 'a;b;c\r\nd;"kaputt;f\r\ng;h;i\r\nj;k;l'
    records = list(csvformat.records(io.StringIO(text),
                                     fits=lambda r: len(csvformat.split_cells(r)) == 3))
    assert [line for line, _ in records] == [1, 2, 3, 4]
    assert records[2] == (3, "g;h;i") and records[3] == (4, "j;k;l")


def test_cells_and_encodings():
    assert csvformat.split_cells('="03SF0712A";"a;b";plain;="x ""y""";') == [
        "03SF0712A", "a;b", "plain", 'x "y"', ""]
    assert csvformat.detect_encoding("Görlitz".encode("iso-8859-15")) == "iso-8859-15"
    assert csvformat.detect_encoding("Görlitz".encode()) == "utf-8"
    assert csvformat.detect_encoding(b"\xef\xbb\xbfFKZ") == "utf-8-sig"
    assert organisation_kind("Stadtwerke Musterhausen GmbH") == "Unternehmen"
    assert organisation_kind("Fraunhofer-Institut für Bauphysik IBP") == "Forschungseinrichtung"


# The upload page

URL = "/import/foerderkatalog"


def _upload(client, action: str, content: bytes = b"", name: str = "foerderkatalog-neu.csv"):
    token = users.csrf_token(client, URL)
    return client.post(URL, data={"csrf_token": token, "action": action,
                                  "file": (io.BytesIO(content or NEW.read_bytes()), name)},
                       content_type="multipart/form-data")


def test_upload_page_dry_run_then_import(catalogue, client):
    koordination = users.make("coordination")
    users.login(client, koordination)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Probelauf" in html and "Importieren" in html and "flask import foerderkatalog" in html

    dry = _upload(client, "dry-run")
    html = dry.get_data(as_text=True)
    assert dry.status_code == 200
    assert "es wurde nichts gespeichert" in html
    assert "<caption>Abgelehnte Zeilen</caption>" in html
    assert "Das Laufzeitende liegt vor dem Laufzeitbeginn" in html
    assert Project.query.count() == 0

    done = _upload(client, "import")
    assert done.status_code == 200
    assert "Bericht des Imports" in done.get_data(as_text=True)
    assert _project("03SF0712A").created_by_id == koordination.id


def test_upload_page_refuses_other_files_in_german(catalogue, client):
    users.login(client, users.make("coordination"))
    response = _upload(client, "dry-run", b"Name;Betrag\r\nA;1\r\n", "liste.csv")
    assert response.status_code == 422
    assert "keine Förderkatalog-Kopfzeile" in response.get_data(as_text=True)
    response = _upload(client, "dry-run", b"x", "bild.png")
    assert response.status_code == 422
    assert "Bitte laden Sie eine CSV-Datei" in response.get_data(as_text=True)


def test_upload_page_is_for_the_koordination_only(catalogue, client):
    assert client.get(URL).status_code == 302
    assert "/login" in client.get(URL).headers["Location"]
    users.login(client, users.make("editor", "BMFTR"))
    assert client.get(URL).status_code == 403
    token = users.csrf_token(client, "/")
    response = client.post(URL, data={"csrf_token": token, "action": "import",
                                      "file": (io.BytesIO(NEW.read_bytes()), "f.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 403
    assert Project.query.count() == 0


def test_upload_needs_csrf_and_at_most_2_mb(catalogue, client):
    users.login(client, users.make("coordination"))
    response = client.post(URL, data={"action": "import",
                                      "file": (io.BytesIO(NEW.read_bytes()), "f.csv")},
                           content_type="multipart/form-data")
    assert response.status_code in (400, 422)
    assert Project.query.count() == 0
    big = NEW.read_bytes() * (2 * 1024 * 1024 // len(NEW.read_bytes()) + 1)
    assert _upload(client, "dry-run", big).status_code == 413
