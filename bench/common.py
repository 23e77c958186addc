"""What several benchmarks share: an app on an empty database, peak memory, the result report."""

from __future__ import annotations

import json
import resource
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def fresh_app(database_url: str | None, **settings: Any) -> Any:
    """An app (development settings, worker drains off) whose database is empty and migrated:
    a PostgreSQL database named by `database_url` loses its public schema first."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from zukunftsstadt import create_app
    from zukunftsstadt.extensions import db

    settings = {"SEARCH_AUTO_DRAIN": False, **settings}
    if database_url:
        settings["SQLALCHEMY_DATABASE_URI"] = database_url
    app = create_app("development", settings)
    with app.app_context():
        if database_url:
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
    return app


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(title: str, result: dict[str, Any], name: str, width: int = 24) -> None:
    """Print `result` under `title` and keep it in bench/results/`name`.json."""
    print(title)
    for key, value in result.items():
        print(f"  {key:<{width}}{value}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps(result, indent=2))
