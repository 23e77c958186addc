"""Fixtures against a real database and a real Elasticsearch node.

- Database: TEST_DATABASE_URL (PostgreSQL in CI) or an SQLite file under instance/.
  The schema is built by the Alembic migrations, once per session.
- Search: ELASTICSEARCH_URL, or the project's local node, started if it is not running (and
  stopped again at the end only if this session started it). If no node can be started the
  search fixtures raise, so the suite fails instead of skipping.
- Every test starts with empty tables, except tests that use `demo_catalogue`: those share the
  demo data loaded once per module and must live in modules of their own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from config import INSTANCE_DIR, TestConfig
from search import indices, node
from search.client import make_client
from zukunftsstadt import create_app, rate_limits
from zukunftsstadt.extensions import db
from zukunftsstadt.services import dataset, indexing
from zukunftsstadt.views import reports as report_views

DEMO_FILE = Path(__file__).parents[1] / "zukunftsstadt" / "demo" / "demo-data.json"


@pytest.fixture(scope="session")
def search_url() -> Iterator[str]:
    url = os.environ.get("ELASTICSEARCH_URL")
    if url:
        yield url
        return
    cfg = node.NodeConfig(home=node.usable_home(TestConfig.SEARCH_NODE_HOME),
                          port=TestConfig.SEARCH_NODE_PORT)
    was_running = node.is_running(cfg)
    node.start(cfg)
    yield cfg.url
    if not was_running:
        node.stop(cfg)


def _fresh_database(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade()


class FreshContextClient(FlaskClient):
    """Each request in an app context of its own, as in production.

    Without this, requests would share the test's app context: `g` (and with it the CSRF
    token cache) and the database session would leak from one request into the next.
    """

    def open(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(search_url: str) -> Iterator[Flask]:
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    app = create_app("test")
    app.test_client_class = FreshContextClient
    app.config["SEARCH_URL"] = search_url
    # Generous timeout in tests: a 2-core CI machine runs the node and the suite side by side.
    app.extensions["search_client"] = make_client(search_url, timeout=30)
    with app.app_context():
        _fresh_database(app)
        indices.drop_all(indexing.client(), app.config["SEARCH_INDEX_PREFIX"])
        indexing.ensure_index()
        yield app
        indices.drop_all(indexing.client(), app.config["SEARCH_INDEX_PREFIX"])
        db.session.remove()
        db.engine.dispose()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite:///") and "TEST_DATABASE_URL" not in os.environ:
        Path(uri.removeprefix("sqlite:///")).unlink(missing_ok=True)


def reset_database() -> None:
    db.session.rollback()
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())
    db.session.expire_all()


def reset_index() -> None:
    indices.drop_all(indexing.client(), current_app.config["SEARCH_INDEX_PREFIX"])
    indexing.ensure_index()


@pytest.fixture(autouse=True)
def _empty_catalogue(request: pytest.FixtureRequest, app: Flask) -> Iterator[None]:
    if "demo_catalogue" not in request.fixturenames:
        reset_database()
    report_views.pdf_cache.clear()  # ids come again after a reset; downloads count per test
    rate_limits.reset()
    yield
    db.session.rollback()


@pytest.fixture(scope="module")
def demo_catalogue(app: Flask) -> dict[str, int]:
    """The demo data set, loaded into the database and indexed (once per module)."""
    reset_database()
    counts = dataset.load_file(DEMO_FILE, demo=True)
    _, errors = indexing.rebuild()
    assert not errors, errors
    return counts


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def refresh(app: Flask):
    """Make the latest index writes visible to search."""

    def _refresh() -> None:
        indexing.refresh()

    return _refresh
