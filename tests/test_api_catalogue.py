"""Read endpoints on the demo catalogue: visibility like the pages, filters, paging, errors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, or_, select

from zukunftsstadt.extensions import db
from zukunftsstadt.models import Programme, Project, RealWorldLab, TransferReport

from .api_clients import TokenClient, account, token_for

PATHS = ["programmes", "projects", "real-world-labs", "research-priorities", "organisations",
         "transfer-reports"]


@pytest.fixture(scope="module")
def tokens(app, demo_catalogue):
    return {"analyst": token_for(account("analyst")),
            "coordination": token_for(account("coordination")),
            "editor": token_for(account("editor", "BMWSB"))}


def _all(client, path: str, **params) -> list[dict]:
    items, page = [], 1
    while True:
        body = client.get(f"/api/v1/{path}", query_string={**params, "page": page,
                                                          "size": 25}).get_json()
        items += body["items"]
        if page >= body["pages"]:
            assert len(items) == body["total"]
            return items
        page += 1


def _public_projects() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Project).outerjoin(Project.programme).where(
            Project.publication_status == "published", Project.deleted_at.is_(None),
            or_(Project.programme_id.is_(None), Programme.confidential.is_(False))))


def test_anonymous_sees_exactly_the_published_records(app, client, demo_catalogue):
    projects = _all(client, "projects")
    assert len(projects) == _public_projects() > 100
    assert {p["publication_status"] for p in projects} == {"published"}
    assert len({p["id"] for p in projects}) == len(projects)  # paging neither repeats nor skips
    assert all("contact_email" not in p for p in projects)
    for path in PATHS:
        assert {r["publication_status"] for r in _all(client, path)} <= {"published"}, path
    draft = db.session.scalar(select(Project).where(Project.publication_status == "draft"))
    assert client.get(f"/api/v1/projects/{draft.id}").status_code == 404
    response = client.get(f"/api/v1/projects/{projects[0]['id']}")
    assert response.status_code == 200 and response.get_json()["fkz"] == projects[0]["fkz"]


def test_a_token_reads_with_its_role(app, client, tokens):
    draft = db.session.scalar(select(Project).where(Project.publication_status == "draft"))
    analyst = TokenClient(app, tokens["analyst"])
    drafts = _all(analyst, "projects", publication_status="draft")
    assert draft.id in {p["id"] for p in drafts}
    assert analyst.get(f"/api/v1/projects/{draft.id}").status_code == 200
    assert _all(client, "projects", publication_status="draft") == []
    boss = TokenClient(app, tokens["coordination"])
    body = boss.get(f"/api/v1/projects/{draft.id}").get_json()
    assert "contact_email" in body  # those who may edit see the contact person


def test_filters_narrow_the_list(app, client, demo_catalogue):
    bmwsb = _all(client, "projects", ressort="BMWSB")
    assert bmwsb and {p["ressort"] for p in bmwsb} == {"BMWSB"}
    heat = _all(client, "projects", topic="klimaanpassung")
    assert heat and all("klimaanpassung" in {t["key"] for t in p["topics"]} for p in heat)
    saxony = _all(client, "real-world-labs", state="SN")
    assert saxony and all(any(m["state"] == "SN" for m in lab["municipalities"])
                          for lab in saxony)
    verbund = _all(client, "projects", fkz="033L015")
    assert sorted(p["fkz"] for p in verbund) == ["033L015A", "033L015B", "033L015C"]
    found = _all(client, "programmes", q="smart cities")
    assert [p["key"] for p in found] == ["prg-modellprojekte-smart-cities"]
    by_budget = _all(client, "projects", sort="budget_desc")
    amounts = [p["budget_eur"] for p in by_budget if p["budget_eur"] is not None]
    assert amounts == sorted(amounts, reverse=True)
    reports = _all(client, "transfer-reports", scope_kind="topic")
    assert reports and all(r["scope_kind"] == "topic" for r in reports)
    public_report = db.session.scalar(select(TransferReport).where(
        TransferReport.publication_status == "published"))
    body = client.get(f"/api/v1/transfer-reports/{public_report.id}").get_json()
    assert body["records"] and all(r["kind"] in {"project", "lab"} for r in body["records"])


def test_bad_parameters_are_problem_details_not_errors(app, client, demo_catalogue):
    for url in ["/api/v1/projects?page=0", "/api/v1/projects?size=1000",
                "/api/v1/projects?page=abc", "/api/v1/programmes?status=geheim",
                "/api/v1/projects?updated_since=gestern", "/api/v1/projects?sdg=99",
                "/api/v1/projects?q=%00"]:
        response = client.get(url)
        assert response.status_code == 400, url
        assert response.mimetype == "application/problem+json"
        body = response.get_json()
        assert body["status"] == 400 and body["errors"], url
    for url, status in [("/api/v1/gibt-es-nicht", 404), ("/api/v1/projects/999999999999", 404),
                        ("/api/v1/projects/2147483647", 404)]:
        response = client.get(url)
        assert (response.status_code, response.mimetype) == (status, "application/problem+json")
    response = client.put("/api/v1/projects")
    assert response.status_code == 405 and response.get_json()["title"] == (
        "Methode nicht erlaubt") and "GET" in response.headers["Allow"]


def test_search_filters_with_control_characters_are_dropped(app, client, demo_catalogue):
    for name in ("ressort", "topic", "land", "programme"):
        response = client.get("/api/v1/search", query_string={name: "BM\x00WSB", "q": "Hitze"})
        assert response.status_code == 200, name
        assert client.get("/search", query_string={name: "\x00"}).status_code == 200, name


def test_updated_since_and_reference_lists(app, client, demo_catalogue):
    everything = client.get("/api/v1/real-world-labs?size=1").get_json()["total"]
    since = client.get("/api/v1/real-world-labs",
                       query_string={"updated_since": "2000-01-01T00:00:00+00:00"}).get_json()
    assert since["total"] == everything == db.session.scalar(
        select(func.count()).select_from(RealWorldLab).where(
            RealWorldLab.publication_status == "published", RealWorldLab.deleted_at.is_(None)))
    future = client.get("/api/v1/real-world-labs?updated_since=2999-01-01T00:00:00").get_json()
    assert future["total"] == 0
    # Offsets that push the moment past the calendar's ends mean "nothing" and "everything".
    edge = client.get("/api/v1/real-world-labs",
                      query_string={"updated_since": "9999-12-31T23:59:59-23:59"})
    assert edge.status_code == 200 and edge.get_json()["total"] == 0
    start = client.get("/api/v1/real-world-labs",
                       query_string={"updated_since": "0001-01-01T00:00:00+14:00"})
    assert start.status_code == 200 and start.get_json()["total"] == everything
    ressorts = {r["code"]: r for r in client.get("/api/v1/ressorts").get_json()}
    assert ressorts["BMBF"]["current"] == "BMFTR"
    assert "klimaanpassung" in {t["key"] for t in client.get("/api/v1/topics").get_json()}
    saxony = _all(client, "municipalities", state="SN")
    assert saxony and {m["state"] for m in saxony} == {"SN"}
    leipzig = client.get("/api/v1/municipalities?q=leipzig").get_json()["items"]
    assert [m["ags"] for m in leipzig] == ["14713000"]
