"""A query with very few hits (an acronym, a rare word) also lists the records most like them,
after the hits and marked as partial: the related work that never uses the acronym."""

from __future__ import annotations

from zukunftsstadt.extensions import db
from zukunftsstadt.services import indexing

from . import factories

NURSING = ("Akademisch qualifizierte Pflegefachpersonen besuchen hochbetagte Patientinnen und "
           "Patienten zu Hause, weil Hausarztsitze in den Dörfern unbesetzt sind.")


def test_few_hits_are_followed_by_the_records_like_them(client):
    chn = factories.project(title="Community Health Nursing im Vogelsberg", acronym="CHN",
                            summary=NURSING)
    sister = factories.project(title="Gemeindeschwester plus", summary=(
        "Weitergebildete Pflegefachkräfte besuchen Hochbetagte in den Dörfern zu Hause und "
        "halten Kontakt zu den Hausarztpraxen, deren Sitze unbesetzt sind."))
    factories.project(title="Radwege zur Schule", summary="Sichere Radwege für Kinder.")
    db.session.commit()
    indexing.rebuild()
    indexing.refresh()
    body = client.get("/api/v1/search", query_string={"q": "CHN"}).get_json()
    hits = [(h["id"], h["all_terms"]) for h in body["hits"]]
    assert hits == [(str(chn.id), True), (str(sister.id), False)]
    assert body["partial"] is True
    page = client.get("/search", query_string={"q": "CHN"}).get_data(as_text=True)
    assert "Gemeindeschwester plus" in page and "nicht alle Begriffe" in page
