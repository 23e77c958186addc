"""Start page and health endpoint."""

from __future__ import annotations

from typing import Any

from elasticsearch import ApiError, TransportError
from flask import Blueprint, current_app, jsonify, render_template
from sqlalchemy import func, select, text

from search import indices
from search.client import server_info

from .. import visibility
from ..extensions import db
from ..services import indexing

bp = Blueprint("main", __name__)


def _count(query: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


@bp.get("/")
def index() -> str:
    counts = {
        "programme": _count(visibility.programmes()),
        "project": _count(visibility.projects()),
        "lab": _count(visibility.labs()),
        "priority": _count(visibility.priorities()),
    }
    return render_template("index.html", counts=counts)


def _database_health() -> dict[str, Any]:
    try:
        db.session.execute(text("SELECT 1"))
        return {"status": "up", "dialect": db.engine.dialect.name,
                "search_outbox": indexing.outbox_size()}
    except Exception as exc:  # any driver error means: down
        db.session.rollback()
        return {"status": "down", "error": type(exc).__name__}


def _search_health() -> dict[str, Any]:
    client = indexing.client()
    try:
        info = server_info(client)
        try:
            documents = indices.document_counts(client, current_app.config["SEARCH_INDEX_PREFIX"])
        except ApiError:
            documents = None
        return {
            "status": "up",
            **info,
            "index": indexing.alias(),
            "documents": documents,
        }
    except (TransportError, ApiError) as exc:
        return {"status": "down", "error": type(exc).__name__}


@bp.get("/health")
def health() -> Any:
    report = {"database": _database_health(), "search": _search_health()}
    up = all(part["status"] == "up" for part in report.values())
    report["status"] = "ok" if up else "degraded"
    return jsonify(report), 200 if up else 503
