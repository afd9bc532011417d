"""Fetching and extraction: the Scrapy spider and the pure extractors it uses."""

from crawlers.articles import Article, extract_article
from crawlers.changelog import ChangelogEntry, segment
from crawlers.feeds import (
    FeedEntry,
    ParsedFeed,
    discover_feeds,
    html_to_text,
    looks_like_feed,
    parse_feed,
)

__all__ = [
    "Article",
    "ChangelogEntry",
    "FeedEntry",
    "ParsedFeed",
    "discover_feeds",
    "extract_article",
    "html_to_text",
    "looks_like_feed",
    "parse_feed",
    "segment",
]
