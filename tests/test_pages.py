"""The public pages: lists, details, links, visibility, headers, German errors."""

from __future__ import annotations

from zukunftsstadt.extensions import db

from . import factories


def test_start_page_counts_only_public_records(client):
    factories.project(title="Öffentliches Vorhaben")
    factories.project(title="Entwurf eines Vorhabens", publication_status="draft")
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "<strong>1</strong> Vorhaben" in page
    assert "<strong>2</strong> Förderprogramme" in page


def test_empty_catalogue_says_what_to_do(client):
    page = client.get("/").get_data(as_text=True)
    assert "Der Katalog ist noch leer" in page
    assert "make run" in page


def test_project_list_paginates_and_links_to_details(client, app):
    programme = factories.programme(title="Kommunen innovativ")
    for n in range(app.config["PAGE_SIZE"] + 3):
        factories.project(title=f"Vorhaben {n:02d}", programme=programme)
    db.session.commit()
    first = client.get("/vorhaben/?sort=titel").get_data(as_text=True)
    assert "Seite 1 von 2" in first
    assert "Vorhaben 00" in first and "Vorhaben 22" not in first
    second = client.get("/vorhaben/?sort=titel&page=2").get_data(as_text=True)
    assert "Vorhaben 22" in second and 'href="/vorhaben/?sort=titel&amp;page=1"' in second


def test_project_detail_links_programme_partners_and_labs(client):
    programme = factories.programme(title="Stadt-Land-Plus")
    lead = factories.project(fkz="033L201A", title="Verbund Teil A", programme=programme)
    partner = factories.project(fkz="033L201B", title="Verbund Teil B", programme=programme)
    from zukunftsstadt.models import Verbund

    verbund = Verbund(stem="033L201", title="Verbundprojekt Regionale Kreisläufe")
    lead.verbund = partner.verbund = verbund
    lab = factories.lab(name="Reallabor Kreislaufquartier", projects=[lead])
    db.session.commit()
    page = client.get(f"/vorhaben/{lead.id}").get_data(as_text=True)
    assert f'href="/programme/{programme.id}"' in page
    assert f'href="/vorhaben/{partner.id}"' in page
    assert f'href="/reallabore/{lab.id}"' in page
    assert "Verbundprojekt Regionale Kreisläufe" in page
    assert "Dresden (Sachsen, Großstadt)" in page
    assert "250.000,50 €" in page


def test_project_shows_ressort_at_funding_beside_todays(client):
    bmbf = factories.ressort("BMBF")
    bmftr = factories.ressort("BMFTR")
    programme = factories.programme(ressort=bmftr, ressort_at_funding=bmbf)
    project = factories.project(programme=programme, ressort_at_funding=bmbf)
    db.session.commit()
    page = client.get(f"/vorhaben/{project.id}").get_data(as_text=True)
    assert "Ressort heute</dt><dd>Bundesministerium BMFTR (BMFTR)" in page
    assert "Ressort zur Zeit der Förderung</dt><dd>Bundesministerium BMBF (BMBF)" in page


def test_drafts_and_confidential_programmes_are_not_public(client):
    draft = factories.project(publication_status="draft")
    secret = factories.programme(title="Geplantes Geheimprogramm", confidential=True,
                                 status="planned")
    hidden = factories.project(title="Vorhaben im Geheimprogramm", programme=secret)
    db.session.commit()
    assert client.get(f"/vorhaben/{draft.id}").status_code == 404
    assert client.get(f"/programme/{secret.id}").status_code == 404
    assert client.get(f"/vorhaben/{hidden.id}").status_code == 404
    listing = client.get("/programme/").get_data(as_text=True)
    assert "Geheimprogramm" not in listing
    assert "Geheimprogramm" not in client.get("/vorhaben/").get_data(as_text=True)


def test_priorities_show_tree_counts_and_gaps(client):
    parent = factories.priority(title="Klimaresiliente Stadt")
    child = factories.priority(title="Hitzevorsorge", parent=parent)
    gap = factories.priority(title="Kühle Orte", parent=parent)
    factories.project(research_priorities=[child])
    db.session.commit()
    listing = client.get("/schwerpunkte/").get_data(as_text=True)
    assert "Hitzevorsorge</a>\n  <span class=\"count\">1 Vorhaben" in listing
    assert "Kühle Orte</a>\n  <span class=\"count\">0 Vorhaben" in listing
    detail = client.get(f"/schwerpunkte/{gap.id}").get_data(as_text=True)
    assert "eine Förderlücke" in detail


def test_lists_sort_and_filter(client):
    a = factories.ressort("BMWSB")
    factories.programme(title="Zukunft Bau", ressort=a, budget_eur=5)
    factories.programme(title="Alpha Stadt", budget_eur=900)
    db.session.commit()
    by_title = client.get("/programme/?sort=titel").get_data(as_text=True)
    assert by_title.index("Alpha Stadt") < by_title.index("Zukunft Bau")
    by_budget = client.get("/programme/?sort=budget").get_data(as_text=True)
    assert by_budget.index("Alpha Stadt") < by_budget.index("Zukunft Bau")
    filtered = client.get("/programme/?ressort=BMWSB").get_data(as_text=True)
    assert "Zukunft Bau" in filtered and "Alpha Stadt" not in filtered
    assert client.get("/programme/?sort=%27;DROP&page=-4").status_code == 200


def test_unknown_page_is_a_german_404(client):
    response = client.get("/gibt-es-nicht")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.get_data(as_text=True)


def test_security_headers_on_html(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_markup_in_records_is_escaped(client):
    project = factories.project(title='<script>alert(1)</script>',
                                summary='"><img src=x onerror=alert(1)> {{7*7}}')
    db.session.commit()
    page = client.get(f"/vorhaben/{project.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "{{7*7}}" in page


def test_headers_on_every_html_page_for_visitors_and_signed_in_users(app, client):
    from . import users

    project = factories.project()
    db.session.commit()
    boss = users.make("coordination")
    signed_in = app.test_client()
    users.login(signed_in, boss)
    pages = ["/", "/programme/", "/vorhaben/", f"/vorhaben/{project.id}", "/reallabore/",
             "/schwerpunkte/", "/search?q=x", "/login", "/nicht-da"]
    internal = ["/vorhaben/neu", f"/vorhaben/{project.id}/bearbeiten",
                f"/vorhaben/{project.id}/verlauf", "/papierkorb", "/konten/",
                "/organisationen/", "/konto/passwort"]
    for browser, urls in [(client, pages), (signed_in, pages + internal)]:
        for url in urls:
            response = browser.get(url)
            assert response.status_code < 500, url
            headers = response.headers
            assert "script-src 'self'" in headers["Content-Security-Policy"], url
            assert headers["X-Content-Type-Options"] == "nosniff"
            assert headers["Referrer-Policy"] == "same-origin"
            if browser is signed_in:
                assert headers["Cache-Control"] == "no-store", url
            assert "Traceback" not in response.get_data(as_text=True)


def test_session_cookie_flags_outside_development():
    from zukunftsstadt import create_app

    production = create_app("production", {"SECRET_KEY": "x" * 32,
                                           "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    cookie = production.test_client().get("/login").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_account_links_are_separate_words_for_every_role(app):
    """The links of the account bar read "Import Tabellen-Import", not "ImportTabellen-Import"."""
    import re

    from . import users

    for role, ressorts in (("coordination", ()), ("editor", ("BMWSB",)), ("analyst", ())):
        client = app.test_client()
        users.login(client, users.make(role, *ressorts))
        page = client.get("/").get_data(as_text=True)
        bar = page.split('<div class="account">', 1)[1].split("</div>", 1)[0]
        assert not re.search(r"</a>(<span[^>]*>)?<a", bar), role
