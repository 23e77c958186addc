"""The Koordination's review queue: what was submitted, of every kind, and the decisions on it."""

from __future__ import annotations

from zukunftsstadt.extensions import db
from zukunftsstadt.models import Notification, Project, RealWorldLab

from . import factories, users

QUEUE = "/koordination/eingang"


def _submit(client, url: str) -> None:
    token = users.csrf_token(client, url)
    response = client.post(f"{url}/status", data={"csrf_token": token, "target": "submitted"})
    assert response.status_code == 302, response.status_code


def _setup(app):
    ressort = factories.ressort("BMWSB")
    programme = factories.programme(title="Programm Stadtgrün", ressort=ressort)
    project = factories.project(title="Schattenplätze für Pflegeheime", programme=programme,
                                publication_status="draft")
    lab = factories.lab(name="Reallabor Kühle Höfe", ressort=ressort,
                        publication_status="draft")
    db.session.commit()
    editor = users.make("editor", "BMWSB")
    coordination = users.make("coordination")
    editor_client = app.test_client()
    users.login(editor_client, editor)
    _submit(editor_client, f"/vorhaben/{project.id}")
    _submit(editor_client, f"/reallabore/{lab.id}")
    return project, lab, editor, coordination, editor_client


def test_only_the_koordination_sees_the_queue(app, client):
    _, _, _, coordination, editor_client = _setup(app)
    assert editor_client.get(QUEUE).status_code == 403
    assert client.get(QUEUE).status_code == 302  # to the login page
    users.login(client, coordination)
    assert client.get(QUEUE).status_code == 200


def test_queue_lists_submitted_records_of_every_kind_oldest_first(app, client):
    project, lab, editor, coordination, _ = _setup(app)
    users.login(client, coordination)
    page = client.get(QUEUE).get_data(as_text=True)
    assert page.index("Schattenplätze für Pflegeheime") < page.index("Reallabor Kühle Höfe")
    assert "Vorhaben" in page and "Reallabor" in page and "BMWSB" in page
    assert editor.name in page  # who submitted
    assert f'href="/vorhaben/{project.id}"' in page and f'href="/reallabore/{lab.id}"' in page


def test_submitting_notifies_the_koordination(app):
    project, _, _, coordination, _ = _setup(app)
    notes = db.session.scalars(db.select(Notification).where(
        Notification.user_id == coordination.id)).all()
    texts = " ".join(n.message for n in notes)
    assert "Schattenplätze für Pflegeheime" in texts and "eingereicht" in texts
    assert any(n.link == f"/vorhaben/{project.id}" for n in notes)


def test_publish_in_bulk_and_return_with_a_comment(app, client):
    project, lab, editor, coordination, _ = _setup(app)
    users.login(client, coordination)
    token = users.csrf_token(client, QUEUE)
    refused = client.post(QUEUE, data={"csrf_token": token, "action": "return",
                                       "selected": [f"lab:{lab.id}"], "comment": "  "})
    assert refused.status_code == 422
    assert "Bitte begründen Sie" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RealWorldLab, lab.id).publication_status == "submitted"

    returned = client.post(QUEUE, data={"csrf_token": token, "action": "return",
                                        "selected": [f"lab:{lab.id}"],
                                        "comment": "Bitte die Kommunen ergänzen.\x00"})
    assert returned.status_code == 302
    db.session.expire_all()
    assert db.session.get(RealWorldLab, lab.id).publication_status == "draft"
    note = db.session.scalars(db.select(Notification).where(
        Notification.user_id == editor.id)).all()
    assert any("Bitte die Kommunen ergänzen." in n.message and "Kühle Höfe" in n.message
               for n in note)
    history = client.get(f"/reallabore/{lab.id}/verlauf").get_data(as_text=True)
    assert "Bitte die Kommunen ergänzen." in history

    published = client.post(QUEUE, data={"csrf_token": token, "action": "publish",
                                         "selected": [f"project:{project.id}"]})
    assert published.status_code == 302
    db.session.expire_all()
    assert db.session.get(Project, project.id).publication_status == "published"
    page = client.get(QUEUE).get_data(as_text=True)
    assert "Keine eingereichten Einträge" in page


def test_a_record_no_longer_submitted_is_skipped_with_a_notice(app, client):
    project, _, _, coordination, editor_client = _setup(app)
    token = users.csrf_token(editor_client, f"/vorhaben/{project.id}")
    editor_client.post(f"/vorhaben/{project.id}/status",
                       data={"csrf_token": token, "target": "draft"})
    users.login(client, coordination)
    token = users.csrf_token(client, QUEUE)
    response = client.post(QUEUE, data={"csrf_token": token, "action": "publish",
                                        "selected": [f"project:{project.id}", "project:x",
                                                     "report:1"]}, follow_redirects=True)
    assert response.status_code == 200
    assert "nicht mehr eingereicht" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Project, project.id).publication_status == "draft"


def test_a_notification_is_stored_once_per_user_and_key(app):
    """Two workers that check the same save must not notify twice: the key is unique per
    user, in the database."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from zukunftsstadt.services import notices

    user = users.make("coordination")
    assert notices.add_once(user, "alert-project-1-project-2", "/vorhaben/1", "Hohe …")
    assert not notices.add_once(user, "alert-project-1-project-2", "/vorhaben/1", "Hohe …")
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 1
    db.session.add(Notification(user_id=user.id, key="alert-project-1-project-2",
                                link="/", message="zweiter Worker"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_many_notifications_in_a_row_are_stored(app):
    """PostgreSQL plans a statement prepared five times generically: the conflict target's
    index predicate must then still name the partial unique index (it was a bound parameter,
    and the sixth alert of a worker failed; found by bench/cluster.py)."""
    from zukunftsstadt.services import notices

    user = users.make("coordination")
    for n in range(12):
        assert notices.add_once(user, f"alert-project-{n}-project-99", "/vorhaben/1", "Hohe …")
        assert not notices.add_once(user, f"alert-project-{n}-project-99", "/", "doppelt")
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count()).select_from(Notification)) == 12
