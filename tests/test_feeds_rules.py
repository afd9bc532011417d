"""crawlers.feeds_rules restates feedparser 6's rules; these tests hold it to the installed one."""

from __future__ import annotations

import random
import time

import feedparser
import pytest

from crawlers import feeds_rules
from crawlers.feeds_rules import UnknownDate, parse_date, text_safe_html
from crawlers.text import html_to_text

URL = "https://example.test/feed"
HEADERS = {"content-type": "application/xml", "content-location": URL}


def _feedparser_item(inner: str) -> feedparser.FeedParserDict:
    doc = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    doc += f"<item><title>A</title>{inner}</item></channel></rss>"
    parsed = feedparser.parse(doc.encode(), response_headers=HEADERS, sanitize_html=True)
    return parsed.entries[0]


def test_tables_match_the_installed_feedparser() -> None:
    """Drift guard: reads feedparser's private tables here, so a release fails this test only."""
    from feedparser.html import _cp1252
    from feedparser.mixin import _FeedParserMixin as Mixin
    from feedparser.sanitizer import _HTMLSanitizer

    handlers = {n.split("_", 2)[2] for n in dir(Mixin) if n.startswith(("_start_", "_end_"))}
    assert handlers == feeds_rules.HANDLERS
    assert Mixin.namespaces == feeds_rules.NAMESPACES
    assert Mixin.can_be_relative_uri == feeds_rules.CAN_BE_RELATIVE_URI
    assert Mixin.can_contain_dangerous_markup == feeds_rules.CAN_CONTAIN_DANGEROUS_MARKUP
    assert Mixin.html_types == feeds_rules.HTML_TYPES
    assert _HTMLSanitizer.acceptable_elements == feeds_rules.ACCEPTABLE_ELEMENTS
    assert _cp1252 == feeds_rules.CP1252


DATES = [
    "Tue, 03 Jun 2025 09:39:21 GMT",
    "03 Jun 2025 09:39:21 +0200",
    "Sunday, 1 June 2025 23:05 -0530",
    "Mon, 31 Dec 2024 23:59:59 EST",
    "Wed, 01 Jan 2025 00:00:00 PDT",
    "Wed, 01 Jan 2025 00:00:00 UTC",
    "2025-06-03T09:39:21Z",
    "2025-06-03t09:39:21.987+05:30",
    "2025-06-03T09:39:21-08:00",
    "2025-06-03T09:39:21",
    "2024-01-31",
]


@pytest.mark.parametrize("value", DATES)
def test_dates_read_as_feedparser_reads_them(value: str) -> None:
    expected = _feedparser_item(f"<pubDate>{value}</pubDate>").get("published_parsed")
    mine = parse_date(value)
    assert (time.mktime(mine) if mine else None) == (time.mktime(expected) if expected else None)


@pytest.mark.parametrize(
    "value",
    ["Thu, 07 Dec 17 10:00:29 -0800", "Sat, Dec 16 2023 02:02:33 PM", "1 Jan 2025 CEST"]
    + ["2024-02-30", "Fri, 30 Feb 2024 10:00:00 GMT", "1 Jan 2025 10:00:00 CEST"],
)
def test_other_date_forms_are_left_to_feedparser(value: str) -> None:
    with pytest.raises(UnknownDate):
        parse_date(value)


def test_text_without_digits_is_no_date() -> None:
    assert parse_date("not a date") is None
    assert _feedparser_item("<pubDate>not a date</pubDate>").get("published_parsed") is None


PIECES = [
    "<p>", "</p>", "<b>", "</b>", "<br>", "<br/>", "<br />", "<img src='x.png'>", "</img>",
    '<a href="/x?a=1&amp;b=2">', "</a>", "<script>x()</script>", "<style>p{}</style>",
    "<!-- c -->", "<iframe src='y'></iframe>", "<div class=md>", "</div>", "<li>", "<ul>",
    "</ul>", "text", " ", "\n", "&amp;", "&nbsp;", "&#8217;", "&#x41;", "&#150;", "&foo;", "<",
    "&", "a > b", "<span title=\"it's\">", "</span>", "<h2>", "</h2>", "<object>", "<svg>",
    "<p/>", "<!-- a -- b -->", "<td>", "<table>", "<noscript>", "</noscript>", "<pre>", "<P>",
    "<iframe> </iframe>", "<hr>", "</hr>", "<font color=red>", "<blink>", "</br>",
]  # fmt: skip


def test_text_safe_html_keeps_feedparsers_text() -> None:
    rng = random.Random(11)
    safe = unsafe = 0
    for _ in range(400):
        fragment = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 10)))
        if not text_safe_html(fragment):
            unsafe += 1
            continue
        safe += 1
        item = _feedparser_item(f"<description><![CDATA[{fragment}]]></description>")
        assert html_to_text(fragment.strip()) == html_to_text(item.summary), repr(fragment)
    assert safe > 50 and unsafe > 50


@pytest.mark.parametrize(
    "fragment",
    ["<blink>x</blink>", "a &foo; b", "&#150;", "<p/>", "<!-- a -- b -->", "<object>x</object>"]
    + ["<iframe> </iframe>", "<script><p>x</p></script>", "<br></br>", "a < b", "<![CDATA[x]]>"]
    + ['<a title="caf\u00e9">x</a>', "<script>caf\u00c3\u00a9</script>"],
)
def test_markup_the_sanitizer_changes_is_refused(fragment: str) -> None:
    assert not text_safe_html(fragment)
