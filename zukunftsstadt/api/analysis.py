"""Overlaps and gaps in the JSON API: check a planned project, the records like a record, and
the coverage of the research priorities. Same permissions as the analysis pages."""

from __future__ import annotations

from typing import Any

from elasticsearch import ApiError, TransportError
from flask import jsonify, request
from flask_login import current_user
from sqlalchemy import select

from .. import kinds, permissions, visibility
from ..extensions import db
from ..json_values import stamp
from ..models import REVIEW_STATUSES, Project, RealWorldLab
from ..services import gaps, overlap_review, overlaps
from . import bp, schemas
from .catalogue import PAGING
from .problems import problem
from .spec import BadQuery, Operation, Param, operation, parse_query

SEARCH_DOWN = ("Die Analyse ist gerade nicht verfügbar, weil der Suchdienst nicht antwortet. "
               "Bitte versuchen Sie es in einigen Minuten erneut.")
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


@bp.post("/overlaps/check")
@operation(Operation(
    summary="Geplantes Vorhaben auf Überschneidungen prüfen", tag="Analyse",
    description="Liest nur und ändert nichts, daher ohne CSRF-Token. Sichtbar sind nur "
                "Einträge, die Sie auch auf den Seiten sehen.",
    body=_PLANNED, errors=(503,), ok=(200, "Ähnliche Einträge mit Begründung", _CANDIDATES),
    operation_id="analysis_api_check_post"))
def overlap_check() -> Any:
    """Reads only: no CSRF token needed (`guard.CSRF_EXEMPT_ENDPOINTS`, listed in the README)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not str(data.get("title") or "").strip() or not str(
            data.get("summary") or "").strip():
        return problem(400, "JSON mit mindestens title und summary erwartet.")
    cleaned = {key: data.get(key) for key in ("title", "summary", "objectives", "ressort",
                                              "organisation", "start_date", "end_date")}
    # No NUL characters: PostgreSQL refuses them in the municipality lookup.
    cleaned = {k: (str(v).replace("\x00", "")[:20_000] if v is not None else None)
               for k, v in cleaned.items()}
    for key in ("topics", "municipalities"):
        value = data.get(key) or []
        cleaned[key] = ([str(v).replace("\x00", "")[:100] for v in value][:50]
                        if isinstance(value, list) else [])
    try:
        found = overlaps.check_planned(cleaned, visibility.search_access())
    except (TransportError, ApiError):
        return problem(503, SEARCH_DOWN)
    return jsonify([c.as_dict() for c in found])


@bp.get("/records/<kind>/<int:record_id>/overlaps")
@operation(Operation(
    summary="Ähnliche Einträge anderer Ressorts zu einem Eintrag", tag="Analyse",
    errors=(503,), strict=False,
    params=(Param("same_ressort", {"type": "string", "enum": ["1", "true", "ja", "0"]},
                  "auch Einträge desselben Ressorts zeigen"),),
    path_schemas={"kind": {"type": "string", "enum": ["programme", "project", "lab"]}},
    ok=(200, "Ähnliche Einträge mit Begründung", _CANDIDATES),
    operation_id="analysis_api_record_overlaps"))
def record_overlaps(kind: str, record_id: int) -> Any:
    scanned = {k.name: k for k in kinds.SCANNED}
    record = db.session.get(scanned[kind].model, record_id) if kind in scanned else None
    if record is None or not visibility.visible(record):
        return problem(404, "Eintrag nicht gefunden.")
    same = request.args.get("same_ressort") in {"1", "true", "ja"}
    try:
        found = overlaps.for_record(record, visibility.search_access(), same_ressort=same)
    except (TransportError, ApiError):
        return problem(503, SEARCH_DOWN)
    return jsonify([c.as_dict() for c in found])


def _record(c: gaps.Counted, fkz: dict[int, str], keys: dict[int, str]) -> dict[str, Any]:
    ref = {"fkz": fkz.get(c.id, "")} if c.kind == "project" else {"key": keys.get(c.id, "")}
    return {"kind": c.kind, "id": c.id, **ref, "source": c.source, "terms": list(c.terms)}


@bp.get("/gaps/priorities")
@operation(Operation(
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
        })), operation_id="analysis_api_gaps"))
def gap_priorities() -> Any:
    coverage = gaps.coverage()
    fkz = dict(db.session.execute(select(Project.id, Project.fkz)).all())
    keys = dict(db.session.execute(select(RealWorldLab.id, RealWorldLab.key)).all())
    return jsonify({
        "text_matching": not coverage.text_missing,
        "computed_at": stamp(coverage.computed_at),
        "stale": coverage.stale,
        "rule": coverage.rule,
        "priorities": [{
            "id": c.priority.id, "key": c.priority.key, "title": c.priority.title,
            "records": [_record(r, fkz, keys) for r in sorted(
                c.records.values(), key=lambda r: (r.kind, r.id))],
            "count": c.count, "projects": c.projects, "labs": c.labs,
            "budget_eur": round(c.budget_eur, 2), "ressorts": sorted(c.ressorts),
            "states": sorted(c.states), "level": c.level,
        } for c in coverage],
    })


_SIDE = schemas.obj({"kind": {"type": "string", "enum": [k.name for k in kinds.SCANNED]},
                     "id": {"type": "integer"}, "title": schemas.TEXT,
                     "ressort": schemas.nullable(schemas.TEXT)})


def _side(doc: str, title: str, ressort: str | None) -> dict[str, Any]:
    kind, record_id = kinds.parse_doc_id(doc) or ("", 0)
    return {"kind": kind, "id": record_id, "title": title, "ressort": ressort}


@bp.get("/overlaps/pairs")
@operation(Operation(
    summary="Gespeicherte Überschneidungen (Prüfliste)", tag="Analyse", auth="required",
    description="Die Paare aus dem Portfolio-Abgleich und aus der Prüfung beim Speichern, "
                "höchster Wert zuerst, mit denselben Filtern und Rechten wie die Prüfliste: "
                "Koordination und Analyse sehen alle, Redaktionen die Paare ihrer Ressorts. "
                "Paare gelöschter Einträge fehlen.",
    params=(Param("status", {"type": "string", "enum": list(REVIEW_STATUSES)}, "Bewertung"),
            Param("level", {"type": "string", "enum": ["hoch", "mittel"]}, "Stufe"),
            Param("ressort", {"type": "string", "maxLength": 20}, "Ressort einer Seite"),
            Param("q", {"type": "string", "maxLength": 200}, "Teil eines der beiden Titel"),
            *PAGING),
    ok=(200, "Eine Seite der Paare und ihre Gesamtzahl", schemas.obj({
        "total": {"type": "integer"}, "page": {"type": "integer"},
        "size": {"type": "integer"},
        "items": {"type": "array", "items": schemas.obj({
            "id": {"type": "integer"}, "a": _SIDE, "b": _SIDE, "score": {"type": "number"},
            "level": {"type": "string", "enum": ["hoch", "mittel"]},
            "status": {"type": "string", "enum": list(REVIEW_STATUSES)},
            "volume_eur": schemas.nullable({"type": "number"}),
            "terms": {"type": "array", "items": schemas.TEXT},
            "comment": schemas.TEXT, "found_at": schemas.nullable(schemas.STAMP),
            "reviewed_at": schemas.nullable(schemas.STAMP)})}})),
    operation_id="analysis_api_overlap_pairs"))
def overlap_pairs() -> Any:
    if not current_user.is_authenticated:
        return problem(401)
    if not permissions.can_use_analysis(current_user):
        return problem(403)
    try:
        args = parse_query("api.overlap_pairs")
    except BadQuery as exc:
        return problem(400, "Ungültige Parameter.", errors=exc.errors)
    items, total = overlap_review.page(overlap_review.filtered(args), args["page"],
                                       args["size"])
    return jsonify({"total": total, "page": args["page"], "size": args["size"], "items": [{
        "id": p.id, "a": _side(p.a_doc, p.a_title, p.a_ressort),
        "b": _side(p.b_doc, p.b_title, p.b_ressort), "score": round(p.score, 4),
        "level": p.level, "status": p.status, "volume_eur": p.volume_eur,
        "terms": overlap_review.shared_words(p), "comment": p.comment or "",
        "found_at": stamp(p.found_at), "reviewed_at": stamp(p.reviewed_at),
    } for p in items]})
