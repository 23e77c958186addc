"""Accounts and a logged-in test client for tests of the editing side."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from zukunftsstadt.models import User
from zukunftsstadt.services import accounts

from . import factories

PASSWORD = "sehr-geheimes-Passwort-1"


def make(role: str, *ressorts: str, email: str | None = None) -> User:
    for code in ressorts:
        factories.ressort(code)
    return accounts.create_user(email or f"{role}-{'-'.join(ressorts) or 'alle'}@example.org",
                                f"Test {role} {' '.join(ressorts)}".strip(), PASSWORD, role,
                                list(ressorts))


def csrf_token(client: FlaskClient, url: str = "/login") -> str:
    page = client.get(url).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login(client: FlaskClient, user: User, password: str = PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"csrf_token": token, "email": user.email,
                                       "password": password})


def form_data(client: FlaskClient, url: str) -> dict[str, object]:
    """The fields of the first record form on `url`, as a browser would submit them."""
    from html.parser import HTMLParser

    class Parser(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.data: dict[str, object] = {}
            self.select: str | None = None
            self.multi = False
            self.textarea: str | None = None
            self.in_form = False

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "form" and "record-form" in (a.get("class") or ""):
                self.in_form = True
            if not self.in_form:
                return
            if tag == "input" and a.get("name"):
                if a.get("type") == "checkbox" and a.get("value", "y") != "y":
                    chosen = self.data.setdefault(a["name"], [])  # a chooser's options
                    if "checked" in a:
                        chosen.append(a["value"])  # type: ignore[attr-defined]
                elif a.get("type") == "checkbox":
                    if "checked" in a:
                        self.data[a["name"]] = "y"
                else:
                    self.data[a["name"]] = a.get("value", "")
            elif tag == "select":
                self.select, self.multi = a["name"], "multiple" in a
                if self.multi:
                    self.data.setdefault(self.select, [])
            elif tag == "option" and self.select:
                if self.multi:
                    if "selected" in a:
                        self.data[self.select].append(a["value"])
                elif "selected" in a or self.select not in self.data:
                    self.data[self.select] = a["value"]  # browsers send the first by default
            elif tag == "textarea":
                self.textarea = a["name"]
                self.data[self.textarea] = ""

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            elif tag == "textarea":
                self.textarea = None
            elif tag == "form":
                self.in_form = False

        def handle_data(self, data):
            if self.textarea:
                self.data[self.textarea] += data

    parser = Parser()
    parser.feed(client.get(url).get_data(as_text=True))
    return parser.data
