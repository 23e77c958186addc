"""German text handling done in Python, because the node lacks analysis-common.

The node's analysis chain (mappings) reduces most inflections with hunspell. This module adds,
on the query, what the node cannot do:
- forms hunspell does not reduce (umlaut plurals: Städte/Stadt), from `data/german_forms.tsv`;
- umlaut-free spellings in both directions (Strasse/Straße, Stadtgruen/Stadtgrün);
- invisible characters and decomposed umlauts removed or composed.
Each plain query word becomes a group of alternatives, `(Städte | Stadt)`, for
`simple_query_string`, which never fails on what a user types.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_DIGRAPHS = {"ae": "ä", "oe": "ö", "ue": "ü", "ss": "ß"}
_DIGRAPH = re.compile("ae|oe|ue|ss")
# Zero-width and bidi control characters carry no meaning for search.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\x00]")
# A quoted phrase, or a run of anything but whitespace, quotes and parentheses.
_QUERY_TOKEN = re.compile(r'"[^"]*"?|[()]|[^\s"()]+')
_PLAIN_WORD = re.compile(r"^(?P<neg>-?)(?P<word>\w+)(?P<star>\*?)$")
MAX_VARIANTS = 8


def clean(text: str) -> str:
    """NFC-composed text without invisible control characters (decomposed ü == composed ü)."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text))


def fold(text: str) -> str:
    """Lower case with umlauts and ß spelled out: 'Straße' -> 'strasse', 'Grün' -> 'gruen'."""
    return clean(text).lower().translate(_FOLD)


@cache
def _forms() -> dict[str, set[str]]:
    """Each known word (lemma or form) to the other members of its group."""
    groups: dict[str, set[str]] = {}
    for line in (DATA_DIR / "german_forms.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lemma, _, forms = line.partition("\t")
        group = {lemma.strip(), *(f.strip() for f in forms.split(",") if f.strip())}
        for word in group:
            groups.setdefault(word, set()).update(group - {word})
    return groups


def umlaut_spellings(word: str) -> set[str]:
    """'strasse' -> {'straße'}, 'stadtgruen' -> {'stadtgrün'}; 'straße' -> {'strasse'}."""
    lower = word.lower()
    variants = {fold(lower)} - {lower}
    spots = [m.span() for m in _DIGRAPH.finditer(lower)][:3]
    for choice in itertools.product([False, True], repeat=len(spots)):
        if not any(choice):
            continue
        out, last = [], 0
        for (start, end), replace in zip(spots, choice, strict=True):
            out.append(lower[last:start])
            out.append(_DIGRAPHS[lower[start:end]] if replace else lower[start:end])
            last = end
        out.append(lower[last:])
        variants.add("".join(out))
    return variants


def word_variants(word: str) -> list[str]:
    """The word first, then the other spellings and forms that should find the same."""
    lower = clean(word).lower()
    found: dict[str, None] = {lower: None}
    for spelling in [lower, *sorted(umlaut_spellings(lower))]:
        found.setdefault(spelling, None)
        for form in sorted(_forms().get(spelling, ())):
            found.setdefault(form, None)
    return list(found)[:MAX_VARIANTS]


def expand_query(query: str) -> str:
    """Rewrite plain words as alternative groups; phrases and operators stay as typed."""
    parts: list[str] = []
    for token in _QUERY_TOKEN.findall(clean(query)):
        match = _PLAIN_WORD.match(token)
        if not match:
            parts.append(token)
            continue
        variants = word_variants(match["word"])
        star = match["star"]
        if len(variants) == 1:
            parts.append(f"{match['neg']}{variants[0]}{star}")
        else:
            group = " | ".join(f"{v}{star}" for v in variants)
            parts.append(f"{match['neg']}({group})")
    return " ".join(parts)
