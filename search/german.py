"""German text handling done in Python, because the node lacks analysis-common.

The node's analysis chain (mappings) reduces most inflections with hunspell. This module adds
what the node cannot do, on the query and (for compounds) on the documents:
- forms hunspell does not reduce (umlaut plurals: Städte/Stadt), from `data/german_forms.tsv`;
- umlaut-free spellings in both directions (Strasse/Straße, Stadtgruen/Stadtgrün);
- invisible characters and decomposed umlauts removed or composed;
- compounds in both directions, from the constituents in `data/compound_parts.txt`:
  the query "Hitzeschutz" also searches the phrase "hitze schutz" (so "Schutz vor Hitze"
  is found); the query "Schutz vor Hitze" also searches "hitzeschutz"; documents carry the
  inner compounds of their words (`compound_terms`: "Hitzeschutzkonzept" -> "hitzeschutz",
  "schutzkonzept"), so a compound finds the longer compounds that contain it, while a single
  part ("Stadt") does not find every compound that contains it;
- a DE/EN domain thesaurus, `data/thesaurus.tsv` (heat action plan / Hitzeaktionsplan);
- on request, fuzzy alternatives for typos (`word~1`), used only when the exact query finds
  (almost) nothing, so that precision stays where it is.
Each plain query word becomes a group of alternatives, `(Städte | Stadt)`, for
`simple_query_string`, which never fails on what a user types.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
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
_WORD = re.compile(r"\w{6,}")
MAX_VARIANTS = 8
MAX_ALTERNATIVES = 16
MIN_PART = 3
PHRASE_SLOP = 6
MIN_SPECIFIC_PART = 8
_LINKS = ("", "s", "es", "n", "en", "e", "er")
_ENDINGS = ("s", "es", "n", "en", "e", "er", "ern", "ns")
# Words that join the two parts of a paraphrased compound: "Schutz vor Hitze" = Hitzeschutz.
_JOINERS = frozenset({
    "vor", "für", "gegen", "von", "vom", "der", "die", "das", "des", "dem", "den", "im", "in",
    "am", "an", "auf", "mit", "zur", "zum", "bei", "aus",
})


def clean(text: str) -> str:
    """NFC-composed text without invisible control characters (decomposed ü == composed ü)."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text))


def fold(text: str) -> str:
    """Lower case with umlauts and ß spelled out: 'Straße' -> 'strasse', 'Grün' -> 'gruen'."""
    return clean(text).lower().translate(_FOLD)


def _data_lines(name: str) -> Iterable[str]:
    for line in (DATA_DIR / name).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line


@cache
def _forms() -> dict[str, set[str]]:
    """Each known word (lemma or form) to the other members of its group."""
    groups: dict[str, set[str]] = {}
    for line in _data_lines("german_forms.tsv"):
        lemma, _, forms = line.partition("\t")
        group = {lemma.strip(), *(f.strip() for f in forms.split(",") if f.strip())}
        for word in group:
            groups.setdefault(word, set()).update(group - {word})
    return groups


@cache
def _lexicon() -> frozenset[str]:
    return frozenset(w.strip().lower() for w in _data_lines("compound_parts.txt"))


@cache
def _thesaurus() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Each term, as a tuple of folded words, to all the terms of its group."""
    found: dict[tuple[str, ...], tuple[str, ...]] = {}
    for line in _data_lines("thesaurus.tsv"):
        group = tuple(dict.fromkeys(t.strip().lower() for t in line.split("\t") if t.strip()))
        for term in group:
            found[tuple(fold(term).split())] = group
    return found


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


# --- compounds -------------------------------------------------------------------------------

def lemma(word: str) -> str | None:
    """The constituent a word is a form of ('Städten' -> 'stadt', 'Schutzes' -> 'schutz')."""
    lower = word.lower()
    lexicon = _lexicon()
    if lower in lexicon:
        return lower
    for form in sorted(_forms().get(lower, ())):
        if form in lexicon:
            return form
    for ending in _ENDINGS:
        stem = lower.removesuffix(ending)
        if stem != lower and len(stem) >= MIN_PART and stem in lexicon:
            return stem
    return None


@lru_cache(maxsize=200_000)
def _segment(word: str, whole: bool = True) -> tuple[tuple[str, int], ...] | None:
    """The fewest lexicon parts that make up `word`, as (lemma, end offset) pairs."""
    if whole:
        base = lemma(word)
        if base:
            return ((base, len(word)),)
    best: tuple[tuple[str, int], ...] | None = None
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        head = word[:cut]
        if head not in _lexicon():
            continue
        for link in _LINKS:
            start = cut + len(link)
            if not word.startswith(link, cut) or len(word) - start < MIN_PART:
                continue
            rest = _segment(word[start:])
            if rest is None:
                continue
            candidate = ((head, start), *((p, start + end) for p, end in rest))
            if best is None or len(candidate) < len(best):
                best = candidate
    return best


def _split(word: str) -> tuple[tuple[str, int], ...] | None:
    lower = word.lower()
    for spelling in [lower, *sorted(umlaut_spellings(lower))]:
        parts = _segment(spelling, whole=False)
        if parts and len(parts) >= 2:
            return parts
    return None


def split_compound(word: str) -> list[str]:
    """'Hitzeschutzkonzepte' -> ['hitze', 'schutz', 'konzept']; [] for a simple word."""
    parts = _split(clean(word))
    return [p for p, _ in parts] if parts else []


@lru_cache(maxsize=200_000)
def _inner_compounds(word: str) -> tuple[str, ...]:
    parts = _split(word)
    if not parts:
        return ()
    lower = word.lower()
    starts = [0] + [end for _, end in parts[:-1]]
    ends = [end for _, end in parts]
    found: list[str] = []
    for i, j in itertools.combinations(range(len(parts)), 2):
        if (i, j) != (0, len(parts) - 1):
            if j == len(parts) - 1:
                found.append(lower[starts[i]:ends[j]])
            else:  # an inner run ends with the lemma, without the linking -s-
                found.append(lower[starts[i]:starts[j]] + parts[j][0])
    # Two lemmas joined: what the query makes of "Schutz vor Hitze".
    found.extend(a + b for (a, _), (b, _) in itertools.pairwise(parts))
    # Long parts are specific enough to stand alone ("Starkregen" in "Starkregenvorsorge");
    # short ones ("Stadt", "Rad") would make every compound a hit.
    found.extend(p for p, _ in parts if len(p) >= MIN_SPECIFIC_PART)
    return tuple(dict.fromkeys(f for f in found if f != lower))


def compound_terms(texts: Iterable[str | None]) -> list[str]:
    """The inner compounds of every compound word in `texts`, for the `compounds` field.

    Runs of two or more parts and long single parts, never short ones: "Hitzeschutzkonzept"
    gives "hitzeschutz" and "schutzkonzept", so "Hitzeschutz" finds it and "Schutz" does not;
    "Starkregenvorsorge" gives "starkregen".
    """
    found: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall(clean(text or "")):
            for term in _inner_compounds(word.lower()):
                found.setdefault(term, None)
    return list(found)


def _joined(first: str, second: str) -> list[str]:
    """Compounds a paraphrase may stand for: 'Schutz vor Hitze' -> 'hitzeschutz', ..."""
    a, b = lemma(first), lemma(second)
    if not a or not b:
        return []
    return [b + a, a + b]


# --- the query ------------------------------------------------------------------------------

def _alternatives(word: str, fuzzy: bool) -> list[str]:
    found = list(word_variants(word))
    parts = split_compound(word)
    if parts:
        found.append(f'"{" ".join(parts)}"~{PHRASE_SLOP}')
    if fuzzy and len(word) >= 5:
        found.append(f"{word.lower()}~{1 if len(word) < 8 else 2}")
    return found


def _group(alternatives: list[str]) -> str:
    unique = list(dict.fromkeys(alternatives))[:MAX_ALTERNATIVES]
    return unique[0] if len(unique) == 1 else f"({' | '.join(unique)})"


def _thesaurus_term(term: str) -> list[str]:
    words = term.split()
    if len(words) > 1:
        return [f'"{term}"']
    return _alternatives(term, False)


def _match_thesaurus(words: list[str]) -> tuple[int, tuple[str, ...]] | None:
    """The longest thesaurus term at the start of `words` (folded), as (length, group)."""
    for length in range(min(5, len(words)), 0, -1):
        group = _thesaurus().get(tuple(fold(w) for w in words[:length]))
        if group:
            return length, group
    return None


def expand_query(query: str, fuzzy: bool = False) -> str:
    """Rewrite plain words as alternative groups; phrases and operators stay as typed."""
    tokens = _QUERY_TOKEN.findall(clean(query))
    parts: list[str] = []
    i = 0
    while i < len(tokens):
        match = _PLAIN_WORD.match(tokens[i])
        if not match:
            parts.append(tokens[i])
            i += 1
            continue
        neg, word, star = match["neg"], match["word"], match["star"]
        if star:
            variants = word_variants(word)
            parts.append(neg + _group([f"{v}*" for v in variants]))
            i += 1
            continue
        # A run of plain words (no operators) for thesaurus terms and paraphrased compounds.
        run: list[str] = []
        for token in tokens[i:i + 5]:
            plain = _PLAIN_WORD.match(token)
            if not plain or plain["star"] or (plain["neg"] and run):
                break
            run.append(plain["word"])
        found = _match_thesaurus(run) if not neg else _match_thesaurus(run[:1])
        if found:
            length, group = found
            alternatives = [a for term in group for a in _thesaurus_term(term)]
            if length == 1:
                alternatives = _alternatives(word, fuzzy) + alternatives
            parts.append(neg + _group(alternatives))
            i += length
            continue
        paraphrase = _paraphrase(run) if not neg else None
        if paraphrase:
            length, expression = paraphrase
            parts.append(expression)
            i += length
            continue
        parts.append(neg + _group(_alternatives(word, fuzzy)))
        i += 1
    return " ".join(parts)


def _paraphrase(run: list[str]) -> tuple[int, str] | None:
    """'Schutz vor Hitze' -> (3, '((schutz) (hitze) | hitzeschutz | schutzhitze)')."""
    if len(run) < 2:
        return None
    second = 1
    while second < len(run) - 1 and run[second].lower() in _JOINERS:
        second += 1
    joined = _joined(run[0], run[second])
    if not joined or run[second].lower() in _JOINERS:
        return None
    both = f"{_group(_alternatives(run[0], False))} {_group(_alternatives(run[second], False))}"
    return second + 1, f"(({both}) | {' | '.join(joined)})"


# --- compounds from the maintained word list (Debian wngerman) -------------------------------

ANALYSIS_DIR = DATA_DIR / "analysis"
MIN_WORD_PART = 4  # as `min_subword_size` of the index's `dictionary_decompounder`


@cache
def _words() -> frozenset[str]:
    """The decompounding dictionary the index uses (search/language_data.py builds it)."""
    path = ANALYSIS_DIR / "de_words.txt"
    return frozenset(path.read_text(encoding="utf-8").split()) if path.exists() else frozenset()


@lru_cache(maxsize=100_000)
def _cover(word: str) -> tuple[str, ...] | None:
    """The fewest dictionary words that make up `word`, joined by German linking letters."""
    if word in _words():
        return (word,)
    best: tuple[str, ...] | None = None
    for cut in range(len(word) - MIN_WORD_PART, MIN_WORD_PART - 1, -1):
        head = word[:cut]
        if head not in _words():
            continue
        for link in _LINKS:
            rest = word[cut + len(link):]
            if not word.startswith(link, cut) or len(rest) < MIN_WORD_PART:
                continue
            tail = _cover(rest)
            if tail and (best is None or len(tail) + 1 < len(best)):
                best = (head, *tail)
    return best


def word_parts(word: str) -> list[str]:
    """The parts of a compound as the index's decompounder finds them inside documents:
    'Gründächer' -> ['grün', 'dächer'], 'Hitzeschutzkonzept' -> ['hitze', 'schutz', 'konzept'];
    [] for a simple word. Umlaut-free spellings split the same way ('gruendaecher')."""
    lower = clean(word).lower()
    if len(lower) < 2 * MIN_WORD_PART:
        return []
    best: tuple[str, ...] | None = None
    for cut in range(len(lower) - MIN_WORD_PART, MIN_WORD_PART - 1, -1):
        head = lower[:cut]
        if head not in _words():
            continue
        for link in _LINKS:
            rest = lower[cut + len(link):]
            if not lower.startswith(link, cut) or len(rest) < MIN_WORD_PART:
                continue
            tail = _cover(rest)
            if tail and (best is None or len(tail) + 1 < len(best)):
                best = (head, *tail)
    return list(best) if best else _inner_words(lower)


@cache
def stopwords() -> frozenset[str]:
    """Lucene's German stop list, as the index drops it (`_german_`)."""
    path = ANALYSIS_DIR / "german_stop.txt"
    return frozenset(path.read_text(encoding="utf-8").split()) if path.exists() else frozenset()


def inner_words(word: str) -> list[str]:
    """Every dictionary word of four letters or more inside `word`, as the index's
    decompounder emits them: 'Hausärztemangel' -> ['hausärzte', 'ärzte', 'mangel', ...]."""
    lower = clean(word).lower()
    if len(lower) < 2 * MIN_WORD_PART:
        return []
    found = {lower[i:j] for i in range(len(lower)) for j in range(i + MIN_WORD_PART,
                                                                  min(len(lower), i + 15) + 1)
             if (i, j) != (0, len(lower)) and lower[i:j] in _words()}
    return sorted(found)


def _inner_words(word: str) -> list[str]:
    """Without a full cover ('Fassadenbegrünung': no 'begrünung' in the list), the longest
    dictionary words found from left to right, as the decompounder finds them in documents:
    ['fassaden', 'grün']; [] unless two are found."""
    found, i = [], 0
    while i <= len(word) - MIN_WORD_PART:
        for end in range(len(word), i + MIN_WORD_PART - 1, -1):
            if (i, end) != (0, len(word)) and word[i:end] in _words():
                found.append(word[i:end])
                i = end
                break
        else:
            i += 1
    return found if len(found) >= 2 else []
