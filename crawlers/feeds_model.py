"""What the feed parsers return, and the small conversions they share (URLs, ids, dates)."""

from __future__ import annotations

import calendar
import hashlib
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from dateutil import parser as dateparser

from crawlers.text import collapse

__all__ = [
    "FeedEntry",
    "ParsedFeed",
    "absolute",
    "hash_id",
    "one_line",
    "string_to_iso",
    "struct_to_iso",
]

ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass
class FeedEntry:
    id: str
    title: str
    url: str
    published: str | None
    summary: str
    content: str
    author: str | None = None


@dataclass
class ParsedFeed:
    title: str
    link: str | None
    entries: list[FeedEntry] = field(default_factory=list)
    warning: str | None = None

    def to_json(self) -> dict[str, Any]:
        keys = ("id", "title", "url", "published", "summary")
        return {
            "title": self.title,
            "entries": [{k: getattr(e, k) for k in keys} for e in self.entries],
        }


def one_line(exc: object) -> str:
    return collapse(str(exc))[:300] or "no details"


def absolute(link: object, base: str) -> str:
    link = collapse(str(link or ""))
    if not link:
        return ""
    try:
        return urljoin(base, link)
    except ValueError:  # e.g. an invalid IPv6 literal
        return link


def hash_id(title: str, published: str | None) -> str:
    return hashlib.sha1(f"{title}\n{published or ''}".encode()).hexdigest()


def struct_to_iso(value: time.struct_time | None) -> str | None:
    if not value:
        return None
    try:
        stamp = calendar.timegm(value)
        return datetime.fromtimestamp(stamp, UTC).strftime(ISO_FORMAT)
    except (OverflowError, ValueError, OSError):
        return None


def string_to_iso(value: object) -> str | None:
    """Dates feedparser could not read (or JSON Feed RFC 3339 dates), as UTC ISO 8601."""
    text = collapse(str(value or ""))
    if not text:
        return None
    try:
        parsed = dateparser.parse(text)
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC).strftime(ISO_FORMAT)
    except (OverflowError, ValueError):
        return None
