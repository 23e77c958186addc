"""The OpenAPI document cannot drift from the routes, and its German page shows all of it."""

from __future__ import annotations

import re

import schemathesis
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from zukunftsstadt.api.spec import PATH_PARAM, api_rules
from zukunftsstadt.extensions import db
from zukunftsstadt.models import Project

from . import factories


def _routes(app) -> set[tuple[str, str]]:
    return {(PATH_PARAM.sub(r"{\g<name>}", rule.rule), method.lower())
            for rule in api_rules(app)
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}


def test_every_api_route_is_documented_and_every_documented_route_exists(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method) for path, methods in document["paths"].items()
                  for method in methods}
    assert documented == _routes(app)
    assert len(documented) >= 39
    assert document["openapi"].startswith("3.")
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.0 meta-schema
    for path, methods in document["paths"].items():
        for method, op in methods.items():
            assert op["summary"] and op["responses"], (path, method)
            assert "429" in op["responses"] and "default" in op["responses"]
            names = {p["name"] for p in op["parameters"] if p["in"] == "path"}
            assert names == set(re.findall(r"{(\w+)}", path)), (path, method)


def test_german_page_is_rendered_from_the_document(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    page = client.get("/api-dokumentation")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "API-Dokumentation" in html and "Authorization: Bearer" in html
    for path, methods in document["paths"].items():
        for method in methods:
            assert f"{method.upper()} {path}" in html, (method, path)
    for name in document["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    assert "cdn" not in html.lower() and "swagger-ui" not in html.lower()


def test_every_api_error_is_a_problem_document(app, client):
    for method, url, status in [("get", "/api/v1/nirgends", 404),
                                ("delete", "/api/v1/topics", 405),
                                ("post", "/api/v1/programmes", 401),
                                ("get", "/api/v1/projects?size=0", 400),
                                ("post", "/api/v1/overlaps/check", 400)]:
        response = getattr(client, method)(url)
        assert response.status_code == status, url
        assert response.mimetype == "application/problem+json", url
        body = response.get_json()
        assert body["status"] == status and body["title"] and body["detail"], url
    too_big = client.post("/api/v1/overlaps/check", data=b"x" * (3 * 1024 * 1024),
                          content_type="application/json")
    assert too_big.status_code == 413 and too_big.mimetype == "application/problem+json"
    html = client.get("/gibt-es-nicht")
    assert html.status_code == 404 and html.mimetype == "text/html"  # pages stay pages


def test_token_table_migrates_down_and_up(app):
    db.session.remove()
    downgrade(revision="0005")
    assert "api_token" not in inspect(db.engine).get_table_names()
    upgrade()
    columns = {c["name"] for c in inspect(db.engine).get_columns("api_token")}
    assert {"token_hash", "user_id", "last_used_at", "revoked_at", "prefix"} <= columns


def test_overlap_check_survives_nul_characters(app, client):
    planned = {"title": "Hitze\x00schutz", "summary": "Kühle Orte\x00",
               "municipalities": ["\x0014612000", "1461\x002000"], "topics": ["\x00"]}
    response = client.post("/api/v1/overlaps/check", json=planned)
    assert response.status_code == 200 and isinstance(response.get_json(), list)


def test_search_outage_is_a_503_problem_on_every_search_endpoint(app, client):
    from search.client import make_client

    factories.project(title="Hitzeschutz im Quartier")
    factories.priority(title="Hitzeschutz")
    db.session.commit()
    project_id = db.session.scalar(select(Project.id))
    original = app.extensions["search_client"]
    app.extensions["search_client"] = make_client("http://127.0.0.1:9", timeout=1)
    try:
        answers = {
            "search": client.get("/api/v1/search?q=Hitze"),
            "suggest": client.get("/api/v1/suggest?q=Hitze"),
            "check": client.post("/api/v1/overlaps/check",
                                 json={"title": "Hitze", "summary": "Hitze im Quartier"}),
            "record": client.get(f"/api/v1/records/project/{project_id}/overlaps"),
            # the database alone still answers (gaps: tagged coverage without text matches)
            "list": client.get("/api/v1/projects"),
            "gaps": client.get("/api/v1/gaps/priorities"),
        }
    finally:
        app.extensions["search_client"] = original
    assert answers.pop("list").status_code == 200 == answers.pop("gaps").status_code
    for name, response in answers.items():
        assert response.status_code == 503, (name, response.status_code)
        assert response.mimetype == "application/problem+json", name
        assert response.get_json()["status"] == 503, name
