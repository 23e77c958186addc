"""Build the analysis resources of the search node from Debian's maintained language data.

Run `python -m search.language_data` (the Makefile does) to write `search/data/analysis/`:
- `de_words.txt`: the dictionary for `dictionary_decompounder`: the nouns of `wngerman`
  (/usr/share/dict/ngerman) and the noun and adjective stems of `hunspell-de-de` with at least
  four letters, also spelt without umlauts;
- `german_stop.txt`: Lucene's German stop list (the index's `_german_`), for the query side;
- `synonyms.txt`: Solr synonym rules for `synonym_graph` at query time:
  - German↔German from OpenThesaurus (`openthesaurus-de-text`) and from the German headword
    slots of the Ding dictionary (`trans-de-en`), without colloquial, regional, dated or
    pejorative terms, and OpenThesaurus only where a member is a word of the domain (a German
    term that Ding labels with a subject of the field: environment, construction,
    administration, politics, society, economy, transport, architecture, weather, agriculture);
  - English → German from Ding, only outside subjects far from the field (birds, music, ...),
    only the German terms for which the English term is the first translation, and never an
    English word that is also a German word ("rat", "hat");
  - `domain_synonyms.txt` beside this module: the short reviewed list of what the resources lack.

The files are generated, not edited; they are committed so that a machine without the Debian
packages runs the same analysis.
"""

from __future__ import annotations

import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

NGERMAN = Path("/usr/share/dict/ngerman")
HUNSPELL = Path("/usr/share/hunspell/de_DE.dic")
OPENTHESAURUS = Path("/usr/share/openthesaurus-de/openthesaurus.txt")
DING = Path("/usr/share/trans/de-en")
DATA = Path(__file__).parent / "data"
OUT = DATA / "analysis"
DOMAIN_LIST = DATA / "domain_synonyms.txt"
LUCENE_JARS = [
    *Path.home().glob(".m2/repository/org/apache/lucene/lucene-analysis-common/*/*.jar"),
    *Path(__file__).parent.parent.glob("instance/search-node/*/lib/lucene-analysis-common-*.jar"),
]
DEMO = Path(__file__).parent.parent / "zukunftsstadt" / "demo" / "demo-data.json"

MIN_PART = 4
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
DOMAIN_SUBJECTS = frozenset({
    "envir.", "constr.", "adm.", "pol.", "soc.", "econ.", "transp.", "arch.", "meteo.", "agr.",
})
# Subjects whose terms only add noise to a catalogue of urban research.
FOREIGN_SUBJECTS = frozenset({
    "ornith.", "zool.", "bot.", "chem.", "anat.", "mil.", "mus.", "relig.", "hist.", "myc.",
    "astron.", "astrol.", "naut.", "aviat.", "min.", "geol.", "cook.", "textil.", "ling.",
    "lit.", "poet.", "humor.", "vulg.", "pej.", "ugs.", "coll.", "obs.", "iron.", "euphem.",
    "stud.", "print.", "photo.", "pharm.", "biochem.", "phil.", "math.", "phys.", "fig.",
    "geh.", "prov.", "sport", "cards", "chess",
})
# OpenThesaurus labels of terms a catalogue does not use.
_OT_DROP = re.compile(r"\((?:[^)]*\b(?:ugs|derb|vulg|veraltet|abwertend|scherzhaft|regional|"
                      r"österr|schweiz|bair|norddeutsch|süddeutsch|Jargon|geh|ironisch|"
                      r"fachspr|engl|lat|franz|ital|Slang|Zeitungsdeutsch|Amtsdeutsch|"
                      r"Jugendsprache|selten|historisch|Verhüllung|fig|poetisch)\b[^)]*)\)")
_NOTES = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\([^)]*\)|<[^>]*>")
_TAG = re.compile(r"\[([^\]]+)\]")
_WORDS = re.compile(r"^[a-zäöüß][a-zäöüß\- ]*[a-zäöüß]$")
MAX_WORDS = 3
MAX_TARGETS = 4
MAX_GROUP = 6


def _lines(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                yield line.rstrip("\n")


def decompound_words(words: Iterable[str]) -> list[str]:
    """Nouns of four letters or more, lower case, with their umlaut-free spellings."""
    found: set[str] = set()
    for word in words:
        if len(word) >= MIN_PART and word[0].isupper() and word.isalpha():
            lower = word.lower()
            found.update({lower, lower.translate(_FOLD)})
    return sorted(found)


def hunspell_stems(lines: Iterable[str]) -> list[str]:
    """Nouns and adjectives among the stems of the hunspell dictionary (igerman98), which has
    base forms the spelling list lacks ("Heim", "Pflege"); adjectives carry the flag A."""
    found = []
    for line in lines:
        stem, _, flags = line.strip().partition("/")
        if stem.isalpha() and (stem[0].isupper() or "A" in flags):
            found.append(stem[0].upper() + stem[1:])
    return found


def _term(raw: str) -> str | None:
    """A dictionary term without its notes, lower case, or None when it is no plain term."""
    text = " ".join(_NOTES.sub(" ", raw).split()).lower()
    if not text or not _WORDS.match(text) or len(text.split()) > MAX_WORDS:
        return None
    return text


def _subjects(raw: str) -> set[str]:
    return {t.strip() for tag in _TAG.findall(raw) for t in tag.split(";")}


def ding(lines: Iterable[str], german: frozenset[str]) -> tuple[
        list[tuple[str, ...]], dict[str, list[str]], set[str]]:
    """German synonym groups, English → German targets and the domain words from Ding."""
    groups: list[tuple[str, ...]] = []
    targets: dict[str, list[tuple[int, str]]] = defaultdict(list)
    domain: set[str] = set()
    for line in lines:
        left, sep, right = line.partition(" :: ")
        if not sep:
            continue
        for slot, (de_slot, en_slot) in enumerate(zip(left.split(" | "), right.split(" | "),
                                                      strict=False)):
            subjects = _subjects(de_slot) | _subjects(en_slot)
            if subjects & FOREIGN_SUBJECTS:
                continue
            de_terms = [t for t in (_term(x) for x in de_slot.split(";")) if t]
            nouns = [_term(x) for x in de_slot.split(";") if re.search(r"\{[fmn]\}", x)]
            if subjects & DOMAIN_SUBJECTS:
                domain.update(t for t in de_terms if " " not in t)
            if slot == 0 and len(nouns) >= 2 and all(nouns):
                groups.append(tuple(dict.fromkeys(n for n in nouns if n)))
            en_terms = [_term(x) for x in re.split("[;,]", en_slot)]
            first = en_terms[0] if en_terms else None
            if not first or first.startswith("to ") or not de_terms:
                continue
            if " " not in first and (first in german or len(first) < 4):
                continue
            for rank, target in enumerate(de_terms):
                targets[first].append((slot * 10 + rank, target))
    # A single English word keeps the single-word headwords it translates first; longer
    # terms keep what the domain filter in build() lets through.
    best = {en: list(dict.fromkeys(
                t for rank, t in sorted(found)
                if " " in en or (rank < 10 and " " not in t) or t in domain))[:MAX_TARGETS]
            for en, found in targets.items()}
    return groups, best, domain


def openthesaurus(lines: Iterable[str], domain: set[str]) -> list[tuple[str, ...]]:
    """Synonym groups with at least one domain word, without labelled (colloquial, ...) terms."""
    groups = []
    for line in lines:
        terms = [_term(t) for t in line.split(";") if not _OT_DROP.search(t)]
        group = tuple(dict.fromkeys(t for t in terms if t and len(t.split()) <= 2))
        if 2 <= len(group) <= MAX_GROUP and any(t in domain for t in group):
            groups.append(group)
    return groups


def _words_of(term: str) -> str:
    """A term as the index's standard tokenizer splits it: 'on-demand bus' -> 'on demand bus'
    (the synonym filter reads its rules split at spaces only)."""
    return " ".join(term.replace("-", " ").split())


def synonym_rules(groups: Iterable[tuple[str, ...]], english: dict[str, list[str]],
                  extra: Iterable[str]) -> list[str]:
    rules = [", ".join(dict.fromkeys(_words_of(t) for t in group)) for group in groups]
    rules += [f"{_words_of(en)} => {', '.join(dict.fromkeys(_words_of(t) for t in [en, *de]))}"
              for en, de in sorted(english.items()) if de and en not in de]
    rules += [", ".join(_words_of(t) for t in line.split(",")) for line in extra]
    return list(dict.fromkeys(r for r in rules if "," in r or "=>" in r))


def catalogue_words(paths: Iterable[Path]) -> set[str]:
    """The lower-case words of catalogue files (the shipped demo catalogue)."""
    words: set[str] = set()
    for path in paths:
        words.update(re.findall(r"[a-zäöüß]{4,}", path.read_text(encoding="utf-8").lower()))
    return words


def german_stopwords(jars: Iterable[Path]) -> list[str]:
    """Lucene's German stop list (Snowball), the list `_german_` names in the index."""
    import zipfile

    for jar in jars:
        with zipfile.ZipFile(jar) as archive:
            text = archive.read("org/apache/lucene/analysis/snowball/german_stop.txt")
        return [line.split("|")[0].strip() for line in text.decode("utf-8").splitlines()
                if line.split("|")[0].strip()]
    raise FileNotFoundError("lucene-analysis-common (Maven) nicht gefunden")


def build(out: Path = OUT, catalogues: Iterable[Path] = (DEMO,)) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    words = NGERMAN.read_text(encoding="utf-8").split()
    nouns = decompound_words(
        [*words, *hunspell_stems(HUNSPELL.read_text(encoding="utf-8").splitlines()[1:])])
    (out / "de_words.txt").write_text("\n".join(nouns) + "\n", encoding="utf-8")
    stop = german_stopwords(LUCENE_JARS)
    (out / "german_stop.txt").write_text("\n".join(stop) + "\n", encoding="utf-8")
    german = frozenset(w.lower() for w in words)
    groups, english, domain = ding(_lines(DING), german)
    domain |= catalogue_words(catalogues)
    groups = [g for g in groups if any(t in domain for t in g)]
    groups += openthesaurus(_lines(OPENTHESAURUS), domain)
    english = {en: [t for t in de if " " not in en or t in domain]
               for en, de in english.items()}
    extra = [line for line in _lines(DOMAIN_LIST)] if DOMAIN_LIST.exists() else []
    rules = synonym_rules(groups, english, extra)
    header = "# Generated by search/language_data.py from OpenThesaurus and Ding; do not edit.\n"
    (out / "synonyms.txt").write_text(header + "\n".join(rules) + "\n", encoding="utf-8")
    return {"words": len(nouns), "stopwords": len(stop), "german_groups": len(groups),
            "english": len(english), "rules": len(rules)}


if __name__ == "__main__":
    missing = [str(p) for p in (NGERMAN, HUNSPELL, OPENTHESAURUS, DING) if not p.exists()]
    if missing:
        sys.exit("Es fehlen Sprachdaten (Debian-Pakete wngerman, hunspell-de-de, "
                 f"openthesaurus-de-text, trans-de-en): {', '.join(missing)}")
    print(build())
