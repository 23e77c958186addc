"""Overlaps between Ressorts: candidates for a record or a planned project, and the portfolio
scan (alerts to the editors concerned: `alerts`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import current_app
from sqlalchemy import func, insert, select, update

from search import overlap, overlap_scan
from search.access import Access

from .. import kinds
from ..extensions import db
from ..kinds import doc_id, parse_doc_id, search_document
from ..models import (
    Municipality,
    OverlapPair,
    OverlapScanMark,
    ResearchPriority,
    State,
    Topic,
)
from ..models.base import utcnow
from ..permissions import record_ressort
from . import indexing

SCANNED: tuple[type, ...] = tuple(k.model for k in kinds.SCANNED)
EVERYTHING = Access(all_drafts=True, all_confidential=True)


def weights() -> overlap.Weights:
    return overlap.Weights(**current_app.config.get("OVERLAP_WEIGHTS", {}))


def for_record(record: Any, access: Access, *, same_ressort: bool = False,
               size: int = 5) -> list[overlap.Candidate]:
    """The records most like `record`; of other Ressorts unless `same_ressort`."""
    kind = kinds.of(record).name
    return _named(overlap.find(
        indexing.client(), indexing.alias(access), search_document(record),
        exclude_ids=[doc_id(kind, record.id)],
        exclude_ressort=None if same_ressort else record_ressort(record),
        access=access, size=size, weights=weights(),
    ))


_NAMED = {"shared_topics": (Topic.key, Topic.name),
          "shared_priorities": (ResearchPriority.key, ResearchPriority.title),
          "same_municipality": (Municipality.ags, Municipality.name),
          "same_state": (State.code, State.name)}


def _names(facts: Iterable[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """Per kind of fact, the names of all the keys `facts` share: one query per kind."""
    wanted: dict[str, set[str]] = {}
    for fact in facts:
        if fact["name"] in _NAMED and fact.get("values"):
            wanted.setdefault(fact["name"], set()).update(fact["values"])
    names: dict[str, dict[str, str]] = {}
    for fact_name, values in wanted.items():
        key, name = _NAMED[fact_name]
        query = select(key, name).where(key.in_(values))
        if fact_name == "shared_priorities":  # a draft keeps its key
            query = query.where(ResearchPriority.publication_status == "published",
                                ResearchPriority.deleted_at.is_(None))
        names[fact_name] = dict(db.session.execute(query).all())
    return names


def _relabel(fact: dict[str, Any], names: dict[str, dict[str, str]]) -> dict[str, Any]:
    known = names.get(fact["name"])
    if known is None:
        return fact
    values = fact["values"]
    if fact["name"] == "same_municipality":
        shown = ", ".join(f"{known[v]} (AGS {v})" if v in known else f"AGS {v}"
                          for v in values)
        return {**fact, "label": f"gleiche Kommune: {shown}"}
    return {**fact, "label": overlap.LABELS[fact["name"]].format(
        ", ".join(known.get(v, v) for v in values))}


def readable(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The facts with names where the index keeps keys ("Klimaanpassung" for
    `klimaanpassung`, "Leipzig (AGS 14713000)"); facts stored without values stay as they are.
    """
    names = _names(facts)
    return [_relabel(fact, names) for fact in facts]


def _named(candidates: list[overlap.Candidate]) -> list[overlap.Candidate]:
    names = _names(fact for candidate in candidates for fact in candidate.facts)
    for candidate in candidates:
        candidate.facts = [_relabel(fact, names) for fact in candidate.facts]
    return candidates


def planned_document(data: dict[str, Any]) -> dict[str, Any]:
    """A search document for a project that is not in the database yet."""
    wanted = [str(m).strip() for m in data.get("municipalities") or [] if str(m).strip()]
    places = list(db.session.scalars(select(Municipality).where(  # by AGS or by name
        Municipality.ags.in_(wanted)
        | func.lower(Municipality.name).in_([w.casefold() for w in wanted]))))
    return {
        "kind": "project", "id": "geplant", "title": data.get("title") or "",
        "summary": data.get("summary") or "", "objectives": data.get("objectives") or "",
        "topics": list(data.get("topics") or []),
        "municipalities": [m.ags for m in places],
        "states": sorted({m.state.code for m in places}),
        "organisation": data.get("organisation") or None,
        "organisation_name": data.get("organisation") or None,
        "start_date": data.get("start_date"), "end_date": data.get("end_date"),
        "ressort": data.get("ressort") or None,
    }


def check_planned(data: dict[str, Any], access: Access,
                  size: int = 5) -> list[overlap.Candidate]:
    doc = planned_document(data)
    return _named(overlap.find(indexing.client(), indexing.alias(access), doc,
                               exclude_ressort=doc["ressort"], access=access, size=size,
                               weights=weights()))


def by_verbund(candidates: list[overlap.Candidate]
               ) -> list[tuple[overlap.Candidate, list[overlap.Candidate]]]:
    """Candidates (best first) as rows: the partners of one Verbund (the same FKZ stem) share
    the row of the best of them, so one joint project does not fill the list."""
    rows: list[tuple[overlap.Candidate, list[overlap.Candidate]]] = []
    of_verbund: dict[str, list[overlap.Candidate]] = {}
    for candidate in candidates:
        stem = candidate.source.get("verbund")
        if stem and stem in of_verbund:
            of_verbund[stem].append(candidate)
            continue
        rows.append((candidate, []))
        if stem:
            of_verbund[stem] = rows[-1][1]
    return rows


def topic_choices() -> list[tuple[str, str]]:
    return [(t.key, t.name) for t in db.session.scalars(select(Topic).order_by(Topic.name))]


def _budget(doc: dict[str, Any]) -> float:
    return float(doc.get("budget_eur") or 0)


def _key(doc: dict[str, Any]) -> str:
    return doc_id(doc["kind"], doc["id"])


def _pair_row(source: dict[str, Any], candidate: overlap.Candidate) -> dict[str, Any]:
    """The columns of a pair as found now (the review decision is not among them)."""
    first, second = sorted([source, candidate.source], key=_key)
    return {
        "a_doc": _key(first), "b_doc": _key(second),
        "a_ressort": first.get("ressort"), "b_ressort": second.get("ressort"),
        "a_title": first.get("title", "")[:500], "b_title": second.get("title", "")[:500],
        "volume_eur": _budget(first) + _budget(second), "score": candidate.score,
        "level": candidate.level or "mittel", "found_at": utcnow(),
        "reasons": {"terms": candidate.terms, "facts": candidate.facts},
    }


def remember(record: Any, candidates: Iterable[overlap.Candidate]) -> int:
    """Store the "hoch" pairs found when a record was saved (the alert check), so that the
    review list has them before the next scan; a reviewed decision stays."""
    high = [c for c in candidates if c.level == "hoch"]
    if not high:
        return 0
    source = search_document(record)
    return _store_chunk([(source, c) for c in high], set())


def _store_chunk(found: list[tuple[dict[str, Any], overlap.Candidate]],
                 stored: set[tuple[str, str]]) -> int:
    """Insert new pairs and refresh known ones in bulk; reviewed decisions stay. A pair found
    from both of its records is written once per scan (`stored`)."""
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for source, candidate in found:
        a, b = sorted([_key(source), doc_id(candidate.kind, candidate.id)])
        if (a, b) not in stored and (a, b) not in wanted:
            wanted[(a, b)] = _pair_row(source, candidate)
    stored.update(wanted)
    keys = list(wanted)
    known: dict[tuple[str, str], int] = {}
    for start in range(0, len(keys), 500):
        firsts = {a for a, _ in keys[start:start + 500]}
        known.update(((a, b), pair_id) for pair_id, a, b in db.session.execute(
            select(OverlapPair.id, OverlapPair.a_doc, OverlapPair.b_doc)
            .where(OverlapPair.a_doc.in_(firsts))))
    new = [row | {"status": "open", "comment": ""} for key, row in wanted.items()
           if key not in known]
    changed = [row | {"id": known[key]} for key, row in wanted.items() if key in known]
    if new:
        db.session.execute(insert(OverlapPair), new)
    if changed:
        db.session.execute(update(OverlapPair), changed)
    return len(wanted)


def _mark(marks: dict[str, int], docs: list[dict[str, Any]]) -> None:
    """Remember which version of each record was scanned (bulk, like the pairs)."""
    now = utcnow()
    rows = [{"doc": _key(d), "version": d.get("version"), "scanned_at": now} for d in docs]
    new = [r for r in rows if r["doc"] not in marks]
    if new:
        db.session.execute(insert(OverlapScanMark), new)
    if len(new) < len(rows):
        db.session.execute(update(OverlapScanMark), [r for r in rows if r["doc"] in marks])
    marks.update((r["doc"], r["version"]) for r in rows)


def load_corpus(progress: Callable[[int], None] | None = None) -> overlap_scan.Corpus:
    """Every programme, project and Reallabor as the scan compares them (from the index,
    brought up to date first: drained and refreshed, so a save of the last second counts)."""
    indexing.drain_all()
    indexing.refresh()
    return overlap_scan.load(indexing.client(), indexing.alias(),
                             [k.name for k in kinds.SCANNED], progress)


def scan(corpus: overlap_scan.Corpus | None = None,
         progress: Callable[[int], None] | None = None, *, resume: bool = True) -> dict[str, int]:
    """Find all cross-Ressort pairs above the medium threshold and store them.

    With `resume`, records whose current version was scanned before are skipped, so an
    interrupted scan continues where it stopped and a re-scan only looks at changes. Each
    chunk of records is committed as it is done.
    """
    corpus = corpus or load_corpus()
    marks = dict(db.session.execute(select(OverlapScanMark.doc, OverlapScanMark.version)).all())
    rows = [row for row, doc in enumerate(corpus.docs)
            if not resume or marks.get(_key(doc)) != doc.get("version")]
    counts = {"scanned": 0, "skipped": len(corpus.docs) - len(rows), "pairs": 0}
    if progress and counts["skipped"]:
        progress(counts["skipped"])
    stored: set[tuple[str, str]] = set()
    for chunk in overlap_scan.find_pairs(corpus, rows, weights=weights()):
        counts["pairs"] += _store_chunk([(corpus.docs[row], c) for row, candidates in chunk
                                         for c in candidates], stored)
        _mark(marks, [corpus.docs[row] for row, _ in chunk])
        db.session.commit()
        counts["scanned"] += len(chunk)
        if progress:
            progress(len(chunk))
    return counts


def count_scannable() -> int:
    from sqlalchemy import func

    return sum(db.session.scalar(select(func.count()).select_from(model)
                                 .where(model.deleted_at.is_(None))) or 0 for model in SCANNED)


def doc_record(doc: str) -> Any:
    """The record behind a document id such as 'project-12' (None if gone)."""
    parsed = parse_doc_id(doc)
    return db.session.get(kinds.BY_NAME[parsed[0]].model, parsed[1]) if parsed else None
