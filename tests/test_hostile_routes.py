"""Malformed input on every route with an id or a body: 4xx, never 500 (issue 12, finding 5).

The routes come from the app's URL map, so a new route is covered without being listed here:
- ids of 20 digits and of at least 2^63 (more than any database integer holds): 404;
- JSON nested 100,000 levels deep: 400; a lone surrogate in a JSON string: 400 or 422;
- uploads: an XLSX whose sheet XML is broken, a CSV whose header field exceeds 128 KiB:
  a German message on the form, never 500.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from flask import Flask
from werkzeug.routing import IntegerConverter, Rule

from zukunftsstadt import rate_limits

from . import factories, users
from .api_clients import TokenClient, token_for

HUGE_IDS = ("12345678901234567890", str(2**63), str(2**64 + 1), "9" * 40, str(2**31))
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
BODY_METHODS = {"POST", "PUT", "PATCH"}
STRING_ARGS = {"kind": "project", "fmt": "csv", "segment": "vorhaben", "entity": "project"}
NESTED = b"[" * 100_000 + b"]" * 100_000
NESTED_IN_OBJECT = b'{"version": 1, "title": ' + NESTED + b"}"
SURROGATE = (b'{"version": 1, "title": "a\\ud800b", "text": "\\udfff", "name": "\\ud800",'
             b' "municipalities": ["\\ud800"], "target": "\\ud800", "kind": "project",'
             b' "fkz": "\\ud800", "summary": "\\ud800"}')


@pytest.fixture
def callers(app):
    rate_limits.reset()
    ressort = factories.ressort("BMWSB")
    factories.project(programme=factories.programme(ressort=ressort))
    boss = users.make("coordination")
    session = app.test_client()
    users.login(session, boss)
    csrf = users.csrf_token(session, "/")
    return {"session": session, "csrf": csrf, "api": TokenClient(app, token_for(boss))}


def _rules(app: Flask, want: str) -> list[Rule]:
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        has_id = any(isinstance(c, IntegerConverter) for c in rule._converters.values())
        has_body = bool(rule.methods and BODY_METHODS & rule.methods)
        if (want == "id" and has_id) or (want == "body" and has_body):
            rules.append(rule)
    assert rules, want
    return rules


def _url(rule: Rule, number: str) -> str:
    def fill(match: re.Match[str]) -> str:
        converter, name = match.group(1), match.group(2)
        if converter == "int":
            return number
        return STRING_ARGS.get(name, "x")

    return re.sub(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>", fill, rule.rule)


def _send(callers, method: str, url: str, **kwargs):
    if url.startswith("/api/"):
        return getattr(callers["api"], method.lower())(url, **kwargs)
    headers = {"X-CSRFToken": callers["csrf"], **kwargs.pop("headers", {})}
    return callers["session"].open(url, method=method, headers=headers, **kwargs)


def test_ids_beyond_any_database_integer_answer_404_on_every_route(app, callers):
    checked = 0
    for rule in _rules(app, "id"):
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for number in HUGE_IDS:
                url = _url(rule, number)
                data = {"csrf_token": callers["csrf"]} if method == "POST" and not url.startswith(
                    "/api/") else None
                response = _send(callers, method, url, data=data)
                assert response.status_code == 404, (method, url, response.status_code)
                checked += 1
    assert checked > 100


@pytest.mark.parametrize("body", [NESTED, NESTED_IN_OBJECT], ids=["array", "object"])
def test_deeply_nested_json_is_refused_on_every_route_with_a_body(app, callers, body):
    for rule in _rules(app, "body"):
        for method in sorted((rule.methods or set()) & BODY_METHODS):
            url = _url(rule, "1")
            response = _send(callers, method, url, data=body, content_type="application/json")
            assert response.status_code < 500, (method, url, response.status_code)
            if url.startswith("/api/") and response.status_code not in (404, 405):
                assert response.status_code == 400, (method, url, response.status_code)
                assert response.get_json()["detail"]


def test_lone_surrogates_in_json_are_refused_on_every_route_with_a_body(app, callers):
    for rule in _rules(app, "body"):
        for method in sorted((rule.methods or set()) & BODY_METHODS):
            url = _url(rule, "1")
            response = _send(callers, method, url, data=SURROGATE,
                             content_type="application/json")
            assert response.status_code < 500, (method, url, response.status_code)
            if url.startswith("/api/") and response.status_code not in (404, 405):
                assert response.status_code in (400, 422), (method, url, response.status_code)


def test_a_lone_surrogate_in_municipalities_is_a_422_or_400(app, callers):
    project = factories.project()
    from zukunftsstadt.extensions import db

    db.session.commit()
    response = callers["api"].patch(
        f"/api/v1/projects/{project.id}", data=b'{"version": 1, "municipalities": ["\\ud800"]}',
        content_type="application/json")
    assert response.status_code in (400, 422)
    created = callers["api"].post(
        "/api/v1/projects", content_type="application/json",
        data=b'{"fkz": "03SUR0001", "title": "T", "summary": "S", "municipalities": ["\\ud800"]}')
    assert created.status_code in (400, 422)


def _broken_xlsx() -> bytes:
    out = io.BytesIO()
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Schlüssel", "Titel"])
    book.save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/sheet"):
                content = b"<worksheet><sheetData><row><c r='A1' t='s'><v>0</v></c>"
            target.writestr(item, content)
    return broken.getvalue()


BAD_UPLOADS = {
    "broken-sheet.xlsx": _broken_xlsx(),
    "long-header.csv": b"Schl\xc3\xbcssel;" + b"x" * (129 * 1024) + b"\r\nk;v\r\n",
    "long-quoted-header.csv": b'"' + b"x" * (129 * 1024) + b'";Titel\r\nk;v\r\n',
    "long-cell.csv": b"Schl\xc3\xbcssel;Titel\r\nk;\"" + b"y" * (129 * 1024) + b'"\r\n',
}


@pytest.mark.parametrize("name", list(BAD_UPLOADS))
@pytest.mark.parametrize("action", ["dry-run", "import"])
def test_malformed_uploads_get_a_german_message(callers, name, action):
    session = callers["session"]
    for url, extra in (("/import/tabelle", {"kind": "programme"}),
                       ("/import/foerderkatalog", {})):
        if url.endswith("foerderkatalog") and name.endswith(".xlsx"):
            continue  # the Förderkatalog upload takes CSV only (refused by its form)
        response = session.post(url, data={
            "csrf_token": callers["csrf"], "action": action, **extra,
            "file": (io.BytesIO(BAD_UPLOADS[name]), name)}, content_type="multipart/form-data")
        assert response.status_code == 422, (url, name, response.status_code)
        page = response.get_data(as_text=True)
        assert 'class="kern-error"' in page, (url, name)
        assert "Datei" in page or "Zeile" in page or "Spalte" in page
