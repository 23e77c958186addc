"""The OpenAPI 3 document, generated from the URL map and one declaration per endpoint.

Each /api/v1 endpoint declares its summary, query parameters, request body and responses
next to its code (`@operation` or `describe`). Paths, methods and path parameters come from
Flask's URL rules, so the document cannot list a route that does not exist; a route without
a declaration is missing from it, which `tests/test_api_openapi.py` reports. Query parameters
are parsed from the same declarations (`parse_query`), so documented and accepted input agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import Flask, request

from . import schemas

PATH_PARAM = re.compile(r"<(?:(?P<conv>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class Param:
    name: str
    schema: dict[str, Any]
    description: str
    required: bool = False


@dataclass(frozen=True)
class Operation:
    summary: str
    tag: str
    description: str = ""
    params: tuple[Param, ...] = ()
    body: dict[str, Any] | None = None
    ok: tuple[int, str, dict[str, Any] | None] = (200, "Erfolg", None)
    errors: tuple[int, ...] = ()
    auth: str = "optional"  # "optional": anonymous sees published records; "required"
    strict: bool = True  # False: invalid query parameters are dropped, not refused
    media_type: str = "application/json"
    path_schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    operation_id: str | None = None  # kept when an endpoint moves, for generated clients


OPERATIONS: dict[str, Operation] = {}


def describe(endpoint: str, op: Operation) -> None:
    OPERATIONS[endpoint] = op


def operation(op: Operation, blueprint: str = "api") -> Callable[[Callable], Callable]:
    """Declare the endpoint `blueprint.function_name`."""

    def wrap(func: Callable) -> Callable:
        describe(f"{blueprint}.{func.__name__}", op)
        return func

    return wrap


class BadQuery(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = {name: [message] for name, message in errors.items()}


def _parse(raw: str, schema: dict[str, Any]) -> Any:
    kind = schema.get("type", "string")
    if kind == "integer":
        if not re.fullmatch(r"-?\d{1,12}", raw.strip()):
            raise ValueError("Bitte eine ganze Zahl angeben.")
        value: Any = int(raw)
        low, high = schema.get("minimum"), schema.get("maximum")
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"Erlaubt sind Zahlen von {low} bis {high}.")
        return value
    if kind == "boolean":
        if raw not in {"true", "false", "1", "0"}:
            raise ValueError("Erlaubt sind true oder false.")
        return raw in {"true", "1"}
    if len(raw) > schema.get("maxLength", 500):
        raise ValueError(f"Höchstens {schema.get('maxLength', 500)} Zeichen erlaubt.")
    if "\x00" in raw or any(0xD800 <= ord(c) <= 0xDFFF for c in raw):
        raise ValueError("Der Wert enthält unzulässige Zeichen.")
    if "enum" in schema and raw not in schema["enum"]:
        raise ValueError("Erlaubt sind: " + ", ".join(map(str, schema["enum"])) + ".")
    if schema.get("format") == "date":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise ValueError("Bitte ein Datum im Format JJJJ-MM-TT angeben.") from None
    if schema.get("format") == "date-time":
        try:
            return datetime.fromisoformat(raw)
        except ValueError:
            raise ValueError("Bitte einen Zeitpunkt nach ISO 8601 angeben, z. B. "
                             "2026-01-31T12:00:00+00:00.") from None
    return raw


def parse_query(endpoint: str, strict: bool | None = None) -> dict[str, Any]:
    """The declared query parameters of `endpoint`, parsed; BadQuery lists the bad ones
    (unless not `strict`: then a bad value is the default)."""
    op = OPERATIONS[endpoint]
    strict = op.strict if strict is None else strict
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for param in op.params:
        raw = request.args.get(param.name)
        if raw is None or raw == "":
            if param.required:
                errors[param.name] = "Dieser Parameter ist erforderlich."
            values[param.name] = param.schema.get("default")
            continue
        try:
            values[param.name] = _parse(raw, param.schema)
        except ValueError as exc:
            if strict:
                errors[param.name] = str(exc)
            values[param.name] = param.schema.get("default")
    if errors:
        raise BadQuery(errors)
    return values


# ---------------------------------------------------------------------------- the document

def _path(rule: str, op: Operation) -> tuple[str, list[dict[str, Any]]]:
    params = []
    for match in PATH_PARAM.finditer(rule):
        schema: dict[str, Any] = {"type": "string", "maxLength": 100}
        if match.group("conv") == "int":
            schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        schema = op.path_schemas.get(match.group("name"), schema)
        params.append({"name": match.group("name"), "in": "path", "required": True,
                       "schema": schema})
    return PATH_PARAM.sub(r"{\g<name>}", rule), params


def _responses(op: Operation, has_path_params: bool) -> dict[str, Any]:
    status, text, schema = op.ok
    responses: dict[str, Any] = {}
    if status == 204:
        responses["204"] = {"description": text}
    else:
        content = {"schema": schema or {}}
        responses[str(status)] = {"description": text, "content": {op.media_type: content}}
    codes = set(op.errors) | {429}
    if op.params or op.body:
        codes.add(400)
    if op.auth == "required":
        codes |= {401, 403}
    if has_path_params:
        codes.add(404)
    for code in sorted(codes):
        responses[str(code)] = {"$ref": f"#/components/responses/Problem{code}"}
    responses["default"] = {"$ref": "#/components/responses/Problem"}
    return responses


def _operation(endpoint: str, method: str, op: Operation,
               path_params: list[dict[str, Any]]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "operationId": op.operation_id or (
            endpoint.replace(".", "_") + ("" if method == "get" else f"_{method}")),
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": path_params + [
            {"name": p.name, "in": "query", "required": p.required, "schema": p.schema,
             "description": p.description} for p in op.params],
        "responses": _responses(op, bool(path_params)),
    }
    if op.description:
        doc["description"] = op.description
    if op.body is not None:
        doc["requestBody"] = {"required": True,
                              "content": {"application/json": {"schema": op.body}}}
    doc["security"] = ([{"bearerAuth": []}, {"sessionCookie": []}] if op.auth == "required"
                       else [{}, {"bearerAuth": []}, {"sessionCookie": []}])
    return doc


def api_rules(app: Flask) -> list[Any]:
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")]


def document(app: Flask) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(api_rules(app), key=lambda r: r.rule):
        op = OPERATIONS.get(rule.endpoint)
        if op is None:
            continue  # undeclared: the drift test names it
        path, path_params = _path(rule.rule, op)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                rule.endpoint, method.lower(), op, path_params)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Zukunftsstadt-Koordinationsdatenbank – API",
            "version": "1",
            "description": schemas.API_DESCRIPTION,
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": name, "description": text} for name, text in schemas.TAGS.items()],
        "paths": paths,
        "components": schemas.components(),
    }
