"""The analysis resources come from Debian's language data; these check the filters that turn
those resources into rules, on lines in the resources' own formats."""

from __future__ import annotations

from search.language_data import (
    catalogue_words,
    decompound_words,
    ding,
    hunspell_stems,
    openthesaurus,
    synonym_rules,
)

DING_LINES = [
    "Obdachlosigkeit {f}; Wohnungslosigkeit {f} :: homelessness",
    "Hitzeinsel {f} [meteo.] | Hitzeinseln {pl} :: heat island | heat islands",
    "Hitze {f} :: heat",
    "Läufigkeit {f} [zool.] :: heat",
    "Rat {m} :: council",
    "Ratte {f} [zool.] :: rat",
]


def test_ding_gives_german_groups_and_english_first_translations():
    groups, english, domain = ding(DING_LINES, german=frozenset({"rat", "hat"}))
    assert ("obdachlosigkeit", "wohnungslosigkeit") in groups
    assert english["homelessness"] == ["obdachlosigkeit", "wohnungslosigkeit"]
    assert english["heat island"] == ["hitzeinsel"]
    # Far subjects (zoology) add nothing, and an English word that is German adds nothing.
    assert english["heat"] == ["hitze"]
    assert "rat" not in english
    assert "hitzeinsel" in domain


def test_openthesaurus_drops_labelled_terms_and_keeps_domain_groups():
    lines = ["Obdachloser (Hauptform);Penner (derb);Wohnungsloser;Stadtstreicher",
             "Bank;Sitzbank;Parkbank"]
    groups = openthesaurus(lines, domain={"wohnungsloser"})
    assert groups == [("obdachloser", "wohnungsloser", "stadtstreicher")]


def test_synonym_rules_split_terms_as_the_tokenizer_does():
    rules = synonym_rules([("carsharing", "car-sharing")], {"on-demand bus": ["rufbus"]},
                          ["lastenrad, cargo bike"])
    assert rules == ["carsharing, car sharing", "on demand bus => on demand bus, rufbus",
                     "lastenrad, cargo bike"]


def test_decompounding_words_are_nouns_and_adjectives_in_both_spellings(tmp_path):
    stems = hunspell_stems(["Pflege/ijm", "grün/ACke", "gehen/XY"])
    assert stems == ["Pflege", "Grün"]
    words = decompound_words(["Dächer", "und", "Heim", *stems])
    assert {"dächer", "daecher", "heim", "pflege", "grün", "gruen"} == set(words)
    catalogue = tmp_path / "c.json"
    catalogue.write_text('{"title": "Gründächer in Kassel"}', encoding="utf-8")
    assert {"gründächer", "kassel", "title"} == catalogue_words([catalogue])
