"""Public downloads do not trust the Host header and do not let one address burn the CPU
(issue 12, informational).

- Export "Adresse" links (and the PDF's links) use BASE_URL when it is set.
- Anonymous PDFs of a transfer report are rendered once per version of the report and its
  sources, and limited per client address (429 with Retry-After and a German message).
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from zukunftsstadt.extensions import db
from zukunftsstadt.models import Project, TransferReport
from zukunftsstadt.services import indexing
from zukunftsstadt.views import reports as report_views

from . import factories, users
from .test_reports import _compile, _post, material  # noqa: F401 (fixture)

PUBLIC = "https://zukunftsstadt.example"
EVIL = "evil.example"


@pytest.fixture
def published(app, client, material):  # noqa: F811
    users.login(client, material["boss"])
    report = _compile(client)
    _post(client, f"/transferberichte/{report.id}/zusammenstellen",
          {"record": [f"project:{material['done'].id}"]})
    _post(client, f"/transferberichte/{report.id}/status", {"target": "published"})
    db.session.expire_all()
    assert db.session.get(TransferReport, report.id).publication_status == "published"
    return report.id


class _Visitor:
    """An anonymous browser at `address` that names `host` in every request's Host header."""

    def __init__(self, app, address: str, host: str) -> None:
        self.client, self.host = app.test_client(), host
        self.client.environ_base["REMOTE_ADDR"] = address

    def get(self, url: str):
        return self.client.get(url, headers={"Host": self.host})


def _anonymous(app, address: str = "192.0.2.10", host: str = "localhost") -> _Visitor:
    return _Visitor(app, address, host)


def _pdf(response) -> tuple[str, list[str]]:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    links = [a["/A"].get("/URI") or "" for page in reader.pages
             for a in (page.get("/Annots") or []) if a.get_object().get("/A")]
    return text, links


def _count_renders(monkeypatch) -> list[int]:
    renders: list[int] = []
    original = report_views.render_pdf

    def counting(html: str, base_url: str) -> bytes:
        renders.append(1)
        return original(html, base_url)

    monkeypatch.setattr(report_views, "render_pdf", counting)
    return renders


# --- BASE_URL ---------------------------------------------------------------------------------

def test_search_exports_link_to_base_url_not_to_the_host_header(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", PUBLIC + "/")
    project = factories.project(title="Hitzeschutz im Quartier")
    db.session.commit()
    indexing.rebuild()
    client = _anonymous(app, host=EVIL)
    expected = f"{PUBLIC}/vorhaben/{project.id}"
    raw = client.get("/search/export.csv?q=Hitzeschutz").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    address = rows[0].index("Adresse")
    assert [row[address] for row in rows[1:]] == [expected]
    assert EVIL not in raw
    body = client.get("/search/export.json?q=Hitzeschutz").get_json()
    assert [hit["url"] for hit in body["hits"]] == [expected]
    sheet = load_workbook(io.BytesIO(client.get("/search/export.xlsx?q=Hitzeschutz").data)).active
    header = [cell.value for cell in sheet[1]]
    assert sheet.cell(row=2, column=header.index("Adresse") + 1).value == expected


def test_without_base_url_exports_keep_the_requested_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", None)
    project = factories.project(title="Hitzeschutz im Quartier")
    db.session.commit()
    indexing.rebuild()
    body = _anonymous(app).get("/search/export.json?q=Hitzeschutz").get_json()
    assert [hit["url"] for hit in body["hits"]] == [f"http://localhost/vorhaben/{project.id}"]


def test_pdf_links_use_base_url(app, published, monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", PUBLIC)
    _, links = _pdf(_anonymous(app, host=EVIL).get(f"/transferberichte/{published}/pdf"))
    assert any(uri.startswith(f"{PUBLIC}/vorhaben/") for uri in links), links
    assert not any(EVIL in uri for uri in links)


def test_a_pdf_rendered_for_a_forged_host_is_not_served_to_others(app, published,
                                                                  monkeypatch):
    monkeypatch.setitem(app.config, "BASE_URL", None)
    _pdf(_anonymous(app, host=EVIL).get(f"/transferberichte/{published}/pdf"))
    _, links = _pdf(_anonymous(app, "192.0.2.11").get(f"/transferberichte/{published}/pdf"))
    assert links and not any(EVIL in uri for uri in links)


# --- PDF cache --------------------------------------------------------------------------------

def test_anonymous_pdfs_are_rendered_once_per_version(app, client, published, monkeypatch):
    renders = _count_renders(monkeypatch)
    url = f"/transferberichte/{published}/pdf"
    first = _anonymous(app, "192.0.2.10").get(url)
    for n in range(4):
        assert _anonymous(app, f"192.0.2.{20 + n}").get(url).data == first.data
    assert len(renders) == 1
    # A new version of the report: the next download shows it.
    edit = f"/transferberichte/{published}/bearbeiten"
    data = users.form_data(client, edit)
    data["title"] = "Hitze in der Stadt, zweite Fassung"
    assert client.post(edit, data=data).status_code == 302
    text, _ = _pdf(_anonymous(app).get(url))
    assert "zweite Fassung" in text and len(renders) == 2
    # A source that changes or is withdrawn changes what readers get as well.
    project = Project.query.filter_by(title="Kühle Orte für Ältere").one()
    project.publication_status = "draft"
    db.session.commit()
    text, _ = _pdf(_anonymous(app, "192.0.2.30").get(url))
    assert "Kühle Orte für Ältere" not in text and len(renders) == 3


def test_signed_in_editors_get_a_fresh_pdf(app, client, published, monkeypatch):
    renders = _count_renders(monkeypatch)
    for _ in range(2):
        _pdf(client.get(f"/transferberichte/{published}/pdf"))
    assert len(renders) == 2


# --- rate limit -------------------------------------------------------------------------------

def test_anonymous_pdfs_are_limited_per_address(app, client, published, monkeypatch):
    monkeypatch.setitem(app.config, "PDF_RATE_LIMIT", 3)
    url = f"/transferberichte/{published}/pdf"
    busy = _anonymous(app, "198.51.100.7")
    for _ in range(3):
        assert busy.get(url).status_code == 200
    refused = busy.get(url)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    page = refused.get_data(as_text=True)
    assert "Zu viele PDF-Abrufe" in page and "Bitte warten Sie" in page
    assert _anonymous(app, "198.51.100.8").get(url).status_code == 200  # another address
    assert client.get(url).status_code == 200  # the signed-in Koordination
