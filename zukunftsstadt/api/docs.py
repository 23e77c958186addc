"""The OpenAPI document at /api/v1/openapi.json, a German page rendered from it, and the
declarations of the API endpoints that live in other blueprints (overlaps, gaps)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template
from markupsafe import Markup, escape

from . import bp, schemas
from .spec import Operation, Param, describe, document, operation

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


# Overlaps and gaps are served by the analysis blueprint (views/analysis.py).
_CANDIDATES = {"type": "array", "items": schemas.obj({
    "kind": schemas.TEXT, "id": schemas.TEXT, "ressort": schemas.nullable(schemas.TEXT),
    "title": schemas.TEXT, "score": {"type": "number"},
    "level": {"type": "string", "enum": ["hoch", "mittel"], "nullable": True},
    "reasons": {"type": "object"}})}
_PLANNED = {
    "type": "object", "required": ["title", "summary"],
    "properties": {
        **{name: {"type": "string", "maxLength": 20_000} for name in (
            "title", "summary", "objectives")},
        "ressort": {"type": "string", "maxLength": 20},
        "organisation": {"type": "string", "maxLength": 300},
        "start_date": {"type": "string", "format": "date"},
        "end_date": {"type": "string", "format": "date"},
        "topics": {"type": "array", "maxItems": 50,
                   "items": {"type": "string", "maxLength": 100}},
        "municipalities": {"type": "array", "maxItems": 50,
                           "items": {"type": "string", "maxLength": 100}},
    },
}
DESCRIPTIONS = {
    "analysis.api_check": Operation(
        summary="Geplantes Vorhaben auf Überschneidungen prüfen", tag="Analyse",
        description="Liest nur und ändert nichts, daher ohne CSRF-Token. Sichtbar sind nur "
                    "Einträge, die Sie auch auf den Seiten sehen.",
        body=_PLANNED, errors=(503,), ok=(200, "Ähnliche Einträge mit Begründung", _CANDIDATES)),
    "analysis.api_record_overlaps": Operation(
        summary="Ähnliche Einträge anderer Ressorts zu einem Eintrag", tag="Analyse",
        errors=(503,), strict=False,
        params=(Param("same_ressort", {"type": "string", "enum": ["1", "true", "ja", "0"]},
                      "auch Einträge desselben Ressorts zeigen"),),
        path_schemas={"kind": {"type": "string", "enum": ["programme", "project", "lab"]}},
        ok=(200, "Ähnliche Einträge mit Begründung", _CANDIDATES)),
    "analysis.api_gaps": Operation(
        summary="Abdeckung der Forschungsschwerpunkte (Lücken)", tag="Analyse", errors=(503,),
        description="Gezählt werden veröffentlichte Vorhaben und Reallabore: zugeordnete "
                    "(`source` `tag`) und solche, deren Text zur Beschreibung des Schwerpunkts "
                    "passt (`source` `text`, mit den gemeinsamen Begriffen in `terms`); "
                    "abgelehnte Vorschläge zählen nicht. Die Textzuordnung wird gespeichert "
                    "berechnet (`computed_at`; `stale`: Einträge wurden seitdem geändert). "
                    "`text_matching` ist `false`, wenn der Suchdienst nicht erreichbar war und "
                    "nur Zuordnungen gezählt sind. `level`: `keine`, `dünn` oder `gut` nach "
                    "der Regel in `rule`.",
        ok=(200, "Je Schwerpunkt die gezählten Einträge, Zahl, Summe, Ressorts, Länder und Stufe",
            schemas.obj({
                "text_matching": {"type": "boolean"},
                "computed_at": schemas.nullable(schemas.STAMP),
                "stale": {"type": "boolean"},
                "rule": schemas.TEXT,
                "priorities": {"type": "array", "items": schemas.obj({
                    "id": {"type": "integer"}, "key": schemas.TEXT, "title": schemas.TEXT,
                    "records": {"type": "array", "items": schemas.obj({
                        "kind": {"type": "string", "enum": ["project", "lab"]},
                        "id": {"type": "integer"},
                        "fkz": schemas.TEXT, "key": schemas.TEXT,
                        "source": {"type": "string", "enum": ["tag", "text"]},
                        "terms": {"type": "array", "items": schemas.TEXT}},
                        required=["kind", "id", "source", "terms"])},
                    "count": {"type": "integer"}, "projects": {"type": "integer"},
                    "labs": {"type": "integer"}, "budget_eur": {"type": "number"},
                    "ressorts": {"type": "array", "items": schemas.TEXT},
                    "states": {"type": "array", "items": schemas.TEXT},
                    "level": {"type": "string", "enum": ["keine", "dünn", "gut"]}})},
            }))),
}
for _endpoint, _op in DESCRIPTIONS.items():
    describe(_endpoint, _op)
