"""The API rate limit holds across processes (gunicorn workers): the counters live in the
database every worker shares, not in one process's memory."""

from __future__ import annotations

import multiprocessing

from zukunftsstadt import rate_limits


def _ask(uri: str, times: int, queue: multiprocessing.Queue) -> None:
    from zukunftsstadt import create_app

    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": uri, "API_RATE_LIMIT": 6})
    client = app.test_client()
    queue.put([client.get("/api/v1/ressorts").status_code for _ in range(times)])


def test_the_api_limit_holds_across_two_processes(app):
    rate_limits.reset()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_ask, args=(uri, 5, queue)) for _ in range(2)]
    for worker in workers:
        worker.start()
    statuses = [s for _ in workers for s in queue.get(timeout=120)]
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(statuses) == [200] * 6 + [429] * 4


def test_the_answer_says_how_long_to_wait(app, client):
    rate_limits.reset()
    previous, app.config["API_RATE_LIMIT"] = app.config["API_RATE_LIMIT"], 2
    try:
        statuses = [client.get("/api/v1/ressorts") for _ in range(3)]
    finally:
        app.config["API_RATE_LIMIT"] = previous
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert 1 <= int(statuses[2].headers["Retry-After"]) <= 60
    assert "Höchstens 2 Anfragen pro Minute" in statuses[2].get_json()["detail"]


def test_an_app_on_an_in_memory_database_answers_the_api():
    """`sqlite://` (a scratch app, a script) has one connection only: the limit counts there
    too instead of failing the request with a 500."""
    from zukunftsstadt import create_app

    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.test_client().get("/api/v1/openapi.json").status_code == 200
