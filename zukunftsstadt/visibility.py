"""Which records a visitor may see. Anonymous visitors see published, non-confidential records.

(Accounts and roles widen this later; every view asks here, never decides itself.)
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select

from .models import Programme, Project, RealWorldLab, ResearchPriority


def programmes() -> Select:
    return select(Programme).where(
        Programme.publication_status == "published", Programme.confidential.is_(False)
    )


def projects() -> Select:
    return (
        select(Project)
        .outerjoin(Project.programme)
        .where(
            Project.publication_status == "published",
            or_(Project.programme_id.is_(None), Programme.confidential.is_(False)),
        )
    )


def labs() -> Select:
    return select(RealWorldLab).where(RealWorldLab.publication_status == "published")


def priorities() -> Select:
    return select(ResearchPriority).where(ResearchPriority.publication_status == "published")


def visible(record: object) -> bool:
    return bool(getattr(record, "is_public", False))
