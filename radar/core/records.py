"""The records that flow from the crawl into the store (see DESIGN.md, "Records")."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

KINDS = ("changelog_entry", "release", "news", "blog", "page_change")

# Fields written by `radar export` and read by `radar import`, in order.
EXPORT_FIELDS = (
    "id",
    "source_id",
    "competitor",
    "kind",
    "title",
    "body",
    "url",
    "version",
    "published",
    "first_seen",
    "last_seen",
    "content_hash",
    "language",
    "status",
    "removed_at",
    "themes",
    "move_type",
    "mentions",
    "event_id",
    "changes",
)


def utcnow() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha1(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def normalise_key(text: str) -> str:
    """The entry key used for identity when an entry has no anchor or version."""
    return re.sub(r"\s+", " ", text).strip().lower()


def canonical_url(url: str) -> str:
    """Page URL without the fragment, for identity."""
    return url.split("#", 1)[0]


def item_id(source_id: str, url: str, entry_key: str) -> str:
    """Stable id: hash of source id + canonical URL + entry key (anchor, version or title)."""
    return sha1(source_id, canonical_url(url), normalise_key(entry_key))[:20]


def content_hash(title: str, body: str) -> str:
    return sha1(normalise_key(title), re.sub(r"\s+", " ", body).strip())[:20]


@dataclass
class Change:
    """One line of a release: a list item (or a paragraph where there is no list).

    ``section`` is the changelog's own category heading, bold label or ``CAPS:`` label it sits
    under; ``noise`` marks dependency bumps, chores, docs, CI, tests, refactors and reverts.
    """

    text: str
    section: str | None = None
    move_type: str | None = None
    importance: float = 0.0
    noise: bool = False


@dataclass
class Item:
    """One thing a competitor or the industry published."""

    id: str
    source_id: str
    kind: str
    title: str
    body: str
    url: str
    competitor: str | None = None
    version: str | None = None
    published: str | None = None
    language: str | None = None
    content_hash: str = ""
    first_seen: str | None = None
    last_seen: str | None = None
    status: str = "active"
    removed_at: str | None = None
    themes: list[dict[str, Any]] = field(default_factory=list)
    move_type: str | None = None
    mentions: list[str] = field(default_factory=list)
    event_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.content_hash:
            self.content_hash = content_hash(self.title, self.body)

    @property
    def move_types(self) -> list[str]:
        """The move types of the item's changes (noise left out), most important first; an item
        without typed changes has its own move type alone."""
        ranked = sorted(
            (c for c in self.changes if c.move_type and not c.noise), key=lambda c: -c.importance
        )
        types = list(dict.fromkeys(c.move_type for c in ranked if c.move_type))
        return types or ([self.move_type] if self.move_type else [])

    def to_export(self) -> dict[str, Any]:
        data = asdict(self)
        return {key: data[key] for key in EXPORT_FIELDS}


@dataclass
class SourceResult:
    """What one source gave in one crawl; emitted by the spider after the source's items."""

    source_id: str
    ok: bool
    error: str | None = None
    seen_ids: list[str] = field(default_factory=list)
    not_modified: bool = False
    skipped: list[str] = field(default_factory=list)  # one-line reasons for dropped entries
    warnings: list[str] = field(default_factory=list)
    validators: dict[str, dict[str, str]] = field(default_factory=dict)  # url -> etag/last_modified
    removals: bool = False  # whether entries missing from this crawl are marked removed
    snapshot: dict[str, str] | None = None  # page sources: the new normalised text
    items: list[Item] = field(default_factory=list)  # new or changed items, stored with the result


@dataclass
class PageSnapshot:
    source_id: str
    url: str
    text: str
    content_hash: str
