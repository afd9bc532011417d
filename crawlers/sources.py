"""What a crawl does with each source, as plain objects the spider drives.

A :class:`SourceCrawl` turns the parsed outputs of one source's responses (see
:mod:`crawlers.parsing`, which may run in a parse worker) into items and exactly one
:class:`SourceResult`: it drops duplicates and items unchanged since the last crawl, compares a
watched page with its snapshot, and returns :class:`FollowUp` requests (article pages,
auto-discovered feeds) for the spider to make.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from crawlers.credentials import auth_meta, redact, strip_credentials
from crawlers.pagewatch import change_body, diff_lines
from crawlers.parsing import (
    Emit,
    Failed,
    Fetched,
    FollowUp,
    Note,
    PageText,
    ParseJob,
    SourceParser,
    content_type,
    header_map,
    is_html,
)
from radar.core.config import Config, SourceConfig
from radar.core.protocols import CrawlStore
from radar.core.records import Item, SourceResult, utcnow
from radar.core.settings import Settings

__all__ = ["FollowUp", "SourceCrawl", "SourceDone", "content_type", "header_map", "is_html"]


@dataclass
class SourceDone:
    """A source's last item: its result, and the source as the store records it (URL redacted)."""

    source: SourceConfig
    result: SourceResult


def start_url(source: SourceConfig, settings: Settings) -> str:
    """The first URL of a source, without credentials (they travel as request meta)."""
    if source.url:
        return strip_credentials(source.url)[0]
    return f"{settings['github_base_url'].rstrip('/')}/{source.repo}/releases.atom"


class SourceCrawl:
    """The state of one source during one crawl."""

    def __init__(self, source: SourceConfig, config: Config, settings: Settings, store: CrawlStore):
        self.source = source
        self.store = store
        self.start_url = start_url(source, settings)
        self.auth = auth_meta(source.url, source.auth) if source.url else {}
        self.shown = replace(source, url=redact(source.url), auth=None)
        self.known = store.known_hashes(source.id)
        self.result = SourceResult(source.id, ok=True, removals=source.type == "changelog")
        self.seen: set[str] = set()
        self.pending = 0
        self.done = False
        self.now = utcnow()
        self.parser = SourceParser(source, self.start_url, self.now)

    def job(self, parse: str, fetched: Fetched, meta: dict[str, Any]) -> ParseJob:
        """The parse of one response, as data a parse worker can run."""
        return ParseJob(self.source, self.start_url, self.now, parse, fetched, meta)

    # -- bookkeeping ------------------------------------------------------------------------
    def fail(self, reason: str) -> None:
        if self.result.ok:
            self.result.ok = False
            self.result.error = reason

    def finish_if_done(self, force: bool = False) -> Iterator[SourceDone]:
        if not self.done and (self.pending <= 0 or force):
            self.done = True
            self.result.seen_ids = sorted(self.seen)
            yield SourceDone(self.shown, self.result)

    def apply(self, outputs: Iterable[Any]) -> Iterator[FollowUp]:
        """Take one response's parsed outputs in order; yield the follow-ups to request."""
        for out in outputs:
            if isinstance(out, Emit):
                yield from self.emit(out)
            elif isinstance(out, Item):
                self.result.items.append(out)
            elif isinstance(out, FollowUp):
                yield out
            elif isinstance(out, Note):
                self.note(out)
            elif isinstance(out, Failed):
                self.fail(out.message)

    def note(self, note: Note) -> None:
        if note.kind == "warning":
            self.result.warnings.append(note.value)
        elif note.kind == "not_modified":
            self.result.not_modified = True
        elif note.kind == "validators":
            url, found = note.value
            self.result.validators[url] = found
        elif note.kind == "page":
            self.page_seen(note.value)

    def emit(self, out: Emit) -> Iterator[FollowUp]:
        """Keep a new or changed item (or, with ``fetch_url``, request its full text); skip a
        duplicate on this page with a reason, and an item unchanged since last time."""
        item = out.item
        if item.id in self.seen:
            self.result.skipped.append(
                f"duplicate entry {item.title!r} {out.where}: kept the first"
            )
            return
        self.seen.add(item.id)
        if out.fingerprint:
            item.extra["fingerprint"] = out.fingerprint
        if self.known.get(item.id) == (out.fingerprint or item.content_hash):
            return
        if out.fetch_url:
            yield FollowUp(out.fetch_url, "parse_article", {"item": item})
        else:
            self.result.items.append(item)

    def follow_up_failed(self, item: Item, reason: str) -> Iterator[Item]:
        self.result.warnings.append(f"article {item.url}: {reason}; kept the feed summary")
        yield item

    # -- page watch -----------------------------------------------------------------------------
    def page_seen(self, page: PageText) -> None:
        """Compare a watched page with its snapshot; a change becomes a ``page_change`` item."""
        old = self.store.snapshot(self.source.id)
        self.result.snapshot = {"url": page.url, "text": page.text, "hash": page.hash}
        if old is None or old == page.text:
            return
        added, removed = diff_lines(old, page.text)
        title = page.title or self.start_url
        self.result.items.append(
            self.parser.new_item(
                "page_change",
                page.hash,
                title=f"{title} changed: {len(added)} lines added, {len(removed)} removed",
                body=change_body(added, removed),
                url=page.url,
                published=self.now,
            )
        )
