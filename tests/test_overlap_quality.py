"""Overlap detection on a labelled set: planted cross-Ressort overlaps written in other words,
and decoys that only share vocabulary, among the demo catalogue (issue targets: recall of
planted overlaps in the top 5 at least 0.9, precision of "hoch" at least 0.8)."""

from __future__ import annotations

import pytest

from .overlap_eval import CASES, evaluate, load_cases


@pytest.fixture(scope="module")
def cases(demo_catalogue):
    return load_cases()


def test_recall_and_precision_meet_the_targets(cases):
    quality = evaluate(cases)
    print(f"recall@5 {quality.recall:.2f} ({quality.found_in_top5}/{quality.planted}), "
          f"precision(hoch) {quality.precision:.2f} ({quality.high_correct}/"
          f"{quality.high_flags}); misses {quality.misses}; false hoch {quality.false_high}")
    assert quality.recall >= 0.9, quality.misses
    assert quality.precision >= 0.8, quality.false_high


def test_the_labelled_set_is_complete():
    import json

    data = json.loads(CASES.read_text(encoding="utf-8"))
    assert len(data["planted"]) >= 20 and len(data["decoys"]) >= 20
