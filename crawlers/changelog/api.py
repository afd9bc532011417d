"""Public entry points: decode, sniff the format, read blocks, cut them into entries."""

from __future__ import annotations

import codecs
import re

from crawlers.changelog.changes import extract_changes
from crawlers.changelog.html import html_blocks
from crawlers.changelog.markdown import markdown_blocks, split_front_matter
from crawlers.changelog.model import ChangelogEntry
from crawlers.changelog.segmenter import segment_blocks
from radar.core.records import Change

__all__ = [
    "changes_of",
    "decode",
    "looks_like_html",
    "segment",
    "segment_html",
    "segment_markdown",
]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_HTML_START = re.compile(
    r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S
)
_HTML_TAGS = re.compile(r"<(?:div|p|h[1-6]|section|article|ul|li|table|span|a)\b[^>]*>", re.I)
_MARKDOWN_MARKS = re.compile(r"^(?:#{1,6} |[-*] |\d+\. |```|={3,}\s*$|-{3,}\s*$)", re.M)


def decode(content: str | bytes) -> str:
    """Text of ``content``: a BOM wins, then an HTML meta charset, then UTF-8 with replacement."""
    if isinstance(content, str):
        return content.lstrip("\ufeff")
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(encoding, errors="replace")
    declared = _META_CHARSET.search(content[:4096])
    if declared:
        try:
            return content.decode(declared.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return content.decode("utf-8", errors="replace")


def looks_like_html(text: str, content_type: str | None = None) -> bool:
    """HTML or Markdown/plain text? The content type decides when it says; else the content."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if "html" in kind or kind.endswith("+xml"):
        return True
    if kind.startswith("text/") or "markdown" in kind or "rst" in kind:
        return False
    head = text[:8192]
    if _HTML_START.match(head):
        return True
    return len(_HTML_TAGS.findall(head)) > 3 * len(_MARKDOWN_MARKS.findall(head)) + 3


def segment_markdown(text: str, url: str = "") -> list[ChangelogEntry]:
    """Split a Markdown or plain-text changelog into release entries."""
    meta, body = split_front_matter(decode(text))
    return segment_blocks(markdown_blocks(body), url, meta)


def segment_html(
    html: str | bytes, url: str = "", selectors: dict[str, str] | None = None
) -> list[ChangelogEntry]:
    """Split an HTML changelog page into release entries.

    ``selectors`` may name a ``heading`` CSS selector (each match opens one release) and a
    ``container`` CSS selector (where to look); without them the page's main content is found
    and its release headings guessed.
    """
    text = decode(html)
    if not text.strip():
        return []
    blocks, meta = html_blocks(text, selectors)
    return segment_blocks(blocks, url, meta)


def segment(
    content: str | bytes,
    url: str = "",
    content_type: str | None = None,
    selectors: dict[str, str] | None = None,
) -> list[ChangelogEntry]:
    """Split a changelog of either format; the format is sniffed from ``content_type`` or content."""
    text = decode(content)
    if looks_like_html(text, content_type):
        return segment_html(text, url, selectors)
    return segment_markdown(text, url)


def changes_of(content: str | bytes, content_type: str | None = None) -> list[Change]:
    """The changes of one release's notes (a GitHub release body, a release page), untyped."""
    text = decode(content)
    if not text.strip():
        return []
    if looks_like_html(text, content_type):
        return extract_changes(html_blocks(text)[0])
    return extract_changes(markdown_blocks(split_front_matter(text)[1]))
