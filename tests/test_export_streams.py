"""Every download, for every role, read to its last byte (issue 12, finding 4).

Streamed answers send their status before their body: a failure half-way shows as a cut-off
file with status 200. So each export is read to the end and parsed as a whole (JSON loads,
CSV rows all have the header's width, XLSX and ZIP open, totals match), for anonymous
visitors, analysts, editors and the Koordination, on the demo data.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import zipfile
from typing import Any

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook

from zukunftsstadt.services.record_columns import TABLES

from . import users
from .api_clients import account

ROLES = ("anonymous", "analyst", "editor", "coordination")
SEGMENTS = [table.segment for table in TABLES.values()]


class ServerLikeClient(FlaskClient):
    """Each request in a thread of its own, with no application context around it, and its
    body read there to the end, as a WSGI server does. So a stream outlives the request's
    database session as in production (the suite's app context would otherwise keep it)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        result: dict[str, Any] = {}

        def run() -> None:
            try:
                response = super(ServerLikeClient, self).open(*args, **kwargs)
                response.get_data()
                result["response"] = response
            except BaseException as exc:  # handed to the test thread
                result["error"] = exc

        thread = threading.Thread(target=run)
        thread.start()
        thread.join()
        if "error" in result:
            raise result["error"]
        return result["response"]


@pytest.fixture(scope="module")
def accounts(demo_catalogue) -> dict[str, object]:
    return {"analyst": account("analyst", email="s-analyst@example.org"),
            "editor": account("editor", "BMWSB", "BMFTR", email="s-editor@example.org"),
            "coordination": account("coordination", email="s-koordination@example.org")}


@pytest.fixture(params=ROLES)
def reader(request, app, accounts) -> tuple[str, FlaskClient]:
    client = ServerLikeClient(app, app.response_class, use_cookies=True)
    if request.param != "anonymous":
        assert users.login(client, accounts[request.param]).status_code == 302
    return request.param, client


def _complete_csv(raw: bytes) -> int:
    assert raw.startswith("\ufeff".encode()), raw[:40]
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows and all(len(row) == len(rows[0]) for row in rows), "a row is cut off"
    return len(rows) - 1


def _complete_list_json(part: dict) -> int:
    assert part["total"] == len(part["items"])
    return part["total"]


def test_every_list_export_is_complete(reader):
    role, client = reader
    for segment in SEGMENTS:
        if segment == "organisationen" and role == "anonymous":
            continue  # the organisation list is for signed-in users only
        counts = {}
        for fmt in ("csv", "json", "xlsx"):
            response = client.get(f"/{segment}/export.{fmt}")
            assert response.status_code == 200, (role, segment, fmt)
            raw = response.get_data()  # the whole stream
            if fmt == "csv":
                counts[fmt] = _complete_csv(raw)
            elif fmt == "json":
                counts[fmt] = _complete_list_json(json.loads(raw))
            else:
                sheet = load_workbook(io.BytesIO(raw), read_only=True).worksheets[0]
                counts[fmt] = sum(1 for _ in sheet.iter_rows()) - 1
        assert len(set(counts.values())) == 1, (role, segment, counts)
        assert counts["json"] > 0, (role, segment)


def test_the_whole_catalogue_downloads_are_complete(reader):
    role, client = reader
    lists = client.get("/export/katalog-listen.json")
    assert lists.status_code == 200
    body = json.loads(lists.get_data())  # fails on a cut-off stream
    totals = {part["kind"]: _complete_list_json(part) for part in body["lists"]}
    kinds = set(TABLES)  # every kind with an export table
    assert set(totals) == (kinds - {"organisation"} if role == "anonymous" else kinds)
    assert all(totals.values())

    archive = zipfile.ZipFile(io.BytesIO(client.get("/export/katalog.zip").get_data()))
    assert archive.testzip() is None
    for name in archive.namelist():
        _complete_csv(archive.read(name))
    book = load_workbook(io.BytesIO(client.get("/export/katalog.xlsx").get_data()),
                         read_only=True)
    assert len(book.worksheets) == len(totals)

    dump = client.get("/export/katalog.json")
    if role == "coordination":
        assert dump.status_code == 200
        catalogue = json.loads(dump.get_data())
        assert catalogue["format"] == "zukunftsstadt-catalogue"
        assert len(catalogue["projects"]) == totals["project"]
    else:
        assert dump.status_code == (302 if role == "anonymous" else 403)


def test_search_result_downloads_are_complete(reader):
    role, client = reader
    counts = {}
    for fmt in ("csv", "json", "xlsx"):
        response = client.get(f"/search/export.{fmt}?q=Stadt")
        assert response.status_code == 200, (role, fmt)
        raw = response.get_data()
        if fmt == "csv":
            counts[fmt] = _complete_csv(raw)
        elif fmt == "json":
            body = json.loads(raw)
            counts[fmt] = body["total"]
            assert body["total"] == len(body["hits"])
        else:
            sheet = load_workbook(io.BytesIO(raw), read_only=True).worksheets[0]
            counts[fmt] = sum(1 for _ in sheet.iter_rows()) - 1
    assert len(set(counts.values())) == 1 and counts["json"] > 0, (role, counts)
