"""Changelog segmentation: golden pairs in tests/data/changelog plus unit tests of dates."""

from __future__ import annotations

import codecs
import json
import time
from pathlib import Path

import pytest

from crawlers.changelog import ChangelogEntry, segment, segment_html, segment_markdown
from crawlers.dates import find_date, parse_date

DATA = Path(__file__).parent / "data" / "changelog"
BASE_URL = "https://example.test/changelog"
CASES = sorted(p for p in DATA.iterdir() if not p.name.endswith(".json"))


@pytest.mark.parametrize("source", CASES, ids=[p.name for p in CASES])
def test_golden_pair(source: Path) -> None:
    expected = json.loads(source.with_name(source.stem + ".expected.json").read_text("utf-8"))
    entries = segment(source.read_bytes(), BASE_URL)
    assert [entry.to_json() for entry in entries] == expected


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2024-01-02", "2024-01-02"),
        ("8 December, 2023", "2023-12-08"),
        ("August 21, 2026", "2026-08-21"),
        ("Wed 02 Oct 2024 20:17:04 IDT", "2024-10-02"),
        ("5/29/2016", "2016-05-29"),
        ("31/12/2020", "2020-12-31"),
        ("Sept. 3rd, 2021", "2021-09-03"),
        ("2024-06-05T10:00:00Z", "2024-06-05"),
        ("2024-6-5", "2024-06-05"),
        ("Tuesday, 5 March 2024", "2024-03-05"),
        ("1.2.3", None),
        ("2024.1", None),
        ("v2024.01.15", None),
        ("May 2024", None),
        ("1989-12-31", None),
        ("2024-02-30", None),
        ("", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Released on 2025-01-02.", "2025-01-02"),
        ("## 1.4.2 (2024-05-01)", "2024-05-01"),
        ("- August 21, 2026", "2026-08-21"),
        ("# 3.1.0 - 8 December, 2023", "2023-12-08"),
        ("Redis 7.2.6    Released Wed 02 Oct 2024 20:17:04 IDT", "2024-10-02"),
        ("## Version 0.1.0 - 5/29/2016", "2016-05-29"),
        ('{{< release-date date="2025-10-09" >}}', "2025-10-09"),
        ("Date: 2024-06-05", "2024-06-05"),
        ("_Release date: May 2, 2024_", "2024-05-02"),
        ("[2026-08-11] Version 9.11.0", "2026-08-11"),
        ("## 1.2.3 - 2024.1 series", None),
        ("Update kube-vip from v1.0.3 to v1.0.4", None),
        ("May 2024 (version 1.90)", None),
    ],
)
def test_find_date(text: str, iso: str | None) -> None:
    assert find_date(text) == iso


def test_to_json_has_exactly_the_public_keys() -> None:
    entry = ChangelogEntry("1.0.0", "1.0.0", None, "- x", f"{BASE_URL}#100", "100")
    assert list(entry.to_json()) == ["title", "version", "date", "body", "url"]


def test_unreleased_only_changelog_has_no_entries() -> None:
    assert segment_markdown("# Changelog\n\n## [Unreleased]\n\n- soon\n", BASE_URL) == []


def test_single_release_with_unreleased_section() -> None:
    text = "# Changelog\n\n## [Unreleased]\n\n- soon\n\n## [1.0.0] - 2024-01-02\n\n- first\n"
    [entry] = segment_markdown(text, BASE_URL)
    assert (entry.version, entry.date, entry.body) == ("1.0.0", "2024-01-02", "- first")


def test_html_selectors_override_the_guess() -> None:
    html = """<html><body><div id="notes">
      <div class="rel"><p class="name" id="b42">Build 42</p><p>Faster sync.</p></div>
      <div class="rel"><p class="name" id="b41">Build 41</p><p>First build.</p></div>
    </div><div id="other"><p class="name">Build 40</p></div></body></html>"""
    entries = segment_html(html, BASE_URL, {"container": "#notes", "heading": "p.name"})
    assert [(e.title, e.body, e.url) for e in entries] == [
        ("Build 42", "Faster sync.", f"{BASE_URL}#b42"),
        ("Build 41", "First build.", f"{BASE_URL}#b41"),
    ]


def test_sniffing_uses_content_type_then_content() -> None:
    markdown = "## 1.0.1 - 2024-02-02\n\n- b\n\n## 1.0.0 - 2024-01-01\n\n- a\n"
    html = "<h2 id='x'>1.0.1</h2><p>b</p><h2 id='y'>1.0.0</h2><p>a</p>"
    assert [e.url for e in segment(html, BASE_URL)] == [f"{BASE_URL}#x", f"{BASE_URL}#y"]
    assert [e.version for e in segment(markdown, BASE_URL, "text/markdown")] == ["1.0.1", "1.0.0"]
    assert [e.version for e in segment(html, BASE_URL, "text/html; charset=utf-8")] == [
        "1.0.1",
        "1.0.0",
    ]


def test_bytes_are_decoded_by_bom_and_meta_charset() -> None:
    text = "## 1.0.0 - 2024-01-01\n\n- café\n\n## 0.9.0 - 2023-12-01\n\n- crème\n"
    utf16 = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    assert segment(utf16, BASE_URL)[0].body == "- café"
    latin = '<html><head><meta charset="iso-8859-1"></head><body><h2>1.0.0</h2><p>café</p>'
    latin += "<h2>0.9.0</h2><p>crème</p></body></html>"
    assert segment(latin.encode("latin-1"), BASE_URL)[0].body == "café"


def test_large_changelog_is_segmented_in_bounded_time() -> None:
    """A guard against runaway (super-linear) segmentation, not a speed target: speed is
    measured in bench/eval_changelogs.py, and a busy machine must not fail a test."""
    releases = [
        f"## [{major}.{minor}.0] - 2024-01-{minor % 28 + 1:02d}\n\n### Fixed\n\n"
        + "".join(f"- fix number {i} in `module_{i}`\n" for i in range(40))
        for major in range(1, 15)
        for minor in range(30)
    ]
    text = "# Changelog\n\n" + "\n".join(releases)
    started = time.perf_counter()
    entries = segment_markdown(text, BASE_URL)
    assert len(entries) == 14 * 30
    assert time.perf_counter() - started < 30.0
