"""A busy search node is not an outage (issue 15): a search that times out is asked once more
before the page says the search is unavailable, and the page says it was slow; a rebuild
leaves the node room for searches."""

from __future__ import annotations

import http.server
import threading
import time
import urllib.request

import pytest

from search.client import make_client
from zukunftsstadt.extensions import db

from . import factories


class _SlowFirst(http.server.BaseHTTPRequestHandler):
    """Forwards to the real node; the first search it sees waits longer than the timeout."""

    target = ""
    searches = 0

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)) or None
        self.pause()
        request = urllib.request.Request(self.target + self.path, data=body,
                                         method=self.command)
        for name in ("Content-Type", "Accept"):
            if self.headers.get(name):
                request.add_header(name, self.headers[name])
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                status, headers, payload = answer.status, answer.headers, answer.read()
        except urllib.error.HTTPError as error:
            status, headers, payload = error.code, error.headers, error.read()
        try:
            self.send_response(status)
            for name in ("Content-Type", "X-Elastic-Product"):
                if headers.get(name):
                    self.send_header(name, headers[name])
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped waiting

    def pause(self) -> None:
        if "_search" in self.path or "_msearch" in self.path:
            type(self).searches += 1
            if type(self).searches == 1:
                time.sleep(1.5)  # the client gave up after 1 s

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _forward

    def log_message(self, *args: object) -> None:
        pass


class _SlowBulk(_SlowFirst):
    """Forwards to the real node; every bulk request takes longer than a search may."""

    def pause(self) -> None:
        if "_bulk" in self.path:
            time.sleep(1.5)


@pytest.fixture(params=[_SlowFirst])
def busy_node(app, request):
    proxy = request.param
    proxy.target = app.config["SEARCH_URL"].rstrip("/")
    proxy.searches = 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), proxy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    original = app.extensions["search_client"]

    def slow_down() -> None:
        app.extensions["search_client"] = make_client(
            f"http://127.0.0.1:{server.server_address[1]}", timeout=1.0)

    yield slow_down
    app.extensions["search_client"] = original
    server.shutdown()


def test_a_search_that_times_out_once_is_answered_by_the_retry(app, client, busy_node):
    from zukunftsstadt.services import indexing

    factories.project(title="Hitzeschutz im Quartier")
    db.session.commit()
    indexing.rebuild()
    busy_node()
    response = client.get("/search?q=Hitzeschutz")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[-500:]
    assert "im Quartier" in page and "Vorhaben <span class=\"count\">(1)</span>" in page
    assert "antwortet gerade langsam" in page
    assert _SlowFirst.searches >= 2
    api = client.get("/api/v1/search?q=Hitzeschutz")
    assert api.status_code == 200 and api.get_json()["total"] >= 1


def test_searches_while_the_index_is_rebuilt_are_answered(app, client):
    from zukunftsstadt.services import indexing

    shared = factories.programme()
    for n in range(300):
        factories.project(title=f"Hitzeschutz im Quartier {n}", programme=shared,
                          municipalities=[])
    db.session.commit()
    indexing.rebuild()
    done = threading.Event()

    def rebuild() -> None:
        with app.app_context():
            try:
                indexing.rebuild()
            finally:
                done.set()

    worker = threading.Thread(target=rebuild)
    worker.start()
    answers = []
    while not done.is_set() or not answers:
        response = client.get("/search?q=Hitzeschutz")
        answers.append((response.status_code, response.get_data(as_text=True)))
    worker.join()
    assert all(status == 200 for status, _ in answers), [s for s, _ in answers]
    assert not any("nicht erreichbar" in page for _, page in answers)
    assert all("im Quartier" in page for _, page in answers), len(answers)


@pytest.mark.parametrize("busy_node", [_SlowBulk], indirect=True)
def test_a_rebuild_outlasts_bulk_requests_slower_than_a_search(app, client, busy_node):
    from zukunftsstadt.services import indexing

    factories.project(title="Hitzeschutz im Quartier")
    db.session.commit()
    busy_node()  # searches may take 1 s; each bulk request takes 1.5 s
    _, errors = indexing.rebuild()
    assert not errors
    indexing.refresh()
    page = client.get("/search?q=Hitzeschutz").get_data(as_text=True)
    assert "im Quartier" in page


def test_a_cluster_address_list_skips_a_node_that_is_away(app):
    """ELASTICSEARCH_URL may list several nodes; a refused connection goes to the next one."""
    away = "http://127.0.0.1:9"  # nothing listens there
    es = make_client(f"{away},{app.config['SEARCH_URL']}", timeout=5)
    for _ in range(4):  # the client takes the nodes in turn
        assert es.cluster.health()["status"] in ("green", "yellow")
