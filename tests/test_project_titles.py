"""An acronym is shown once before the title, also when the title already starts with it
(Förderkatalog titles often do: "HitzePflegeMA: Hitzeschutz …")."""

from __future__ import annotations

from zukunftsstadt.extensions import db

from . import factories


def test_the_acronym_is_not_doubled_on_pages(client):
    doubled = factories.project(acronym="HitzePflegeMA",
                                title="HitzePflegeMA: Hitzeschutz in Pflegeheimen")
    plain = factories.project(acronym="KLIQ", title="Klima im Quartier")
    db.session.commit()
    page = client.get(f"/vorhaben/{doubled.id}").get_data(as_text=True)
    assert "HitzePflegeMA: HitzePflegeMA" not in page
    assert "<h1>HitzePflegeMA: Hitzeschutz in Pflegeheimen</h1>" in page
    assert "<h1>KLIQ: Klima im Quartier</h1>" in client.get(
        f"/vorhaben/{plain.id}").get_data(as_text=True)
    listing = client.get("/vorhaben/").get_data(as_text=True)
    assert "HitzePflegeMA: HitzePflegeMA" not in listing and "KLIQ: Klima im Quartier" in listing


def test_a_verbund_title_that_names_the_acronym_is_shown_as_it_is(client):
    partner = factories.project(
        acronym="AbwärmeRZ", title="Verbundvorhaben AbwärmeRZ: Abwärme aus Rechenzentren")
    db.session.commit()
    assert partner.full_title == "Verbundvorhaben AbwärmeRZ: Abwärme aus Rechenzentren"
    listing = client.get("/vorhaben/").get_data(as_text=True)
    assert "AbwärmeRZ: Verbundvorhaben" not in listing
