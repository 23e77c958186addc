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
    from .services import alerts, indexing, overlap_scans, priority_matching

    coverage_checked = index_checked = 0.0
    while True:
        try:
            with app.app_context():
                if time.monotonic() - index_checked > INDEX_EVERY:
                    index_checked = time.monotonic()
                    indexing.build_if_missing()
                sent, _ = indexing.drain_outbox()
                checked, _ = alerts.send_due()
                sent += checked
                if not sent and time.monotonic() - coverage_checked > COVERAGE_EVERY:
                    coverage_checked = time.monotonic()
                    priority_matching.refresh_if_stale()
                    if app.config.get("OVERLAP_SCAN_SCHEDULE"):
                        overlap_scans.run_if_due()
        except Exception:  # the database may be busy or migrating; try again shortly
            app.logger.exception("outbox drain failed")
            sent = 0
        if not sent:
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
