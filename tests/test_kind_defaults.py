"""The generic defaults of a record kind (`kind_fields`) agree with the hand-written
definitions where both exist, so a new kind gets what the others have."""

from __future__ import annotations

from zukunftsstadt import kind_fields, kinds
from zukunftsstadt.api import schemas
from zukunftsstadt.services import dataset, dataset_export, record_columns

from .conftest import DEMO_FILE


def test_fields_are_read_from_the_form():
    fields = {f.name: f for f in kind_fields.of(kinds.PROGRAMME)}
    assert fields["title"].required and fields["title"].limit == 500
    assert fields["ressort_id"].type == "ref" and fields["ressort_id"].attr == "ressort"
    assert fields["status"].choices[0] == ("planned", "geplant")
    assert [fields[n].type for n in ("budget_eur", "start_date", "confidential")] == [
        "amount", "date", "bool"]
    assert kind_fields.title_attr(kinds.LAB) == "name"


def test_generic_file_sections_equal_the_hand_written_ones(app):
    dataset.load_file(DEMO_FILE, demo=True)
    written = dataset_export.dump()
    for kind in (kinds.ORGANISATION, kinds.PRIORITY):
        generic = list(dataset_export._records(kind))
        assert generic and sorted(generic, key=lambda r: r["key"]) == sorted(
            written[kind.section], key=lambda r: r["key"])


def test_generic_schemas_and_columns_agree_with_the_hand_written_ones():
    for kind in (kinds.ORGANISATION, kinds.PRIORITY):
        generic = schemas._output(kind)["properties"]
        assert set(generic) - {"parent"} <= set(schemas.OUTPUT[kind.schema]["properties"])
        inputs = {f.name: schemas._input(f) for f in kind_fields.of(kind)}
        assert set(inputs) == set(schemas.INPUT[kind.name])
    table = record_columns.generic_table(kinds.ORGANISATION)
    own = record_columns.TABLES["organisation"]
    assert [(c.name, c.type) for c in table.columns] == [(c.name, c.type) for c in own.columns]
