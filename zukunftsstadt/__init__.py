"""Zukunftsstadt coordination database: the Flask application factory."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BASE_DIR, CONFIGS, INSTANCE_DIR
from search.client import make_client

from . import inputs
from .extensions import csrf, db, migrate


def create_app(config: str | dict[str, Any] | None = None,
               overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app; `config` names a configuration class or gives single settings."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    inputs.register(app)  # ids and JSON checked before any route sees them
    name = config if isinstance(config, str) else os.environ.get("ZS_CONFIG", "development")
    if name not in CONFIGS:
        raise RuntimeError(f"ZS_CONFIG={name!r} unbekannt; erlaubt: {', '.join(CONFIGS)}")
    app.config.from_object(CONFIGS[name])
    if isinstance(config, dict):
        app.config.update(config)
    app.config.update(overrides or {})
    _check_production(app, name)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:  # the client address and scheme as the reverse proxies in front report them
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.config.setdefault("SEARCH_URL", app.config["ELASTICSEARCH_URL"]
                          or f"http://127.0.0.1:{app.config['SEARCH_NODE_PORT']}")
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    csrf.init_app(app)
    app.extensions["search_client"] = make_client(
        app.config["SEARCH_URL"], app.config["SEARCH_TIMEOUT"]
    )

    from . import api as json_api
    from . import auth, cli, outbox_thread, security, templating
    from .importers import cli as import_cli
    from .views import (
        analysis,
        catalogue,
        editing,
        errors,
        exports,
        imports,
        main,
        reports,
        review,
        search,
    )
    from .views import auth as auth_views

    for blueprint in (main.bp, catalogue.bp, search.bp, auth_views.bp, editing.bp,
                      reports.bp, analysis.bp, imports.bp, exports.bp, review.bp):
        app.register_blueprint(blueprint)
    auth.register(app)
    json_api.register(app)  # after auth: its guard may replace the session user by a token's
    errors.register(app)
    security.register(app)
    templating.register(app)
    cli.register(app)
    import_cli.register(app)
    outbox_thread.register(app)
    return app


def _check_production(app: Flask, name: str) -> None:
    if name != "production":
        return
    missing = [k for k in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI") if not app.config.get(k)]
    if missing:
        raise RuntimeError(f"Production needs these environment settings: {', '.join(missing)}")
