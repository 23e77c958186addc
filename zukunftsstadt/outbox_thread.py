"""Development convenience: drain the search outbox in a background thread.

In production `flask search worker` runs as its own service; with `SEARCH_AUTO_DRAIN` (on in
development) the app starts one daemon thread that does the same every second (index writes,
then overlap alerts, the priority coverage when it is stale and the portfolio scan when it is
due), so edits made in the browser under `make run` become searchable without a second
terminal, and the review list fills by itself.
"""

from __future__ import annotations

import threading
import time

from flask import Flask

_started: set[int] = set()
_lock = threading.Lock()


COVERAGE_EVERY = 10.0  # seconds between looks whether the priority coverage is stale
INDEX_EVERY = 10.0  # ... and whether the search indices exist (built from the database if not)


def _loop(app: Flask, interval: float) -> None:
    from .services.worker import Worker

    worker = Worker(index_every=INDEX_EVERY, idle_every=COVERAGE_EVERY)
    while True:
        sent = checked = 0
        try:
            with app.app_context():
                sent, checked = worker.round()
        except Exception as exc:  # the database may be busy or migrating; try again shortly
            with app.app_context():
                worker.failed("Outbox", exc)
        if not sent and not checked:
            time.sleep(interval)


def register(app: Flask) -> None:
    if not app.config.get("SEARCH_AUTO_DRAIN"):
        return

    @app.before_request
    def _start_once() -> None:
        with _lock:
            if id(app) in _started:
                return
            _started.add(id(app))
        threading.Thread(target=_loop, args=(app, 1.0), daemon=True,
                         name="outbox-drain").start()
