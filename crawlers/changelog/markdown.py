"""Markdown (and plain text) to :class:`Block` s, through markdown-it-py tokens."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from crawlers.changelog.fastmd import Unsupported, inline_text, parse_fast
from crawlers.changelog.headings import Slugger, clean_title, github_slug
from crawlers.changelog.model import Block

__all__ = [
    "markdown_blocks",
    "markdown_blocks_fast",
    "markdown_blocks_slow",
    "split_front_matter",
]

_FRONT_MATTER = re.compile(
    r"\A\ufeff?(?P<fence>---|\+\+\+)[ \t]*\n(?P<body>.*?)\n(?P=fence)[ \t]*(?:\n|\Z)", re.S
)
_META_LINE = re.compile(r"^(?P<key>[A-Za-z][\w-]*)\s*[:=]\s*(?P<value>.*?)\s*$")
_ALL_BOLD = re.compile(r"^\s*(\*\*|__)(?P<inner>(?:(?!\1).)+)\1\s*:?\s*$", re.S)
_RELEASE_LINE_START = re.compile(
    r"^\W{0,3}(?:(?:version|release)\s+)?v?\d+\.\d+|^\W{0,3}\d{4}-\d{1,2}-\d{1,2}"
    r"|^\W{0,3}[A-Z][a-z]{2,8}\.? \d{1,2},? \d{4}",
    re.I,
)
_TAG = re.compile(r"<!--.*?-->|<[^>]+>", re.S)
_MAX_LINE_CANDIDATE = 100

_parser = MarkdownIt("commonmark").enable("table")


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split YAML/TOML front matter off the top; return its ``key: value`` lines and the rest."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta = {}
    for line in match["body"].splitlines():
        item = _META_LINE.match(line)
        if item:
            meta[item["key"].lower()] = item["value"].strip("'\"")
    return meta, text[match.end() :]


def _text_lines(text: str, prefix: str = "", indent: str = "") -> list[str]:
    if "\n" not in text:
        line = " ".join(text.split())
        return [prefix + line] if line else []
    lines = [" ".join(line.split()) for line in text.split("\n")]
    lines = [line for line in lines if line]
    return [(prefix if i == 0 else indent) + line for i, line in enumerate(lines)]


class _Reader:
    """Walks the flat token stream keeping list nesting, emitting blocks in order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.slugs = Slugger()
        self.depth = 0
        self.item_fresh = False  # next paragraph is the first of a list item
        self.row: list[str] = []

    def run(self, tokens: Sequence[Token]) -> list[Block]:
        index = 0
        while index < len(tokens):
            index = self.token(tokens, index)
        return self.blocks

    def text(self, lines: list[str], verbatim: bool = False) -> None:
        if lines:
            self.blocks.append(Block("text", lines, verbatim=verbatim))

    @property
    def indent(self) -> str:
        return "  " * self.depth

    def token(self, tokens: Sequence[Token], index: int) -> int:
        token = tokens[index]
        kind = token.type
        if kind == "heading_open":
            self.heading(token.tag, inline_text(tokens[index + 1].children or []))
            return index + 3
        if kind == "paragraph_open":
            inline = tokens[index + 1]
            self.paragraph(inline.content, inline_text(inline.children or []))
            return index + 3
        if kind in ("bullet_list_open", "ordered_list_open"):
            self.depth += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.depth -= 1
        elif kind == "list_item_open":
            self.item_fresh = True
        elif kind in ("fence", "code_block"):
            self.code(token.content)
        elif kind == "html_block":
            self.text(_text_lines(_TAG.sub("", token.content), self.indent, self.indent))
        elif kind == "tr_open":
            self.row = []
        elif kind == "inline":  # table cells
            self.row.append(" ".join(inline_text(token.children or []).split()))
        elif kind == "tr_close":
            self.text([self.indent + " | ".join(self.row)], verbatim=True)
        return index + 1

    def code(self, content: str) -> None:
        self.item_fresh = False
        self.text([self.indent + line for line in content.rstrip("\n").split("\n")], True)

    def heading(self, tag: str, text: str) -> None:
        title = clean_title(text)
        anchor = self.slugs.unique(github_slug(title)) if title else None
        if self.depth:  # a heading inside a list item reads as the item's text
            prefix = "  " * (self.depth - 1) + "- " if self.item_fresh else self.indent
            lines = [prefix + title] if title else []
            self.blocks.append(Block("nested", lines, title, anchor))
        else:
            self.blocks.append(Block(tag, [title] if title else [], title, anchor))
        self.item_fresh = False

    def paragraph(self, content: str, text: str) -> None:
        """A paragraph: ``content`` is its raw Markdown, ``text`` its inline text."""
        if self.item_fresh:
            self.item_fresh = False
            prefix = "  " * (self.depth - 1) + "- "
            lines = _text_lines(text, prefix, self.indent)
            bold = _ALL_BOLD.match(content.split("\n")[0])
            if bold and lines:
                self.blocks.append(Block("bullet", lines[:1], clean_title(lines[0][len(prefix) :])))
                self.text(lines[1:])
            elif lines:
                self.text(lines)
            return
        lines = _text_lines(text, self.indent, self.indent)
        if not lines:
            return
        if self.depth == 0 and _ALL_BOLD.match(content):
            self.blocks.append(Block("bold", lines, clean_title(" ".join(lines))))
        elif (
            self.depth == 0
            and len(lines[0]) <= _MAX_LINE_CANDIDATE
            and _RELEASE_LINE_START.match(lines[0])
        ):
            self.blocks.append(Block("line", lines[:1], clean_title(lines[0])))
            self.text(lines[1:])
        else:
            self.text(lines)


def markdown_blocks_slow(text: str) -> list[Block]:
    """:func:`markdown_blocks` through markdown-it's full block parser (the reference)."""
    return _Reader().run(_parser.parse(text))


def markdown_blocks_fast(text: str) -> list[Block] | None:
    """:func:`markdown_blocks` through the fast parser, or None where it does not apply."""
    reader = _Reader()
    try:
        parse_fast(text, _parser, reader)
    except Unsupported:
        return None
    return reader.blocks


def markdown_blocks(text: str) -> list[Block]:
    """Parse Markdown into blocks; headings carry GitHub-style anchors.

    The fast parser (:mod:`crawlers.changelog.fastmd`) reads the common changelog subset with
    the same results; documents outside it go through markdown-it.
    """
    blocks = markdown_blocks_fast(text)
    return blocks if blocks is not None else markdown_blocks_slow(text)
