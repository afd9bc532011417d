"""Move-type rules on clear cases, priorities, and the blend with embedding prototypes."""

from __future__ import annotations

import pytest

from enrich.base import MOVE_TYPES
from enrich.embed import HashEmbedder
from enrich.moves import MoveClassifier, classify_move, conventional_commit, rule_scores


@pytest.mark.parametrize(
    ("title", "body", "move"),
    [
        ("Introducing Dark Mode", "Available today for everyone.", "launch"),
        ("feat: add CSV export", "", "launch"),
        ("Improved search ranking", "Results are easier to scan.", "improvement"),
        ("New Team plan at $20 per user per month", "", "pricing"),
        (
            "Simpler packaging",
            "Three editions instead of five; exports move to the Pro tier.",
            "pricing",
        ),
        ("Deprecated the v1 API in favour of v2", "", "deprecation"),
        ("feat!: new config format", "BREAKING CHANGE: the old keys are ignored.", "deprecation"),
        ("Security release", "Fixes CVE-2024-12345 in the upload handler.", "security"),
        ("fix(security): escape HTML in comments", "", "security"),
        ("Fixed XSS in the markdown preview", "", "security"),
        ("New integration with Slack", "", "integration"),
        ("Acme raises $30M Series B", "", "company"),
        ("Welcoming our new CEO", "", "company"),
        ("Dashboards are 2x faster", "", "performance"),
        ("perf: cache compiled templates", "", "performance"),
        ("Bug fixes.", "", "fix"),
        ("fix: crash when the list is empty", "", "fix"),
        ("docs: fix typo in README", "", "other"),
        ("chore: bump dev dependencies", "", "other"),
        ("Sicherheitsupdate", "Eine Schwachstelle wurde behoben.", "security"),
        ("Nouveaux prix", "Le prix du plan Pro change.", "pricing"),
        ("Correcciones de errores", "Se corrigió un error al importar.", "fix"),
    ],
)
def test_rules_on_clear_cases(title: str, body: str, move: str) -> None:
    got, confidence = classify_move(title, body)
    assert got == move
    assert 0 < confidence <= 0.99


def test_security_beats_fix_and_title_weighs_more() -> None:
    scores = rule_scores("Fixed a vulnerability in login", "")
    assert scores["security"] > scores["fix"] > 0
    assert (
        rule_scores("Dashboards load faster", "")["performance"]
        == 2 * rule_scores("", "Dashboards load faster")["performance"]
    )


def test_conventional_commit_prefixes() -> None:
    assert conventional_commit("feat(api): x") == ("launch", False)
    assert conventional_commit("fix(security)!: x") == ("security", True)
    assert conventional_commit("Refactor the parser") == (None, False)


def test_no_signal_falls_back_with_low_confidence() -> None:
    assert classify_move("Quarterly notes", "") == ("improvement", 0.2)


def test_classifier_rules_only_and_blended() -> None:
    titles = ["Security release", "Bug fixes.", "Quarterly notes"]
    bodies = ["Fixes CVE-2024-1.", "", ""]
    rules = MoveClassifier().classify(titles, bodies)
    assert [m for m, _ in rules] == ["security", "fix", "improvement"]
    blended = MoveClassifier(HashEmbedder()).classify(titles, bodies)
    assert [m for m, _ in blended][:2] == ["security", "fix"]
    assert all(m in MOVE_TYPES and 0 < c <= 0.99 for m, c in blended)
    assert MoveClassifier(HashEmbedder()).classify([], []) == []


def test_mismatched_lengths_raise() -> None:
    with pytest.raises(ValueError, match="2 titles but 1 bodies"):
        MoveClassifier().classify(["a", "b"], ["x"])
