"""The cuts of the research-priority coverage (`search.coverage`): which scored matches count,
in plain Python on what the index returned, so calibration can re-cut without asking it.

- A priority counts as covered only when a direct match reaches `floor` with `min_words`.
- Widened scores (pseudo-relevance feedback) replace the direct ones where given.
- Neighbours: a record's widened score on a priority is raised by the weighted mean widened
  score of the other records of its programme, of its topics and of its Reallabor's links
  on that priority.
- Then the share of the priority's best and of the record's own best priority.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Thresholds:
    """The calibrated cuts and weights of the text match, all in one place.

    Calibrated on the development set (`bench/coverage_calibration.py`, README "Abdeckung der
    Forschungsschwerpunkte"); overridable with the app setting `COVERAGE_THRESHOLDS` (a dict).
    """

    floor: float = 0.2  # least weighted share of the priority's vocabulary a record holds
    relative: float = 0.0  # least share of the best score any record reaches on the priority
    record_relative: float = 0.7  # least share of the record's best score over all priorities
    min_words: int = 3  # least number of shared terms (a compound's parts count one each)
    read_floor: float = 0.1  # direct matches read from the index (`cut` applies the floor
    #   and min_words): the widening takes its seeds from them, also where few reach the floor
    title_weight: float = 1.5  # a word of the priority's title weighs this much more
    part_weight: float = 0.3  # a part of a priority's compound, against the whole word
    unknown_weight: float = 0.5  # weight of a word no record uses, against the rarest known one
    seeds: int = 5  # records with the highest share whose vocabulary widens the priority's
    expansion_terms: int = 40  # terms `more_like_this` takes from the priority and its seeds
    expanded_relative: float = 0.15  # least share of the best widened score (0: not widened)
    programme_weight: float = 0.5  # of the mean widened score of the programme's other records
    topic_weight: float = 0.5  # ... and of the other records with the same topic
    link_weight: float = 0.5  # ... and of a Reallabor and its projects (`coverage.Links`)
    neighbour_floor: float = 0.3  # least widened score with the neighbours' share
    common: float = 0.25  # words in more than this share of the records are not asked for
    common_min: int = 50  # ... unless they occur in fewer records than this (small catalogues)


@dataclass
class Match:
    """A record whose text matches a priority, with the words both share."""

    kind: str
    id: int
    ressort: str | None
    score: float
    terms: list[str] = field(default_factory=list)
    groups: tuple[str, ...] = ()  # "programme:<key>", "topic:<key>", "link:<lab id>"
    #   (widened matches only)


def cut(raw: dict[int, list[Match]], t: Thresholds,
        expanded: dict[int, list[Match]] | None = None,
        sizes: dict[str, int] | None = None) -> dict[int, list[Match]]:
    """Keep matches above the priority's and the record's relative cuts.

    With widened scores (`expanded`), a priority whose best direct match reaches the floor
    keeps every record whose widened score reaches `expanded_relative`; with the neighbours'
    share (`sizes` of the programmes and topics) the score must also reach `neighbour_floor`.
    The record's relative cut then compares these scores.
    """
    neighbours = bool(expanded and sizes and any(_group_weights(t).values()))
    if expanded:
        raw = _widened(raw, expanded, t)
    if neighbours:
        raw = _with_neighbours(raw, t, sizes or {})
    best_of_record: dict[tuple[str, int], float] = {}
    for matches in raw.values():
        for m in matches:
            key = (m.kind, m.id)
            best_of_record[key] = max(best_of_record.get(key, 0.0), m.score)
    result: dict[int, list[Match]] = {}
    for priority, matches in raw.items():
        best = max((m.score for m in matches), default=0.0)
        floor = t.neighbour_floor if neighbours else 0.0 if expanded else t.floor
        result[priority] = sorted(
            (m for m in matches
             if m.score >= max(floor, t.relative * best)
             and m.score >= t.record_relative * best_of_record[(m.kind, m.id)]
             and (expanded or len(m.terms) >= t.min_words)),
            key=lambda m: -m.score)
    return result


def _widened(raw: dict[int, list[Match]], expanded: dict[int, list[Match]],
             t: Thresholds) -> dict[int, list[Match]]:
    result: dict[int, list[Match]] = {}
    for priority, matches in raw.items():
        direct = {(m.kind, m.id): m for m in matches}
        if not any(m.score >= t.floor and len(m.terms) >= t.min_words for m in matches):
            result[priority] = []
            continue
        result[priority] = [
            Match(m.kind, m.id, m.ressort, m.score,
                  direct[(m.kind, m.id)].terms if (m.kind, m.id) in direct else [], m.groups)
            for m in expanded.get(priority, []) if m.score >= t.expanded_relative]
    return result


def _group_weights(t: Thresholds) -> dict[str, float]:
    """The neighbours' weight per kind of group (the prefix of `Match.groups`)."""
    return {"programme": t.programme_weight, "topic": t.topic_weight, "link": t.link_weight}


def _with_neighbours(found: dict[int, list[Match]], t: Thresholds,
                     sizes: dict[str, int]) -> dict[int, list[Match]]:
    """Each match's score plus the weighted mean score of the other records of its programme
    and of its topics on the same priority (a record without a score there counts 0)."""
    sums: dict[tuple[str, int], float] = {}
    for priority, matches in found.items():
        for m in matches:
            for group in m.groups:
                sums[group, priority] = sums.get((group, priority), 0.0) + m.score
    weight = _group_weights(t)
    result: dict[int, list[Match]] = {}
    for priority, matches in found.items():
        result[priority] = []
        for m in matches:
            score = m.score
            for kind, w in weight.items():
                own = [g for g in m.groups if g.startswith(f"{kind}:")]
                if w and own:
                    score += w * math.fsum(
                        (sums[g, priority] - m.score) / max(1, sizes.get(g, 1) - 1)
                        for g in own) / len(own)
            result[priority].append(Match(m.kind, m.id, m.ressort, score, m.terms, m.groups))
    return result
