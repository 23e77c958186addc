"""The worker round (`flask search worker` and the development server's outbox thread) while
search is away: one short warning when it goes, one line when it is back, not a traceback
every few seconds."""

from __future__ import annotations

import logging

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
    original = _swap_search(app, "http://127.0.0.1:9")
    try:
        with app.app_context():
            worker.round()
    finally:
        app.extensions["search_client"] = original
    assert worker.outage == "Suche"
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

    seen: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    app.logger.addHandler(handler)
    try:
        with app.app_context():
            upgrade()
        app.logger.warning("Suche nicht erreichbar (Probe)")
    finally:
        app.logger.removeHandler(handler)
    assert seen == ["Suche nicht erreichbar (Probe)"]
