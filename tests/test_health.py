"""/health reports database and search, with 503 when a part is down."""

from __future__ import annotations

import time

from search.client import make_client


def test_health_reports_both_parts_up(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "up"
    assert body["search"]["status"] == "up"
    assert body["search"]["version"].split(".")[0] in {"8", "9"}
    assert body["search"]["cluster_status"] in {"green", "yellow"}
    assert isinstance(body["search"]["documents"], dict)


def test_health_is_503_and_fast_when_search_is_down(app, client):
    original = app.extensions["search_client"]
    app.extensions["search_client"] = make_client("http://127.0.0.1:9", timeout=1)
    try:
        started = time.monotonic()
        response = client.get("/health")
        elapsed = time.monotonic() - started
    finally:
        app.extensions["search_client"] = original
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "degraded"
    assert body["search"]["status"] == "down"
    assert body["database"]["status"] == "up"
    assert elapsed < 3


def test_search_page_explains_when_search_is_down(app, client):
    original = app.extensions["search_client"]
    app.extensions["search_client"] = make_client("http://127.0.0.1:9", timeout=1)
    try:
        response = client.get("/search?q=Hitze")
    finally:
        app.extensions["search_client"] = original
    assert response.status_code == 503
    assert "Die Suche ist gerade nicht erreichbar" in response.get_data(as_text=True)
