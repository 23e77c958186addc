"""Notifications about records: in the app, and by mail when an SMTP server is configured."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite

from .. import kinds
from ..extensions import db
from ..kinds import Kind
from ..models import Notification, User
from ..models.base import utcnow
from ..permissions import record_ressort
from . import mail


def title_of(record: Any) -> str:
    """A record as people name it: a project by acronym and title, not by its FKZ."""
    return getattr(record, "full_title", None) or str(record)


def notify_submitted(record: Any, actor: User) -> None:
    """Tell the Koordination that a record waits for review (in the submission's
    transaction)."""
    kind = kinds.of(record)
    ressort = record_ressort(record)
    message = (f"{actor.name} hat „{title_of(record)}“ ({kind.label}"
               f"{', ' + ressort if ressort else ''}) zur Prüfung eingereicht.")
    for user in db.session.scalars(select(User).where(
            User.role == "coordination", User.active.is_(True), User.id != actor.id)):
        tell(user, kind, record, message,
             f"submitted-{kinds.doc_id(kind.name, record.id)}-{record.version}")


def add_once(user: User, key: str, link: str, message: str) -> bool:
    """Store a notification unless `user` has one with `key` (unique in the database, so two
    workers checking the same save notify once); True if it was stored."""
    table = Notification.__table__
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).values(
        user_id=user.id, key=key[:120], link=link[:300], message=message, read=False,
        created_at=utcnow()).on_conflict_do_nothing(
        index_elements=[table.c.user_id, table.c.key], index_where=text("key != ''")
    ).returning(table.c.id)
    return db.session.execute(statement).first() is not None


def tell(user: User | None, kind: Kind, record: Any, message: str, key: str) -> None:
    """One notification with a link to the record (and a mail when mail is configured);
    `key` keeps it from being sent twice."""
    if user is None or not user.active:
        return
    if not add_once(user, key, kinds.page_of(kind, record.id), message):
        return
    if mail.enabled():
        mail.send(user.email, "Zukunftsstadt: Eingang der Koordination",
                  f"Guten Tag {user.name},\n\n{message}\n\n"
                  f"Eintrag: {kinds.page_of(kind, record.id, external=True)}\n")

