"""Input that cannot be anything but an error: ids beyond any database integer, JSON nested
too deep or carrying lone surrogates. Refused at the door with 404 or 400, so no view, form or
database driver ever sees it (they would answer 500). Also the one list of invisible format
characters that no stored text may hold (forms, API and imports use it)."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1  # the largest value of the INTEGER id columns (PostgreSQL, SQLite alike)
MAX_DEPTH = 64  # no input of this app is nested deeper than a few levels
TOO_DEEP = f"Das JSON ist tiefer als {MAX_DEPTH} Ebenen verschachtelt."


# Control characters stored text may not hold (NUL, escape sequences, lone surrogates; tab,
# line feed and carriage return are fine): forms, the API and the spreadsheet import refuse them.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Zero-width characters and marks, bidi embeddings, overrides and isolates, word joiner and
# invisible operators, BOM: text holding them reads differently from what is stored
# ("Bericht\u202etxt.exe" shows as "Berichtexe.txt"), and equal-looking titles differ.
INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_DIRECTION = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def strip_invisible(text: str) -> str:
    """`text` without invisible format characters (for machine-made files and blank checks)."""
    return INVISIBLE.sub("", text)


def invisible_problem(text: str) -> str | None:
    """A German message naming the first invisible format character of `text`, or None."""
    found = INVISIBLE.search(text)
    if found is None:
        return None
    char = found.group()
    kind = "Schreibrichtungszeichen" if _DIRECTION.match(char) else "unsichtbares Zeichen"
    return ("Der Text enthält unsichtbare Steuer- oder Formatzeichen, durch die er anders "
            f"aussieht, als er gespeichert wird: U+{ord(char):04X} ({kind}) als "
            f"{found.start() + 1}. Zeichen. Bitte entfernen Sie sie.")


class JsonRefused(ValueError):
    """JSON that parses but is refused; the message is German and names the reason."""


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: 1 to MAX_ID, no leading zeros; anything else matches no route.

    The range is in the pattern, not only in `to_python`: Werkzeug checks the method before
    converting, so a refused conversion would answer 405 where another method exists."""

    regex = (r"(?:[1-9]\d{0,8}|1\d{9}|20\d{8}|21[0-3]\d{7}|214[0-6]\d{6}|2147[0-3]\d{5}"
             r"|21474[0-7]\d{4}|214748[0-2]\d{3}|2147483[0-5]\d{2}|21474836[0-3]\d"
             r"|214748364[0-7])")

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _check(value: Any, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise JsonRefused(TOO_DEEP)
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise JsonRefused("Das JSON enthält ein ungültiges Zeichen (ein einzelnes "
                              "UTF-16-Ersatzzeichen, z. B. \\ud800).") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key, depth + 1)
            _check(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check(item, depth + 1)


class CheckedJSONProvider(DefaultJSONProvider):
    """`request.get_json()` for every view: too deep or lone surrogates -> ValueError, which
    Flask answers with 400 (and `get_json(silent=True)` turns into None)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = super().loads(s, **kwargs)
        except RecursionError:
            raise JsonRefused(TOO_DEEP) from None
        _check(value)
        return value


def register(app: Flask) -> None:
    """Before any route is added: the converter is bound when a rule is."""
    app.url_map.converters["int"] = IdConverter
    app.json_provider_class = CheckedJSONProvider
    app.json = CheckedJSONProvider(app)
