"""The list pages filter as the API lists do: Ressort, Land, programme, status and text."""

from __future__ import annotations

from zukunftsstadt.extensions import db

from . import factories, users


def _catalogue():
    bmwsb, bmftr = factories.ressort("BMWSB"), factories.ressort("BMFTR")
    leipzig = factories.municipality("14713000", "Leipzig")
    from zukunftsstadt.models import Municipality, State

    bavaria = State(code="BY", name="Bayern")
    munich = Municipality(ags="09162000", name="München", state=bavaria, city_type="Großstadt",
                          population=1500000)
    db.session.add(munich)
    green = factories.programme(title="Stadtgrün fördern", ressort=bmwsb)
    water = factories.programme(title="Wasser in der Stadt", ressort=bmftr)
    factories.project(title="Schattige Höfe in Leipzig", programme=green,
                      municipalities=[leipzig])
    factories.project(title="Schwammstadt München", programme=water, municipalities=[munich])
    factories.project(title="Entwurf Dachgärten", programme=green, municipalities=[leipzig],
                      publication_status="draft")
    factories.lab(name="Reallabor Kühle Höfe", ressort=bmwsb, municipalities=[leipzig])
    factories.lab(name="Reallabor Regenwasser", ressort=bmftr, municipalities=[munich])
    db.session.commit()
    return green, water


def _titles(client, url: str) -> set[str]:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    page = response.get_data(as_text=True)
    names = ["Schattige Höfe in Leipzig", "Schwammstadt München", "Entwurf Dachgärten",
             "Reallabor Kühle Höfe", "Reallabor Regenwasser", "Stadtgrün fördern",
             "Wasser in der Stadt"]
    return {n for n in names if n in page}


def test_project_list_filters_by_ressort_land_programme_and_text(app, client):
    _, water = _catalogue()
    both = {"Schattige Höfe in Leipzig", "Schwammstadt München"}
    assert _titles(client, "/vorhaben/") >= both
    assert "Entwurf Dachgärten" not in _titles(client, "/vorhaben/?publication_status=draft")
    assert _titles(client, "/vorhaben/?ressort=BMWSB") & both == {"Schattige Höfe in Leipzig"}
    assert _titles(client, "/vorhaben/?state=BY") & both == {"Schwammstadt München"}
    assert (_titles(client, f"/vorhaben/?programme_id={water.id}") & both
            == {"Schwammstadt München"})
    assert _titles(client, "/vorhaben/?q=schwamm") & both == {"Schwammstadt München"}
    # values the page cannot use are no filter, never an error
    assert _titles(client, "/vorhaben/?programme_id=abc&state=%00") >= both
    page = client.get("/vorhaben/?q=nichtvorhanden").get_data(as_text=True)
    assert "Keine Vorhaben passen zu den Filtern" in page


def test_signed_in_readers_filter_by_status(app, client):
    _catalogue()
    users.login(client, users.make("coordination"))
    drafts = _titles(client, "/vorhaben/?publication_status=draft")
    assert "Entwurf Dachgärten" in drafts and "Schwammstadt München" not in drafts


def test_lab_and_programme_lists_filter_too(app, client):
    _catalogue()
    labs = {"Reallabor Kühle Höfe", "Reallabor Regenwasser"}
    assert _titles(client, "/reallabore/?state=SN") & labs == {"Reallabor Kühle Höfe"}
    assert _titles(client, "/reallabore/?ressort=BMFTR") & labs == {"Reallabor Regenwasser"}
    assert _titles(client, "/reallabore/?q=k%C3%BChle") & labs == {"Reallabor Kühle Höfe"}
    programmes = {"Stadtgrün fördern", "Wasser in der Stadt"}
    assert _titles(client, "/programme/?q=wasser") & programmes == {"Wasser in der Stadt"}
    assert _titles(client, "/programme/?ressort=BMWSB") & programmes == {"Stadtgrün fördern"}


def test_priorities_and_organisations_filter_by_text_status_and_kind(client):
    heat = factories.priority(title="Hitzevorsorge in Städten")
    factories.priority(title="Hitzeschutz im Quartier", parent=heat)
    factories.priority(title="Wasser in der Stadt")
    factories.priority(title="Entwurf Hitzekarten", publication_status="draft")
    from zukunftsstadt.models import Organisation

    db.session.add_all([
        Organisation(key="tu", name="Technische Universität Dresden", kind="Hochschule",
                     publication_status="published"),
        Organisation(key="verein", name="Hitzeschutz e. V.", kind="Verein/Verband",
                     publication_status="published")])
    db.session.commit()

    def shown(url: str, names: list[str]) -> set[str]:
        page = client.get(url).get_data(as_text=True)
        return {n for n in names if f">{n}<" in page}

    priorities = ["Hitzevorsorge in Städten", "Hitzeschutz im Quartier", "Wasser in der Stadt",
                  "Entwurf Hitzekarten"]
    assert shown("/schwerpunkte/?q=hitze", priorities) == {
        "Hitzevorsorge in Städten", "Hitzeschutz im Quartier"}  # a sub-priority too
    users.login(client, users.make("coordination"))
    assert shown("/schwerpunkte/?q=hitze&publication_status=draft", priorities) == {
        "Entwurf Hitzekarten"}
    assert "Filter zurücksetzen" in client.get("/schwerpunkte/?q=hitze").get_data(as_text=True)
    organisations = ["Technische Universität Dresden", "Hitzeschutz e. V."]
    assert shown("/organisationen/?kind=Hochschule", organisations) == {
        "Technische Universität Dresden"}
    assert shown("/organisationen/?q=hitze", organisations) == {"Hitzeschutz e. V."}
    assert shown("/organisationen/?kind=Geheimdienst", organisations) == set(organisations)
