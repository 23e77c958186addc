"""The database away (a restart, a failover): pages and the API answer 503 with a German
message, not 500, and nothing is half-saved (issue 15, found by bench/cluster.py)."""

from __future__ import annotations

from zukunftsstadt import create_app


def test_a_database_that_does_not_answer_is_503(app, tmp_path):
    away = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/nicht-da/katalog.sqlite",
        "SEARCH_INDEX_PREFIX": app.config["SEARCH_INDEX_PREFIX"],
        "SEARCH_AUTO_DRAIN": False})
    client = away.test_client()
    api = client.get("/api/v1/projects")
    assert api.status_code == 503
    assert api.mimetype == "application/problem+json"
    assert api.headers["Retry-After"] == "10"
    assert "Datenbank antwortet gerade nicht" in api.get_json()["detail"]
    page = client.get("/programme/")
    assert page.status_code == 503
    assert "Datenbank nicht erreichbar" in page.get_data(as_text=True)


def test_the_search_worker_waits_for_the_database(app, tmp_path):
    """A worker service must outlive a database restart: it says so and tries again (with
    `--once` it stops with exit code 1 instead of a traceback)."""
    away = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/nicht-da/katalog.sqlite",
        "SEARCH_INDEX_PREFIX": app.config["SEARCH_INDEX_PREFIX"],
        "SEARCH_AUTO_DRAIN": False})
    with away.app_context():  # the command runs in the current app's context
        result = away.test_cli_runner().invoke(args=["search", "worker", "--once"])
    assert result.exit_code == 1, result.output
    assert "Datenbank nicht erreichbar" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
