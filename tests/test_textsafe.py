"""radar.textsafe: links only to http(s), and our Markdown lines converted per format."""

from __future__ import annotations

import pytest

from radar import textsafe


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "file:///etc/passwd",
     "ftp://a.example/x", "https://", "//evil.example/x", "java\nscript:alert(1)", ""],
)  # fmt: skip
def test_only_http_links(url: str) -> None:
    assert textsafe.http_url(url) is None


def test_link_breaking_characters_are_percent_encoded() -> None:
    url = "https://a.example/x)![p](https://evil.example/p.gif <b>|"
    assert textsafe.http_url(url) == (
        "https://a.example/x%29!%5Bp%5D%28https://evil.example/p.gif%20%3Cb%3E%7C"
    )
    assert textsafe.http_url("https://a.example/a_b?q=1&r=2#top") == (
        "https://a.example/a_b?q=1&r=2#top"
    )


def test_one_line_of_our_markdown_in_each_format() -> None:
    line = f"- **{textsafe.markdown('<!here> *x* [a](b) @everyone')}** (acme) https://a.example/1"
    assert textsafe.convert(line, "markdown") == line
    assert textsafe.convert(line, "text") == (
        "- <!here> *x* [a](b) @\u200beveryone (acme) https://a.example/1"
    )
    assert textsafe.convert(line, "slack") == (
        "- **\\<\\!here\\> *x* \\[a\\]\\(b\\) @\u200beveryone** (acme) https://a.example/1"
    )
    assert textsafe.convert(line, "html") == (
        "- <b>&lt;!here&gt; *x* [a](b) @\u200beveryone</b> (acme) https://a.example/1"
    )


def test_markup_that_is_not_ours_stays_literal() -> None:
    """Lines queued before escaping existed: raw `<` or `[` are kept as text."""
    old = "- **<!channel> [x](https://evil.example)** https://a.example/1"
    assert "<!" not in textsafe.convert(old, "slack").replace("\\<!", "")
    assert "](https" not in textsafe.convert(old, "markdown").replace("\\](", "")


def test_clean_removes_bidi_and_controls_and_cuts() -> None:
    assert textsafe.clean("a\u202eb\u2066c\x1b[31m\nd\u200f", 100) == "abc [31m d"
    assert textsafe.clean("x" * 10_000, 10) == "x" * 9 + "…"
