"""German text handling in Python: only what the index's analysis does not do.

The node analyses German itself (mapping v3: normalisation, light stemmer, decompounding with
the dictionary from Debian's word lists, synonyms; see search/language_data.py). Here:
- `clean` and `fold`: invisible characters removed, decomposed umlauts composed, a folded
  spelling for the autocomplete and the overlap stop words;
- the parts of a query's compounds, from the same dictionary the index decompounds with, so
  that a compound also finds records that use its parts ("Gründach" -> "begrünte Dächer");
- Lucene's German stop list, to leave stop words out of the per-word query clauses.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
# Zero-width and bidi control characters carry no meaning for search.
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\x00]")
_LINKS = ("", "s", "es", "n", "en", "e", "er")


def clean(text: str) -> str:
    """NFC-composed text without invisible control characters (decomposed ü == composed ü)."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text))


def fold(text: str) -> str:
    """Lower case with umlauts and ß spelled out: 'Straße' -> 'strasse', 'Grün' -> 'gruen'."""
    return clean(text).lower().translate(_FOLD)


# --- compounds from the maintained word lists (Debian wngerman, hunspell-de-de) ------------

ANALYSIS_DIR = DATA_DIR / "analysis"
MIN_WORD_PART = 4  # as `min_subword_size` of the index's `dictionary_decompounder`


@cache
def _words() -> frozenset[str]:
    """The decompounding dictionary the index uses (search/language_data.py builds it)."""
    path = ANALYSIS_DIR / "de_words.txt"
    return frozenset(path.read_text(encoding="utf-8").split()) if path.exists() else frozenset()


@lru_cache(maxsize=100_000)
def _cover(word: str, whole: bool = True) -> tuple[str, ...] | None:
    """The fewest dictionary words that make up `word`, joined by German linking letters
    (`whole`: the word itself counts when it is in the dictionary)."""
    if whole and word in _words():
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
    best = _cover(lower, whole=False)
    return list(best) if best else _inner_words(lower)


def dictionary_cover(word: str) -> tuple[str, ...] | None:
    """The fewest dictionary words `word` is made of ('sommer' -> ('sommer',),
    'sonnenblume' -> ('sonnen', 'blume')), None when it is not made of them."""
    lower = clean(word).lower()
    return _cover(lower) if len(lower) >= MIN_WORD_PART else None


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
