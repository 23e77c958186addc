"""Versioned index definitions, alias-only access, bulk writes and atomic rebuilds.

A physical index is named `<prefix>-<name>-v<version>-<timestamp>`; the application reads and
writes only through the alias `<prefix>-<name>`.

Two indices share one mapping: `catalogue` holds every record, `public` only the published,
non-confidential ones. Term statistics (idf, field lengths) are per index, so what the public
reads is scored from public records alone and no score tells it that a hidden record gained a
word.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import scan, streaming_bulk

from .access import is_public

T = TypeVar("T")

MAPPINGS_DIR = Path(__file__).parent / "mappings"
CATALOGUE = "catalogue"
PUBLIC = "public"
NAMES = (CATALOGUE, PUBLIC)
CURRENT_VERSIONS = {CATALOGUE: 5, PUBLIC: 5}
MAPPING_OF = {CATALOGUE: CATALOGUE, PUBLIC: CATALOGUE}  # the definition file each one uses
REBUILD_SUFFIX = "rebuild"
CREATE_TIMEOUT = 120.0


@dataclass(frozen=True)
class Action:
    """One write for the index: `doc` None means delete."""

    doc_id: str
    version: int
    doc: dict[str, Any] | None

    def public_view(self) -> Action:
        """This write as the public index takes it: a non-public document is deleted there."""
        return self if is_public(self.doc) else Action(self.doc_id, self.version, None)


@cache
def load_definition(name: str, version: int) -> dict[str, Any]:
    return json.loads((MAPPINGS_DIR / f"{name}-v{version}.json").read_text(encoding="utf-8"))


def alias_name(prefix: str, name: str = CATALOGUE) -> str:
    return f"{prefix}-{name}"


def rebuild_alias_name(prefix: str, name: str = CATALOGUE) -> str:
    """The alias of an index being filled by a rebuild; writes go there too meanwhile."""
    return f"{prefix}-{name}-{REBUILD_SUFFIX}"


def write_aliases(client: Elasticsearch, prefix: str, name: str = CATALOGUE) -> list[str]:
    """The aliases a change must be written to: the live one, and a rebuild's if one runs."""
    found = [alias_name(prefix, name)]
    if physical_indices(client, rebuild_alias_name(prefix, name)):
        found.append(rebuild_alias_name(prefix, name))
    return found


def index_version(index: str) -> int | None:
    """The mapping version in a physical index name (`...-v2-2025...` -> 2)."""
    for part in reversed(index.split("-")):
        if part.startswith("v") and part[1:].isdigit():
            return int(part[1:])
    return None

def physical_indices(client: Elasticsearch, alias: str) -> list[str]:
    try:
        return sorted(client.indices.get_alias(name=alias).keys())
    except NotFoundError:
        return []


def create_physical(client: Elasticsearch, prefix: str, name: str = CATALOGUE) -> str:
    version = CURRENT_VERSIONS[name]
    index = f"{alias_name(prefix, name)}-v{version}-{time.strftime('%Y%m%d%H%M%S')}"
    index += f"{time.time_ns() % 1_000_000:06d}"
    definition = load_definition(MAPPING_OF[name], version)
    # Creating an index loads the synonym rules and the decompounding dictionary (seconds on
    # a busy node): a longer timeout than a search gets.
    client.options(request_timeout=CREATE_TIMEOUT).indices.create(
        index=index, settings=definition["settings"], mappings=definition["mappings"])
    return index


def ensure_index(client: Elasticsearch, prefix: str, name: str = CATALOGUE,
                 replicas: int = 0) -> str:
    """Create the first physical index behind the alias if there is none; returns the alias.
    `replicas`: copies of each shard on other nodes of a cluster (the mapping file says 0)."""
    alias = alias_name(prefix, name)
    if not physical_indices(client, alias):
        index = create_physical(client, prefix, name)
        if replicas:
            client.indices.put_settings(index=index,
                                        settings={"index": {"number_of_replicas": replicas}})
        client.indices.put_alias(index=index, name=alias)
    return alias


def _bulk_ops(targets: Iterable[tuple[str, Action]]) -> Iterator[dict[str, Any]]:
    for index, action in targets:
        op: dict[str, Any] = {
            "_index": index,
            "_id": action.doc_id,
            "version": action.version,
            "version_type": "external_gte",
        }
        if action.doc is None:
            op["_op_type"] = "delete"
        else:
            op["_op_type"] = "index"
            op["_source"] = action.doc
        yield op


def bulk_write(
    client: Elasticsearch,
    index: str,
    actions: Iterable[Action],
    progress: Callable[[int], None] | None = None,
    chunk_size: int = 500,
    require_alias: bool = False,
) -> dict[str, str]:
    """Write actions in bulk; returns the error of each document that failed, by id.

    A version conflict means the index already holds this or a newer version: not an error.
    A delete of a missing document is not an error either.
    """
    return bulk_write_to(client, ((index, a) for a in actions), progress, chunk_size,
                         require_alias)


def bulk_write_to(
    client: Elasticsearch,
    targets: Iterable[tuple[str, Action]],
    progress: Callable[[int], None] | None = None,
    chunk_size: int = 500,
    require_alias: bool = False,
) -> dict[str, str]:
    """`bulk_write` with an index per action, so one stream can fill several indices."""
    errors: dict[str, str] = {}
    for ok, item in streaming_bulk(
        client,
        _bulk_ops(targets),
        chunk_size=chunk_size,
        raise_on_error=False,
        raise_on_exception=True,
        max_retries=0,
        **({"require_alias": True} if require_alias else {}),
    ):
        result = next(iter(item.values()))
        status = result.get("status", 0)
        if not ok and status not in (404, 409):
            errors[str(result.get("_id"))] = str(result.get("error"))
        if progress:
            progress(1)
    return errors


def throttled(items: Iterable[T], every: int = 500, share: float = 1.0) -> Iterator[T]:
    """`items`, with a pause after each `every` of them, so that producing and writing them
    takes about `share` of the time: a rebuild leaves the node room for searches."""
    mark = time.monotonic()
    for count, item in enumerate(items, 1):
        yield item
        if share < 1.0 and count % every == 0:
            busy = time.monotonic() - mark
            time.sleep(busy * (1.0 - share) / share)
            mark = time.monotonic()


def begin_rebuild(client: Elasticsearch, prefix: str, name: str = CATALOGUE) -> str:
    """A new physical index behind the rebuild alias, refresh off while it is filled."""
    for stale in physical_indices(client, rebuild_alias_name(prefix, name)):
        client.indices.delete(index=stale, ignore_unavailable=True)  # an aborted rebuild
    index = create_physical(client, prefix, name)
    client.indices.put_settings(index=index, settings={"index": {"refresh_interval": "-1"}})
    client.indices.put_alias(index=index, name=rebuild_alias_name(prefix, name))
    return index


def finish_rebuild(client: Elasticsearch, prefix: str, index: str,
                   name: str = CATALOGUE, replicas: int = 0) -> list[str]:
    """Refresh on again (and the replicas, see `ensure_index`), then move the live alias to
    `index` and drop the rebuild alias, in one atomic request; returns the indices the alias
    left (the caller deletes them)."""
    settings = load_definition(MAPPING_OF[name], CURRENT_VERSIONS[name])["settings"]
    interval = settings.get("refresh_interval")
    client.indices.put_settings(index=index, settings={"index": {
        "refresh_interval": interval, "number_of_replicas": replicas}})
    client.indices.refresh(index=index)
    alias = alias_name(prefix, name)
    old = [i for i in physical_indices(client, alias) if i != index]
    changes: list[dict[str, Any]] = [{"remove": {"index": i, "alias": alias}} for i in old]
    changes.append({"remove": {"index": index, "alias": rebuild_alias_name(prefix, name)}})
    changes.append({"add": {"index": index, "alias": alias}})
    client.indices.update_aliases(actions=changes)
    return old


def abort_rebuild(client: Elasticsearch, index: str) -> None:
    client.indices.delete(index=index, ignore_unavailable=True)


def rebuild(
    client: Elasticsearch,
    prefix: str,
    actions: Iterable[Action],
    progress: Callable[[int], None] | None = None,
    name: str = CATALOGUE,
) -> tuple[str, dict[str, str]]:
    """Fill a new physical index, then swap the alias to it and drop the old ones."""
    index = begin_rebuild(client, prefix, name)
    errors = bulk_write(client, index, actions, progress)
    if errors:
        abort_rebuild(client, index)
        return index, errors
    for old in finish_rebuild(client, prefix, index, name):
        client.indices.delete(index=old, ignore_unavailable=True)
    return index, {}


def document_counts(client: Elasticsearch, prefix: str) -> dict[str, int]:
    """Documents per kind behind the catalogue alias."""
    response = client.search(
        index=alias_name(prefix),
        size=0,
        aggs={"kinds": {"terms": {"field": "kind", "size": 20}}},
    )
    return {b["key"]: b["doc_count"] for b in response["aggregations"]["kinds"]["buckets"]}


def drop_all(client: Elasticsearch, prefix: str) -> None:
    """Delete every index of this prefix (tests and resets)."""
    client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True, allow_no_indices=True)


def indexed_versions(client: Elasticsearch, alias: str,
                     progress: Callable[[int], None] | None = None,
                     where: dict[str, Any] | None = None) -> dict[str, int]:
    """Every document id behind `alias` (that matches `where`) with its version (for
    consistency checks)."""
    found: dict[str, int] = {}
    for hit in scan(client, index=alias, query={"query": where or {"match_all": {}}}, size=2000,
                    _source=False, version=True, scroll="2m"):
        found[hit["_id"]] = hit["_version"]
        if progress:
            progress(1)
    return found
