"""Change typing (section table, markers, model, rules), importance and highlights."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from scipy import sparse

from enrich.change_model import ChangeTypeModel, Head, default_model, features, fit_head
from enrich.change_rules import (
    clean_text,
    is_noise,
    marker_type,
    section_is_noise,
    section_type,
)
from enrich.changes import RULES_ONLY, entry_moves, highlights, importance, type_changes
from enrich.embed import HashEmbedder
from radar.core.records import Change


@pytest.mark.parametrize(
    ("section", "move"),
    [
        ("Added", "launch"),
        ("🚀 New Features", "launch"),
        ("New features ✨", "launch"),
        ("NEW FEATURES", "launch"),
        ("Features", "launch"),
        ("Changed", "improvement"),
        ("ENHANCEMENTS", "improvement"),
        ("Improvements › User Interface (UI)", "improvement"),
        ("Deprecated", "deprecation"),
        ("Removed", "deprecation"),
        ("⚠ BREAKING CHANGES", "deprecation"),
        ("⚠️ Changed", "deprecation"),
        ("Major Changes", "deprecation"),
        ("Security", "security"),
        ("Security fixes", "security"),
        ("Bug Fixes 🐛", "fix"),
        ("BUG FIXES", "fix"),
        ("Bugfixes", "fix"),
        ("Bug fixes and enhancements › For Mac", "fix"),
        ("Performance Improvements", "performance"),
        ("Integrations", "integration"),
        ("Pricing", "pricing"),
        ("Chores", None),
        ("🧰 Maintenance", None),
        ("Documentation", None),
        ("Dependency updates", None),
        ("New Contributors", None),
        ("For Mac", None),
        ("Patch Changes", None),
        (None, None),
    ],
)
def test_section_types(section: str | None, move: str | None) -> None:
    assert section_type(section) == move


@pytest.mark.parametrize(
    ("section", "noise"),
    [
        ("Chores", True),
        ("🧰 Maintenance", True),
        ("Documentation", True),
        ("Dependency updates", True),
        ("New Contributors", True),
        ("Performance › Internal Improvements", True),
        ("Bug Fixes", False),
        ("For Mac", False),
        (None, False),
    ],
)
def test_noise_sections(section: str | None, noise: bool) -> None:
    assert section_is_noise(section) is noise


def test_section_parts_that_are_titles_or_areas_yield() -> None:
    assert section_type("Bug Fixes 🐛 › Integrations") == "fix"
    assert section_type("Integrations") == "integration"
    assert section_type("Performance › Internal Improvements") == "performance"
    assert section_type("New features › Support updates towards the WebSockets API") == "launch"


@pytest.mark.parametrize(
    ("text", "move"),
    [
        ("feat: add a --json flag", "launch"),
        ("feat(api)!: drop the v1 routes", "deprecation"),
        ("fix(auth): refresh tokens on 401", "fix"),
        ("fix(security): escape HTML in comments", "security"),
        ("perf: cache compiled templates", "performance"),
        ("BREAKING CHANGE: the old keys are ignored", "deprecation"),
        ("⚠️ `timeout` is now in milliseconds", "deprecation"),
        ("Patch for CVE-2024-12345 in the upload handler", "security"),
        ("chore(deps): bump undici", "noise"),
        ("docs: fix a typo", "noise"),
        ("Add the export dialog", None),
    ],
)
def test_markers(text: str, move: str | None) -> None:
    assert marker_type(text) == move


@pytest.mark.parametrize(
    ("text", "noise"),
    [
        ("Bump pyyaml from 6.0 to 6.0.1", True),
        ("deps: body-parser@1.20.3", True),
        ("chore: release 2.4.0", True),
        ('Revert "Add the beta flag"', True),
        ("Update README", True),
        ("Updated dependencies [a1b2c3d]", True),
        ("Update the billing page to show taxes", False),
        ("Add SAML single sign-on", False),
    ],
)
def test_noise(text: str, noise: bool) -> None:
    assert is_noise(text) is noise


def test_clean_text_drops_links_refs_and_handles() -> None:
    text = "feat: add X ([#12](https://x.test/12)) (a1b2c3d) by @ana in https://x.test/pull/12"
    assert clean_text(text) == "feat: add X"


def _types(changes: list[Change], **kwargs) -> list[tuple[str | None, bool]]:
    return [(c.move_type, c.noise) for c in type_changes(changes, model=RULES_ONLY, **kwargs)]


def test_typing_order_section_then_marker_then_words() -> None:
    changes = [
        Change("Add retries", "Bug fixes"),  # the section wins over the words
        Change("feat: add retries"),  # the prefix names it
        Change("feat!: rename timeout", "Features"),  # breaking outranks the section
        Change("Fixed a crash when the list is empty"),  # the words
        Change("Bump lodash from 4.17.20 to 4.17.21", "Features"),  # noise, kept, flagged
        Change("Upgrade openssl to fix CVE-2024-0001", "Dependencies"),  # security is not noise
    ]
    assert _types(changes) == [
        ("fix", False),
        ("launch", False),
        ("deprecation", False),
        ("fix", False),
        ("launch", True),
        ("security", False),
    ]


def test_type_changes_keeps_text_and_section_and_fills_importance() -> None:
    typed = type_changes([Change("Removed the v1 API", "Removed")], model=RULES_ONLY)
    assert typed[0].text == "Removed the v1 API" and typed[0].section == "Removed"
    assert 0.8 < typed[0].importance <= 0.99
    assert type_changes([], model=RULES_ONLY) == []


def test_importance_order_and_specificity() -> None:
    def score(text: str, move: str, noise: bool = False) -> float:
        return importance(Change(text, move_type=move, noise=noise))

    breaking = score("Removed the `v1` export endpoint", "deprecation")
    security = score("Escaped HTML in comment previews (XSS)", "security")
    pricing = score("Team plan now costs $12 per member", "pricing")
    api = score("New API for bulk exports", "launch")
    feature = score("Dashboards can be shared by link", "launch")
    improvement = score("Dashboards load their widgets in order", "improvement")
    fix = score("Fixed the tray icon on Windows", "fix")
    assert breaking > security > pricing > api > feature > improvement > fix
    assert score("Bug fixes", "fix") < fix
    assert score("Various improvements", "improvement") < improvement
    assert score("Bump lodash to 4.17.21", "other", noise=True) < score("Tiny fix", "fix")


def test_highlights_rank_and_never_show_noise() -> None:
    changes = type_changes(
        [
            Change("Fixed the tray icon on Windows", "Bug fixes"),
            Change("Bump lodash from 4.17.20 to 4.17.21"),
            Change("Dropped support for Node 16", "Breaking changes"),
            Change("Added webhooks for failed deploys", "Added"),
            Change("Added webhooks for failed deploys", "Added"),
        ],
        model=RULES_ONLY,
    )
    top = highlights(changes, k=5)
    assert [c.text for c in top] == [
        "Dropped support for Node 16",
        "Added webhooks for failed deploys",
        "Fixed the tray icon on Windows",
    ]
    assert highlights(changes, k=1)[0].move_type == "deprecation"
    assert entry_moves(changes) == ("deprecation", ["deprecation", "fix", "launch"])
    only_chores = type_changes([Change("chore: bump deps"), Change("ci: cache")], model=RULES_ONLY)
    assert highlights(only_chores) == [] and entry_moves(only_chores) == (None, [])


def _tiny_model(embedder=None) -> ChangeTypeModel:
    texts = ["add export", "add import", "new dashboard", "fix crash", "fix leak", "fixed hang"]
    labels = ["launch", "launch", "launch", "fix", "fix", "fix"]
    lexical = fit_head(features(texts), labels)
    if embedder is None:
        return ChangeTypeModel(lexical)
    embedded = fit_head(features(texts, embedder.embed(texts)), labels)
    return ChangeTypeModel(lexical, embedded, embedder.name)


def test_a_trained_model_types_what_sections_and_markers_leave(tmp_path) -> None:
    embedder = HashEmbedder()
    model = _tiny_model(embedder)
    path = tmp_path / "m.npz"
    model.save(path)
    loaded = ChangeTypeModel.load(path)
    changes = [Change("fix another crash"), Change("add another export"), Change("x", "Security")]
    for given in (None, embedder):
        typed = type_changes(changes, given, model=loaded)
        assert [c.move_type for c in typed] == ["fix", "launch", "security"]


def test_without_a_model_file_rules_type_and_one_line_says_so(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("RADAR_CHANGE_MODEL", str(tmp_path / "absent.npz"))
    with caplog.at_level(logging.INFO, logger="enrich.change_model"):
        assert default_model() is None
        typed = type_changes([Change("Fixed a crash on start")])
    assert typed[0].move_type == "fix"
    assert any("no change-type model" in r.getMessage() for r in caplog.records)


def test_an_unreadable_model_file_falls_back_to_rules(monkeypatch, tmp_path) -> None:
    path = tmp_path / "broken.npz"
    path.write_bytes(b"not a zip")
    monkeypatch.setenv("RADAR_CHANGE_MODEL", str(path))
    assert default_model() is None
    assert type_changes([Change("Fixed a crash on start")])[0].move_type == "fix"


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        # a real closing parenthesis of the sentence stays; reference remnants go
        ("Fix the parser (see the docs)", "Fix the parser (see the docs)"),
        ("Support `foo()`", "Support `foo()`"),
        ("Add retries (#123)", "Add retries"),
        ("Add retries ([#123](https://x.test/123))", "Add retries"),
        ("Add retries (closes #123)", "Add retries"),
        ("Add retries (fixes #12, #13)", "Add retries"),
        ("Add retries ()", "Add retries"),
        ("(cli) add a --json flag", "(cli) add a --json flag"),
        # a dangling preposition left by a removed PR link
        ("Fix x in #123", "Fix x"),
        ("Fix x in [#123](https://x.test/pull/123)", "Fix x"),
        ("Fix x by @ana in #12", "Fix x"),
        ("Fix x by @ana in https://x.test/pull/12", "Fix x"),
        ("Fix x via #12 and #13", "Fix x"),
        ("Fix a crash in the #general channel", "Fix a crash in the #general channel"),
        ("Fix a crash in #12 on start", "Fix a crash on start"),
        # numbers, packages and tags that only look like references stay
        (
            "Raise the row limit to 10000000 in exports",
            "Raise the row limit to 10000000 in exports",
        ),
        ("Fix types in @types/node by @ana", "Fix types in @types/node"),
        ("Support the @deprecated tag", "Support the @deprecated tag"),
        # changesets: PR, commit and "Thanks @user! - " before the change
        (
            "[#4484](https://x.test/pull/4484) [`557140e`](https://x.test/commit/557140e) "
            "Thanks [@ana](https://x.test/ana)! - Add a `--json` flag",
            "Add a `--json` flag",
        ),
        ("Thanks @ana, @bo! - Fix the tray icon", "Fix the tray icon"),
        # eslint: commit link first, PR and author in parentheses last
        (
            "[`899dbf1`](https://x.test/commit/899dbf1) chore: update plugins (#21243) "
            "(renovate[bot])",
            "chore: update plugins",
        ),
        ("feat: add a rule option (#21175) (Ana (Bo) Cruz)", "feat: add a rule option"),
    ],
)
def test_clean_text_golden(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned


@pytest.mark.parametrize(
    "text",
    [
        "[`899dbf1`](https://x.test/commit/899dbf1) chore: update plugins (#21243) (renovate[bot])",
        "[`87f66f4`](https://x.test/commit/87f66f4) docs: Update README (GitHub Actions Bot)",
        "[`f878d21`](https://x.test/commit/f878d21) ci: bump pnpm/action-setup (#21200)",
        "[`5611035`](https://x.test/commit/5611035) test: add error locations (#21185) (Lee)",
        "build: publish types",
        "refactor(core): split the walker",
        "style: format with prettier",
    ],
)
def test_conventional_chores_after_a_commit_link_are_noise(text: str) -> None:
    typed = type_changes([Change(text)], model=RULES_ONLY)[0]
    assert typed.noise and marker_type(text) == "noise"
    assert highlights([typed]) == []


def test_a_feature_after_a_commit_link_keeps_its_prefix_type() -> None:
    text = "[`08de88e`](https://x.test/commit/08de88e) feat: handle underflow (#21218) (Rithish S)"
    typed = type_changes([Change(text)], model=RULES_ONLY)[0]
    assert (typed.move_type, typed.noise) == ("launch", False)


def test_a_head_decides_the_group_before_the_type_inside_it() -> None:
    classes = ["deprecation", "improvement", "launch"]
    # logits whose softmax is 0.40 / 0.25 / 0.35: "new" (0.60) beats "breaking" (0.40)
    head = Head(classes, np.zeros((3, 1)), np.log(np.asarray([0.40, 0.25, 0.35])))
    move, probability = head.predict(sparse.csr_matrix(np.ones((1, 1))))[0]
    assert move == "launch" and round(probability, 2) == 0.35
    # a clear winner keeps its class
    head = Head(classes, np.zeros((3, 1)), np.log(np.asarray([0.70, 0.10, 0.20])))
    assert head.predict(sparse.csr_matrix(np.ones((1, 1))))[0][0] == "deprecation"
