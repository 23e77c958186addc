"""The worker round (`flask search worker` and the development server's outbox thread) while
search is away: one short warning when it goes, one line when it is back, not a traceback
every few seconds."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from search.client import make_client
from zukunftsstadt.services.worker import Worker


def _swap_search(app, url: str):
    original = app.extensions["search_client"]
    app.extensions["search_client"] = make_client(url, timeout=1)
    return original


@pytest.fixture
def search_away(app):
    original = _swap_search(app, "http://127.0.0.1:9")
    yield
    app.extensions["search_client"] = original


def _round_with_search_away(app, worker: Worker) -> None:
    original = _swap_search(app, "http://127.0.0.1:9")
    try:
        with app.app_context():
            worker.round()
    finally:
        app.extensions["search_client"] = original


@contextmanager
def _messages_of(logger: logging.Logger) -> Iterator[list[str]]:
    """The messages `logger` handles meanwhile, whatever the root logger's handlers are."""
    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)


def _logged(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.INFO and r.name == "zukunftsstadt"]


def test_search_outage_is_one_warning_without_traceback(app, search_away, caplog):
    worker = Worker()
    with app.app_context(), caplog.at_level(logging.INFO, logger="zukunftsstadt"):
        for _ in range(3):
            worker.look_again()  # every round asks search
            assert worker.round() == (0, 0)
    logged = _logged(caplog)
    assert len(logged) == 1, [r.getMessage() for r in logged]
    assert logged[0].levelno == logging.WARNING
    assert logged[0].exc_info is None
    assert "Suche nicht erreichbar" in logged[0].getMessage()


def test_the_return_of_search_is_logged_once(app, caplog):
    worker = Worker()
    _round_with_search_away(app, worker)
    assert worker.away == {"Suche"}
    caplog.clear()
    with app.app_context(), caplog.at_level(logging.INFO, logger="zukunftsstadt"):
        for _ in range(2):
            worker.look_again()
            worker.round()
    assert [r.getMessage() for r in _logged(caplog)] == ["Suche wieder erreichbar."]


def test_app_log_lines_survive_migrations_in_the_same_process(app):
    """Alembic's logging setup must not silence the app's logger (it disabled every logger
    that existed, so a test or process that migrated lost the worker's warnings)."""
    from flask_migrate import upgrade

    with _messages_of(app.logger) as seen:
        with app.app_context():
            upgrade()
        app.logger.warning("Suche nicht erreichbar (Probe)")
    assert seen == ["Suche nicht erreichbar (Probe)"]


def test_the_return_is_a_warning_so_the_worker_service_shows_it(app, caplog):
    """`flask search worker` runs without debug: only WARNING and above reach its log."""
    worker = Worker()
    _round_with_search_away(app, worker)
    caplog.clear()
    with app.app_context(), caplog.at_level(logging.WARNING, logger="zukunftsstadt"):
        worker.look_again()
        worker.round()
    assert [r.getMessage() for r in _logged(caplog)] == ["Suche wieder erreichbar."]


def test_search_and_database_away_together_warn_once_each(app, caplog):
    from elasticsearch import ConnectionError as SearchConnectionError
    from sqlalchemy.exc import OperationalError

    worker = Worker()
    with app.app_context(), caplog.at_level(logging.INFO, logger="zukunftsstadt"):
        for _ in range(3):
            worker.failed("Outbox", OperationalError("SELECT 1", {}, Exception("weg")))
            worker.failed("Indexprüfung", SearchConnectionError("weg"))
    messages = [r.getMessage() for r in _logged(caplog)]
    assert len(messages) == 2, messages
    assert messages[0].startswith("Datenbank nicht erreichbar")
    assert messages[1].startswith("Suche nicht erreichbar")


def test_no_return_is_reported_while_the_index_check_fails(app, search_away, caplog,
                                                          monkeypatch):
    """After an outage, a look at the index that fails for another reason is no return."""
    from zukunftsstadt.services import worker as worker_module

    worker = Worker()
    with app.app_context():
        worker.round()
    assert worker.away == {"Suche"}

    def broken() -> bool:
        raise ValueError("kaputt")

    monkeypatch.setattr(worker_module.indexing, "build_if_missing", broken)
    caplog.clear()
    with app.app_context(), caplog.at_level(logging.INFO, logger="zukunftsstadt"):
        worker.look_again()
        worker.round()
    assert not any("wieder erreichbar" in r.getMessage() for r in _logged(caplog))


def test_the_cli_worker_reports_a_database_outage_once(app, tmp_path, monkeypatch):
    """Without `--once` the worker waits for the database: one line, not one per round."""
    from zukunftsstadt import cli, create_app

    away = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/nicht-da/katalog.sqlite",
        "SEARCH_INDEX_PREFIX": app.config["SEARCH_INDEX_PREFIX"],
        "SEARCH_AUTO_DRAIN": False})
    rounds: list[float] = []

    class Stop(Exception):
        pass

    def sleep(seconds: float) -> None:
        rounds.append(seconds)
        if len(rounds) == 3:
            raise Stop

    monkeypatch.setattr(cli.time, "sleep", sleep)
    with _messages_of(away.logger) as seen, away.app_context():
        result = away.test_cli_runner().invoke(args=["search", "worker"])
    assert isinstance(result.exception, Stop), (result.output, result.exception)
    assert len(rounds) == 3
    outage = [m for m in seen if "Datenbank nicht erreichbar" in m]
    assert len(outage) == 1, seen
    assert "Datenbank nicht erreichbar" not in result.output
