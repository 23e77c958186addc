"""R1: the search node stops; 50 creates and 50 edits through the forms still save at once,
and after the node restarts everything is searchable within 60 s with an empty outbox.

Runs a private node (its own home and port) so that stopping it disturbs no other test.
Skipped when ELASTICSEARCH_URL points at an external cluster, which a test must not stop.
"""

from __future__ import annotations

import os
import time

import pytest

from config import INSTANCE_DIR, TestConfig
from search import node, queries
from search.client import make_client
from zukunftsstadt.extensions import db
from zukunftsstadt.models import Project
from zukunftsstadt.services import indexing

from . import factories, users

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("ELASTICSEARCH_URL")),
    reason="needs the project's local node; an external cluster is never stopped by tests")


@pytest.fixture
def private_node(app):
    cfg = node.NodeConfig(home=INSTANCE_DIR / "search-node-outage",
                          port=TestConfig.SEARCH_NODE_PORT + 37)
    node.start(cfg, progress=lambda _: None)
    original = app.extensions["search_client"]
    app.extensions["search_client"] = make_client(cfg.url, timeout=2.5)
    indexing.ensure_index()
    yield cfg
    app.extensions["search_client"] = original
    node.stop(cfg)


def test_r1_saves_during_an_outage_reach_the_index_after_restart(app, private_node):
    programme = factories.programme(ressort=factories.ressort("BMWSB"))
    factories.municipality()
    editor = users.make("editor", "BMWSB")
    db.session.commit()
    client = app.test_client()
    users.login(client, editor)
    node.stop(private_node)

    token = users.csrf_token(client, "/vorhaben/neu")
    durations = []
    for n in range(50):
        started = time.monotonic()
        response = client.post("/vorhaben/neu", data={
            "csrf_token": token, "fkz": f"03AUS{n:04d}", "title": f"Ausfallvorhaben {n}",
            "summary": "Gespeichert, während die Suche ausgefallen war.",
            "programme_id": programme.id, "lead_organisation_id": 0})
        durations.append(time.monotonic() - started)
        assert response.status_code == 302
    for project in Project.query.filter(Project.fkz.like("03AUS%")):
        url = f"/vorhaben/{project.id}/bearbeiten"
        data = users.form_data(client, url)
        data["title"] = f"Geändert {project.fkz}"
        started = time.monotonic()
        assert client.post(url, data=data).status_code == 302
        durations.append(time.monotonic() - started)
    assert max(durations) < 2.0, f"slowest save {max(durations):.2f} s"
    sent, failed = indexing.drain_outbox()  # the worker tries and keeps everything pending
    assert sent == 0 and failed > 0 and indexing.outbox_size() > 0

    node.start(private_node, progress=lambda _: None)
    deadline = time.monotonic() + 60
    while indexing.outbox_size() and time.monotonic() < deadline:
        indexing.drain_outbox()  # failed rows come due again after their back-off (2 s)
        time.sleep(0.5)
    assert indexing.outbox_size() == 0
    indexing.refresh()
    result = queries.search(indexing.client(), indexing.alias(), "Geändert",
                            access=queries.Access(all_drafts=True), size=100)
    assert result.total == 50
