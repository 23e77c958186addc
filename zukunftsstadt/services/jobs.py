"""One worker at a time per background job, across processes and machines, with its progress
stored for the pages.

A job has one `JobLease` row. A worker takes the job with one conditional UPDATE: the row is
free, or its holder has not reported for `ABANDONED` (a worker killed mid-job). Both SQLite
and PostgreSQL let exactly one of two concurrent UPDATEs change the row, so a second worker
never runs the same job at the same time. The Koordination's request stays on the row until
a run that started after it ends.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import JobLease
from ..models.base import aware, utcnow

ABANDONED = timedelta(minutes=10)  # no progress reported for this long: the holder is gone


@dataclass(frozen=True)
class Lease:
    """A job taken by this process; `requested`: the Koordination had asked for it."""

    name: str
    holder: str
    requested: bool

    def report(self, done: int | None = None, total: int | None = None) -> None:
        """Store progress (and that the holder is alive); commits."""
        values: dict[str, Any] = {"heartbeat_at": utcnow()}
        if done is not None:
            values["done"] = done
        if total is not None:
            values["total"] = total
        db.session.execute(update(JobLease).where(JobLease.name == self.name,
                                                  JobLease.holder == self.holder).values(values))
        db.session.commit()


@dataclass(frozen=True)
class Progress:
    """What a page says about a job: running (with done of total) or asked for."""

    running: bool
    done: int
    total: int
    requested: bool
    started_at: datetime | None


def _row(name: str) -> None:
    if db.session.get(JobLease, name) is None:
        try:
            with db.session.begin_nested():
                db.session.add(JobLease(name=name, done=0, total=0))
        except IntegrityError:  # another process made it at the same moment
            pass
        db.session.commit()


def take(name: str) -> Lease | None:
    """The job for this process, or None while another process holds it."""
    _row(name)
    now = utcnow()
    holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    taken = db.session.execute(update(JobLease).where(
        JobLease.name == name,
        or_(JobLease.holder.is_(None), JobLease.heartbeat_at < now - ABANDONED))
        .values(holder=holder, started_at=now, heartbeat_at=now, done=0, total=0)).rowcount
    db.session.commit()
    if not taken:
        return None
    requested = db.session.get(JobLease, name).requested_at is not None
    return Lease(name, holder, requested)


def release(lease: Lease) -> None:
    """Free the job; a request made before this run started is answered by it."""
    db.session.rollback()
    db.session.execute(update(JobLease).where(
        JobLease.name == lease.name, JobLease.holder == lease.holder).values(
        holder=None, heartbeat_at=None,
        requested_at=case((JobLease.requested_at <= JobLease.started_at, None),
                          else_=JobLease.requested_at)))
    db.session.commit()


@contextmanager
def held(name: str) -> Iterator[Lease | None]:
    """`take` for a block, released at its end also when the block fails."""
    lease = take(name)
    try:
        yield lease
    finally:
        if lease is not None:
            release(lease)


def request(name: str, user: Any = None) -> None:
    """Ask the worker to run the job (kept until a run that starts after it ends)."""
    _row(name)
    db.session.execute(update(JobLease).where(
        JobLease.name == name, JobLease.requested_at.is_(None))
        .values(requested_at=utcnow(), requested_by_id=getattr(user, "id", None)))
    db.session.commit()


def progress(name: str) -> Progress:
    row = db.session.get(JobLease, name)
    if row is None:
        return Progress(False, 0, 0, False, None)
    beat = aware(row.heartbeat_at)
    running = row.holder is not None and beat is not None and utcnow() - beat < ABANDONED
    return Progress(running, row.done, row.total, row.requested_at is not None,
                    row.started_at if running else None)
