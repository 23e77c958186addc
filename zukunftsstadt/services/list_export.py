"""Rows of catalogue lists for exports, read in chunks so large lists keep memory flat.

The caller passes the query of the page being exported (its visibility rule, filter and sort),
so an export never shows more than the page does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select

from ..extensions import db
from . import dataset_export
from .record_columns import TABLES, RecordTable, export_columns, json_value, row_values

CHUNK = 500


def records(table: RecordTable, query: Select) -> Iterator[Any]:
    """The records of `query` with their links loaded, CHUNK at a time."""
    statement = query.options(*table.loads).execution_options(yield_per=CHUNK)
    yield from db.session.scalars(statement)


def header(table: RecordTable, user: Any) -> list[str]:
    return [c.header for c in export_columns(table, user)]


def rows(table: RecordTable, query: Select, user: Any) -> Iterator[list[Any]]:
    columns = export_columns(table, user)
    for record in records(table, query):
        yield row_values(columns, record, user)


def json_chunks(table: RecordTable, query: Select, user: Any,
                meta: dict[str, Any]) -> Iterator[str]:
    """`{…meta, "kind": …, "items": [{field: value}, …], "total": n}`, written piece by piece."""
    head = {**meta, "kind": table.kind}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "items": [\n'
    names = [c.name for c in export_columns(table, user)]
    total = 0
    for values in rows(table, query, user):
        item = {name: json_value(v) for name, v in zip(names, values, strict=True)}
        yield ("" if total == 0 else ",\n") + json.dumps(item, ensure_ascii=False)
        total += 1
    yield f'\n], "total": {total}}}\n'


def whole_catalogue(user: Any) -> list[tuple[RecordTable, Select]]:
    """Every kind with what `user` may read, ordered by natural key (one sheet or file each)."""
    result = []
    for table in TABLES.values():
        if table.kind == "organisation" and not getattr(user, "is_authenticated", False):
            continue  # the organisation list is for signed-in users only
        query = table.visible().order_by(getattr(table.model, table.key))
        result.append((table, query))
    return result


def lists_json_chunks(user: Any, meta: dict[str, Any]) -> Iterator[str]:
    """`{…meta, "lists": [one list export per kind]}`: the whole catalogue as `user` may read
    it, each list as its own JSON export writes it."""
    yield json.dumps(meta, ensure_ascii=False)[:-1] + ', "lists": [\n'
    for n, (table, query) in enumerate(whole_catalogue(user)):
        if n:
            yield ",\n"
        yield from json_chunks(table, query, user, {"list": table.label})
    yield "]}\n"


def catalogue_json_chunks(notice: str = "") -> Iterator[str]:
    """`flask catalogue dump` as a stream: the same text as `json.dumps(dump(), indent=2)`,
    written record by record, so memory stays flat however large the catalogue is."""
    yield "{"
    for n, (name, value) in enumerate(dataset_export.sections(notice).items()):
        yield ("," if n else "") + "\n  " + json.dumps(name, ensure_ascii=False) + ": "
        if isinstance(value, str | int):
            yield json.dumps(value, ensure_ascii=False)
            continue
        empty = True
        for item in value:
            text = json.dumps(item, ensure_ascii=False, indent=2).replace("\n", "\n    ")
            yield ("[\n    " if empty else ",\n    ") + text
            empty = False
        yield "[]" if empty else "\n  ]"
    yield "\n}\n"
