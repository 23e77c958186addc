"""Property-based posts to every record form (QUALITY.md F4): never a 5xx, valid input reads
back equal."""

from __future__ import annotations

import itertools
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zukunftsstadt.extensions import db
from zukunftsstadt.models import Organisation, Programme, Project, RealWorldLab, ResearchPriority

from . import factories, users

ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
# What a person types: letters incl. umlauts, digits, punctuation; at least one letter.
WORDS = st.text(
    st.characters(whitelist_categories=("Lu", "Ll", "Nd"), whitelist_characters=" .,-–„“ß"),
    min_size=1, max_size=120,
).map(lambda s: unicodedata.normalize("NFC", s).strip()).filter(
    lambda s: any(c.isalpha() for c in s))
SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])
_fkz = itertools.count(1)


@pytest.fixture
def session(app):
    ressort = factories.ressort("BMWSB")
    programme = factories.programme(ressort=ressort)
    db.session.commit()
    client = app.test_client()
    users.login(client, users.make("coordination"))
    return {"client": client, "ressort": ressort, "programme": programme,
            "token": users.csrf_token(client, "/vorhaben/neu")}


def _forms(s):
    return {
        "programme": ({"ressort_id": s["ressort"].id, "kind": "Wettbewerb", "status": "open"},
                      "title", Programme, "title"),
        "vorhaben": ({"programme_id": s["programme"].id, "lead_organisation_id": 0,
                      "summary": "Kurzbeschreibung"}, "title", Project, "title"),
        "reallabore": ({"ressort_id": s["ressort"].id, "phase": "Umsetzung",
                        "description": "Beschreibung"}, "name", RealWorldLab, "name"),
        "schwerpunkte": ({"parent_id": 0}, "title", ResearchPriority, "title"),
        "organisationen": ({"kind": "Verein/Verband"}, "name", Organisation, "name"),
    }


def _post(s, kind, data):
    base, _, _, _ = _forms(s)[kind]
    payload = {**base, **data, "csrf_token": s["token"]}
    if kind == "vorhaben":
        payload.setdefault("fkz", f"03PB{next(_fkz):05d}")
    return s["client"].post(f"/{kind}/neu", data=payload)


@pytest.mark.parametrize("kind", ["programme", "vorhaben", "reallabore", "schwerpunkte",
                                  "organisationen"])
@SETTINGS
@given(data=st.dictionaries(
    st.sampled_from(["title", "name", "summary", "description", "budget_eur", "start_date",
                     "end_date", "url", "contact_email", "acronym", "city", "kind", "phase",
                     "municipalities", "topics", "sdgs", "status", "fkz"]),
    ANY_TEXT, max_size=6))
def test_arbitrary_input_never_causes_a_server_error(session, kind, data):
    assert _post(session, kind, data).status_code < 500


@pytest.mark.parametrize("kind", ["programme", "vorhaben", "reallabore", "schwerpunkte",
                                  "organisationen"])
@SETTINGS
@given(text=WORDS)
def test_valid_input_reads_back_equal(session, kind, text):
    _, field, model, column = _forms(session)[kind]
    response = _post(session, kind, {field: text})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    record_id = int(response.headers["Location"].rstrip("/").split("/")[-1]) \
        if kind != "organisationen" else None
    db.session.expire_all()
    if record_id is None:
        stored = db.session.query(model).order_by(model.id.desc()).first()
    else:
        stored = db.session.get(model, record_id)
    assert getattr(stored, column) == text
