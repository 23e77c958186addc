"""Reference data that inputs need: Ressorts, Themenfelder, Kommunen (public lists), and the
account a request acts as."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..json_values import day, stamp
from ..models import CITY_TYPES, ROLES, Municipality, Ressort, State, Topic
from . import bp, schemas
from .catalogue import PAGING, STR
from .problems import problem
from .spec import BadQuery, Operation, Param, describe, parse_query


@bp.get("/ressorts")
def ressorts() -> Any:
    items = db.session.scalars(select(Ressort).order_by(Ressort.code)).all()
    return jsonify([{"id": r.id, "code": r.code, "name": r.name,
                     "valid_from": day(r.valid_from),
                     "valid_to": day(r.valid_to),
                     "predecessor": r.predecessor.code if r.predecessor else None,
                     "current": r.current.code} for r in items])


@bp.get("/topics")
def topics() -> Any:
    items = db.session.scalars(select(Topic).order_by(Topic.name)).all()
    return jsonify([{"id": t.id, "key": t.key, "name": t.name} for t in items])


_NULL_DATE = {"type": "string", "format": "date", "nullable": True}
describe("api.ressorts", Operation(
    summary="Ressorts mit Vorgängern und heutigem Nachfolger", tag="Stammdaten",
    ok=(200, "Alle Ressorts", {"type": "array", "items": schemas.obj({
        "id": schemas.ID, "code": schemas.TEXT, "name": schemas.TEXT,
        "valid_from": _NULL_DATE, "valid_to": _NULL_DATE,
        "predecessor": schemas.nullable(schemas.TEXT), "current": schemas.TEXT})})))
describe("api.topics", Operation(
    summary="Themenfelder", tag="Stammdaten",
    ok=(200, "Alle Themenfelder", {"type": "array", "items": schemas.TOPIC})))


@bp.get("/municipalities")
def municipalities() -> Any:
    try:
        args = parse_query("api.municipalities")
    except BadQuery as exc:
        return problem(400, "Ungültige Parameter.", errors=exc.errors)
    query = select(Municipality)
    if args["q"]:
        query = query.where(Municipality.name.icontains(args["q"], autoescape=True)
                            | Municipality.ags.startswith(args["q"], autoescape=True))
    if args["state"]:
        query = query.where(Municipality.state.has(State.code == args["state"]))
    if args["city_type"]:
        query = query.where(Municipality.city_type == args["city_type"])
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    size, page = args["size"], args["page"]
    items = db.session.scalars(query.options(selectinload(Municipality.state))
                               .order_by(Municipality.name, Municipality.ags)
                               .limit(size).offset((page - 1) * size)).all()
    return jsonify({"items": [{"ags": m.ags, "name": m.name, "state": m.state.code,
                               "city_type": m.city_type, "population": m.population}
                              for m in items],
                    "total": total, "page": page, "size": size,
                    "pages": max(1, -(-total // size))})


describe("api.municipalities", Operation(
    summary="Kommunen mit AGS, Land und Stadttyp", tag="Stammdaten",
    description="Für das Feld `municipalities` beim Anlegen und Ändern (AGS oder Name).",
    params=(Param("q", STR, "Teil des Namens oder Anfang des AGS"),
            Param("state", {"type": "string", "maxLength": 2}, "Land, z. B. SN"),
            Param("city_type", {"type": "string", "enum": CITY_TYPES}, "Stadttyp"),
            *PAGING),
    ok=(200, "Eine Seite der Liste", schemas.obj({
        "items": {"type": "array", "items": schemas.obj({
            "ags": schemas.TEXT, "name": schemas.TEXT, "state": schemas.TEXT,
            "city_type": schemas.TEXT,
            "population": {"type": "integer", "nullable": True}})},
        "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
        "size": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 1}}))))


@bp.get("/me")
def me() -> Any:
    """Who the key or session acts as: machine clients check their key with it."""
    if not current_user.is_authenticated:
        return problem(401, headers={"WWW-Authenticate": "Bearer"})
    token = g.get("api_token")
    return jsonify({
        "id": current_user.id, "name": current_user.name, "email": current_user.email,
        "role": current_user.role, "role_label": current_user.role_label,
        "ressorts": list(current_user.ressort_codes),
        "api_key": {"name": token.name, "prefix": token.prefix,
                    "created_at": stamp(token.created_at)} if token else None,
    })


describe("api.me", Operation(
    summary="Das eigene Konto: Rolle, Ressorts und der benutzte API-Schlüssel",
    tag="Stammdaten", auth="required",
    ok=(200, "Das Konto, in dessen Namen die Anfrage läuft", schemas.obj({
        "id": schemas.ID, "name": schemas.TEXT, "email": schemas.TEXT,
        "role": {"type": "string", "enum": list(ROLES)}, "role_label": schemas.TEXT,
        "ressorts": {"type": "array", "items": schemas.TEXT},
        "api_key": {"type": "object", "nullable": True, "properties": {
            "name": schemas.TEXT, "prefix": schemas.TEXT,
            "created_at": schemas.nullable(schemas.STAMP)}}}))))
