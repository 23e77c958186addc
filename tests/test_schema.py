"""The schema: migrations both ways, and constraints enforced by the database itself."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from zukunftsstadt.extensions import db
from zukunftsstadt.models import Municipality, Programme, Project, Ressort, State


def test_downgrade_to_base_and_upgrade_again(app):
    db.session.remove()
    downgrade(revision="base")
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade()
    tables = set(inspect(db.engine).get_table_names())
    assert {"project", "programme", "real_world_lab", "search_outbox", "ressort"} <= tables


def _ressort() -> Ressort:
    ressort = Ressort(code="BMFTR", name="Bundesministerium für Forschung")
    db.session.add(ressort)
    db.session.flush()
    return ressort


def _insert_fails(record: object) -> None:
    db.session.add(record)
    with pytest.raises((IntegrityError, DataError)):  # PostgreSQL refuses overlong values early
        db.session.flush()
    db.session.rollback()


def test_fkz_is_unique():
    db.session.add(Project(fkz="03SF0712A", title="Erstes Vorhaben", version=1))
    db.session.commit()
    _insert_fails(Project(fkz="03SF0712A", title="Zweites Vorhaben", version=1))


@pytest.mark.parametrize("ags", ["1100000", "110000000", "11A00000", "ABCDEFGH"])
def test_ags_must_be_eight_digits(ags):
    state = State(code="BE", name="Berlin")
    db.session.add(state)
    db.session.commit()
    _insert_fails(Municipality(ags=ags, name="Berlin", state_id=state.id, city_type="Großstadt"))


def test_eight_digit_ags_is_accepted():
    state = State(code="BE", name="Berlin")
    db.session.add(state)
    db.session.flush()
    db.session.add(Municipality(ags="11000000", name="Berlin", state=state,
                                city_type="Großstadt"))
    db.session.commit()
    assert db.session.scalar(text("SELECT count(*) FROM municipality")) == 1


def test_end_date_not_before_start_date():
    _insert_fails(Project(fkz="X1", title="t", version=1, start_date=date(2024, 5, 1),
                          end_date=date(2024, 4, 30)))


def test_amounts_not_negative():
    ressort = _ressort()
    _insert_fails(Programme(key="p", title="t", ressort_id=ressort.id, kind="Wettbewerb",
                            status="open", budget_eur=Decimal("-1"), version=1))
    _insert_fails(Project(fkz="X2", title="t", version=1, budget_eur=Decimal("-0.01")))


def test_status_outside_the_list_is_rejected():
    _insert_fails(Project(fkz="X3", title="t", version=1, publication_status="geheim"))


def test_version_counts_up_and_stale_writes_fail():
    project = Project(fkz="03SF0001", title="Alt")
    db.session.add(project)
    db.session.commit()
    assert project.version == 1
    project.title = "Neu"
    db.session.commit()
    assert project.version == 2
    # Another writer changes the row behind this session's back.
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE project SET version = 3, title = 'Fremd' WHERE id = :id"),
                     {"id": project.id})
    project.title = "Meins"
    with pytest.raises(StaleDataError):
        db.session.commit()
    db.session.rollback()
