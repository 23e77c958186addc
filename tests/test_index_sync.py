"""Changes reach the index through the outbox, written in the change's own transaction."""

from __future__ import annotations

from search import queries
from zukunftsstadt.extensions import db
from zukunftsstadt.kinds import doc_id
from zukunftsstadt.models import AuditEvent, SearchOutbox
from zukunftsstadt.services import indexing, records

from . import factories
from .conftest import reset_index


def _titles(query: str) -> list[str]:
    everything = queries.Access(all_drafts=True, all_confidential=True)
    result = queries.search(indexing.client(), indexing.alias(), query, access=everything)
    return [hit.title for hit in result.hits]


def test_save_writes_audit_and_outbox_in_the_same_transaction(app):
    reset_index()
    project = factories.project(title="Klimaresiliente Innenhöfe")
    db.session.commit()
    rows = SearchOutbox.query.filter_by(entity="project", entity_id=project.id).all()
    assert [r.version for r in rows] == [1]
    event = AuditEvent.query.filter_by(entity="project", entity_id=project.id).one()
    assert event.action == "create"
    assert event.changes["title"] == [None, "Klimaresiliente Innenhöfe"]


def test_rolled_back_save_leaves_no_outbox_row_and_no_document(app, refresh):
    reset_index()
    factories.project(title="Zurückgerollte Dachbegrünung")
    db.session.rollback()
    assert SearchOutbox.query.count() == 0
    indexing.drain_outbox()
    refresh()
    assert _titles("Dachbegrünung") == []


def test_drain_indexes_current_row_and_empties_outbox(app, refresh):
    reset_index()
    project = factories.project(title="Schwammstadt im Bestand")
    db.session.commit()
    project.title = "Schwammstadt im Quartier"
    records.save(project)
    db.session.commit()
    sent, failed = indexing.drain_outbox()
    refresh()
    assert failed == 0 and sent >= 2
    assert indexing.outbox_size() == 0
    assert _titles("Schwammstadt") == ["Schwammstadt im Quartier"]
    document = indexing.client().get(index=indexing.alias(), id=doc_id("project", project.id))
    assert document["_version"] == project.version == 2


def test_unreachable_search_keeps_changes_pending(app):
    project = factories.project(title="Quartiersgarage als Mobilitätsstation")
    db.session.commit()
    original = app.extensions["search_client"]
    from search.client import make_client

    app.extensions["search_client"] = make_client("http://127.0.0.1:9", timeout=1)
    try:
        sent, failed = indexing.drain_outbox()
    finally:
        app.extensions["search_client"] = original
    assert (sent, failed) == (0, 2)  # the project and its new programme
    row = SearchOutbox.query.filter_by(entity="project", entity_id=project.id).one()
    assert row.attempts == 1
    assert "ConnectionError" in row.last_error
    assert row.next_attempt_at > row.created_at


def test_rebuild_fills_a_new_index_and_swaps_the_alias(app, refresh):
    reset_index()
    client = indexing.client()
    before = set(client.indices.get_alias(name=indexing.alias()))
    factories.project(title="Hitzeschutz in Pflegeeinrichtungen")
    factories.lab(name="Reallabor Kühle Straße")
    db.session.commit()
    index, errors = indexing.rebuild()
    assert errors == {}
    after = set(client.indices.get_alias(name=indexing.alias()))
    assert after == {index} and not (before & after)
    assert indexing.outbox_size() == 0
    counts = client.count(index=indexing.alias())["count"]
    assert counts == 3  # the project, its programme and the lab
