"""The held-out evaluation set, measured through the JSON API on data nobody tuned on (the
weights were tuned on the development set only).

Each metric must reach the issue's target, or, where the target does not hold yet, at least
what was measured when the set was introduced (`FLOORS`, `CEILINGS` in tests/quality.py), so
a change that makes the analysis worse on unseen data fails here.
"""

from __future__ import annotations

import pytest

from .quality import CEILINGS, FLOORS, SETS, drop, evaluate, load_set, make_app


@pytest.fixture(scope="module")
def heldout(search_url):
    app = make_app("heldout")
    try:
        report = evaluate(app, load_set(SETS["heldout"]), "heldout")
    finally:
        drop(app)
    print("\n".join(report.lines()))
    return report


@pytest.mark.parametrize("metric", sorted(FLOORS))
def test_heldout_metric_holds_its_floor(heldout, metric):
    assert heldout.metrics[metric] >= FLOORS[metric], heldout.lines()


@pytest.mark.parametrize("metric", sorted(CEILINGS))
def test_misjudged_priorities_do_not_increase(heldout, metric):
    assert heldout.metrics[metric] <= CEILINGS[metric], heldout.details
