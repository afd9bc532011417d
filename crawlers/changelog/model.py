"""Data types shared by the changelog readers and the segmenter."""

from __future__ import annotations

from dataclasses import dataclass, field

from radar.core.records import Change

__all__ = ["Block", "ChangelogEntry"]


@dataclass
class ChangelogEntry:
    """One release entry cut out of a changelog page."""

    title: str
    version: str | None
    date: str | None
    body: str
    url: str
    anchor: str | None = None
    changes: list[Change] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "title": self.title,
            "version": self.version,
            "date": self.date,
            "body": self.body,
            "url": self.url,
        }

    def changes_json(self) -> list[dict]:
        """The entry's changes as ``{"text", "section"}`` objects (typing happens in enrich)."""
        return [{"text": c.text, "section": c.section} for c in self.changes]


@dataclass
class Block:
    """A piece of a document in reading order, produced by the Markdown and HTML readers.

    ``kind`` groups candidate release headings: ``h1``..``h6`` for real headings, ``bold`` for a
    paragraph that is all bold, ``bullet`` for a list item opened by a bold line, ``line`` for a
    plain paragraph line such as ``v1.2.3 - May 2, 2024``, ``forced`` for elements matched by a
    configured selector, and ``text`` for body content. ``lines`` is how the block reads inside
    an entry body; ``title`` is the cleaned heading text of a candidate.
    """

    kind: str
    lines: list[str] = field(default_factory=list)
    title: str = ""
    anchor: str | None = None
    verbatim: bool = False

    @property
    def is_candidate(self) -> bool:
        return self.kind != "text"
