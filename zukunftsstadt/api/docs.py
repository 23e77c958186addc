"""The OpenAPI document at /api/v1/openapi.json, a German page rendered from it, and the
declarations of the API endpoints that live in other blueprints (overlaps, gaps)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template
from markupsafe import Markup, escape

from . import bp
from .spec import Operation, document, operation

page_bp = Blueprint("api_docs", __name__)
CODE_SPAN = re.compile(r"`([^`]+)`")


@page_bp.app_template_filter("codespans")
def codespans(text: str) -> Markup:
    """`name` in a description as <code>name</code>; everything else escaped."""
    return Markup(CODE_SPAN.sub(r"<code>\1</code>", str(escape(text))))
METHOD_ORDER = {"get": 0, "post": 1, "patch": 2, "delete": 3}


@bp.get("/openapi.json")
@operation(Operation(summary="Diese Beschreibung als OpenAPI-3-Dokument", tag="Dokumentation",
                     ok=(200, "OpenAPI 3.0", {"type": "object"})))
def openapi() -> Any:
    return jsonify(cached_document())


def cached_document() -> dict[str, Any]:
    """The document depends only on the app's routes, so it is built once per app."""
    if "openapi_document" not in current_app.extensions:
        current_app.extensions["openapi_document"] = document(current_app)
    return current_app.extensions["openapi_document"]


@page_bp.get("/api-dokumentation")
def page() -> str:
    doc = cached_document()
    groups: dict[str, list[dict[str, Any]]] = {tag["name"]: [] for tag in doc["tags"]}
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            groups.setdefault(op["tags"][0], []).append({"path": path, "method": method, **op})
    for items in groups.values():
        items.sort(key=lambda o: (o["path"], METHOD_ORDER.get(o["method"], 9)))
    return render_template("api/docs.html", doc=doc, groups=groups,
                           schemas=doc["components"]["schemas"],
                           responses=doc["components"]["responses"])
