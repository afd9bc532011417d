"""Page watch: the normalised visible text of a page, and the lines added and removed."""

from __future__ import annotations

import difflib
import re

import lxml.html
from lxml import etree

_INVISIBLE = ("script", "style", "noscript", "template", "svg", "iframe", "head")
_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "li",
    "ul",
    "ol",
    "table",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "dt",
    "dd",
    "dl",
    "blockquote",
    "pre",
    "nav",
    "aside",
    "form",
    "button",
    "option",
    "figcaption",
    "caption",
    "summary",
    "details",
}


def visible_text(html: str | bytes, selector: str | None = None) -> str:
    """Visible text of a page, one block per line, whitespace collapsed, blank lines dropped."""
    if isinstance(html, bytes) and not html.strip() or isinstance(html, str) and not html.strip():
        return ""
    root = lxml.html.fromstring(html)
    if selector:
        found = root.cssselect(selector)
        if not found:
            return ""
        root = found[0]
    etree.strip_elements(root, *_INVISIBLE, etree.Comment, with_tail=False)
    parts: list[str] = []
    _walk(root, parts)
    lines = (re.sub(r"\s+", " ", line).strip() for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _walk(el: etree._Element, parts: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    block = tag.lower() in _BLOCK
    if block:
        parts.append("\n")
    if el.text:
        parts.append(el.text)
    for child in el:
        _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append("\n")


def diff_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    """Lines added and removed between two normalised texts, in page order."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    added: list[str] = []
    removed: list[str] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op in ("replace", "delete"):
            removed.extend(old_lines[i1:i2])
        if op in ("replace", "insert"):
            added.extend(new_lines[j1:j2])
    return added, removed


def change_body(added: list[str], removed: list[str]) -> str:
    """A readable body for a page_change item."""
    parts = []
    if added:
        parts.append("Added:\n" + "\n".join(f"+ {line}" for line in added))
    if removed:
        parts.append("Removed:\n" + "\n".join(f"- {line}" for line in removed))
    return "\n\n".join(parts)
