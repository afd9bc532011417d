"""A fast block parser for the common subset of Markdown that changelogs are written in.

markdown-it-py spends most of a changelog's parse in its generic block-rule loop (every line
tries eleven rules, lists recurse) and in inline parsing of every paragraph. This module is a
port of markdown-it's own block rules for the constructs changelogs use -- ATX and setext
headings, paragraphs, bullet and ordered lists (nested, lazy continuation lines included),
fenced and indented code, thematic breaks -- following the same algorithm (``sCount``,
``blkIndent``, ``listIndent``, the same paragraph terminators), so it cuts a document exactly
where markdown-it does. It feeds the same reader callbacks as the markdown-it token walk.

A document is only taken when nothing outside that subset can occur in it; otherwise
:func:`parse_fast` raises :class:`Unsupported` before or while parsing and the caller uses
markdown-it. Refused up front: tabs in indentation, lines (after list markers) that open with
``<`` (HTML blocks), ``>`` (block quotes) or ``[`` where the document has ``]:`` (link
reference definitions), and anything that may be a table delimiter row. Refused while parsing:
empty list items and deep nesting.

Inline text: a paragraph or heading without any of the characters that inline rules react to
(backslash, backtick, ``*``, ``_``, ``<``, ``&``; ``[`` only with a ``](`` -- there are no
reference definitions here) is its own text; anything else goes through markdown-it's inline
parser alone, which is cheap next to its block parser.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import MD_TRIM_CHARS
from markdown_it.token import Token

from crawlers.changelog.mdsubset import (
    BlockSink,
    Unsupported,
    inline_text,
    list_marker,
    precheck,
)

__all__ = ["BlockSink", "Unsupported", "inline_text", "parse_fast"]

_NEWLINES = re.compile(r"\r\n?")
_INLINE_SPECIAL = re.compile(r"[\\`*_\[<&]")
_INLINE_SPECIAL_NO_BRACKET = re.compile(r"[\\`*_<&]")
_OPENERS = frozenset("`~*-_+#0123456789")
_MAX_DEPTH = 8  # markdown-it stops at nesting level 20; lists nest two levels per depth


class _Parser:
    """markdown-it's block tokenizer, restricted to the rules changelogs need."""

    def __init__(self, src: str, md: MarkdownIt, sink: BlockSink) -> None:
        lines = src.split("\n")
        if not lines[-1].strip(" \t"):
            lines.pop()  # markdown-it gives a last blank line without "\n" no line
        self.lines = lines
        self.ts = ts = [len(line) - len(line.lstrip(" \t")) for line in lines]
        self.sc = list(ts)
        self.n = n = len(lines)
        self.blk = 0
        self.list_indent = -1
        self.line = 0
        self.md = md
        self.sink = sink
        # What each line opens, read once (at its own indentation, before any list item
        # moves its start): the silent checks of paragraph and list continuations use these.
        self.stops = stops = [False] * n  # a fence, thematic break or ATX heading
        self.marks: list[tuple[int, bool, int, bool] | None] = [None] * n
        self.underline = underline = [0] * n
        self.blk = 1 << 30  # classify regardless of indentation; callers check that
        for i in range(n):
            text, first = lines[i], ts[i]
            if first >= len(text):
                continue
            ch = text[first]
            if (ch == "=" or ch == "-") and not text[first:].lstrip(ch).strip(" \t"):
                underline[i] = 1 if ch == "=" else 2
            if ch not in _OPENERS:
                continue
            if ch == "#":
                stops[i] = self.heading(i, True)
                continue
            if ch == "`" or ch == "~":
                stops[i] = self.fence(i, n, True)
                continue
            if ch == "*" or ch == "-" or ch == "_":
                stops[i] = self.hr(i, True)
            if ch != "_":
                after, ordered, value = list_marker(self.lines[i], self.ts[i])
                if after >= 0:
                    self.marks[i] = (after, ordered, value, not text[after:].strip(" \t"))
        self.blk = 0

    # -- helpers -------------------------------------------------------------------------

    def empty(self, line: int) -> bool:
        return self.ts[line] >= len(self.lines[line])

    def get_lines(self, begin: int, end: int, indent: int) -> str:
        """``StateBlock.getLines`` without tabs (refused up front)."""
        if end == begin + 1 and indent >= self.ts[begin]:
            return self.lines[begin][self.ts[begin] :]  # only spaces or a list marker go
        out = []
        lines, ts = self.lines, self.ts
        for line in range(begin, end):
            text = lines[line]
            shift = ts[line]
            first = 0
            limit = len(text)
            while first < limit and first < indent and (text[first] == " " or first < shift):
                first += 1
            out.append(text[first:])
        return "\n".join(out)

    def inline(self, content: str) -> str:
        special = _INLINE_SPECIAL.search(content)
        if special is None or (
            # without "](" (and without reference definitions) brackets are plain text
            not _INLINE_SPECIAL_NO_BRACKET.search(content) and "](" not in content
        ):
            return content
        children: list[Token] = []
        self.md.inline.parse(content, self.md, {}, children)
        return inline_text(children)

    # -- rules ---------------------------------------------------------------------------

    def tokenize(self, start: int, end: int) -> None:
        line = start
        n = self.n
        lines, ts, sc = self.lines, self.ts, self.sc
        while line < end:
            while line < n and ts[line] >= len(lines[line]):
                line += 1
            self.line = line
            if line >= end:
                break
            if sc[line] < self.blk:
                break
            if self.sink.depth >= _MAX_DEPTH:
                raise Unsupported("deep nesting")
            ch = lines[line][ts[line]]
            if sc[line] - self.blk >= 4:
                self.code(line, end)
            elif ch in _OPENERS and (
                (ch in "`~" and self.fence(line, end, False))
                or (ch in "*-_" and self.hr(line, False))
                or (ch != "#" and self.list(line, end))
                or (ch == "#" and self.heading(line, False))
            ):
                pass
            else:
                self.paragraph(line)
            line = self.line
            if line < end and ts[line] >= len(lines[line]):
                line += 1
                self.line = line

    def code(self, start: int, end: int) -> bool:
        if self.sc[start] - self.blk < 4:
            return False
        last = line = start + 1
        while line < end:
            if self.empty(line):
                line += 1
                continue
            if self.sc[line] - self.blk >= 4:
                line += 1
                last = line
                continue
            break
        self.line = last
        self.sink.code(self.get_lines(start, last, 4 + self.blk) + "\n")
        return True

    def fence(self, start: int, end: int, silent: bool) -> bool:
        if self.sc[start] - self.blk >= 4:
            return False
        text = self.lines[start]
        pos = self.ts[start]
        if pos + 3 > len(text):
            return False
        marker = text[pos]
        if marker != "`" and marker != "~":
            return False
        length = len(text) - pos - len(text[pos:].lstrip(marker))
        if length < 3:
            return False
        if marker == "`" and "`" in text[pos + length :]:
            return False
        if silent:
            return True
        found = False
        line = start
        while True:
            line += 1
            if line >= end:
                break
            body, first = self.lines[line], self.ts[line]
            if first < len(body) and self.sc[line] < self.blk:
                break
            if first >= len(body) or body[first] != marker:
                continue
            if self.sc[line] - self.blk >= 4:
                continue
            rest = body[first:].lstrip(marker)
            if len(body) - first - len(rest) < length:
                continue
            if rest.strip(" \t"):
                continue
            found = True
            break
        self.line = line + (1 if found else 0)
        self.sink.code(self.get_lines(start + 1, line, self.sc[start]) + "\n")
        return True

    def hr(self, start: int, silent: bool) -> bool:
        if self.sc[start] - self.blk >= 4:
            return False
        text = self.lines[start]
        pos = self.ts[start]
        if pos >= len(text):
            return False
        marker = text[pos]
        if marker != "*" and marker != "-" and marker != "_":
            return False
        rest = text[pos:]
        if rest.strip(marker + " \t") or rest.count(marker) < 3:
            return False
        if not silent:
            self.line = start + 1
        return True

    def heading(self, start: int, silent: bool) -> bool:
        if self.sc[start] - self.blk >= 4:
            return False
        text = self.lines[start]
        pos = self.ts[start]
        if pos >= len(text) or text[pos] != "#":
            return False
        level = len(text) - pos - len(text[pos:].lstrip("#"))
        pos += level
        if level > 6 or (pos < len(text) and text[pos] != " " and text[pos] != "\t"):
            return False
        if silent:
            return True
        maximum = len(text.rstrip(" \t"))
        if maximum < pos:
            maximum = pos
        tmp = maximum
        while tmp > pos and text[tmp - 1] == "#":
            tmp -= 1
        if tmp > pos and text[tmp - 1] in " \t":
            maximum = tmp
        self.line = start + 1
        content = text[pos:maximum].strip(MD_TRIM_CHARS)
        self.sink.heading(f"h{level}", self.inline(content))
        return True

    def terminates_paragraph(self, line: int) -> bool:
        """The paragraph terminators (fence, hr, list, heading) in silent mode, for a line
        that is not lazy (``sCount - blkIndent <= 3``) inside a paragraph."""
        if self.stops[line]:
            return True
        mark = self.marks[line]
        if mark is None:
            return False
        indent = self.sc[line]
        if self.list_indent >= 0 and indent - self.list_indent >= 4 and indent < self.blk:
            return False
        # at or past the content column a list must start with "1." and not be empty
        return indent < self.blk or not ((mark[1] and mark[2] != 1) or mark[3])

    def paragraph(self, start: int) -> None:
        """markdown-it's ``lheading`` and ``paragraph`` rules in one scan: the lines they
        walk are the same unless a setext underline turns up first."""
        level = 0
        line = start + 1
        n = self.n
        lines, ts, sc, underline = self.lines, self.ts, self.sc, self.underline
        blk = self.blk
        while line < n:
            text, first = lines[line], ts[line]
            if first >= len(text):
                break
            if sc[line] - blk > 3:
                line += 1
                continue
            if underline[line] and sc[line] >= blk:
                level = underline[line]
                break
            if self.terminates_paragraph(line):
                break
            line += 1
        content = self.get_lines(start, line, blk).strip(MD_TRIM_CHARS)
        if level:
            self.line = line + 1
            self.sink.heading(f"h{level}", self.inline(content))
        else:
            self.line = line
            self.sink.paragraph(content, self.inline(content))

    def list(self, start: int, end: int) -> bool:
        """The list rule where a list may start (not interrupting a paragraph: that check is
        :meth:`terminates_paragraph`)."""
        sc = self.sc
        if sc[start] - self.blk >= 4:
            return False
        if self.list_indent >= 0 and sc[start] - self.list_indent >= 4 and sc[start] < self.blk:
            return False
        after, ordered, _ = list_marker(self.lines[start], self.ts[start])
        if after < 0:
            return False
        text = self.lines[start]
        marker = text[after - 1]
        sink = self.sink
        sink.depth += 1
        line = start
        while line < end:
            text = self.lines[line]
            content_start = len(text) - len(text[after:].lstrip(" "))
            if content_start >= len(text):
                raise Unsupported("empty list item")
            initial = sc[line] + after - self.ts[line]
            offset = initial + content_start - after
            spaces = offset - initial
            indent = initial + (1 if spaces > 4 else spaces)
            sink.item_fresh = True
            old_ts, old_sc = self.ts[line], sc[line]
            old_list_indent = self.list_indent
            self.list_indent = self.blk
            self.blk = indent
            self.ts[line] = content_start
            sc[line] = offset
            self.tokenize(line, end)
            self.blk = self.list_indent
            self.list_indent = old_list_indent
            self.ts[line], sc[line] = old_ts, old_sc
            line = start = self.line
            if line >= end:
                break
            if sc[line] < self.blk or sc[line] - self.blk >= 4:
                break
            mark = self.marks[line]
            if mark is None or self.stops[line]:
                break  # not an item, or a thematic break ("- - -")
            after = mark[0]
            if mark[1] != ordered or self.lines[line][after - 1] != marker:
                break
        sink.depth -= 1
        self.line = line
        return True


def parse_fast(src: str, md: MarkdownIt, sink: BlockSink) -> None:
    """Feed ``sink`` the blocks of ``src`` as markdown-it would, or raise :class:`Unsupported`."""
    src = _NEWLINES.sub("\n", src).replace("\0", "\ufffd")
    precheck(src)
    if not src:
        return
    parser = _Parser(src, md, sink)
    parser.tokenize(0, parser.n)
