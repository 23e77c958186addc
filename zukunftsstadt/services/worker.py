"""One round of the search worker, for `flask search worker` and for the development server's
outbox thread (`SEARCH_AUTO_DRAIN`): build missing indices, send the outbox, send overlap
alerts, and when idle recompute a stale priority coverage and run a due portfolio scan.

Search or the database going away is an outage, not a bug: it is logged once when it begins
and once when it ends, not with a traceback every round.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from elasticsearch import ApiError, TransportError
from flask import current_app
from sqlalchemy.exc import OperationalError

from ..extensions import db
from . import alerts, indexing, overlap_scans, priority_matching

T = TypeVar("T")


def outage(exc: Exception) -> str | None:
    """"Suche" or "Datenbank" when `exc` says that part is away, None for anything else."""
    if isinstance(exc, TransportError) or (
            isinstance(exc, ApiError) and (exc.meta.status >= 500 or exc.meta.status == 429)):
        return "Suche"
    if isinstance(exc, OperationalError):
        return "Datenbank"
    return None


def _quiet(message: str) -> None:
    """The outbox thread reports nothing but outages."""


@dataclass
class Worker:
    index_every: float = 10.0  # seconds between looks whether the search indices exist
    idle_every: float = 30.0  # ... whether the coverage is stale and a scan is due
    report: Callable[[str], None] = _quiet
    away: set[str] = field(default_factory=set)  # the parts that are away, each logged once
    _checked: dict[str, float] = field(default_factory=dict)
    _failed: dict[str, str | None] = field(default_factory=dict)  # step -> part, this round

    def round(self) -> tuple[int, int]:
        """Returns how many outbox rows were sent and how many records checked for alerts.
        A database error in the outbox raises: the caller waits for the database
        (`failed`)."""
        self._failed = {}
        looked = self._due("index", self.index_every)  # the look that always asks search
        if looked and self._guarded("Indexprüfung", indexing.build_if_missing):
            self.report("Suchindex fehlte: aus der Datenbank neu aufgebaut.")
        sent, failed = indexing.drain_outbox()
        if sent or failed:
            self.report(f"{sent} gesendet, {failed} fehlgeschlagen, "
                        f"{indexing.outbox_size()} ausstehend")
        checked, unchecked = self._guarded("Überschneidungsmeldungen", alerts.send_due) or (0, 0)
        if checked or unchecked:
            self.report(f"Überschneidungen: {checked} Einträge geprüft, {unchecked} später "
                        f"erneut, {alerts.pending()} ausstehend")
        if not sent and not failed and self._due("idle", self.idle_every):
            self._idle()
        # Back: the database, as this round got here; search, when the index look worked.
        if looked and "Indexprüfung" not in self._failed:
            self._back("Suche")
        if "Datenbank" not in self._failed.values():
            self._back("Datenbank")
        return sent, checked

    def _idle(self) -> None:
        run = self._guarded("Abdeckung", priority_matching.refresh_if_stale)
        if run is not None:
            self.report(f"Abdeckung neu berechnet: {run.records} Einträge mit Textzuordnung "
                        f"({run.seconds:.1f} s)")
        if not current_app.config.get("OVERLAP_SCAN_SCHEDULE"):
            return
        scan = self._guarded("Portfolio-Abgleich", overlap_scans.run_if_due)
        if scan is not None:
            self.report(f"Portfolio-Abgleich ({overlap_scans.REASONS[scan.reason]}): "
                        f"{scan.scanned} geprüft, {scan.skipped} unverändert übersprungen, "
                        f"{scan.pairs} Paare")

    def _due(self, step: str, every: float) -> bool:
        if time.monotonic() - self._checked.get(step, -every) < every:
            return False
        self._checked[step] = time.monotonic()
        return True

    def look_again(self) -> None:
        """The next round checks the indices, the coverage and the scan regardless of time."""
        self._checked.clear()

    def _guarded(self, step: str, call: Callable[[], T]) -> T | None:
        """`call()`, or None when it failed: the other steps go on, and it is tried again."""
        try:
            return call()
        except Exception as exc:
            db.session.rollback()
            self.failed(step, exc)
            return None

    def failed(self, step: str, exc: Exception) -> None:
        """Log a failed step: an outage once when it begins, anything else with its trace."""
        part = self._failed[step] = outage(exc)
        if part is None:
            current_app.logger.exception("%s fehlgeschlagen", step)
        elif part not in self.away:
            self.away.add(part)
            reason = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
            current_app.logger.warning(
                "%s nicht erreichbar (%s%s): %s übersprungen, neuer Versuch in Kürze.", part,
                type(exc).__name__, f": {reason}" if reason else "", step)

    def _back(self, part: str) -> None:
        if part in self.away:
            self.away.discard(part)
            # WARNING: the worker service logs nothing below it (no debug mode).
            current_app.logger.warning("%s wieder erreichbar.", part)
