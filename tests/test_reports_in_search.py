"""Transfer reports are found by the search, as kind "report", once published."""

from __future__ import annotations

import pytest

from zukunftsstadt.extensions import db
from zukunftsstadt.models import TransferReport
from zukunftsstadt.services import indexing, records, reports

from . import factories
from .test_search_experience import _api as _search


@pytest.fixture
def cited(app):
    leipzig = factories.municipality("14713000", "Leipzig")
    heat = factories.topic("hitze", "Hitze")
    project = factories.project(title="Kühle Räume im Quartier", municipalities=[leipzig],
                                topics=[heat])
    lab = factories.lab(name="Reallabor Schattenplätze", municipalities=[leipzig])
    factories.programme(title="Leipzig fördert")
    factories.priority(title="Leipziger Fragen")
    db.session.commit()
    indexing.rebuild()
    return project, lab


def _report(title: str, introduction: str, status: str, cited) -> TransferReport:
    project, lab = cited
    report = TransferReport(key=title.lower().replace(" ", "-"), title=title,
                            introduction=introduction, publication_status=status)
    records.save(report)
    records.commit()
    reports.compile_report(report, [("project", project.id), ("lab", lab.id)], None)
    indexing.drain_all()
    indexing.refresh()
    return report


def test_a_published_report_is_found_by_its_text_and_its_cities(client, cited):
    report = _report("Trinkbrunnen in der Innenstadt",
                     "Wie Kommunen Trinkbrunnen an heißen Tagen betreiben.", "published", cited)
    _report("Unfertiger Bericht", "Trinkbrunnen als Entwurf.", "draft", cited)

    body = _search(client, q="Trinkbrunnen")
    assert [(h["kind"], h["title"]) for h in body["hits"]] == [
        ("report", "Trinkbrunnen in der Innenstadt")]
    assert {f["value"]: f["count"] for f in body["facets"]["kind"]} == {"report": 1}

    # The places and topics of the cited records make the report findable by them, too.
    by_city = _search(client, q="Leipzig", kind="report")
    assert [h["id"] for h in by_city["hits"]] == [str(report.id)]
    by_lab = _search(client, q="Schattenplätze", kind="report")
    assert [h["id"] for h in by_lab["hits"]] == [str(report.id)]

    # The facet lists every kind found, reports included, beside four others.
    everything = _search(client, q="Leipzig")
    assert {f["value"] for f in everything["facets"]["kind"]} == {
        "project", "lab", "report", "programme", "priority"}

    page = client.get("/search", query_string={"q": "Trinkbrunnen"}).get_data(as_text=True)
    assert f'href="/transferberichte/{report.id}"' in page
    assert "Transferbericht" in page
    assert client.get(f"/transferberichte/{report.id}").status_code == 200
