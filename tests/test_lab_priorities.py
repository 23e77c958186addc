"""Reallabore carry research-priority tags everywhere projects do: the edit form, the JSON
API (read and write) and the spreadsheet columns (issue 11 §3: coverage counts Reallabore)."""

from __future__ import annotations

import pytest

from zukunftsstadt import rate_limits
from zukunftsstadt.extensions import db
from zukunftsstadt.models import AuditEvent, RealWorldLab, ResearchPriority

from . import factories, users
from .api_clients import TokenClient, token_for


@pytest.fixture
def lab(app) -> RealWorldLab:
    rate_limits.reset()
    factories.priority(key="hitze", title="Hitzevorsorge im Quartier")
    found = factories.lab(name="Reallabor Kühle Straße", ressort=factories.ressort("BMWSB"),
                          description="Schatten und Trinkbrunnen in einer Straße.")
    db.session.commit()
    return found


def _priority_id() -> int:
    return ResearchPriority.query.filter_by(key="hitze").one().id


def test_the_lab_form_tags_research_priorities_with_history(client, lab):
    users.login(client, users.make("editor", "BMWSB"))
    url = f"/reallabore/{lab.id}/bearbeiten"
    page = client.get(url).get_data(as_text=True)
    assert "Forschungsschwerpunkte" in page and "Hitzevorsorge im Quartier" in page
    data = users.form_data(client, url)
    data["research_priorities"] = [str(_priority_id())]
    assert client.post(url, data=data).status_code == 302
    db.session.expire_all()
    assert [p.key for p in db.session.get(RealWorldLab, lab.id).research_priorities] == ["hitze"]
    event = AuditEvent.query.filter_by(entity=RealWorldLab.__tablename__, entity_id=lab.id,
                                       action="update").one()
    assert event.changes["research_priorities"] == [[], ["Hitzevorsorge im Quartier"]]
    history = client.get(f"/reallabore/{lab.id}/verlauf").get_data(as_text=True)
    assert "Forschungsschwerpunkte" in history and "Hitzevorsorge im Quartier" in history
    assert "[&#39;" not in history and "['" not in history


def test_the_api_reads_and_writes_lab_priorities(app, lab):
    editor = TokenClient(app, token_for(users.make("editor", "BMWSB")))
    url = f"/api/v1/real-world-labs/{lab.id}"
    changed = editor.patch(url, json={"version": lab.version,
                                      "research_priorities": [_priority_id()]})
    assert changed.status_code == 200, changed.get_json()
    assert [p["title"] for p in changed.get_json()["research_priorities"]] == [
        "Hitzevorsorge im Quartier"]
    assert editor.get(url).get_json()["research_priorities"][0]["id"] == _priority_id()


def test_the_lab_spreadsheet_has_a_priority_column(client, lab):
    lab.research_priorities = [db.session.get(ResearchPriority, _priority_id())]
    db.session.commit()
    users.login(client, users.make("coordination"))
    text = client.get("/reallabore/export.csv").get_data(as_text=True)
    header, row = text.splitlines()[:2]
    assert "Forschungsschwerpunkte (Schlüssel)" in header and "hitze" in row
