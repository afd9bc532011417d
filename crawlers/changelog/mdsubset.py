"""The Markdown subset the fast block parser takes, and what it shares with the slow path.

Refusals made up front (:func:`precheck`), list markers read as markdown-it reads them
(:func:`list_marker`), the reader callbacks both parsers feed (:class:`BlockSink`) and the text
of markdown-it's inline tokens (:func:`inline_text`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from markdown_it.token import Token

__all__ = ["BlockSink", "Unsupported", "inline_text", "list_marker", "precheck"]

_MARKERS = r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)*"
_TAB_INDENT = re.compile(r"^[ ]*(?:(?:[-*+]|\d{1,9}[.)])[ ]*)*\t", re.M)
_BLOCK_START = re.compile(_MARKERS + r"[<>]", re.M)
_BRACKET_START = re.compile(_MARKERS + r"\[", re.M)
_DELIMITER_ROW = re.compile(r"^[ \t]*[-:|][-:| \t]*$", re.M)


def _is_br(token: Token) -> bool:
    return token.type == "html_inline" and token.content.lower().startswith("<br")


def inline_text(children: Sequence[Token]) -> str:
    """The text of an inline token's children: text and code, line breaks as newlines."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline", "text_special"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak") or _is_br(child):
            parts.append("\n")
    return "".join(parts)


class Unsupported(Exception):
    """The document uses a construct the fast parser does not reproduce exactly."""


class BlockSink(Protocol):
    """The reader callbacks, shared with the markdown-it token walk."""

    depth: int
    item_fresh: bool

    def heading(self, tag: str, text: str) -> None: ...

    def paragraph(self, content: str, text: str) -> None: ...

    def code(self, content: str) -> None: ...


def precheck(src: str) -> None:
    """Raise :class:`Unsupported` for constructs found without parsing (see fastmd)."""
    if "\t" in src and _TAB_INDENT.search(src):
        raise Unsupported("tab indentation")
    if ("<" in src or ">" in src) and _BLOCK_START.search(src):
        raise Unsupported("HTML block or block quote")
    if "]:" in src and _BRACKET_START.search(src):
        raise Unsupported("link reference definition")
    if "|" in src:
        for match in _DELIMITER_ROW.finditer(src):
            start = match.start()
            previous = src.rfind("\n", 0, max(start - 1, 0))
            if start and "|" in src[previous + 1 : start]:
                raise Unsupported("table")


def list_marker(text: str, pos: int) -> tuple[int, bool, int]:
    """(position after the list marker at ``pos`` or -1, ordered?, ordered value)."""
    limit = len(text)
    if pos >= limit:
        return -1, False, 0
    ch = text[pos]
    if ch == "*" or ch == "-" or ch == "+":
        after = pos + 1
        if after < limit and text[after] != " " and text[after] != "\t":
            return -1, False, 0
        return after, False, 0
    if not ("0" <= ch <= "9") or pos + 1 >= limit:
        return -1, False, 0
    after = pos + 1
    while after < limit and "0" <= text[after] <= "9":
        after += 1
        if after - pos >= 10:
            return -1, False, 0
    if after >= limit or text[after] not in ".)":
        return -1, False, 0
    value = int(text[pos:after])
    after += 1
    if after < limit and text[after] != " " and text[after] != "\t":
        return -1, False, 0
    return after, True, value
