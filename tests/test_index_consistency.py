"""The index follows the database: QUALITY.md R2, R4, R5, R6 (R1 needs a stopped node and R3 is
measured by bench/search.py)."""

from __future__ import annotations

import random
import socket
import threading
import time

from search import indices, queries
from search.client import make_client
from zukunftsstadt.extensions import db
from zukunftsstadt.kinds import doc_id, search_document
from zukunftsstadt.models import Project, SearchOutbox
from zukunftsstadt.services import indexing, records

from . import factories
from .conftest import reset_index

EVERYTHING = queries.Access(all_drafts=True, all_confidential=True)


def _indexed(kind: str, record_id: int) -> dict:
    return indexing.client().get(index=indexing.alias(), id=doc_id(kind, record_id))


def _assert_index_equals_database(projects: list[Project]) -> None:
    for project in projects:
        db.session.refresh(project)
        document = _indexed("project", project.id)
        assert document["_version"] == project.version
        assert document["_source"] == search_document(project)


def test_r4_shuffled_and_duplicated_deliveries_end_equal_to_the_database(app):
    reset_index()
    rng = random.Random(4)
    projects = [factories.project(title=f"Quartiersprojekt {n}") for n in range(20)]
    db.session.commit()
    snapshots: list[indices.Action] = []  # every version each record had, as a late worker has
    for round_ in range(4):
        for project in rng.sample(projects, 12):
            project.title = f"Quartiersprojekt {project.id} Fassung {round_}"
            project.summary = rng.choice(["Hitze", "Wasser", "Grün", "Verkehr"])
            records.save(project)
            db.session.flush()
            snapshots.append(indices.Action(doc_id("project", project.id), project.version,
                                            search_document(project)))
        db.session.commit()
    # 1,000 deliveries: outbox rows (re-read the current row) and stale direct writes, shuffled.
    deliveries = [rng.choice(["outbox", "stale"]) for _ in range(1000)]
    for kind in deliveries:
        if kind == "outbox":
            project = rng.choice(projects)
            db.session.add(SearchOutbox(entity="project", entity_id=project.id,
                                        version=rng.randint(1, project.version)))
    db.session.commit()
    stale = [rng.choice(snapshots) for kind in deliveries if kind == "stale"]
    rng.shuffle(stale)
    while True:
        batch, stale = stale[:37], stale[37:]
        assert indexing.write(batch) == {}
        sent, failed = indexing.drain_outbox(batch_size=rng.randint(5, 60))
        assert failed == 0
        if not batch and not sent:
            break
    assert indexing.outbox_size() == 0
    _assert_index_equals_database(projects)


def test_r5_check_reports_drift_and_repair_fixes_it(app, refresh, runner=None):
    reset_index()
    kept, deleted, stale = (factories.project(title=f"Drift {n}") for n in range(3))
    lab = factories.lab(name="Reallabor Drift")
    db.session.commit()
    assert indexing.drain_all()[1] == 0
    refresh()
    assert indexing.check().ok
    es = indexing.client()
    # Drift by hand: a document deleted, one stale (the DB moved on, the index did not hear),
    # one orphan (in the index only).
    es.delete(index=indexing.alias(), id=doc_id("project", deleted.id))
    stale.title = "Drift geändert"
    records.save(stale)
    db.session.commit()
    db.session.query(SearchOutbox).delete()  # the delivery got lost
    db.session.commit()
    es.index(index=indexing.alias(), id="project-999999", document={**search_document(kept),
             "id": "999999", "title": "Verwaist"}, version=5, version_type="external")
    refresh()
    report = indexing.check()
    assert report.missing == [doc_id("project", deleted.id)]
    assert report.stale == {doc_id("project", stale.id): (2, 1)}
    assert report.orphan == ["project-999999"]
    assert not report.ok
    assert indexing.repair(report) == {}
    refresh()
    assert indexing.check().ok
    _assert_index_equals_database([kept, deleted, stale])
    assert _indexed("lab", lab.id)["_source"]["title"] == "Reallabor Drift"


def test_r5_check_command_prints_each_finding_and_repairs(app, refresh):
    reset_index()
    project = factories.project(title="Befehlsprobe")
    db.session.commit()
    indexing.drain_all()
    indexing.client().delete(index=indexing.alias(), id=doc_id("project", project.id))
    refresh()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 1
    assert f"fehlt im Index: project-{project.id}" in result.output
    result = runner.invoke(args=["search", "check", "--repair"])
    assert result.exit_code == 0, result.output
    assert "Repariert" in result.output
    result = runner.invoke(args=["search", "check"])
    assert result.exit_code == 0 and "stimmen überein" in result.output


def test_soft_delete_removes_the_document_and_restore_brings_it_back(app, refresh):
    reset_index()
    project = factories.project(title="Papierkorbprobe")
    db.session.commit()
    indexing.drain_all()
    from datetime import UTC, datetime

    for deleted_at, found in ((datetime.now(UTC), 0), (None, 1)):  # to the bin and back
        project.deleted_at = deleted_at
        records.save(project)
        db.session.commit()
        indexing.drain_all()
        refresh()
        assert queries.search(indexing.client(), indexing.alias(), "Papierkorbprobe",
                              access=EVERYTHING).total == found


def test_r6_rebuild_while_edits_and_searches_run(app):
    reset_index()
    projects = [factories.project(title=f"Zukunftsquartier {n}") for n in range(150)]
    db.session.commit()
    indexing.rebuild()
    ids = [p.id for p in projects]
    stop = threading.Event()
    edits: dict[int, str] = {}
    failures: list[str] = []
    totals: list[int] = []

    def editor() -> None:
        with app.app_context():
            n = 0
            while not stop.is_set():
                record = db.session.get(Project, ids[n % len(ids)])
                record.summary = f"Änderung{n} während des Neuaufbaus"
                records.save(record)
                db.session.commit()
                edits[record.id] = record.summary
                n += 1
                time.sleep(0.01)

    def worker() -> None:
        with app.app_context():
            while not stop.is_set():
                try:
                    indexing.drain_outbox()
                except Exception as exc:  # reported, not hidden
                    failures.append(f"worker: {exc}")
                db.session.remove()
                time.sleep(0.05)

    def searcher() -> None:
        with app.app_context():
            while not stop.is_set():
                try:
                    totals.append(queries.search(indexing.client(), indexing.alias(),
                                                 "Zukunftsquartier").total)
                except Exception as exc:
                    failures.append(f"search: {exc}")
                time.sleep(0.01)

    threads = [threading.Thread(target=f) for f in (editor, worker, searcher)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.3)
        old = set(indices.physical_indices(indexing.client(), indexing.alias()))
        started = time.monotonic()
        index, errors = indexing.rebuild(progress=lambda n: time.sleep(0.004))
        seconds = time.monotonic() - started
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == {} and not failures
    # 150 records: edits that keep arriving do not hold the swap back (it took 78 s when the
    # replay drained round after round until nothing was left)
    assert seconds < 30, seconds
    assert set(indices.physical_indices(indexing.client(), indexing.alias())) == {index}
    assert index not in old
    assert totals and min(totals) > 0, "a search during the rebuild came back empty"
    indexing.drain_all()
    indexing.refresh()
    assert len(edits) > 20
    for record_id, summary in edits.items():
        assert _indexed("project", record_id)["_source"]["summary"] == summary
    _assert_index_equals_database(db.session.query(Project).all())


def test_r2_slow_search_node_gets_a_german_notice_within_3_seconds(app, client):
    """A node that accepts connections and never answers (hung or overloaded)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(50)
    url = f"http://127.0.0.1:{server.getsockname()[1]}"
    original = app.extensions["search_client"]
    app.extensions["search_client"] = make_client(url, timeout=app.config["SEARCH_TIMEOUT"])
    try:
        for path in ("/search?q=Hitze", "/api/v1/search?q=Hitze", "/search?q=Hitzeschtuz"):
            started = time.monotonic()
            response = client.get(path)
            assert time.monotonic() - started < 3
            assert response.status_code == 503
            assert "nicht erreichbar" in response.get_data(as_text=True)
        health = client.get("/health")
        assert health.status_code == 503 and health.get_json()["search"]["status"] == "down"
    finally:
        app.extensions["search_client"] = original
        server.close()


def test_the_worker_builds_a_missing_index_from_the_database(app):
    # A fresh installation loaded with `flask catalogue load` but never `flask search
    # rebuild`, or a node that lost its data: the worker builds the index itself.
    factories.project(title="Schwammstadt Leipzig")
    db.session.commit()
    indices.drop_all(indexing.client(), indexing.prefix())
    assert indexing.build_if_missing() is True
    indexing.refresh()
    found = queries.search(indexing.client(), indexing.alias(), "Schwammstadt")
    assert [hit.title for hit in found.hits] == ["Schwammstadt Leipzig"]
    assert indexing.build_if_missing() is False  # there now: nothing to do
