"""The literal gate before regular-expression searches answers as the plain search does."""

from __future__ import annotations

import re

import pytest

from enrich.moves import _RULES, rule_scores
from enrich.regex_gate import GatedPattern, PatternSet, anchors


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        (r"\bfix(?:es|ed)?\b|\bbugs?\b|hotfix", {"fix", "bug"}),
        (r"\bCVE-\d{4}-\d+|\bGHSA-\w+", {"cve-", "ghsa-"}),
        (r"(?:sql|command) injection", {"sql injection", "command injection"}),
        (r"\b(?:CEO|CTO)s?\b|chief \w+ officer", {"ceo", "cto", " officer"}),
        (r"[$€£]\s?\d|\bfree\b", {"$", "€", "£", "free"}),
        (r"\d{3,}|\bfree\b", None),  # a branch without any literal: always searched
        (r"\w+ tiers?", {" tier"}),
        (r"(?:abc)+d", {"abc"}),
        (r"(?:abc)*d", {"d"}),
        (r"übernimmt|übernahme", {"übernimmt", "übernahme"}),
        (r"(?-i:API) keys", {" keys"}),  # a scoped flag: its literals are not used
        (r"ſtrict", None),  # the long s folds onto "s": no gate
    ],
)
def test_anchors(pattern: str, words: set[str] | None) -> None:
    found = anchors(pattern, re.I)
    assert (set(found) if found is not None else None) == words


TEXTS = [
    "Fixed a crash when the list is empty",
    "FIXES THE BUG",
    "Added `--json` to the CLI",
    "Patch for cve-2024-1234",
    "Pricing: $12 per member",
    "Übernahme durch Acme",
    "Acme übernimmt Beta",
    "ſtrict mode for the Kelvin \u212a sign and the dotless ı",
    "DROP SUPPORT for Node 16",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_gated_set_matches_what_plain_searches_match(text: str) -> None:
    patterns = [pattern for _, _, pattern in _RULES] + [r"ſtrict", r"(?-i:API) keys", r"\bk\b"]
    plain = [i for i, p in enumerate(patterns) if re.search(p, text, re.I)]
    assert PatternSet(patterns, re.I).matching(text) == plain
    for pattern in patterns:
        gated = GatedPattern(pattern, re.I).search(text, text.lower() if text.isascii() else None)
        assert bool(gated) == bool(re.search(pattern, text, re.I))


def test_a_case_sensitive_pattern_is_never_gated() -> None:
    gated = GatedPattern(r"API keys")
    assert gated.words is None
    assert gated.search("API keys", "api keys") and not gated.search("api keys", "api keys")


def test_rule_scores_see_the_gated_rules() -> None:
    scores = rule_scores("Fixed a crash in the uploader", "")
    assert scores["fix"] > 0 and scores["security"] == 0
