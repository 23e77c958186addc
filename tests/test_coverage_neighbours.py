"""The neighbours' share of the priority coverage (search/coverage.py, step 6): records of
one programme or topic, and a Reallabor with its projects, mostly serve the same priorities,
so a record that says little by text itself counts where its neighbours clearly match."""

from __future__ import annotations

from dataclasses import replace

from search.coverage import Match, Thresholds, cut

HEAT, WATER = 1, 2
WORDS = ["Hitze", "Pflegeheim", "Kühlraum"]


def _direct(*ids: int) -> list[Match]:
    return [Match("project", i, "BMG", 0.5, WORDS) for i in ids]


def _widened(scores: dict[int, float], groups: dict[int, tuple[str, ...]]) -> list[Match]:
    return [Match("project", i, "BMG", s, groups=groups[i]) for i, s in scores.items()]


GROUPS = {1: ("programme:hitze", "topic:gesundheit"), 2: ("programme:hitze",),
          3: ("programme:hitze",), 4: ("programme:wasser",), 5: ("programme:wasser",)}
SIZES = {"programme:hitze": 3, "programme:wasser": 2, "topic:gesundheit": 1}
RAW = {HEAT: _direct(1, 2, 3, 4), WATER: _direct(5)}
EXPANDED = {HEAT: _widened({1: 0.9, 2: 0.8, 3: 0.2, 4: 0.2}, GROUPS),
            WATER: _widened({5: 1.0}, GROUPS)}


def _found(t: Thresholds) -> dict[int, set[int]]:
    return {p: {m.id for m in ms} for p, ms in cut(RAW, t, EXPANDED, SIZES).items()}


def test_a_weak_match_counts_when_its_programme_matches_the_priority_clearly():
    found = _found(Thresholds())
    assert 3 in found[HEAT]  # 0.2 of its own + 0.5 x the mean of 0.9 and 0.8
    assert 4 not in found[HEAT]  # its programme's other record does not match heat
    assert found[WATER] == {5}


def test_without_the_neighbours_weak_matches_count_by_their_own_score_only():
    alone = replace(Thresholds(), programme_weight=0.0, topic_weight=0.0, link_weight=0.0)
    assert _found(alone)[HEAT] == {1, 2, 3, 4}  # every widened match above 0.15
    assert _found(replace(alone, expanded_relative=0.25))[HEAT] == {1, 2}


def test_neighbours_raise_only_priorities_a_record_matches_by_text_itself():
    found = _found(Thresholds())
    assert 5 not in found[HEAT] and not {1, 2, 3, 4} & found[WATER]


def test_a_reallabor_counts_where_its_linked_project_matches_clearly():
    # Lab 7 says little about heat itself; its project 6 is a clear heat project.
    raw = {HEAT: [*_direct(6), Match("lab", 7, "BMG", 0.5, WORDS)]}
    links = {("project", 6): ("link:7",), ("lab", 7): ("link:7",)}

    def found(t: Thresholds) -> set[tuple[str, int]]:
        expanded = {HEAT: [Match("project", 6, "BMG", 1.0, groups=links["project", 6]),
                           Match("lab", 7, "BMG", 0.2, groups=links["lab", 7])]}
        return {(m.kind, m.id) for m in cut(raw, t, expanded, {"link:7": 2})[HEAT]}

    assert found(Thresholds()) == {("project", 6), ("lab", 7)}  # 0.2 + 0.5 x 1.0
    assert found(replace(Thresholds(), link_weight=0.0)) == {("project", 6)}
