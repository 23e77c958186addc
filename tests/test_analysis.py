"""Overlap and gap analysis against the real node."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from zukunftsstadt.extensions import db
from zukunftsstadt.models import Notification, OverlapAlert, OverlapPair
from zukunftsstadt.models.base import utcnow
from zukunftsstadt.services import alerts, indexing, records

from . import factories, users
from .conftest import reset_index

HEAT = ("Hitzeschutz in Pflegeheimen: Kühlräume, Trinkpläne und Frühwarnung für ältere "
        "Bewohnerinnen und Bewohner während sommerlicher Hitzewellen im Quartier.")


@pytest.fixture
def portfolio(app):
    heat = factories.topic("klimaanpassung", "Klimaanpassung")
    mobility = factories.topic("mobilitaet", "Mobilität")
    leipzig = factories.municipality("14713000", "Leipzig")
    bmg = factories.programme(title="Gesunde Kommune", ressort=factories.ressort("BMG"))
    bmukn = factories.programme(title="Klimaanpassung sozial", ressort=factories.ressort("BMUKN"))
    bmv = factories.programme(title="Radverkehr", ressort=factories.ressort("BMV"))
    a = factories.project(fkz="01HX0001", title="Hitzeschutz in Leipziger Pflegeheimen",
                          summary=HEAT, topics=[heat], municipalities=[leipzig], programme=bmg,
                          start_date=date(2023, 1, 1), end_date=date(2025, 12, 31))
    b = factories.project(
        fkz="67KA0002", title="Kühle Pflege: Pflegeheime vor Hitzewellen schützen",
        summary="Pflegeheime im Quartier bekommen Kühlräume, Trinkpläne und eine Frühwarnung, "
                "damit ältere Bewohner sommerliche Hitzewellen gut überstehen.",
        topics=[heat], municipalities=[leipzig], programme=bmukn,
        start_date=date(2024, 1, 1), end_date=date(2026, 6, 30))
    c = factories.project(fkz="19RV0003", title="Radschnellweg zwischen Stadt und Umland",
                          summary="Planung eines Radschnellwegs für Pendler mit Beteiligung.",
                          topics=[mobility], municipalities=[leipzig], programme=bmv)
    gap = factories.priority(title="Suffizienz in der Mobilität",
                             description="Weniger Verkehr durch kurze Wege.")
    covered = factories.priority(title="Hitzevorsorge", description="Schutz vor Hitze.")
    a.research_priorities = [covered]
    db.session.commit()
    indexing.rebuild()
    return {"a": a, "b": b, "c": c, "gap": gap, "covered": covered}


def test_record_overlaps_are_explained(client, portfolio):
    a, b = portfolio["a"], portfolio["b"]
    result = client.get(f"/api/v1/records/project/{a.id}/overlaps").get_json()
    assert result[0]["id"] == str(b.id) and result[0]["ressort"] == "BMUKN"
    assert result[0]["level"] == "hoch"
    reasons = result[0]["reasons"]
    assert len({"kühlräume", "trinkpläne", "frühwarnung"} & set(reasons["terms"])) >= 2
    # Shared terms are shown as the words of the record, not as index stems ("kuhlraum").
    text = f"{a.title} {a.summary} {a.objectives} {a.results}".lower()
    assert all(term in text for term in reasons["terms"]), reasons["terms"]
    facts = {f["name"]: f["weight"] for f in reasons["facts"]}
    assert {"shared_topics", "same_municipality", "overlapping_period"} <= set(facts)
    labels = {f["name"]: f["label"] for f in reasons["facts"]}
    assert labels["shared_topics"] == "gemeinsame Themenfelder: Klimaanpassung"
    assert labels["same_municipality"] == "gleiche Kommune: Leipzig (AGS 14713000)"
    assert all(w > 0 for w in facts.values())
    assert str(portfolio["c"].id) not in [r["id"] for r in result if r["level"]]


def test_check_before_funding_api_and_form(app, client, portfolio):
    planned = {"title": "Hitzeaktionsplan für Pflegeheime",
               "summary": "Kühlräume und Trinkpläne schützen ältere Menschen in Pflegeheimen "
                          "vor Hitzewellen; eine Frühwarnung informiert das Personal.",
               "topics": ["klimaanpassung"], "municipalities": ["14713000"]}
    found = client.post("/api/v1/overlaps/check", json=planned).get_json()
    ids = [r["id"] for r in found[:2]]
    assert str(portfolio["a"].id) in ids and str(portfolio["b"].id) in ids
    assert client.post("/api/v1/overlaps/check", json={"title": ""}).status_code == 400
    assert client.post("/api/v1/overlaps/check", data="kein json").status_code == 400
    analyst = users.make("analyst")
    users.login(client, analyst)
    token = users.csrf_token(client, "/analyse/pruefen")
    page = client.post("/analyse/pruefen", data={**planned, "topics": "klimaanpassung",
                                                 "municipalities": "14713000",
                                                 "csrf_token": token, "ressort": ""})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Hitzeschutz in Leipziger Pflegeheimen" in text
    assert "Warum?" in text and "gleiche Kommune" in text
    by_name = client.post("/api/v1/overlaps/check", json={**planned, "municipalities": [
        "leipzig"]}).get_json()  # a Kommune by name, as people write it
    facts = [f["name"] for c in by_name if c["id"] == str(portfolio["a"].id)
             for f in c["reasons"]["facts"]]
    assert "same_municipality" in facts
    page = client.post("/analyse/pruefen", data={**planned, "topics": "klimaanpassung",
                                                 "municipalities": "Leipzig",
                                                 "csrf_token": token, "ressort": ""})
    assert "gleiche Kommune: Leipzig" in page.get_data(as_text=True)


def test_scan_review_resume_and_matrix(app, client, portfolio):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["analysis", "overlaps"])
    assert first.exit_code == 0, first.output
    pair = OverlapPair.query.one()
    assert {pair.a_ressort, pair.b_ressort} == {"BMG", "BMUKN"} and pair.level == "hoch"
    boss = users.make("coordination")
    users.login(client, boss)
    review = client.get(f"/analyse/ueberschneidungen/{pair.id}").get_data(as_text=True)
    assert "gemeinsame Themenfelder: Klimaanpassung" in review
    # The shared terms as the records write them, not as the index stems them.
    terms = review.split("Gemeinsame Begriffe:")[1].split("</p>")[0]
    assert "kühlräume" in terms and "kuhlraum" not in terms, terms
    api = client.get("/api/v1/overlaps/pairs").get_json()
    assert "kühlräume" in api["items"][0]["terms"], api  # the API names them alike
    assert "gleiche Kommune: Leipzig (AGS 14713000)" in review
    url = f"/analyse/ueberschneidungen/{pair.id}"
    client.post(url, data={"csrf_token": users.csrf_token(client, url),
                           "status": "double_funding", "comment": "Gleiche Maßnahme"})
    again = runner.invoke(args=["analysis", "overlaps"])
    assert "0 geprüft" in again.output and "übersprungen" in again.output
    restart = runner.invoke(args=["analysis", "overlaps", "--restart"])
    assert "3 geprüft" in restart.output or "geprüft" in restart.output
    db.session.expire_all()
    assert OverlapPair.query.one().status == "double_funding"
    listing = client.get("/analyse/ueberschneidungen/?status=double_funding").get_data(
        as_text=True)
    assert "Doppelförderung bestätigt" in listing
    matrix = client.get("/analyse/matrix").get_data(as_text=True)
    assert "1 bestätigt" in matrix


def test_editors_see_only_their_ressorts_pairs_in_list_review_and_matrix(app, portfolio):
    assert app.test_cli_runner().invoke(args=["analysis", "overlaps"]).exit_code == 0
    pair = OverlapPair.query.one()  # BMG × BMUKN, both published
    pair.comment = "Interne Einschätzung der Koordination"
    db.session.commit()
    outsider, insider = app.test_client(), app.test_client()
    users.login(outsider, users.make("editor", "BMV"))
    users.login(insider, users.make("editor", "BMG"))
    assert "Hitzeschutz in Leipziger" not in outsider.get(
        "/analyse/ueberschneidungen/").get_data(as_text=True)
    assert outsider.get(f"/analyse/ueberschneidungen/{pair.id}").status_code == 404
    assert "BMUKN" not in outsider.get("/analyse/matrix").get_data(as_text=True)
    assert "Interne Einschätzung" in insider.get(
        f"/analyse/ueberschneidungen/{pair.id}").get_data(as_text=True)
    assert "1 offen" in insider.get("/analyse/matrix").get_data(as_text=True)


def test_high_overlap_on_save_notifies_editors_of_both_ressorts(app, client, portfolio):
    editor_bmg = users.make("editor", "BMG")
    editor_bmukn = users.make("editor", "BMUKN", email="bmukn@example.org")
    portfolio["a"].publication_status = "draft"
    db.session.commit()
    users.login(client, editor_bmg)
    url = f"/vorhaben/{portfolio['a'].id}/bearbeiten"
    data = users.form_data(client, url)
    data["objectives"] = "Hitzeschutz für Pflegeheime"
    assert client.post(url, data=data).status_code == 302
    assert app.test_cli_runner().invoke(args=["search", "worker", "--once"]).exit_code == 0
    for user in (editor_bmg, editor_bmukn):
        assert Notification.query.filter_by(user_id=user.id).count() == 1
    page = client.get("/benachrichtigungen").get_data(as_text=True)
    assert "Hohe Überschneidung" in page
    # Each editor's link opens a record they may read: the BMG draft is not the BMUKN
    # editor's to read, so theirs leads to their own Ressort's project.
    links = {n.user_id: n.link for n in Notification.query}
    assert links[editor_bmg.id] == f"/vorhaben/{portfolio['a'].id}"
    assert links[editor_bmukn.id] == f"/vorhaben/{portfolio['b'].id}"
    other = app.test_client()
    users.login(other, editor_bmukn)
    assert other.get(links[editor_bmukn.id]).status_code == 200
    assert "1<span class=\"visually-hidden\"> ungelesen" in client.get("/").get_data(
        as_text=True)


def test_gaps_show_empty_priorities_and_matrices(app, client, portfolio):
    users.login(client, users.make("analyst"))
    page = client.get("/analyse/luecken").get_data(as_text=True)
    row = page.split("Suffizienz in der Mobilität", 1)[1].split("</tr>")[0]
    assert "keine" in row
    assert "Themenfeld × Land" in page
    assert 'class="quiet">–<span class="visually-hidden"> leer</span>' in page  # quiet, named
    assert '<svg viewBox=' in page and "Vorhaben und Reallabore je Land" in page
    saxony = page.split("<th scope=\"row\">Sachsen</th>", 1)[1].split("</tr>")[0]
    assert '<td class="num">3</td>' in saxony  # the three projects in Leipzig
    csv = client.get("/analyse/luecken/thema-land.csv")
    assert csv.data.startswith("\ufeff".encode()) and "Sachsen" in csv.get_data(as_text=True)
    api = client.get("/api/v1/gaps/priorities").get_json()
    by_title = {p["title"]: p for p in api["priorities"]}
    assert by_title["Suffizienz in der Mobilität"]["count"] == 0
    assert by_title["Hitzevorsorge"]["count"] >= 1


def test_every_matrix_cell_links_to_exactly_the_projects_it_counts(app, client, portfolio):
    """Also for a reader who sees drafts, and for projects without a programme (their Ressort
    is today's successor of the Ressort at funding, as everywhere else)."""
    import re

    covered, heat = portfolio["covered"], portfolio["a"].topics[0]
    leipzig = portfolio["a"].municipalities[0]
    loose = factories.project(fkz="03KA0004", title="Hitzeplan ohne Programm", programme=None,
                              ressort_at_funding=factories.ressort("BMV"), topics=[heat],
                              municipalities=[leipzig])
    draft = factories.project(fkz="03KA0005", title="Entwurf zur Hitze",
                              programme=portfolio["a"].programme, topics=[heat],
                              municipalities=[leipzig], publication_status="draft")
    loose.research_priorities = [covered]
    draft.research_priorities = [covered]
    db.session.commit()
    indexing.rebuild()
    users.login(client, users.make("analyst"))
    page = client.get("/analyse/luecken").get_data(as_text=True)
    cells = re.findall(r'<a href="/search\?([^"]+)">(\d+)<span', page)
    assert len(cells) >= 4
    for query, count in cells:
        found = client.get(f"/api/v1/search?{query.replace('&amp;', '&')}&size=100").get_json()
        assert found["total"] == int(count), query
    # research priority × Ressort counts the coverage's records (tags and text matches),
    # which its cells list
    listed = re.findall(r'<a href="(/analyse/luecken/schwerpunkte/[^"]+)">(\d+)<span', page)
    assert listed
    for url, count in listed:
        rows = client.get(url.replace("&amp;", "&")).get_data(as_text=True)
        assert rows.split("<tbody>", 1)[1].count("<tr>") == int(count), url
    matrix = page.split('id="schwerpunkt-ressort"', 1)[1]
    row = matrix.split("<th scope=\"row\">Hitzevorsorge</th>", 1)[1].split("</tr>")[0]
    assert row.count('">1<span') == 2  # BMG (the programme's) and BMV (no programme)


def test_alerts_go_out_by_mail_when_smtp_is_configured(app, client, portfolio):
    from aiosmtpd.controller import Controller

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        editor = users.make("editor", "BMUKN", email="bmukn@example.org")
        users.make("editor", "BMG", email="bmg@example.org")
        users.login(client, editor)
        url = f"/vorhaben/{portfolio['b'].id}/bearbeiten"
        data = users.form_data(client, url)
        data["objectives"] = "Kühle Pflege"
        assert client.post(url, data=data).status_code == 302
        assert not received  # mail goes out from the worker, not from the save
        assert alerts.send_due() == (1, 0)
    finally:
        app.config["MAIL_SERVER"] = None
        controller.stop()
    recipients = sorted(r for rcpts, _ in received for r in rcpts)
    assert recipients == ["bmg@example.org", "bmukn@example.org"]
    from email import message_from_string, policy

    mail = message_from_string(received[0][1], policy=policy.default)
    assert mail["Subject"] == "Zukunftsstadt: mögliche Doppelförderung"
    body = mail.get_content()
    assert "Hohe Überschneidung" in body and f"/vorhaben/{portfolio['b'].id}" in body


def test_scan_of_an_empty_catalogue_finds_nothing(app):
    reset_index()
    result = app.test_cli_runner().invoke(args=["analysis", "overlaps"])
    assert result.exit_code == 0, result.output
    assert "0 geprüft" in result.output and "0 Paare gefunden" in result.output


def test_saving_a_priority_like_a_project_is_no_error(app, client, portfolio):
    """Research priorities have no Ressort and no overlap alerts; saving one whose text reads
    like a project must simply save (it raised a KeyError in the alert before)."""
    users.login(client, users.make("coordination"))
    url = f"/schwerpunkte/{portfolio['covered'].id}/bearbeiten"
    data = users.form_data(client, url)
    data["description"] = HEAT
    assert client.post(url, data=data).status_code == 302
    assert alerts.send_due() == (0, 0)
    assert Notification.query.count() == 0


@pytest.fixture
def unresponsive_search(app):
    """The app's search client points at a node that accepts connections and never answers."""
    import socket

    from search.client import make_client

    listener = socket.create_server(("127.0.0.1", 0))
    original = app.extensions["search_client"]
    app.extensions["search_client"] = make_client(
        f"http://127.0.0.1:{listener.getsockname()[1]}", timeout=1.0)

    def answer_again() -> None:
        app.extensions["search_client"] = original

    yield answer_again
    answer_again()
    listener.close()


def test_a_hanging_search_node_never_delays_a_save_and_the_alert_follows(
        app, client, portfolio, unresponsive_search):
    """DESIGN §4: a save never waits for Elasticsearch. The overlap alert is queued with the
    save and sent by the worker once search answers again."""
    import time

    editor = users.make("editor", "BMG")
    other = users.make("editor", "BMUKN", email="bmukn@example.org")
    users.login(client, editor)
    url = f"/vorhaben/{portfolio['a'].id}/bearbeiten"
    data = users.form_data(client, url)
    data["objectives"] = "Hitzeschutz für Pflegeheime"
    started = time.perf_counter()
    assert client.post(url, data=data).status_code == 302
    assert time.perf_counter() - started < 1.0
    assert Notification.query.count() == 0
    assert alerts.send_due() == (0, 1)  # search still hangs: kept for a later round
    unresponsive_search()
    db.session.execute(update(OverlapAlert).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert alerts.send_due() == (1, 0)
    for user in (editor, other):
        assert Notification.query.filter_by(user_id=user.id).count() == 1
    assert OverlapAlert.query.count() == 0


def test_gaps_page_draws_bars_and_says_when_text_matching_is_away(
        app, client, portfolio, unresponsive_search):
    import time

    for n in range(4):
        factories.priority(title=f"Weiterer Schwerpunkt {n}")
    db.session.commit()
    users.login(client, users.make("analyst"))
    started = time.perf_counter()
    page = client.get("/analyse/luecken").get_data(as_text=True)
    assert time.perf_counter() - started < 2.5  # one 1-s timeout, not one per priority (6)
    assert "Die Suche ist gerade nicht erreichbar" in page
    assert "Balkendiagramm: Vorhaben und Reallabore je Forschungsschwerpunkt" in page
    unresponsive_search()
    page = client.get("/analyse/luecken").get_data(as_text=True)
    assert "Die Suche ist gerade nicht erreichbar" not in page
    chart = page.split("Balkendiagramm", 1)[1].split("</svg>", 1)[0]
    assert "<title>Hitzevorsorge: 1 Eintrag (dünn)</title>" in chart
    gap = chart.split("Suffizienz in der Mobilität</text>", 1)[1].split("</g>", 1)[0]
    assert "<rect" not in gap and ">keine</text>" in gap


def test_queued_alerts_of_one_record_are_checked_once_and_failures_are_kept(
        app, client, portfolio, monkeypatch):
    editor = users.make("editor", "BMG")
    users.make("editor", "BMUKN", email="bmukn@example.org")
    users.login(client, editor)
    url = f"/vorhaben/{portfolio['a'].id}/bearbeiten"
    for text in ("Hitzeschutz für Pflegeheime", "Hitzeschutz und Kühlräume"):
        data = users.form_data(client, url)
        data["objectives"] = text
        assert client.post(url, data=data).status_code == 302
    assert OverlapAlert.query.count() == 2

    def broken(record):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(alerts, "_notify", broken)  # a bug must not stop the worker
    assert alerts.send_due() == (0, 1)
    rows = OverlapAlert.query.all()
    assert [r.attempts for r in rows] == [1, 1]
    assert all("RuntimeError: kaputt" in r.last_error for r in rows)
    assert alerts.send_due() == (0, 0)  # backing off
    monkeypatch.undo()
    db.session.execute(update(OverlapAlert).values(next_attempt_at=utcnow()))
    db.session.commit()
    assert alerts.send_due() == (1, 0)  # both rows, one check
    assert OverlapAlert.query.count() == 0
    assert Notification.query.count() == 2  # one per editor, not one per save


def test_record_page_shows_same_ressort_overlaps_on_request(app, client, portfolio):
    twin = factories.project(fkz="01HX0009", title="Kühlräume für Pflegeheime in Leipzig",
                             summary=HEAT, topics=portfolio["a"].topics,
                             programme=portfolio["a"].programme)
    db.session.commit()
    indexing.rebuild()
    users.login(client, users.make("analyst"))
    url = f"/vorhaben/{portfolio['a'].id}"
    others = client.get(url).get_data(as_text=True)
    assert "Mögliche Überschneidungen mit anderen Ressorts" in others
    assert twin.title not in others and "Kühle Pflege" in others
    assert f'href="{url}?eigenes_ressort=1#aehnlich-titel"' in others
    both = client.get(f"{url}?eigenes_ressort=1").get_data(as_text=True)
    assert "Mögliche Überschneidungen auch im eigenen Ressort" in both
    assert twin.title in both and "Kühle Pflege" in both


def test_high_overlap_found_at_save_enters_the_review_list_at_once(app, client, portfolio):
    editor_bmg = users.make("editor", "BMG")
    users.login(client, editor_bmg)
    assert OverlapPair.query.count() == 0  # no scan has run
    url = f"/vorhaben/{portfolio['a'].id}/bearbeiten"
    data = users.form_data(client, url)
    data["objectives"] = "Hitzeschutz für Pflegeheime"
    assert client.post(url, data=data).status_code == 302
    assert app.test_cli_runner().invoke(args=["search", "worker", "--once"]).exit_code == 0
    pair = OverlapPair.query.one()
    assert {pair.a_doc, pair.b_doc} == {f"project-{portfolio['a'].id}",
                                        f"project-{portfolio['b'].id}"}
    assert pair.level == "hoch" and pair.status == "open"
    page = client.get("/analyse/ueberschneidungen/").get_data(as_text=True)
    assert "Kühle Pflege" in page


def test_the_koordination_starts_the_scan_from_the_review_list(app, client, portfolio):
    from zukunftsstadt.services import overlap_scans

    assert overlap_scans.due() == "first"  # nothing scanned yet: the worker starts by itself
    users.login(client, users.make("coordination"))
    page = client.get("/analyse/ueberschneidungen/").get_data(as_text=True)
    assert "Noch kein Portfolio-Abgleich" in page
    token = users.csrf_token(client, "/analyse/ueberschneidungen/")
    response = client.post("/analyse/ueberschneidungen/abgleich", data={"csrf_token": token})
    assert response.status_code == 302
    assert "angestoßen" in client.get("/analyse/ueberschneidungen/").get_data(as_text=True)
    assert overlap_scans.due() == "requested"
    run = overlap_scans.run_if_due()  # what the search worker does when idle
    assert run is not None and run.finished_at is not None and run.pairs >= 1
    assert run.scanned == run.total == 6  # three programmes and their projects
    assert run.skipped == 0
    assert overlap_scans.due() is None
    page = client.get("/analyse/ueberschneidungen/").get_data(as_text=True)
    assert "Letzter Abgleich" in page and "Kühle Pflege" in page
    app.config["OVERLAP_SCAN_AFTER_SAVES"] = 1
    try:
        portfolio["c"].summary += " Mit Fahrradparkhaus."
        from zukunftsstadt.services import records

        records.save(portfolio["c"])
        records.commit()
        assert overlap_scans.due() == "changes"
    finally:
        app.config["OVERLAP_SCAN_AFTER_SAVES"] = 50
    editor = app.test_client()
    users.login(editor, users.make("editor", "BMG"))
    token = users.csrf_token(editor, "/analyse/ueberschneidungen/")
    assert editor.post("/analyse/ueberschneidungen/abgleich",
                       data={"csrf_token": token}).status_code == 403


def test_a_decision_keeps_the_page_and_its_filters(app, client, portfolio):
    from zukunftsstadt.services import overlap_scans

    overlap_scans.run("command")
    users.login(client, users.make("coordination"))
    listing = "/analyse/ueberschneidungen/?level=hoch&q=Pflege"
    page = client.get(listing).get_data(as_text=True)
    assert f'href="/vorhaben/{portfolio["b"].id}"' in page  # the records are links
    pair = OverlapPair.query.filter_by(level="hoch").first()
    review = f"/analyse/ueberschneidungen/{pair.id}?zurueck=" + listing.replace("&", "%26")
    token = users.csrf_token(client, review)
    response = client.post(review, data={"csrf_token": token, "status": "complementary",
                                         "comment": "Ergänzen sich."})
    assert response.status_code == 302 and response.location == listing
    assert client.get("/analyse/ueberschneidungen/?q=%00Pflege").status_code == 200
    evil = f"/analyse/ueberschneidungen/{pair.id}?zurueck=//example.org/"
    response = client.post(evil, data={"csrf_token": token, "status": "complementary"})
    assert response.location == "/analyse/ueberschneidungen/"


def test_a_decision_is_shown_on_both_record_pages(app, client, portfolio):
    from zukunftsstadt.services import overlap_scans

    overlap_scans.run("command")
    pair = OverlapPair.query.filter_by(level="hoch").one()
    pair.status, pair.comment = "complementary", "Verschiedene Zielgruppen."
    db.session.commit()
    users.login(client, users.make("analyst"))
    lab = factories.lab(name="Reallabor Hitzeinseln", ressort=factories.ressort("BMUKN"),
                        description=HEAT)
    db.session.commit()
    for mine, other in (("a", "b"), ("b", "a")):
        page = client.get(f"/vorhaben/{portfolio[mine].id}").get_data(as_text=True)
        section = page[page.index("Bewertete Überschneidungen"):]
        assert portfolio[other].title in section and "komplementär" in section
        assert "Verschiedene Zielgruppen." in section
        assert f'href="/vorhaben/{portfolio[other].id}"' in section
    anonymous = app.test_client().get(f"/vorhaben/{portfolio['a'].id}").get_data(as_text=True)
    assert "Bewertete Überschneidungen" not in anonymous  # for the analysis readers only
    page = client.get(f"/reallabore/{lab.id}").get_data(as_text=True)
    title = page[page.index("<title>"):page.index("</title>")]
    assert "Überschneidungen" not in title and "Reallabor Hitzeinseln" in title


def test_check_before_funding_groups_a_verbund_and_shows_more_on_request(client, portfolio):
    """Partners of one Verbund are one row; 20 rows a page, more on request."""
    from zukunftsstadt.models import Verbund

    joint = Verbund(stem="01HX77", title="Verbund Kühle Pflege")
    programme = portfolio["a"].programme
    for letter in "ABC":
        factories.project(fkz=f"01HX77{letter}", summary=HEAT, programme=programme,
                          title=f"Hitzeschutz in Pflegeheimen, Teil {letter}", verbund=joint)
    for n in range(24):
        factories.project(title=f"Pflegeheim Nummer {n}", summary=HEAT.split(":")[0] + ".",
                          programme=programme)
    db.session.commit()
    indexing.drain_all()  # else the rebuild replays these writes, and the deleted copies
    indexing.rebuild()  # count towards the terms' document frequency (max_doc_freq)
    users.login(client, users.make("analyst"))
    token = users.csrf_token(client, "/analyse/pruefen")
    planned = {"title": "Hitzeschutz in Pflegeheimen", "summary": HEAT, "csrf_token": token,
               "ressort": "BMUKN"}
    text = client.post("/analyse/pruefen", data=planned).get_data(as_text=True)
    rows = text.count('class="candidate"')
    assert rows == 20, rows
    partners = sum(text.count(f"Hitzeschutz in Pflegeheimen, Teil {x}") for x in "ABC")
    assert partners == 3 and "2 weitere Teilvorhaben im Verbund" in text
    assert 'name="seiten" value="2"' in text  # "Weitere anzeigen"
    more = client.post("/analyse/pruefen", data={**planned, "seiten": "2"}).get_data(
        as_text=True)
    assert 26 <= more.count('class="candidate"') < 40  # 24 + the Verbund + portfolio["a"]
    assert 'name="seiten" value="3"' not in more


def test_scan_reasons_leave_out_terms_common_in_the_catalogue(app, portfolio):
    """A stock phrase of many records ("Zugriffsrechte werden festgelegt") is no reason."""
    stock = " Die Zugriffsrechte werden gemeinsam festgelegt."
    bmg, bmukn = portfolio["a"].programme, portfolio["b"].programme
    for n in range(6):
        factories.project(title=f"Verwaltungsvorhaben {n}", programme=bmg if n % 2 else bmukn,
                          summary=f"Ein Register für Baumkataster Nummer {n}." + stock)
    x = factories.project(title="Kühle Schulhöfe gegen Hitze", programme=bmg,
                          summary="Schulhöfe werden entsiegelt, begrünt und mit Sonnensegeln, "
                                  "Trinkbrunnen und Schattenbäumen gegen sommerliche Hitze "
                                  "ausgestattet." + stock)
    y = factories.project(title="Kühle Pausenhöfe gegen Hitze", programme=bmukn,
                          summary="Pausenhöfe und Schulhöfe werden entsiegelt, begrünt und "
                                  "bekommen Sonnensegel, Trinkbrunnen und Schattenbäume gegen "
                                  "sommerliche Hitze." + stock)
    db.session.commit()
    indexing.drain_all()
    result = app.test_cli_runner().invoke(args=["analysis", "overlaps"])
    assert result.exit_code == 0, result.output
    docs = sorted([f"project-{x.id}", f"project-{y.id}"])
    pair = OverlapPair.query.filter_by(a_doc=docs[0], b_doc=docs[1]).one()
    terms = pair.reasons["terms"]
    assert any(t.startswith("sonnensegel") for t in terms), terms
    assert not any(t.startswith(("zugriffsrecht", "festgelegt")) for t in terms), terms


def test_shared_terms_leave_out_what_most_records_say():
    """Unit level: however heavy a term weighs in both texts, one in more than 5 % of the
    catalogue (and at least 5 records) is not offered as a reason."""
    import numpy as np
    from scipy import sparse

    from search.overlap_scan import Corpus, shared_terms

    terms = ["festgelegt", "trinkbrunn", "sonnensegel"]
    docs = [{"id": n} for n in range(40)]
    rows = [[0.9, 0.3, 0.3]] * 2 + [[1.0, 0.0, 0.0]] * 38  # the stock term in every record
    matrix = sparse.csr_matrix(np.array(rows, dtype=np.float32))
    corpus = Corpus(docs=docs, profiles=[], ressorts=np.zeros(40), matrix=matrix, terms=terms,
                    doc_freq=np.array([40, 2, 2]))
    mine = {0: 0.9, 1: 0.3, 2: 0.3}
    assert shared_terms(corpus, mine, 1) == ["sonnensegel", "trinkbrunn"]


def test_ressort_matrix_counts_each_record_once_and_links_to_its_pairs(app, client, portfolio):
    """A record in two pairs of one cell adds its amount once; a cell opens its pairs."""
    from decimal import Decimal

    a, b = portfolio["a"], portfolio["b"]
    a.budget_eur, b.budget_eur = Decimal("100000"), Decimal("50000")
    records.save(a)
    records.save(b)
    third = factories.project(fkz="67KA0009", title="Pflegeheime im Hitzesommer",
                              summary=HEAT, programme=b.programme, budget_eur=Decimal("20000"),
                              topics=a.topics, municipalities=a.municipalities)
    db.session.commit()
    indexing.drain_all()
    result = app.test_cli_runner().invoke(args=["analysis", "overlaps"])
    assert result.exit_code == 0, result.output
    between = OverlapPair.query.filter(OverlapPair.a_ressort != OverlapPair.b_ressort).all()
    assert len(between) == 2 and all(f"project-{a.id}" in (p.a_doc, p.b_doc) for p in between)
    users.login(client, users.make("coordination"))
    page = client.get("/analyse/matrix").get_data(as_text=True)
    cell = page.split('<th scope="row">BMG</th>', 1)[1].split("</tr>", 1)[0]
    # a (100.000) once, b and the third project: 170.000, not 2 × 100.000 + 70.000
    assert '2 offen <span class="nowrap">(170.000,00 €)</span>' in cell, cell
    assert "/analyse/ueberschneidungen/?ressort=BMG&amp;gegen=BMUKN&amp;status=open" in cell
    listing = client.get("/analyse/ueberschneidungen/?ressort=BMG&gegen=BMUKN&status=open")
    text = listing.get_data(as_text=True)
    assert text.count("Bewerten<span") == 2 and "third" not in text
    assert f"{third.title}" in text


def test_ressort_matrix_counts_a_record_once_whichever_way_its_pairs_are_stored(app, client):
    from decimal import Decimal

    from zukunftsstadt.kinds import doc_id

    bmg = factories.programme(ressort=factories.ressort("BMG"))
    bmukn = factories.programme(ressort=factories.ressort("BMUKN"))
    x = factories.project(title="X", programme=bmg, budget_eur=Decimal("100000"))
    y = factories.project(title="Y", programme=bmukn, budget_eur=Decimal("20000"))
    z = factories.project(title="Z", programme=bmukn, budget_eur=Decimal("3000"))
    db.session.flush()
    for (first, r1), (second, r2) in (((x, "BMG"), (y, "BMUKN")), ((z, "BMUKN"), (x, "BMG"))):
        db.session.add(OverlapPair(
            a_doc=doc_id("project", first.id), b_doc=doc_id("project", second.id),
            a_ressort=r1, b_ressort=r2, a_title=first.title, b_title=second.title,
            volume_eur=0.0, score=0.7, level="hoch", status="open", reasons={}))
    db.session.commit()
    for role in ("coordination", "analyst"):  # summed in SQL, and per visible pair
        users.login(client, users.make(role))
        page = client.get("/analyse/matrix").get_data(as_text=True)
        cell = page.split('<th scope="row">BMG</th>', 1)[1].split("</tr>", 1)[0]
        assert '2 offen <span class="nowrap">(123.000,00 €)</span>' in cell, (role, cell)
