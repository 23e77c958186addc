"""Errors of the JSON API as problem details (RFC 9457, `application/problem+json`).

Every answer with a status of 400 or more under /api/ is a problem document: the endpoints
answer with `problem()`, and raised HTTP errors, CSRF failures and unexpected exceptions are
turned into one (`views/errors.py`).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Response, request
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"
MEDIA_TYPE = "application/problem+json"

TITLES: dict[int, str] = {
    400: "Ungültige Anfrage",
    401: "Anmeldung erforderlich",
    403: "Kein Zugriff",
    404: "Nicht gefunden",
    405: "Methode nicht erlaubt",
    409: "Versionskonflikt",
    413: "Anfrage zu groß",
    415: "Falscher Inhaltstyp",
    422: "Ungültige Eingaben",
    428: "Version fehlt",
    429: "Zu viele Anfragen",
    500: "Interner Fehler",
    503: "Dienst nicht verfügbar",
}
DETAILS: dict[int, str] = {
    400: "Die Anfrage konnte nicht verarbeitet werden.",
    401: "Bitte melden Sie sich an oder senden Sie einen gültigen API-Schlüssel "
         "(Authorization: Bearer …).",
    403: "Für diese Aktion fehlen Ihnen die Berechtigungen.",
    404: "Diese Adresse oder dieser Datensatz existiert nicht oder ist nicht öffentlich.",
    405: "Diese Methode ist für diese Adresse nicht erlaubt.",
    413: "Die gesendeten Daten überschreiten die zulässige Größe von 2 MB.",
    429: "Bitte warten Sie einen Moment und versuchen Sie es erneut.",
    500: "Es ist ein unerwarteter Fehler aufgetreten. Es wurde nichts gespeichert.",
    503: "Der Dienst ist gerade nicht erreichbar. Bitte versuchen Sie es später erneut.",
}


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(status: int, detail: str | None = None, *, title: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """A problem-details response; `extra` adds members such as `errors`."""
    body = {"type": "about:blank", "title": title or TITLES.get(status, TITLES[500]),
            "status": status, "detail": detail or DETAILS.get(status, DETAILS[500]),
            **extra}
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    headers = {}
    if status == 405 and getattr(exc, "valid_methods", None):
        headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
    return problem(status, headers=headers)


def csrf_failed() -> Response:
    return problem(400, title="Formular abgelaufen oder ungültig",
                   detail="Die Sicherheitsprüfung (CSRF) ist fehlgeschlagen; es wurde nichts "
                          "gespeichert. Browser senden das Token in der Kopfzeile X-CSRFToken, "
                          "Fachverfahren und Skripte einen API-Schlüssel "
                          "(Authorization: Bearer …).")
