"""Text matches between research priorities and the published projects and Reallabore,
computed through the search index (`search.coverage`) and stored, so that pages and the API
read a stored result instead of asking the index per priority.

Computed by `flask analysis coverage`, by the search worker when the stored result is older than
the newest record change or the Koordination asked for it, and on first read when nothing
usable is stored yet; always as the job `JOB` (`services.jobs`): one process at a time, its
progress stored for the gaps page.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import ApiError, TransportError
from flask import current_app
from sqlalchemy import delete, func, insert, select

from search import coverage as text_coverage
from search.access import PUBLIC

from .. import kinds
from ..extensions import db
from ..models import (
    CoverageRun,
    PriorityMatch,
    Project,
    RealWorldLab,
    ResearchPriority,
    SearchOutbox,
)
from ..models.base import aware, utcnow
from ..models.real_world_lab import lab_project
from . import indexing, jobs

JOB = "coverage"

# What the public sees: the counted records are the same for every reader.
PUBLIC_RECORDS = {"bool": {"filter": [{"terms": {"kind": [k.name for k in kinds.COVERING]}},
                                      {"term": {"publication_status": "published"}},
                                      {"term": {"confidential": False}}]}}


FIRST_READ_WAIT = 30.0  # seconds a read waits for another process's computation (proxies
#   time out at 60 s; the worker's result is shown once it is there)
WAIT_STEP = 0.5


def thresholds() -> text_coverage.Thresholds:
    return text_coverage.Thresholds(**current_app.config.get("COVERAGE_THRESHOLDS", {}))


def _published() -> tuple[Any, ...]:
    return (ResearchPriority.deleted_at.is_(None),
            ResearchPriority.publication_status == "published")


def published_priorities() -> list[ResearchPriority]:
    return list(db.session.scalars(
        select(ResearchPriority).where(*_published()).order_by(ResearchPriority.title)))


def latest() -> CoverageRun | None:
    return db.session.scalar(select(CoverageRun).order_by(CoverageRun.id.desc()).limit(1))


def _naive(value: datetime | None) -> datetime | None:
    """UTC without tzinfo (SQLite returns naive datetimes, PostgreSQL aware ones)."""
    if value is not None and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def newest_change() -> datetime | None:
    stamps = [db.session.scalar(select(func.max(model.updated_at)))
              for model in (Project, RealWorldLab, ResearchPriority)]
    return max((_naive(s) for s in stamps if s is not None), default=None)


def is_stale(run: CoverageRun | None = None) -> bool:
    """No usable result, or one older than the newest change of a record or priority."""
    run = run if run is not None else latest()
    if run is None or not run.text_matching:
        return True
    newest = newest_change()
    computed = _naive(run.computed_at)
    return newest is not None and computed is not None and newest > computed


def compute(progress: Callable[[int], None] | None = None,
            timeout: float | None = None, *, only_if_due: bool = False) -> CoverageRun | None:
    """Match every published priority against the published records and store the result.

    None when another process is computing it, or (`only_if_due`) when the stored result is
    current and nobody asked for a new one by the time this process got the job. Raises the
    search client's errors when the index does not answer; nothing is stored then.
    """
    if jobs.progress(indexing.INDEX_JOB).running:  # not on a half-built index
        return None
    with jobs.held(JOB) as lease:
        if lease is None or (only_if_due and not lease.requested and not is_stale()):
            return None
        return _compute(lease, progress, timeout)


def record_links() -> text_coverage.Links:
    """Each public Reallabor with its public projects as one group of neighbours
    ("link:<lab id>"); the group sizes count only records the coverage reads."""
    from .gaps import public_labs, public_projects  # (gaps reads this module's results)

    found: dict[tuple[str, int], list[str]] = {}
    query = select(lab_project.c.real_world_lab_id, lab_project.c.project_id).where(
        lab_project.c.real_world_lab_id.in_(public_labs()),
        lab_project.c.project_id.in_(public_projects()))
    for lab_id, project_id in db.session.execute(query):
        found.setdefault(("lab", lab_id), []).append(f"link:{lab_id}")
        found.setdefault(("project", project_id), []).append(f"link:{lab_id}")
    return {key: tuple(dict.fromkeys(groups)) for key, groups in found.items()}


def _compute(lease: jobs.Lease, progress: Callable[[int], None] | None,
             timeout: float | None) -> CoverageRun:
    started = time.monotonic()
    stamp = utcnow()  # changes after this moment make the result stale
    indexing.drain_all()  # changes before it belong in the index (a read right after a
    indexing.refresh()    # catalogue load, before the worker sent them)
    client = indexing.client(timeout)
    priorities = published_priorities()
    chosen = thresholds()
    lease.report(done=0, total=len(priorities))
    done = [0]

    def tick(step: int) -> None:
        done[0] += step
        lease.report(done=done[0])
        if progress:
            progress(step)

    found = text_coverage.match_priorities(
        client, indexing.alias(PUBLIC),
        [text_coverage.PriorityText(p.id, p.title, p.description or "") for p in priorities],
        PUBLIC_RECORDS, chosen, tick, links=record_links())
    rows = [{"priority_id": pid, "kind": m.kind, "record_id": m.id, "ressort": m.ressort,
             "score": round(m.score, 4), "terms": m.terms[:12]}
            for pid, matches in found.items() for m in matches]
    db.session.execute(delete(PriorityMatch))
    for start in range(0, len(rows), 5000):
        db.session.execute(insert(PriorityMatch), rows[start:start + 5000])
    db.session.execute(delete(CoverageRun))
    # Changes still in the outbox (another worker was sending them, or they wait for a retry)
    # may be missing: stamped before the oldest of them, the result stays stale until the
    # worker computes it again with an empty outbox.
    pending = db.session.scalar(select(func.min(SearchOutbox.created_at)).where(
        SearchOutbox.created_at <= stamp))
    if pending is not None:
        stamp = min(stamp, aware(pending)) - timedelta(microseconds=1)
    run = CoverageRun(computed_at=stamp, text_matching=True,
                      records=len({(r["kind"], r["record_id"]) for r in rows}),
                      priorities=len(priorities), seconds=round(time.monotonic() - started, 2),
                      thresholds=asdict(chosen))
    db.session.add(run)
    db.session.commit()
    return run


def _usable(run: CoverageRun | None) -> bool:
    """A result with text matches that knows every priority as it is now. One older than a
    record change is usable (shown as stale, at 300,000 records a computation takes a
    minute); one older than a priority's change would call a new priority "keine"."""
    if run is None or not run.text_matching:
        return False
    newest = _naive(db.session.scalar(select(func.max(ResearchPriority.updated_at)).where(
        *_published())))
    computed = _naive(run.computed_at)
    return newest is None or computed is None or newest <= computed


def _with_text(run: CoverageRun | None) -> CoverageRun | None:
    """`run` if it has text matches (stale or not), else None."""
    return run if run is not None and run.text_matching else None


def ensure(wait: float = FIRST_READ_WAIT) -> CoverageRun | None:
    """The stored result, computed now if none usable exists (`_usable`); None when search
    is away (then only tags count). While another process computes it (the worker, right
    after a catalogue was loaded) or builds the index, wait for it up to `wait` seconds:
    answering with tags only would call every untagged priority "keine". After that, the
    last result with text matches, stale, or None."""
    deadline = time.monotonic() + wait
    try:
        while True:
            run = latest()
            if _usable(run):
                return run
            busy = jobs.progress(JOB).running or jobs.progress(indexing.INDEX_JOB).running
            if not busy:
                computed = compute()
                if computed is not None:
                    return computed
            if time.monotonic() > deadline:
                return _with_text(run)
            time.sleep(WAIT_STEP)
            db.session.rollback()  # a new transaction sees the other process's result
    except (TransportError, ApiError):  # search away: the last text matches, if any
        db.session.rollback()
        return _with_text(latest())


def refresh_if_stale(timeout: float = 300) -> CoverageRun | None:
    """For the worker: recompute when a record changed since the stored result or the
    Koordination asked for it, once the outbox is empty (the index holds every change)."""
    if indexing.outbox_size() or not (is_stale() or jobs.progress(JOB).requested):
        return None
    return compute(timeout=timeout, only_if_due=True)
