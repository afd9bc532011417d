"""JSON Feed 1 / 1.1 (feedparser 6 does not read it), mapped to the feed dataclasses."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from crawlers.feeds_model import FeedEntry, ParsedFeed, absolute, hash_id, one_line, string_to_iso
from crawlers.text import collapse, html_to_text
from radar.core.errors import ExtractionError

__all__ = ["parse_json_feed"]

JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "http://jsonfeed.org/version/1")

_HTMLISH = re.compile(r"</?[a-zA-Z][^>]*>|&#?\w+;")


def _plain_or_html(value: str) -> str:
    """Text of a field that should be plain but is often HTML-escaped in practice."""
    return html_to_text(value) if _HTMLISH.search(value) else collapse(value, keep_lines=True)


def parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1 / 1.1 (feedparser 6 does not read it), mapped to the same dataclasses."""
    try:
        data = json.loads(_decode_json(body))
    except ValueError as exc:
        raise ExtractionError(f"malformed JSON feed: {one_line(exc)}") from None
    version = data.get("version") if isinstance(data, dict) else None
    if not isinstance(version, str) or not version.startswith(JSON_FEED_VERSIONS):
        raise ExtractionError("not a feed: JSON document without a JSON Feed 'version'")
    items = data.get("items")
    if not isinstance(items, list):
        raise ExtractionError("malformed JSON feed: 'items' is missing or not a list")
    entries = [_entry_from_json(item, url) for item in items if isinstance(item, dict)]
    dropped = len(items) - len(entries)
    return ParsedFeed(
        title=collapse(_str(data.get("title"))),
        link=absolute(data.get("home_page_url"), url) or None,
        entries=entries,
        warning=f"{dropped} JSON Feed items are not objects and were skipped" if dropped else None,
    )


def _decode_json(body: bytes) -> str:
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if body.startswith(bom):
            return body.decode(codec, "replace").lstrip("\ufeff")
    return body.decode("utf-8", "replace")


def _entry_from_json(item: Mapping[str, Any], feed_url: str) -> FeedEntry:
    title = _plain_or_html(_str(item.get("title"))).replace("\n", " ")
    link = absolute(_str(item.get("url")) or _str(item.get("external_url")), feed_url)
    published = string_to_iso(item.get("date_published") or item.get("date_modified"))
    content = _str(item.get("content_text")).strip() or html_to_text(_str(item.get("content_html")))
    author = item.get("author") or next(iter(item.get("authors") or []), None)
    author_name = collapse(_str(author.get("name"))) if isinstance(author, dict) else ""
    entry_id = collapse(_str(item.get("id"))) or link or hash_id(title, published)
    return FeedEntry(
        id=entry_id,
        title=title,
        url=link,
        published=published,
        summary=collapse(_str(item.get("summary")), keep_lines=True),
        content=collapse(content, keep_lines=True),
        author=author_name or None,
    )


def _str(value: object) -> str:
    """JSON values as text: numbers (ids in JSON Feed 1.0) become strings, the rest ""."""
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int | float) and not isinstance(value, bool) else ""
