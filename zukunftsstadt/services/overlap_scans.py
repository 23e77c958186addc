"""When the portfolio scan runs, without a command line.

The search worker (and the development thread) asks `run_if_due` when it is idle. A scan is
due when the Koordination asked for one on the review list, when none has run yet, when
`OVERLAP_SCAN_AFTER_SAVES` programmes, projects or Reallabore were saved since the last one,
or when the last one is a day old and something was saved since. The scan resumes: records
whose current version was scanned before are skipped. Its progress is stored in
`OverlapScanRun` for the review list; a run whose worker stopped reporting is taken over.
One process scans at a time (the job `JOB`, `services.jobs`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update

from search import overlap_scan

from .. import kinds
from ..extensions import db
from ..models import AuditEvent, OverlapScanRun
from ..models.base import aware, utcnow
from . import jobs, overlaps

JOB = "overlap_scan"

NIGHTLY = timedelta(hours=24)
ABANDONED = jobs.ABANDONED  # a run whose worker stopped reporting this long is taken over
RETRY_AFTER = timedelta(minutes=5)  # after a failed scan (search away)
REASONS = {"requested": "von der Koordination angestoßen", "first": "erster Abgleich",
           "changes": "nach Änderungen", "nightly": "täglicher Abgleich",
           "command": "über die Kommandozeile"}


def last_finished() -> OverlapScanRun | None:
    return db.session.scalars(select(OverlapScanRun).where(
        OverlapScanRun.finished_at.is_not(None), OverlapScanRun.error.is_(None))
        .order_by(OverlapScanRun.finished_at.desc()).limit(1)).first()


def current() -> OverlapScanRun | None:
    """The run asked for or under way (not abandoned), if any."""
    for run in db.session.scalars(select(OverlapScanRun).where(
            OverlapScanRun.finished_at.is_(None)).order_by(OverlapScanRun.id.desc())):
        beat = aware(run.heartbeat_at)
        if run.started_at is None or (beat and utcnow() - beat < ABANDONED):
            return run
    return None


def request(user: Any) -> OverlapScanRun:
    """Ask the worker for a scan (the Koordination's button); one that is asked for or
    running already is returned instead of a second."""
    run = current()
    if run is None:
        run = OverlapScanRun(reason="requested", requested_by_id=getattr(user, "id", None))
        db.session.add(run)
        db.session.commit()
    return run


def _saves_since(moment: Any) -> int:
    tables = [k.model.__tablename__ for k in kinds.SCANNED]
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.entity.in_(tables), AuditEvent.at > moment)) or 0


def due() -> str | None:
    """Why a scan should run now (a key of REASONS), or None."""
    run = current()
    if run is not None:
        return run.reason if run.started_at is None else None
    failed = db.session.scalars(select(OverlapScanRun).where(
        OverlapScanRun.error.is_not(None)).order_by(OverlapScanRun.id.desc()).limit(1)).first()
    if failed and utcnow() - aware(failed.finished_at) < RETRY_AFTER:
        return None
    last = last_finished()
    if last is None:
        return "first" if overlaps.count_scannable() else None
    saves = _saves_since(last.started_at)
    if saves >= current_app.config.get("OVERLAP_SCAN_AFTER_SAVES", 50):
        return "changes"
    if saves and utcnow() - aware(last.finished_at) >= NIGHTLY:
        return "nightly"
    return None


def run_if_due() -> OverlapScanRun | None:
    """The worker's call: run a scan if one is due (and no other worker took it)."""
    reason = due()
    return run(reason) if reason else None


def run(reason: str, progress: Callable[[int], None] | None = None, *,
        corpus: overlap_scan.Corpus | None = None, resume: bool = True) -> OverlapScanRun | None:
    """Run a scan now (of `corpus` if given), reporting progress to its `OverlapScanRun`;
    None if another process scans now or claimed the asked-for run first."""
    with jobs.held(JOB) as lease:
        return _run(lease, reason, progress, corpus, resume) if lease else None


def _run(lease: jobs.Lease, reason: str, progress: Callable[[int], None] | None,
         corpus: overlap_scan.Corpus | None, resume: bool) -> OverlapScanRun | None:
    waiting = current()
    scan_run = waiting if waiting is not None and waiting.started_at is None else None
    if scan_run is None:
        scan_run = OverlapScanRun(reason=reason)
        db.session.add(scan_run)
        db.session.flush()
    now = utcnow()
    claimed = db.session.execute(update(OverlapScanRun).where(
        OverlapScanRun.id == scan_run.id, OverlapScanRun.started_at.is_(None))
        .values(started_at=now, heartbeat_at=now)).rowcount
    db.session.commit()
    if not claimed:
        return None
    run_id = scan_run.id

    def tick(done: int) -> None:
        db.session.execute(update(OverlapScanRun).where(OverlapScanRun.id == run_id).values(
            scanned=OverlapScanRun.scanned + done, heartbeat_at=utcnow()))
        lease.report()  # commits
        if progress:
            progress(done)

    try:
        corpus = corpus or overlaps.load_corpus()
        db.session.execute(update(OverlapScanRun).where(OverlapScanRun.id == run_id)
                           .values(total=len(corpus.docs)))
        db.session.commit()
        counts = overlaps.scan(corpus, progress=tick, resume=resume)
    except Exception as exc:  # search away or a bug: recorded, retried after RETRY_AFTER
        db.session.rollback()
        current_app.logger.exception("overlap scan failed")
        db.session.execute(update(OverlapScanRun).where(OverlapScanRun.id == run_id).values(
            finished_at=utcnow(), error=f"{type(exc).__name__}: {exc}"[:2000]))
        db.session.commit()
        raise
    db.session.execute(update(OverlapScanRun).where(OverlapScanRun.id == run_id).values(
        finished_at=utcnow(), pairs=counts["pairs"], scanned=counts["scanned"],
        skipped=counts["skipped"]))
    db.session.commit()
    return db.session.get(OverlapScanRun, run_id)
