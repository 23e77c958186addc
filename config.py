"""Configuration classes, read from the environment.

`create_app()` picks the class named by `ZS_CONFIG` (development, test, production).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("ZS_INSTANCE_DIR", BASE_DIR / "instance"))


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


class Config:
    """Settings shared by every environment."""

    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'zukunftsstadt.sqlite'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {"pool_pre_ping": True}
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    WTF_I18N_ENABLED = False  # use WTForms' own German messages (GermanForm.Meta.locales)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True

    # Search: an existing cluster at ELASTICSEARCH_URL, or the local node under instance/.
    # Several nodes of a cluster separated by commas; a refused connection tries the next one.
    ELASTICSEARCH_URL: str | None = os.environ.get("ELASTICSEARCH_URL")
    SEARCH_REPLICAS = _env_int("SEARCH_REPLICAS", 0)  # copies of each shard (cluster: 1)
    SEARCH_NODE_HOME = Path(os.environ.get("SEARCH_NODE_HOME", INSTANCE_DIR / "search-node"))
    SEARCH_NODE_PORT = _env_int("SEARCH_NODE_PORT", 9200)
    SEARCH_INDEX_PREFIX = os.environ.get("SEARCH_INDEX_PREFIX", "zukunftsstadt")
    SEARCH_TIMEOUT = float(os.environ.get("SEARCH_TIMEOUT", "2.5"))
    # Share of the time a rebuild writes; it pauses the rest, so searches keep answering.
    REBUILD_SHARE = float(os.environ.get("REBUILD_SHARE", "0.75"))
    PAGE_SIZE = 20
    # JSON API: requests per minute per API key (or per address without one); 0 = no limit.
    API_RATE_LIMIT = _env_int("API_RATE_LIMIT", 300)
    # Reverse proxies in front whose X-Forwarded-For/-Proto are trusted (0: use the peer's
    # address). Login throttling and rate limits count per client address.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)
    # Anonymous PDF downloads of transfer reports per minute and client address; 0 = no limit.
    PDF_RATE_LIMIT = _env_int("PDF_RATE_LIMIT", 10)
    # The public address of the app (https://zukunftsstadt.example/) for links in e-mails;
    # unset: the address a record was saved under.
    BASE_URL = os.environ.get("BASE_URL")
    # Alerts by e-mail only when an SMTP server is named.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_FROM = os.environ.get("MAIL_FROM", "zukunftsstadt@localhost")
    # The search worker runs the portfolio scan by itself: first, after this many saves, daily
    # (`services/overlap_scans.py`); off in tests, which start scans themselves.
    OVERLAP_SCAN_SCHEDULE = os.environ.get("OVERLAP_SCAN_SCHEDULE", "1") == "1"
    OVERLAP_SCAN_AFTER_SAVES = _env_int("OVERLAP_SCAN_AFTER_SAVES", 50)


class DevelopmentConfig(Config):
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-not-secret")
    SEARCH_AUTO_DRAIN = os.environ.get("SEARCH_AUTO_DRAIN", "1") == "1"
    SESSION_COOKIE_SECURE = False


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-not-secret"
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        # One file per test session, so parallel runs on one machine do not collide.
        "TEST_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / f'test-{os.getpid()}.sqlite'}"
    )
    SESSION_COOKIE_SECURE = False
    SEARCH_NODE_PORT = _env_int("TEST_SEARCH_NODE_PORT", _env_int("SEARCH_NODE_PORT", 9200))
    SEARCH_INDEX_PREFIX = os.environ.get("TEST_SEARCH_INDEX_PREFIX", f"test{os.getpid()}")
    OVERLAP_SCAN_SCHEDULE = False


class ProductionConfig(Config):
    """Production refuses to start without a real secret and a real database."""

    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "")


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}
