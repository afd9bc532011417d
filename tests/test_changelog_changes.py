"""Changes inside release entries: golden pairs, fast path = markdown-it, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawlers.changelog import segment, segment_html, segment_markdown
from crawlers.changelog.api import decode
from crawlers.changelog.changes import MAX_CHANGE_CHARS, MAX_CHANGES, extract_changes
from crawlers.changelog.markdown import (
    markdown_blocks_fast,
    markdown_blocks_slow,
    split_front_matter,
)
from crawlers.changelog.model import Block
from crawlers.changelog.segmenter import segment_blocks

DATA = Path(__file__).parent / "data" / "changelog"
BASE_URL = "https://example.test/changelog"
GOLDEN = sorted(DATA.glob("*.changes.json"))
MARKDOWN = sorted(p for p in DATA.iterdir() if p.suffix in (".md", ".txt"))


def _source(expected: Path) -> Path:
    stem = expected.name.removesuffix(".changes.json")
    return next(p for p in DATA.glob(f"{stem}.*") if not p.name.endswith(".json"))


@pytest.mark.parametrize("expected", GOLDEN, ids=[p.name for p in GOLDEN])
def test_changes_golden_pair(expected: Path) -> None:
    entries = segment(_source(expected).read_bytes(), BASE_URL)
    got = [{"title": e.title, "changes": e.changes_json()} for e in entries]
    assert got == json.loads(expected.read_text("utf-8"))


@pytest.mark.parametrize("source", MARKDOWN, ids=[p.name for p in MARKDOWN])
def test_fast_path_gives_the_same_changes(source: Path) -> None:
    meta, body = split_front_matter(decode(source.read_bytes()))
    fast = markdown_blocks_fast(body)
    if fast is None:
        pytest.skip("outside the fast path's subset")
    slow = segment_blocks(markdown_blocks_slow(body), BASE_URL, meta)
    assert [e.changes for e in segment_blocks(fast, BASE_URL, meta)] == [e.changes for e in slow]


def test_every_golden_source_has_changes_somewhere() -> None:
    assert len(GOLDEN) >= 6
    for expected in GOLDEN:
        assert any(e.changes for e in segment(_source(expected).read_bytes(), BASE_URL))


def test_html_and_markdown_agree_on_changes() -> None:
    markdown = "## 1.1.0 - 2024-02-01\n\n### Fixed\n\n- A crash on start\n  - on Windows only\n"
    html = (
        "<h2>1.1.0 - 2024-02-01</h2><h3>Fixed</h3><ul><li>A crash on start<ul>"
        "<li>on Windows only</li></ul></li></ul><h2>1.0.0 - 2024-01-01</h2><p>First.</p>"
    )
    first_md = segment_markdown(markdown + "\n## 1.0.0 - 2024-01-01\n\nFirst.\n")[0]
    first_html = segment_html(html)[0]
    assert first_md.changes == first_html.changes
    assert first_md.changes_json() == [
        {"text": "A crash on start: on Windows only", "section": "Fixed"}
    ]


def _release(body: str) -> str:
    return f"# Changelog\n\n## 2.0.0 - 2024-06-01\n\n{body}\n\n## 1.0.0 - 2024-01-01\n\n- First\n"


def test_an_entry_of_5000_bullets_keeps_the_first_thousand() -> None:
    body = "\n".join(f"- Fixed issue number {i}" for i in range(5000))
    changes = segment_markdown(_release(body))[0].changes
    assert len(changes) == MAX_CHANGES
    assert changes[0].text == "Fixed issue number 0"


def test_a_bullet_of_one_megabyte_is_cut() -> None:
    changes = segment_markdown(_release("- " + "word " * 200_000))[0].changes
    assert len(changes) == 1
    assert len(changes[0].text) == MAX_CHANGE_CHARS
    assert changes[0].text.endswith("…")


def test_lists_nested_ten_levels_give_the_innermost_item() -> None:
    body = "\n".join("  " * depth + f"- change at level {depth}" for depth in range(10))
    html_entry = segment_html(_nested_html(10))[0]
    assert [c.text for c in html_entry.changes] == ["change at level 9"]
    # markdown-it stops at its nesting limit: the deepest item it reads is the change
    entry = segment_markdown(_release(body))[0]
    assert [c.text for c in entry.changes] == [entry.body.splitlines()[-1].strip(" -")]


def _nested_html(levels: int) -> str:
    inner = ""
    for depth in reversed(range(levels)):
        inner = f"<ul><li>change at level {depth}{inner}</li></ul>"
    return f"<h2>2.0.0 - 2024-06-01</h2>{inner}<h2>1.0.0 - 2024-01-01</h2><p>First one.</p>"


def test_a_changelog_without_lists_gives_paragraphs() -> None:
    text = _release("Uploads resume after a dropped connection.\n\nReleased on 2024-06-01.")
    changes = segment_markdown(text)[0].changes
    assert [c.text for c in changes] == ["Uploads resume after a dropped connection."]


def test_a_release_of_only_chores_keeps_them() -> None:
    body = "### Chores\n\n- chore: bump deps\n- ci: cache the wheel build"
    changes = segment_markdown(_release(body))[0].changes
    assert [(c.text, c.section) for c in changes] == [
        ("chore: bump deps", "Chores"),
        ("ci: cache the wheel build", "Chores"),
    ]


def test_code_blocks_and_tables_are_not_changes() -> None:
    body = "- Added `run`:\n\n  ```\n  radar run\n  ```\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    changes = segment_markdown(_release(body))[0].changes
    assert [c.text for c in changes] == ["Added run:"]


def test_intro_paragraph_beside_lists_is_not_a_change() -> None:
    body = "A big release, thanks to everyone.\n\n### Added\n\n- Webhooks for failed deploys"
    changes = segment_markdown(_release(body))[0].changes
    assert [(c.text, c.section) for c in changes] == [("Webhooks for failed deploys", "Added")]


def test_nested_category_headings_join_into_one_section() -> None:
    body = "### Bug fixes and enhancements\n\n#### For Mac\n\n- Fixed the tray icon"
    change = segment_markdown(_release(body))[0].changes[0]
    assert change.section == "Bug fixes and enhancements › For Mac"


def test_a_bold_bullet_labels_its_items_unless_it_is_a_release() -> None:
    blocks = [
        Block("bullet", ["- Bug fixes"], "Bug fixes"),
        Block("text", ["  - Fixed a crash"]),
        Block("bullet", ["- 10.1.2, released 2024-08-01"], "10.1.2, released 2024-08-01"),
        Block("text", ["  - Fixed a login loop"]),
    ]
    assert [(c.text, c.section) for c in extract_changes(blocks)] == [
        ("Fixed a crash", "Bug fixes"),
        ("Fixed a login loop", None),
    ]


def test_no_blocks_no_changes() -> None:
    assert extract_changes([]) == []
    assert extract_changes([Block("text", [""]), Block("h3", [], "")]) == []
