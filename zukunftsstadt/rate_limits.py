"""Rate limits that hold across worker processes: the `limits` library's fixed-window
strategy on counters in the app's database (table `rate_limit_counter`), which every gunicorn
worker shares. `limits` ships storages for Redis, Memcached and MongoDB; the app needs none of
them, so the storage here is its small SQL one (one upsert per hit)."""

from __future__ import annotations

import itertools
import math
import time
from typing import Any, ClassVar

from flask import current_app
from limits import RateLimitItemPerMinute
from limits.storage import Storage
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Engine, case, create_engine, delete, make_url, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db
from .models import RateLimitCounter

_TABLE = RateLimitCounter.__table__


def _engine() -> Engine:
    """A small pool of its own: a request already holds a connection of the app's pool, and
    twenty parallel requests must not wait for a second one each. Short timeouts, because a
    hit that cannot be counted is let through (`hit`)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    engine = app.extensions.get("rate_limit_engine")
    if engine is None:
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            engine = db.engine  # an in-memory database lives in its one connection
        else:
            timeout = ({"timeout": 1} if url.get_backend_name() == "sqlite"
                       else {"connect_timeout": 2})
            engine = create_engine(url, pool_size=2, max_overflow=8, pool_timeout=1,
                                   connect_args=timeout)
        app.extensions["rate_limit_engine"] = engine
    return engine


class DatabaseStorage(Storage):
    """`limits` storage on the app's database, in transactions of its own (a request's
    rollback never undoes a hit)."""

    STORAGE_SCHEME: ClassVar[list[str]] = ["zukunftsstadt-db"]

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        dialect = postgresql if _engine().dialect.name == "postgresql" else sqlite
        fresh = _TABLE.c.expires_at <= now  # the window is over: start a new one
        statement = dialect.insert(_TABLE).values(
            key=key, count=amount, expires_at=now + expiry)
        statement = statement.on_conflict_do_update(index_elements=[_TABLE.c.key], set_={
            "count": case((fresh, amount), else_=_TABLE.c.count + amount),
            "expires_at": case((fresh, now + expiry), else_=_TABLE.c.expires_at),
        }).returning(_TABLE.c.count)
        with _engine().begin() as connection:
            return int(connection.execute(statement).scalar_one())

    def _row(self, key: str) -> Any:
        with _engine().connect() as connection:
            return connection.execute(select(_TABLE.c.count, _TABLE.c.expires_at).where(
                _TABLE.c.key == key, _TABLE.c.expires_at > time.time())).first()

    def get(self, key: str) -> int:
        row = self._row(key)
        return int(row.count) if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._row(key)
        return float(row.expires_at) if row else time.time()

    def check(self) -> bool:
        try:
            with _engine().connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with _engine().begin() as connection:
            return connection.execute(delete(_TABLE)).rowcount

    def clear(self, key: str) -> None:
        with _engine().begin() as connection:
            connection.execute(delete(_TABLE).where(_TABLE.c.key == key))

    def sweep(self) -> None:
        """Drop finished windows, so the table holds only current clients."""
        with _engine().begin() as connection:
            connection.execute(delete(_TABLE).where(_TABLE.c.expires_at <= time.time()))


_storage = DatabaseStorage("zukunftsstadt-db://")
_limiter = FixedWindowRateLimiter(_storage)
SWEEP_EVERY = 1000  # hits of this process between two sweeps of finished windows
_hits = itertools.count(1)


def hit(key: str, per_minute: int) -> int:
    """Count one request of `key`; 0 when it is allowed, else the seconds to wait.

    When the counter cannot be written (SQLite busy under many parallel writers), the request
    is let through and a warning logged: a limit must not turn into an outage.
    """
    limit = RateLimitItemPerMinute(per_minute)
    try:
        if next(_hits) % SWEEP_EVERY == 0:
            _storage.sweep()
        if _limiter.hit(limit, key):
            return 0
        reset_at, _ = _limiter.get_window_stats(limit, key)
    except SQLAlchemyError as exc:
        current_app.logger.warning("rate limit not counted for %s: %s", key, exc)
        return 0
    return max(1, math.ceil(reset_at - time.time()))


def reset() -> None:
    """Forget every counter (tests, and after changing a limit)."""
    _storage.reset()
