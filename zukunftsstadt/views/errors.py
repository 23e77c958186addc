"""German error pages; never a stack trace."""

from __future__ import annotations

import contextlib

from flask import Flask, Response, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from ..api import problems
from ..extensions import db

MESSAGES = {
    400: ("Ungültige Anfrage", "Die Anfrage konnte nicht verarbeitet werden."),
    403: ("Kein Zugriff", "Für diese Seite fehlen Ihnen die Berechtigungen."),
    404: ("Seite nicht gefunden",
          "Diese Seite oder dieser Datensatz existiert nicht oder ist nicht öffentlich."),
    405: ("Methode nicht erlaubt", "Diese Aktion ist hier nicht möglich."),
    413: ("Anfrage zu groß", "Die gesendeten Daten überschreiten die zulässige Größe von 2 MB."),
    429: ("Zu viele Anfragen", "Bitte warten Sie einen Moment und versuchen Sie es erneut."),
    503: ("Datenbank nicht erreichbar",
          "Die Datenbank antwortet gerade nicht. Es wurde nichts gespeichert. Bitte versuchen "
          "Sie es in einigen Sekunden erneut."),
    500: ("Interner Fehler",
          "Es ist ein unerwarteter Fehler aufgetreten. Ihre Eingaben wurden nicht gespeichert."),
}


def _render(code: int) -> tuple[str, int]:
    title, message = MESSAGES.get(code, MESSAGES[500])
    return render_template("error.html", code=code, title=title, message=message), code


DATABASE_AWAY = ("Die Datenbank antwortet gerade nicht. Es wurde nichts gespeichert. Bitte "
                 "versuchen Sie es in einigen Sekunden erneut.")


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> tuple[str, int] | Response:
        if problems.is_api_request():
            return problems.csrf_failed()
        return render_template(
            "error.html", code=400, title="Formular abgelaufen oder ungültig",
            message="Das Formular war nicht mehr gültig (Sicherheitsprüfung fehlgeschlagen). "
                    "Es wurde nichts gespeichert. Bitte laden Sie die Seite neu und senden Sie "
                    "das Formular erneut."), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int] | Response:
        if problems.is_api_request():
            return problems.from_http_error(exc)
        return _render(exc.code or 500)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_away(exc: SQLAlchemyError) -> tuple[str, int] | Response:
        """The database went away or is busy (a restart, a failover, a lock): 503; the pool
        hands the next request a fresh connection."""
        app.logger.warning("database unavailable: %s", exc)
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        if problems.is_api_request():
            return problems.problem(503, DATABASE_AWAY, headers={"Retry-After": "10"})
        return _render(503)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> tuple[str, int] | Response:
        app.logger.exception("unhandled error")
        if problems.is_api_request():
            return problems.problem(500)
        return _render(500)
