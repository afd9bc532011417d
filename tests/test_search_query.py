"""The query rule shared by the backends: words, compounds and quoted phrases, and what each backend
is asked (FTS5 expressions, the Elasticsearch clause). Pure functions, no index."""

from __future__ import annotations

from search.elastic_query import TEXT_FIELDS, text_clauses
from search.query import (
    TIER_BONUS,
    Phrase,
    fts5_all,
    fts5_any,
    fts5_required,
    parse,
)


def test_plain_words_are_optional_terms() -> None:
    parsed = parse("software security flaw")
    assert (parsed.terms, parsed.compounds, parsed.phrases) == (
        ["software", "security", "flaw"], [], [],
    )  # fmt: skip
    assert fts5_any(parsed) == '"software" OR "security" OR "flaw"'
    assert fts5_all(parsed) == '"software" AND "security" AND "flaw"'
    assert fts5_required(parsed) == ""


def test_joined_words_are_one_compound_matched_as_a_phrase() -> None:
    parsed = parse("max_network_retries")
    assert parsed.terms == [] and parsed.optional == 1
    assert parsed.compounds == [Phrase("max_network_retries", ("max", "network", "retries"))]
    assert fts5_any(parsed) == '"max network retries"'
    cases = {
        "CVE-2024-31449": ("cve", "2024", "31449"),
        "$state.snapshot": ("state", "snapshot"),
        "no-unused-private-class-members": ("no", "unused", "private", "class", "members"),
        "ci/cd": ("ci", "cd"),
    }
    for text, expected in cases.items():
        assert [c.words for c in parse(text).compounds] == [expected], text


def test_compounds_and_words_mix() -> None:
    parsed = parse("docker desktop 4.48.0")
    assert parsed.terms == ["docker", "desktop"]
    assert parsed.compounds == [Phrase("4.48.0", ("4", "48", "0"))]
    assert fts5_any(parsed) == '"docker" OR "desktop" OR "4 48 0"'
    assert parsed.words == ["docker", "desktop", "4", "48", "0"]


def test_quoted_phrases_are_required_even_single_words() -> None:
    parsed = parse('"single sign on" acme "sso"')
    assert parsed.terms == ["acme"]
    assert parsed.phrases == [
        Phrase("single sign on", ("single", "sign", "on")),
        Phrase("sso", ("sso",)),
    ]
    assert fts5_required(parsed) == '"single sign on" AND "sso"'
    assert fts5_any(parsed) == '"acme" OR "single sign on" OR "sso"'


def test_operators_stop_words_and_unbalanced_quotes_are_not_syntax() -> None:
    assert parse("NOT zebrafish AND kraken").terms == ["zebrafish", "kraken"]
    assert parse("the zebrafish of the sea").terms == ["zebrafish", "sea"]
    assert parse("the").terms == ["the"]  # nothing else: the stop word stays
    parsed = parse('"unbalanced zebrafish')
    assert (parsed.terms, parsed.phrases) == (["unbalanced", "zebrafish"], [])
    assert parse('-zebrafish "" zebra*').terms == ["zebrafish", "zebra"]
    assert parse("").empty and parse(None).empty and parse('"" ( )').empty


def test_fts5_strings_never_carry_a_quote_or_an_operator() -> None:
    parsed = parse('a"b "c d" NEAR(e f) x_"y" *:^ OR')
    for expression in (fts5_any(parsed), fts5_all(parsed), fts5_required(parsed)):
        inner = expression.replace('" OR "', " ").replace('" AND "', " ").strip('"')
        assert '"' not in inner and "(" not in inner and "*" not in inner, expression


def test_the_elasticsearch_clause_follows_the_same_rule() -> None:
    (clause,) = text_clauses("software security-flaw")
    word = {"multi_match": {"query": "software", "fields": TEXT_FIELDS, "type": "cross_fields",
                            "operator": "or"}}  # fmt: skip
    compound = {"multi_match": {"query": "security-flaw", "fields": TEXT_FIELDS, "type": "phrase"}}
    assert clause == {
        "bool": {
            "must": [],
            "should": [
                word,  # BM25 over any word
                compound,  # compounds as phrases
                {"constant_score": {"filter": word, "boost": TIER_BONUS}},  # one tier each
                {"constant_score": {"filter": compound, "boost": TIER_BONUS}},
            ],
            "minimum_should_match": 1,
        }
    }


def test_the_elasticsearch_clause_for_one_word_and_for_phrases() -> None:
    (one,) = text_clauses("zebrafish")
    assert len(one["bool"]["should"]) == 1  # one word: no tier to rank first
    (mixed,) = text_clauses('"quantum leap" lemur')
    phrase = {"multi_match": {"query": "quantum leap", "fields": TEXT_FIELDS, "type": "phrase"}}
    assert mixed["bool"]["must"] == [phrase]
    assert mixed["bool"]["minimum_should_match"] == 0  # with a phrase the words only rank
    assert text_clauses('"quantum leap"') == [phrase]
    assert text_clauses("") == [] and text_clauses('AND "" OR') == []
