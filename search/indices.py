"""Versioned index definitions, alias-only access, bulk writes and atomic rebuilds.

A physical index is named `<prefix>-<name>-v<version>-<timestamp>`; the application reads and
writes only through the alias `<prefix>-<name>`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from elasticsearch import Elasticsearch, NotFoundError
from elasticsearch.helpers import streaming_bulk

MAPPINGS_DIR = Path(__file__).parent / "mappings"
CURRENT_VERSIONS = {"catalogue": 1}
CATALOGUE = "catalogue"


@dataclass(frozen=True)
class Action:
    """One write for the index: `doc` None means delete."""

    doc_id: str
    version: int
    doc: dict[str, Any] | None


@cache
def load_definition(name: str, version: int) -> dict[str, Any]:
    return json.loads((MAPPINGS_DIR / f"{name}-v{version}.json").read_text(encoding="utf-8"))


def alias_name(prefix: str, name: str = CATALOGUE) -> str:
    return f"{prefix}-{name}"


def physical_indices(client: Elasticsearch, alias: str) -> list[str]:
    try:
        return sorted(client.indices.get_alias(name=alias).keys())
    except NotFoundError:
        return []


def create_physical(client: Elasticsearch, prefix: str, name: str = CATALOGUE) -> str:
    version = CURRENT_VERSIONS[name]
    index = f"{alias_name(prefix, name)}-v{version}-{time.strftime('%Y%m%d%H%M%S')}"
    index += f"{time.time_ns() % 1_000_000:06d}"
    definition = load_definition(name, version)
    client.indices.create(index=index, settings=definition["settings"],
                          mappings=definition["mappings"])
    return index


def ensure_index(client: Elasticsearch, prefix: str, name: str = CATALOGUE) -> str:
    """Create the first physical index behind the alias if there is none; returns the alias."""
    alias = alias_name(prefix, name)
    if not physical_indices(client, alias):
        index = create_physical(client, prefix, name)
        client.indices.put_alias(index=index, name=alias)
    return alias


def _bulk_ops(index: str, actions: Iterable[Action]) -> Iterator[dict[str, Any]]:
    for action in actions:
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
) -> dict[str, str]:
    """Write actions in bulk; returns the error of each document that failed, by id.

    A version conflict means the index already holds this or a newer version: not an error.
    A delete of a missing document is not an error either.
    """
    errors: dict[str, str] = {}
    for ok, item in streaming_bulk(
        client,
        _bulk_ops(index, actions),
        chunk_size=chunk_size,
        raise_on_error=False,
        raise_on_exception=True,
        max_retries=0,
    ):
        result = next(iter(item.values()))
        status = result.get("status", 0)
        if not ok and status not in (404, 409):
            errors[str(result.get("_id"))] = str(result.get("error"))
        if progress:
            progress(1)
    return errors


def swap_alias(client: Elasticsearch, alias: str, new_index: str) -> list[str]:
    """Point the alias at `new_index` in one atomic request; returns the indices it left."""
    old = [i for i in physical_indices(client, alias) if i != new_index]
    changes: list[dict[str, Any]] = [{"remove": {"index": i, "alias": alias}} for i in old]
    changes.append({"add": {"index": new_index, "alias": alias}})
    client.indices.update_aliases(actions=changes)
    return old


def rebuild(
    client: Elasticsearch,
    prefix: str,
    actions: Iterable[Action],
    progress: Callable[[int], None] | None = None,
    name: str = CATALOGUE,
) -> tuple[str, dict[str, str]]:
    """Fill a new physical index, then swap the alias to it and drop the old ones."""
    index = create_physical(client, prefix, name)
    client.indices.put_settings(index=index, settings={"index": {"refresh_interval": "-1"}})
    errors = bulk_write(client, index, actions, progress)
    client.indices.put_settings(index=index, settings={"index": {"refresh_interval": None}})
    client.indices.refresh(index=index)
    if errors:
        client.indices.delete(index=index)
        return index, errors
    for old in swap_alias(client, alias_name(prefix, name), index):
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
