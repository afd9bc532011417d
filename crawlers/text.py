"""Plain text from HTML fragments, and whitespace collapsing (shared by the feed parsers)."""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Iterator

from lxml import etree

__all__ = ["BLOCK_TAGS", "SKIP_TAGS", "collapse", "html_to_text"]

SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "title", "iframe"})
# fmt: off
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot", "tr", "td",
    "th", "ul",
})
# fmt: on
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"[^\S\n]+")
_SKIPPED = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_TAGS = re.compile(r"<[^>]*>")


def html_to_text(html: str) -> str:
    """Readable text of an HTML fragment: tags dropped, entities decoded, one block per line."""
    html = _CONTROL.sub("", html or "")
    if not html.strip():
        return ""
    if "<" not in html and "&" not in html:
        return collapse(html, keep_lines=True)
    parser = etree.HTMLParser(
        encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True
    )
    root = etree.fromstring(f"<div>{html}</div>".encode(), parser)
    text = collapse("".join(_text_chunks(root)), keep_lines=True) if root is not None else ""
    if not text and parser.error_log.filter_from_errors():
        # libxml2 gave up (nesting too deep...): strip tags the crude way rather than lose text
        return collapse(htmllib.unescape(_TAGS.sub(" ", _SKIPPED.sub(" ", html))), keep_lines=True)
    return text


def _text_chunks(root: etree._Element) -> Iterator[str]:
    """Text of a tree in document order, newlines around blocks; iterative (deep trees)."""
    stack: list[tuple[etree._Element, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if closing:
            yield "\n" if tag in BLOCK_TAGS else ""
            yield el.tail or ""
            continue
        if tag in SKIP_TAGS:
            yield el.tail or ""
            continue
        yield "\n" if tag in BLOCK_TAGS or tag == "br" else ""
        yield el.text or ""
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))


def collapse(text: str, keep_lines: bool = False) -> str:
    """Collapse runs of whitespace; with keep_lines, keep one newline between non-empty lines."""
    if not keep_lines:
        return " ".join(text.split())
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)
