"""Keeping the search index in step with the database: outbox drain, consistency check and
repair, full rebuild while edits continue."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from elasticsearch import ApiError, Elasticsearch
from elasticsearch import TransportError as SearchTransportError
from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from search import indices
from search.access import PUBLIC, Access, access_filter, is_public

from .. import kinds
from ..extensions import db
from ..kinds import doc_id, parse_doc_id, search_document
from ..models import SearchOutbox
from ..models.base import utcnow
from . import jobs

BATCH_SIZE = 500
BULK_TIMEOUT = 120.0  # seconds a bulk request may take (worker, rebuild; searches: SEARCH_TIMEOUT)
MAX_BACKOFF = timedelta(minutes=10)
MODELS: dict[str, type] = {k.name: k.model for k in kinds.SEARCHED}
DELETED_VERSION = 2**62  # a hard delete wins over every write the record ever had


def backoff(attempts: int) -> timedelta:
    """How long a failed delivery waits before the next try: doubling, at most MAX_BACKOFF."""
    return min(timedelta(seconds=2 ** min(attempts, 20)), MAX_BACKOFF)


def client(timeout: float | None = None) -> Elasticsearch:
    """The app's search client; with `timeout`, a copy with that request timeout, made once
    per client and timeout: `options()` builds a whole client, 0.4 ms of every search."""
    base: Elasticsearch = current_app.extensions["search_client"]
    if timeout is None:
        return base
    copies = current_app.extensions.setdefault("search_client_copies", {})
    found = copies.get(timeout)
    if found is None or found[0] is not base:  # tests swap the client
        found = copies[timeout] = (base, base.options(request_timeout=timeout))
    return found[1]


def prefix() -> str:
    return current_app.config["SEARCH_INDEX_PREFIX"]


def alias(access: Access | None = None) -> str:
    """The catalogue alias, or the public index's for `PUBLIC` readers (see `search.indices`)."""
    return indices.alias_name(prefix(), indices.PUBLIC if access == PUBLIC else indices.CATALOGUE)


def ensure_index() -> str:
    for name in indices.NAMES:
        indices.ensure_index(client(), prefix(), name, current_app.config["SEARCH_REPLICAS"])
    return alias()


INDEX_JOB = "search_index"  # building a missing index: one process at a time


def build_if_missing() -> bool:
    """Create the indices and fill them from the database when they do not exist: a fresh
    installation loaded with `flask catalogue load` but never `flask search rebuild`, or a
    node that lost its data. The worker calls this; True when it built them."""
    es = client()

    def present() -> bool:
        return all(es.indices.exists_alias(name=indices.alias_name(prefix(), name))
                   for name in indices.NAMES)

    if present():
        return False
    with jobs.held(INDEX_JOB) as lease:
        if lease is None or present():  # another process builds it, or just did
            return False
        # The live aliases appear only at the swap: a build that fails leaves none, and the
        # next look tries again (an empty index behind them would look built).
        _, errors = rebuild()
    return not errors


def refresh() -> None:
    """Make the latest writes visible in both indices."""
    client().indices.refresh(index=[alias(), alias(PUBLIC)])


def _view(name: str, actions: list[indices.Action]) -> list[indices.Action]:
    """The writes as index `name` takes them."""
    return actions if name == indices.CATALOGUE else [a.public_view() for a in actions]


def _record_action(kind: str, record_id: int, record: object | None) -> indices.Action:
    if record is None:
        return indices.Action(doc_id(kind, record_id), DELETED_VERSION, None)
    if getattr(record, "deleted_at", None) is not None:
        # Soft-deleted: gone from search; a restore bumps the version and writes it again.
        return indices.Action(doc_id(kind, record_id), record.version, None)  # type: ignore[attr-defined]
    return indices.Action(doc_id(kind, record_id), record.version,  # type: ignore[attr-defined]
                          search_document(record))  # type: ignore[arg-type]


def _action(kind: str, record_id: int) -> indices.Action:
    return _record_action(kind, record_id, db.session.get(MODELS[kind], record_id,
                                                          populate_existing=True))


def write(actions: list[indices.Action]) -> dict[str, str]:
    """Write to both live aliases and, while a rebuild runs, to the indices it fills.

    The rebuild's index first: if the rebuild swaps the aliases in between, the rebuild alias
    is gone (not an error) and the live alias already points to the new index.
    """
    errors: dict[str, str] = {}
    bulk = client(BULK_TIMEOUT)
    for name in indices.NAMES:
        live, writes = indices.alias_name(prefix(), name), _view(name, actions)
        for target in reversed(indices.write_aliases(client(), prefix(), name)):
            result = indices.bulk_write(bulk, target, writes, require_alias=True)
            if target != live:
                result = {k: v for k, v in result.items() if "index_not_found" not in v}
            errors.update(result)
    return errors


def drain_outbox(batch_size: int = BATCH_SIZE) -> tuple[int, int]:
    """Send due outbox rows to the index; returns (sent, failed).

    Each row is re-read from the database, so the document is always the current row and its
    version; duplicate and out-of-order deliveries are harmless (`external_gte`). A failed row
    stays with its attempt count and last error and is retried with exponential back-off.
    Works in a session of its own: the caller's session (and what it has loaded, which may be
    older than the database) is left alone.
    """
    now = utcnow()
    with Session(db.engine) as session:
        rows = session.scalars(
            select(SearchOutbox)
            .where(SearchOutbox.next_attempt_at <= now)
            .order_by(SearchOutbox.id)
            .limit(batch_size)
            .with_for_update(skip_locked=True)  # PostgreSQL: parallel workers take other rows
        ).all()
        if not rows:
            return 0, 0
        targets = sorted({(r.entity, r.entity_id) for r in rows if r.entity in MODELS})
        transport_error: str | None = None
        errors: dict[str, str] = {}
        try:
            actions = [_record_action(kind, record_id, session.get(MODELS[kind], record_id))
                       for kind, record_id in targets]
            errors = write(actions)
        except (SearchTransportError, ApiError) as exc:
            transport_error = f"{type(exc).__name__}: {exc}"
        done: list[int] = []
        failed: list[tuple[int, int, str]] = []
        for row in rows:
            error = transport_error or errors.get(doc_id(row.entity, row.entity_id))
            if row.entity not in MODELS:
                error = f"unbekannte Art {row.entity!r}"
            if error:
                failed.append((row.id, row.attempts + 1, error[:2000]))
            else:
                done.append(row.id)
        # Plain statements, not ORM deletes: another worker (or a rebuild's replay) may have
        # handled the same rows meanwhile, which is fine.
        if done:
            session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(done)))
        for row_id, attempts, error in failed:
            session.execute(update(SearchOutbox).where(SearchOutbox.id == row_id).values(
                attempts=attempts, last_error=error,
                next_attempt_at=now + backoff(attempts),
            ))
        session.commit()
    return len(done), len(failed)


def drain_all(max_rounds: int = 1000) -> tuple[int, int]:
    """Drain what is due: until a round finds less than a full batch (it has caught up with
    what was there when it began) or fails completely. Rows that keep arriving meanwhile (a
    rebuild while people edit) are left for the next drain instead of draining round after
    round until `max_rounds`."""
    total_sent = total_failed = 0
    for _ in range(max_rounds):
        sent, failed = drain_outbox()
        total_sent += sent
        total_failed += failed
        if not sent or sent + failed < BATCH_SIZE:
            break
    return total_sent, total_failed


def outbox_size() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchOutbox)) or 0


def _all_actions() -> Iterator[indices.Action]:
    """Every indexable row, read in chunks by a session of its own (memory stays flat and the
    caller's session is left alone)."""
    with Session(db.engine) as session:
        for kind, model in MODELS.items():
            ids = session.scalars(select(model.id).order_by(model.id)).all()
            for start in range(0, len(ids), BATCH_SIZE):
                chunk = ids[start:start + BATCH_SIZE]
                for record in session.scalars(select(model).where(model.id.in_(chunk))):
                    action = _record_action(kind, record.id, record)
                    if action.doc is not None:
                        yield action
                session.expunge_all()


def count_indexable() -> int:
    return sum(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in MODELS.values()
    )


def rebuild(progress: Callable[[int], None] | None = None) -> tuple[str, dict[str, str]]:
    """Fill a fresh index from the database and swap the alias to it, while edits continue.

    While the new index is filled it sits behind the rebuild alias, and the worker writes every
    change to it as well as to the live index. Before the swap, pending outbox rows are
    replayed into both; after the swap, what arrived in between is drained into the new live
    index. Versions (`external_gte`) make every double or late delivery harmless.
    """
    # A bulk request of a busy node may take longer than a search may: not an outage.
    es, pfx = client(BULK_TIMEOUT), prefix()
    new = {name: indices.begin_rebuild(es, pfx, name) for name in indices.NAMES}
    try:
        errors = indices.bulk_write_to(es, indices.throttled(
            _targets(new, progress), share=current_app.config["REBUILD_SHARE"]))
    except Exception:
        for index in new.values():
            indices.abort_rebuild(es, index)
        raise
    if errors:
        for index in new.values():
            indices.abort_rebuild(es, index)
        return new[indices.CATALOGUE], errors
    drain_all()  # replay into the live and the new indices
    replicas = current_app.config["SEARCH_REPLICAS"]
    old = [i for name in indices.NAMES
           for i in indices.finish_rebuild(es, pfx, new[name], name, replicas)]
    drain_all()  # what was written between the replay and the swap
    for name in old:
        es.indices.delete(index=name, ignore_unavailable=True)
    return new[indices.CATALOGUE], {}


def _targets(new: dict[str, str], progress: Callable[[int], None] | None
             ) -> Iterator[tuple[str, indices.Action]]:
    """Every record for the new catalogue index, the public ones also for the public index."""
    for action in _all_actions():
        yield new[indices.CATALOGUE], action
        if is_public(action.doc):
            yield new[indices.PUBLIC], action
        if progress:
            progress(1)


# --- consistency check ------------------------------------------------------------------------

@dataclass
class CheckReport:
    """Differences between database and index, by document id."""

    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    stale: dict[str, tuple[int, int]] = field(default_factory=dict)  # id: (db, index) version
    orphan: list[str] = field(default_factory=list)  # in the index, not (or deleted) in the DB
    public: list[str] = field(default_factory=list)  # public index differs from the catalogue
    mapping_outdated: bool = False  # a live index has an older mapping version

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.orphan or self.public
                    or self.mapping_outdated)


def _database_versions(progress: Callable[[int], None] | None = None) -> dict[str, int]:
    found: dict[str, int] = {}
    for kind, model in MODELS.items():
        rows = db.session.execute(
            select(model.id, model.version).where(model.deleted_at.is_(None))
        )
        for record_id, version in rows:
            found[doc_id(kind, record_id)] = version
            if progress:
                progress(1)
    return found


def check(progress: Callable[[int], None] | None = None) -> CheckReport:
    expected = _database_versions(progress)
    indexed = indices.indexed_versions(client(), alias(), progress)
    report = CheckReport()
    for name, version in expected.items():
        if name not in indexed:
            report.missing.append(name)
        elif indexed[name] != version:
            report.stale[name] = (version, indexed[name])
    report.orphan = sorted(set(indexed) - set(expected))
    report.missing.sort()
    # The public index must hold exactly the catalogue's public documents, in their versions.
    public = indices.indexed_versions(client(), alias(), where=access_filter(PUBLIC))
    public_indexed = indices.indexed_versions(client(), alias(PUBLIC))
    report.public = sorted(name for name in set(public) | set(public_indexed)
                           if public.get(name) != public_indexed.get(name))
    report.mapping_outdated = any(
        indices.index_version(i) != indices.CURRENT_VERSIONS[name]
        for name in indices.NAMES
        for i in indices.physical_indices(client(), indices.alias_name(prefix(), name))
    )
    return report


def repair(report: CheckReport,
           progress: Callable[[int], None] | None = None) -> dict[str, str]:
    """Fix what `check` found; returns errors by document id.

    Missing and stale documents (index behind the database) are written again, orphans are
    deleted. An index ahead of the database (a restored backup) or an outdated mapping cannot
    be fixed by versioned writes: then the whole index is rebuilt.
    """
    ahead = any(index_v > db_v for db_v, index_v in report.stale.values())
    if ahead or report.mapping_outdated:
        return rebuild(progress)[1]
    names = dict.fromkeys([*report.missing, *report.stale, *report.orphan, *report.public])
    actions = [_action(*parsed) if (parsed := parse_doc_id(name)) and parsed[0] in MODELS
               else indices.Action(name, DELETED_VERSION, None)  # no record's document
               for name in names]  # orphans become deletes
    errors = write(actions)
    if progress:
        progress(len(actions))
    refresh()
    if errors:
        return errors
    # A document deleted by hand leaves a tombstone with a higher internal version, which a
    # versioned write cannot pass: whatever is still wrong is fixed by a rebuild.
    if not _written_as_expected(actions):
        return rebuild(progress)[1]
    return {}


def _written_as_expected(actions: list[indices.Action]) -> bool:
    if not actions:
        return True
    for name in indices.NAMES:
        found = client().mget(index=indices.alias_name(prefix(), name),
                              ids=[a.doc_id for a in actions], source=False)
        versions = {d["_id"]: d.get("_version") if d.get("found") else None
                    for d in found["docs"]}
        if not all(versions.get(a.doc_id) == (a.version if a.doc is not None else None)
                   for a in _view(name, actions)):
            return False
    return True
