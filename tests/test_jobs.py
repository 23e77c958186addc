"""The coverage computation and the portfolio scan are jobs of the search worker: one process
at a time across processes, the progress stored for the gaps page (issue 15, section 5)."""

from __future__ import annotations

import multiprocessing
from datetime import timedelta

from sqlalchemy import select, update

from zukunftsstadt import json_values
from zukunftsstadt.extensions import db
from zukunftsstadt.models import CoverageRun, JobLease, OverlapScanRun
from zukunftsstadt.models.base import utcnow
from zukunftsstadt.services import jobs, overlap_scans, priority_matching

from . import users
from .test_priority_coverage import catalogue  # noqa: F401 (fixture)


def _contend(uri: str, start: multiprocessing.Event, queue: multiprocessing.Queue) -> None:
    """A second worker process: take the coverage job at the same moment as the others and
    hold it for a while."""
    import time

    from zukunftsstadt import create_app

    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        start.wait(60)
        lease = jobs.take(priority_matching.JOB)
        if lease is not None:
            time.sleep(2)
            jobs.release(lease)
        queue.put(lease is not None)


def test_of_three_processes_that_take_the_job_at_once_exactly_one_gets_it(app):
    jobs.progress(priority_matching.JOB)  # (the row is made by the first taker)
    context = multiprocessing.get_context("spawn")
    start, queue = context.Event(), context.Queue()
    workers = [context.Process(target=_contend,
                               args=(app.config["SQLALCHEMY_DATABASE_URI"], start, queue))
               for _ in range(3)]
    for worker in workers:
        worker.start()
    start.set()
    taken = [queue.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(taken) == [False, False, True]
    assert jobs.take(priority_matching.JOB) is not None  # released again


def test_a_second_worker_does_not_compute_while_the_first_holds_the_job(app, catalogue):  # noqa: F811
    held = jobs.take(priority_matching.JOB)
    assert held is not None
    assert priority_matching.compute() is None
    assert priority_matching.refresh_if_stale() is None
    assert db.session.scalar(select(CoverageRun)) is None
    jobs.release(held)
    assert priority_matching.refresh_if_stale() is not None


def test_a_job_whose_worker_stopped_reporting_is_taken_over(app, catalogue):  # noqa: F811
    gone = jobs.take(priority_matching.JOB)
    assert gone is not None
    db.session.execute(update(JobLease).values(
        heartbeat_at=utcnow() - jobs.ABANDONED - timedelta(seconds=1)))
    db.session.commit()
    assert not jobs.progress(priority_matching.JOB).running
    assert priority_matching.compute() is not None


def test_the_gaps_page_shows_the_progress_of_a_running_computation(app, client, catalogue):  # noqa: F811
    priority_matching.compute()
    seen: list[tuple[int, int]] = []

    def look(_: int) -> None:
        state = jobs.progress(priority_matching.JOB)
        seen.append((state.done, state.total))

    priority_matching.compute(progress=look)
    assert seen == [(1, 3), (2, 3), (3, 3)]  # stored before the next priority starts
    lease = jobs.take(priority_matching.JOB)
    lease.report(done=1, total=3)
    users.login(client, users.make("analyst"))
    page = client.get("/analyse/luecken").get_data(as_text=True)
    assert "wird gerade neu berechnet: 1 von 3 Schwerpunkten" in page
    jobs.release(lease)
    assert "wird gerade neu berechnet" not in client.get("/analyse/luecken").get_data(
        as_text=True)


def test_a_scan_does_not_start_while_another_process_scans(app):
    held = jobs.take(overlap_scans.JOB)
    assert overlap_scans.run("command") is None
    assert db.session.scalar(select(OverlapScanRun).where(
        OverlapScanRun.started_at.is_not(None))) is None
    jobs.release(held)


def test_a_first_read_waits_for_the_computation_another_process_runs(app, client, catalogue):  # noqa: F811
    # The worker started computing just before the first reader came: the reader gets the
    # worker's result, not "only tags" (which would call every priority "keine"), and does
    # not compute it a second time.
    import threading
    import time

    held = jobs.take(priority_matching.JOB)
    assert held is not None
    stamps: list[str] = []

    def worker() -> None:
        with app.app_context():
            try:
                time.sleep(1.0)
                run = priority_matching._compute(held, None, None)  # as the lease holder
                stamps.append(json_values.stamp(run.computed_at))
            finally:
                jobs.release(held)

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        answer = client.get("/api/v1/gaps/priorities").get_json()
    finally:
        thread.join(60)
    assert answer["text_matching"] is True
    assert [answer["computed_at"]] == stamps  # the worker's result, read after it was stored
    heat = next(p for p in answer["priorities"] if p["key"] == "fs-hitze")
    assert heat["level"] != "keine" and heat["count"] >= 2
