"""The fast Markdown block parser (crawlers/changelog/fastmd.py) against markdown-it.

Wherever the fast path is taken it must give exactly the blocks -- and so the entries -- that
markdown-it's full parse gives; documents outside its subset must fall back.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

from crawlers.changelog.api import decode
from crawlers.changelog.markdown import (
    _parser,
    markdown_blocks,
    markdown_blocks_fast,
    markdown_blocks_slow,
    split_front_matter,
)
from crawlers.changelog.model import Block
from crawlers.changelog.segmenter import segment_blocks

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "changelog"
MARKDOWN_CASES = sorted(p for p in DATA.iterdir() if p.suffix in (".md", ".txt"))
BASE_URL = "https://example.test/changelog"


def _crawl_bench_changelog():
    spec = importlib.util.spec_from_file_location("crawl_bench", ROOT / "bench" / "crawl_bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module.changelog


def _key(blocks: list[Block]) -> list[tuple]:
    return [(b.kind, b.lines, b.title, b.anchor) for b in blocks]


def _assert_same(text: str, must_be_fast: bool = False) -> bool:
    """Fast and markdown-it blocks and entries agree; return whether the fast path ran."""
    meta, body = split_front_matter(decode(text))
    fast = markdown_blocks_fast(body)
    if fast is None:
        assert not must_be_fast, "fast path unexpectedly refused the document"
        return False
    slow = markdown_blocks_slow(body)
    assert _key(fast) == _key(slow)
    assert [e.to_json() for e in segment_blocks(fast, BASE_URL, meta)] == [
        e.to_json() for e in segment_blocks(slow, BASE_URL, meta)
    ]
    return True


@pytest.mark.parametrize("source", MARKDOWN_CASES, ids=[p.name for p in MARKDOWN_CASES])
def test_golden_markdown_fixture_same_as_markdown_it(source: Path) -> None:
    _assert_same(source.read_bytes().decode("utf-8"))


def test_fast_path_taken_for_most_golden_fixtures() -> None:
    taken = [_assert_same(p.read_bytes().decode("utf-8")) for p in MARKDOWN_CASES]
    assert sum(taken) >= len(taken) - 2


def test_crawl_bench_synthetic_changelogs() -> None:
    changelog = _crawl_bench_changelog()
    rng = random.Random(7)
    for _ in range(20):
        _assert_same(changelog(rng, "acme"), must_be_fast=True)


SAMPLES = {
    "nested_lists": (
        "# Changelog\n\n## 1.2.0 - 2024-02-03\n\n- top\n  - nested\n    - deeper\n"
        "  - back\n- **bold** first\n\n  second paragraph of the item\n* other marker\n"
        "1. ordered\n2. second\n   3) not a sibling\n"
    ),
    "lazy_and_setext": (
        "Release 2.0.0\n=============\n\nSome text\nlazy continuation\n- item\nlazy in item\n"
        "    indented lazy\n\n1.0.0 (2023-01-01)\n------------------\n\n2. not a list start\n"
    ),
    "fences_and_code": (
        "## v3.0.0\n\n```python\n# not a heading\n- not an item\n```\n\n- item\n\n  ```\n  code\n"
        "  ```\n\n    indented code\n\n***\n- - -\n## v2.0.0 ##\n~~~\nunclosed"
    ),
    "inline_markup": (
        "## [1.0.0](https://x.test) - 2024-01-01\n\n- `code` and [link](https://x.test/a) "
        "and *em* and __strong__\n- escaped \\* star &amp; entity\n- ![image](i.png) alt\n"
        "**2.0.0 - 2024-02-02**\n\nv1.0.0 - May 2, 2024\nline two\n"
    ),
    "plain_text": "Version 1.0\n\nReleased 2024-01-02.\r\nWindows line ends\r\n\n\n",
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples_same_as_markdown_it(name: str) -> None:
    _assert_same(SAMPLES[name], must_be_fast=True)


FALLBACKS = {
    "table": "## 1.0.0\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    "one_column_table": "## 1.0.0\n\n| a |\n---\n",
    "html_block": "## 1.0.0\n\n<details>\n<summary>More</summary>\n\n- x\n</details>\n",
    "html_comment": "<!-- generated -->\n## 1.0.0\n- x\n",
    "html_in_item": "- <div>\n  x\n  </div>\n",
    "block_quote": "## 1.0.0\n\n> quoted\n> more\n",
    "nested_quote": "- item\n  > > deep\n",
    "reference_definitions": "## [1.0.0] - 2024-01-01\n\n- x\n\n[1.0.0]: https://x.test/v1\n",
    "tab_indent": "- item\n\tcontinued\n",
    "tab_after_marker": "-\titem\n",
    "empty_item": "-\n  foo\n",
}


@pytest.mark.parametrize("name", sorted(FALLBACKS))
def test_unsupported_documents_fall_back(name: str) -> None:
    text = FALLBACKS[name]
    assert markdown_blocks_fast(text) is None
    assert _key(markdown_blocks(text)) == _key(markdown_blocks_slow(text))


def test_markdown_it_options_the_port_assumes() -> None:
    assert not _parser.options.get("tasklists", False)
    assert _parser.options["maxNesting"] >= 20
    assert not _parser.options["linkify"]
    assert not _parser.options["typographer"]


_PIECES = [
    "",
    "",
    "# Title",
    "## 1.2.3 - 2024-01-02",
    "### Added",
    "## [2.0.0] - 2023-05-06 ##",
    "#nohead",
    "Para text v1.2.3",
    "**1.2.0 (2024-03-04)**",
    "v1.0.0 - May 2, 2024",
    "- item one",
    "- **1.0.1** fix",
    "* star item",
    "+ plus item",
    "1. first",
    "2. second",
    "1) paren",
    "  - nested",
    "    - deeper",
    "   - three",
    "     - five",
    "        indented code",
    "  continuation",
    "lazy line",
    "---",
    "***",
    "- - -",
    "===",
    "```",
    "~~~",
    "  ```",
    "code `inline` here",
    "a [link](http://x) b",
    "[1.0.0] bracket",
    "see \\*escaped\\*",
    "A &amp; B",
    "*em* and _under_",
    "- [x] task",
    "-     five spaces",
    "- ## heading item",
    "- ```",
    "  1. nested ordered",
]


def test_random_documents_same_as_markdown_it() -> None:
    rng = random.Random(20240601)
    taken = 0
    for _ in range(1500):
        text = "\n".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 20)))
        taken += _assert_same(text + rng.choice(["", "\n", "\n\n  "]))
    assert taken > 1000
