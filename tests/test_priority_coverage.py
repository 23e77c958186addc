"""Research-priority coverage on untagged records: text matches, suggested tags, levels, one
count everywhere, stored result (issue 11, section 3)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from zukunftsstadt.extensions import db
from zukunftsstadt.models import AuditEvent, CoverageRun, PriorityMatch, PriorityRejection
from zukunftsstadt.services import indexing, priority_matching

from . import factories, users

FILLER = [
    ("Digitale Bürgerbeteiligung im Rathaus", "Eine Plattform für Beteiligung an der "
     "Bauleitplanung mit Online-Dialogen und Workshops in der Verwaltung."),
    ("Kreislaufwirtschaft im Hochbau", "Rückbau, Bauteilbörse und Recyclingbeton für "
     "kommunale Schulgebäude."),
    ("Gemeinschaftliches Wohnen im Alter", "Genossenschaftliche Wohnprojekte für "
     "Seniorinnen und Senioren mit Nachbarschaftshilfe."),
    ("Stadtbäume und Grünflächenpflege", "Ein Pflegekonzept für Straßenbäume, Baumscheiben "
     "und Parkanlagen mit Ehrenamtlichen."),
    ("Wärmenetze im Quartier", "Planung eines Nahwärmenetzes mit Abwärme aus einem "
     "Rechenzentrum und Wärmepumpen."),
    ("Lieferverkehr in der Innenstadt", "Mikrodepots und Lastenräder für die letzte Meile im "
     "Paketversand."),
]


@pytest.fixture
def catalogue(app):
    bmg = factories.programme(title="Gesunde Kommune", ressort=factories.ressort("BMG"))
    bmukn = factories.programme(title="Klimaanpassung sozial",
                                ressort=factories.ressort("BMUKN"))
    bmv = factories.programme(title="Radverkehr", ressort=factories.ressort("BMV"))
    heat = factories.priority(
        key="fs-hitze", title="Hitzevorsorge in Pflegeeinrichtungen",
        description="Schutz älterer Menschen vor Hitzewellen: Kühlräume, Trinkpläne und "
                    "Frühwarnung in Pflegeheimen.")
    bikes = factories.priority(
        key="fs-rad", title="Radverkehr für Pendler",
        description="Radschnellwege und sichere Radrouten für Pendler zwischen Stadt und "
                    "Umland.")
    gap = factories.priority(
        key="fs-weltraum", title="Weltraumwetter und Stromnetze",
        description="Schutz kommunaler Stromnetze vor Sonnenstürmen und geomagnetischen "
                    "Störungen.")
    a = factories.project(
        fkz="01HX0001", title="Kühle Pflegeheime", programme=bmg,
        summary="Pflegeheime bekommen Kühlräume, Trinkpläne und eine Frühwarnung, damit ältere "
                "Bewohnerinnen sommerliche Hitzewellen gut überstehen.")
    b = factories.project(
        fkz="67KA0002", title="Hitzeschutz für ältere Menschen in Pflegeheimen", programme=bmukn,
        summary="Trinkpläne, kühle Räume und Frühwarnung vor Hitzewellen für Pflegeheime.")
    c = factories.project(
        fkz="19RV0003", title="Radschnellweg zwischen Stadt und Umland", programme=bmv,
        summary="Planung eines Radschnellwegs und sicherer Radrouten für Pendler.")
    lab = factories.lab(
        key="rl-hitze", name="Reallabor Hitzewellen im Pflegeheim",
        ressort=factories.ressort("BMG"),
        description="Ein Pflegeheim erprobt Kühlräume, Trinkpläne und eine Frühwarnung für "
                    "ältere Menschen bei Hitzewellen.")
    for n, (title, summary) in enumerate(FILLER):
        factories.project(fkz=f"03FI{n:04d}", title=title, summary=summary, programme=bmv)
    db.session.commit()
    indexing.rebuild()
    return {"heat": heat, "bikes": bikes, "gap": gap, "a": a, "b": b, "c": c, "lab": lab}


def _api(client) -> dict:
    response = client.get("/api/v1/gaps/priorities")
    assert response.status_code == 200
    return response.get_json()


def _by_key(answer: dict) -> dict[str, dict]:
    return {p["key"]: p for p in answer["priorities"]}


def _records(item: dict) -> dict[tuple[str, str], str]:
    return {(r["kind"], r.get("fkz") or r.get("key")): r["source"] for r in item["records"]}


def test_untagged_projects_and_labs_are_counted(client, catalogue):
    answer = _api(client)
    assert answer["text_matching"] is True and answer["computed_at"]
    found = _by_key(answer)
    heat = _records(found["fs-hitze"])
    assert heat == {("project", "01HX0001"): "text", ("project", "67KA0002"): "text",
                    ("lab", "rl-hitze"): "text"}
    assert found["fs-hitze"]["count"] == 3 and found["fs-hitze"]["labs"] == 1
    assert found["fs-hitze"]["level"] == "gut"  # three records, two Ressorts
    assert _records(found["fs-rad"]) == {("project", "19RV0003"): "text"}
    assert found["fs-rad"]["level"] == "dünn"  # one Ressort only
    assert found["fs-weltraum"]["count"] == 0 and found["fs-weltraum"]["level"] == "keine"
    record = next(r for r in found["fs-hitze"]["records"] if r["kind"] == "lab")
    assert record["id"] == catalogue["lab"].id and "Kühlräume" in record["terms"]


def test_a_tag_always_counts_and_labs_carry_tags(client, catalogue):
    catalogue["lab"].research_priorities = [catalogue["gap"]]
    db.session.commit()
    found = _by_key(_api(client))
    assert _records(found["fs-weltraum"]) == {("lab", "rl-hitze"): "tag"}


def _decide(client, action: str, tokens: list[str]) -> str:
    token = users.csrf_token(client, "/analyse/vorschlaege")
    page = client.post("/analyse/vorschlaege", data={
        "csrf_token": token, "aktion": action, "vorschlag": tokens})
    assert page.status_code == 200
    confirm = page.get_data(as_text=True)
    assert "Ja, " in confirm
    done = client.post("/analyse/vorschlaege", data={
        "csrf_token": token, "aktion": action, "vorschlag": tokens, "bestaetigt": "1"},
        follow_redirects=True)
    assert done.status_code == 200
    return done.get_data(as_text=True)


def test_accepting_a_suggestion_tags_the_record_with_history(client, catalogue):
    heat, a = catalogue["heat"], catalogue["a"]
    users.login(client, users.make("coordination"))
    listing = client.get("/analyse/vorschlaege").get_data(as_text=True)
    token = f"{heat.id}:project:{a.id}"
    assert f'value="{token}"' in listing and "Kühle Pflegeheime" in listing
    before = _records(_by_key(_api(client))["fs-hitze"])
    assert before[("project", "01HX0001")] == "text"
    # the confirmation page changes nothing
    csrf = users.csrf_token(client, "/analyse/vorschlaege")
    client.post("/analyse/vorschlaege", data={"csrf_token": csrf, "einzeln": f"accept|{token}"})
    db.session.expire_all()
    assert a.research_priorities == []
    page = _decide(client, "accept", [token])
    assert "1 Vorschlag übernommen." in page
    db.session.expire_all()
    assert [p.key for p in a.research_priorities] == ["fs-hitze"]
    after = _by_key(_api(client))["fs-hitze"]
    assert _records(after)[("project", "01HX0001")] == "tag" and after["count"] == 3
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity == "project", AuditEvent.entity_id == a.id)
        .order_by(AuditEvent.id.desc())).first()
    assert event.changes["research_priorities"] == [[], [heat.title]]
    assert f'value="{token}"' not in client.get("/analyse/vorschlaege").get_data(as_text=True)
    history = client.get(f"/vorhaben/{a.id}/verlauf").get_data(as_text=True)
    assert heat.title in history
    assert priority_matching.is_stale()  # the tag changed the record: the worker recomputes


def test_a_rejected_suggestion_is_not_offered_again_nor_counted(client, catalogue):
    heat, b = catalogue["heat"], catalogue["b"]
    users.login(client, users.make("coordination"))
    token = f"{heat.id}:project:{b.id}"
    page = _decide(client, "reject", [token])
    assert "1 Vorschlag abgelehnt." in page
    assert db.session.scalar(select(PriorityRejection)) is not None
    priority_matching.compute()
    assert f'value="{token}"' not in client.get("/analyse/vorschlaege").get_data(as_text=True)
    heat_now = _by_key(_api(client))["fs-hitze"]
    assert ("project", "67KA0002") not in _records(heat_now) and heat_now["count"] == 2


def test_bulk_decisions_need_csrf(client, catalogue):
    users.login(client, users.make("coordination"))
    token = f"{catalogue['heat'].id}:project:{catalogue['a'].id}"
    response = client.post("/analyse/vorschlaege", data={
        "aktion": "accept", "vorschlag": [token], "bestaetigt": "1"})
    assert response.status_code == 400
    db.session.expire_all()
    assert catalogue["a"].research_priorities == []


def test_editors_see_and_decide_only_their_ressorts_suggestions(app, client, catalogue):
    heat, a, b, lab = (catalogue[k] for k in ("heat", "a", "b", "lab"))
    users.login(client, users.make("editor", "BMG"))
    listing = client.get("/analyse/vorschlaege").get_data(as_text=True)
    assert f'value="{heat.id}:project:{a.id}"' in listing
    assert f'value="{heat.id}:lab:{lab.id}"' in listing
    assert f'value="{heat.id}:project:{b.id}"' not in listing  # BMUKN's
    page = _decide(client, "accept", [f"{heat.id}:project:{b.id}",
                                      f"{heat.id}:lab:{lab.id}"])
    assert "1 Vorschlag übernommen." in page and "1 nicht bearbeitet" in page
    db.session.expire_all()
    assert b.research_priorities == [] and [p.id for p in lab.research_priorities] == [heat.id]
    analyst = app.test_client()
    users.login(analyst, users.make("analyst"))
    assert analyst.get("/analyse/vorschlaege").status_code == 403


def test_api_says_when_text_matching_was_unavailable(app, client, catalogue):
    from search.client import make_client

    catalogue["a"].research_priorities = [catalogue["heat"]]
    db.session.commit()
    original = app.extensions["search_client"]
    app.extensions["search_client"] = make_client("http://127.0.0.1:9", timeout=1)
    try:
        answer = _api(client)
    finally:
        app.extensions["search_client"] = original
    assert answer["text_matching"] is False
    assert _records(_by_key(answer)["fs-hitze"]) == {("project", "01HX0001"): "tag"}
    assert _api(client)["text_matching"] is True  # search is back: computed and stored


def test_table_chart_matrices_and_api_count_the_same_records(client, catalogue):
    catalogue["c"].research_priorities = [catalogue["heat"]]  # a tag beside the text matches
    db.session.commit()
    users.login(client, users.make("analyst"))
    api = _by_key(_api(client))
    page = client.get("/analyse/luecken").get_data(as_text=True)
    assert "Stand der Textzuordnung:" in page and "Median" in page
    chart = page.split("Balkendiagramm", 1)[1].split("</svg>", 1)[0]
    table = page.split('records coverage"', 1)[1].split("</table>", 1)[0]
    matrix = page.split('id="schwerpunkt-ressort"', 1)[1].split("</table>", 1)[0]
    for key, item in api.items():
        title = item["title"]
        row = table.split(f">{title}</a></th>", 1)[1].split("</tr>", 1)[0]
        assert re.search(rf">{item['count']}(<span| \()", row.split("</td>")[1]), (key, row)
        if item["count"]:
            noun = "Eintrag" if item["count"] == 1 else "Einträge"
            assert f"<title>{title}: {item['count']} {noun} ({item['level']})</title>" in chart
        cells = matrix.split(f'<th scope="row">{title}</th>', 1)[1].split("</tr>", 1)[0]
        assert sum(int(n) for n in re.findall(r'">(\d+)<span', cells)) == item["count"], key
    assert api["fs-hitze"]["count"] == 4
    # a matrix cell lists exactly the records it counts
    listing = client.get("/analyse/luecken/schwerpunkte/fs-hitze?ressort=BMV")
    text = listing.get_data(as_text=True)
    assert "Radschnellweg zwischen Stadt und Umland" in text and "zugeordnet" in text
    assert "Kühle Pflegeheime" not in text


def test_the_stored_result_is_read_and_recomputed_when_stale(app, client, catalogue):
    _api(client)
    run = db.session.scalar(select(CoverageRun))
    assert run is not None and not priority_matching.is_stale(run)
    first = run.computed_at
    assert _api(client)["computed_at"] == _api(client)["computed_at"]
    catalogue["c"].title = "Radschnellweg für Pendler zwischen Stadt und Umland"
    from zukunftsstadt.services import records

    records.save(catalogue["c"])
    db.session.commit()
    assert _api(client)["stale"] is True
    result = app.test_cli_runner().invoke(args=["analysis", "coverage", "--if-stale"])
    assert result.exit_code == 0, result.output
    assert "Schwerpunkte" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(CoverageRun)).computed_at != first
    assert _api(client)["stale"] is False
    result = app.test_cli_runner().invoke(args=["analysis", "coverage", "--if-stale"])
    assert "Abdeckung ist aktuell." in result.output


def test_the_koordination_recomputes_on_demand(client, catalogue):
    users.login(client, users.make("analyst"))
    token = users.csrf_token(client, "/analyse/luecken")
    assert client.post("/analyse/luecken/neu-berechnen",
                       data={"csrf_token": token}).status_code == 403
    client.get("/logout")
    users.login(client, users.make("coordination"))
    token = users.csrf_token(client, "/analyse/luecken")
    first = _api(client)["computed_at"]
    page = client.post("/analyse/luecken/neu-berechnen", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "Die Neuberechnung ist angefordert" in page
    assert "Eine Neuberechnung der Textzuordnung ist angefordert" in page
    assert not priority_matching.is_stale()  # nothing changed, yet the worker recomputes
    assert priority_matching.refresh_if_stale() is not None
    assert _api(client)["computed_at"] != first
    page = client.get("/analyse/luecken").get_data(as_text=True)
    assert "ist angefordert" not in page
    assert priority_matching.refresh_if_stale() is None  # the request was answered


def test_a_reallabor_and_its_projects_are_neighbours_in_the_coverage(app, catalogue):
    # The computation reads the links from the database: the lab's group holds both public
    # projects; a draft one is not read by the coverage and does not count in the group.
    draft = factories.project(fkz="01HX0099", title="Kühlräume (Entwurf)",
                              publication_status="draft")
    catalogue["lab"].projects = [catalogue["a"], catalogue["b"], draft]
    db.session.commit()
    links = priority_matching.record_links()
    group = (f"link:{catalogue['lab'].id}",)
    assert links == {("lab", catalogue["lab"].id): group, ("project", catalogue["a"].id): group,
                     ("project", catalogue["b"].id): group}
    priority_matching.compute()  # with the links, the heat records still count
    stored = {(kind, record_id) for kind, record_id in db.session.execute(
        select(PriorityMatch.kind, PriorityMatch.record_id).where(
            PriorityMatch.priority_id == catalogue["heat"].id))}
    assert {("lab", catalogue["lab"].id), ("project", catalogue["a"].id)} <= stored


def test_a_priority_added_after_the_stored_result_is_matched_before_it_is_shown(client, catalogue):
    # Records changed after the stored result: it is shown, marked stale. A priority the
    # stored result does not know would be called "keine": it is computed first.
    priority_matching.compute()
    factories.priority(key="fs-pflegehitze", title="Kühle Pflegeheime bei Hitzewellen",
                       description="Kühlräume, Trinkpläne und Frühwarnung für ältere "
                                   "Menschen in Pflegeheimen.")
    db.session.commit()
    item = _by_key(_api(client))["fs-pflegehitze"]
    assert item["level"] != "keine"
    assert ("project", "01HX0001") in _records(item)


def test_records_saved_but_not_yet_indexed_count_when_the_coverage_is_computed(client,
                                                                              catalogue):
    # A catalogue load writes the outbox; a read before the worker sent it must not store a
    # result without the new records (it would look current until the next change).
    priority_matching.compute()
    factories.priority(key="fs-gruendach", title="Gründächer auf Schulen",
                       description="Begrünte Dächer auf Schulgebäuden gegen Hitze und für "
                                   "den Regenwasserrückhalt.")
    factories.project(fkz="03GD0001", title="Gründächer für Schulen in Kassel",
                      summary="Begrünte Dächer auf Schulgebäuden halten Regenwasser zurück "
                              "und kühlen die Klassenräume bei Hitze.")
    db.session.commit()  # not drained: the outbox holds the new project
    item = _by_key(_api(client))["fs-gruendach"]
    assert ("project", "03GD0001") in _records(item)
