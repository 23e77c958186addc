"""The stored overlap pairs as JSON: GET /api/v1/overlaps/pairs, with the review list's filters
and permissions (Koordination and Analyse all, editors their Ressorts' pairs)."""

from __future__ import annotations

from zukunftsstadt.extensions import db
from zukunftsstadt.kinds import doc_id
from zukunftsstadt.models import OverlapPair
from zukunftsstadt.services import editing

from . import factories, users

URL = "/api/v1/overlaps/pairs"


def _pair(a, b, ressorts, level="hoch", status="open", score=0.8) -> OverlapPair:
    first, second = sorted([doc_id("project", a.id), doc_id("project", b.id)])
    pair = OverlapPair(a_doc=first, b_doc=second, a_ressort=ressorts[0], b_ressort=ressorts[1],
                       a_title=a.title, b_title=b.title, volume_eur=1000.0, score=score,
                       level=level, status=status, reasons={"terms": ["hitze"], "facts": []})
    db.session.add(pair)
    return pair


def _catalogue():
    bmwsb, bmftr, bmv = (factories.ressort(c) for c in ("BMWSB", "BMFTR", "BMV"))
    x = factories.project(title="Hitzeschutz A", programme=factories.programme(ressort=bmwsb))
    y = factories.project(title="Hitzeschutz B", programme=factories.programme(ressort=bmftr))
    z = factories.project(title="Radwege C", programme=factories.programme(ressort=bmv))
    _pair(x, y, ("BMWSB", "BMFTR"))
    _pair(y, z, ("BMFTR", "BMV"), level="mittel", status="complementary", score=0.5)
    db.session.commit()
    return x, y, z


def _get(client, query: str = ""):
    response = client.get(f"{URL}{query}")
    return response.status_code, response.get_json()


def test_anonymous_callers_are_refused(app, client):
    _catalogue()
    status, body = _get(client)
    assert status == 401 and body["status"] == 401


def test_analysts_list_all_pairs_with_filters_and_pages(app, client):
    _catalogue()
    users.login(client, users.make("analyst"))
    status, body = _get(client)
    assert status == 200 and body["total"] == 2 and len(body["items"]) == 2
    first = body["items"][0]  # highest score first
    assert {first["a"]["title"], first["b"]["title"]} == {"Hitzeschutz A", "Hitzeschutz B"}
    assert first["level"] == "hoch" and first["status"] == "open"
    assert first["a"]["kind"] == "project" and isinstance(first["a"]["id"], int)
    assert first["terms"] == ["hitze"]
    assert _get(client, "?level=mittel")[1]["total"] == 1
    assert _get(client, "?status=complementary")[1]["items"][0]["level"] == "mittel"
    assert _get(client, "?ressort=BMV")[1]["total"] == 1
    paged = _get(client, "?size=1&page=2")[1]
    assert paged["total"] == 2 and len(paged["items"]) == 1 and paged["page"] == 2
    status, body = _get(client, "?level=sehr")
    assert status == 400 and "level" in body["errors"]


def test_editors_see_their_ressorts_pairs_and_deleted_records_drop_out(app, client):
    *_, z = _catalogue()
    editor = users.make("editor", "BMV")
    users.login(client, editor)
    body = _get(client)[1]
    assert body["total"] == 1 and body["items"][0]["b"]["ressort"] == "BMV"
    coordination = users.make("coordination")
    editing.soft_delete(z, coordination)
    assert _get(client)[1]["total"] == 0
