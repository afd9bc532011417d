"""An entry's blocks to its changes: list items, or paragraphs where a section has no list.

Each change keeps the section it sits under: the category headings inside the entry ("Bug
fixes", "🚀 New Features"), a bold pseudo-heading, a ``CAPS:`` label ("BUG FIXES:") or a bold
list item that groups the items nested under it, joined outermost first with " › " when they
nest ("Bug fixes and enhancements › For Mac"). A list item with nested items is a grouping item
(a PR title, "Update generated code") and gives way to them. Code blocks and table rows are not
changes; an item whose nested items are only short names is one change ("New map themes:
Hiking, Cycling"). Pure functions over :class:`~crawlers.changelog.model.Block` s, so the fast Markdown
path, markdown-it and the HTML reader give the same changes for the same blocks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from crawlers.changelog.headings import analyse
from crawlers.changelog.model import Block
from crawlers.dates import find_date
from radar.core.records import Change

__all__ = ["MAX_CHANGE_CHARS", "MAX_CHANGES", "SECTION_JOIN", "extract_changes"]

SECTION_JOIN = " › "
MAX_CHANGES = 1000  # per entry: a release of 5,000 bullets keeps its first thousand
MAX_CHANGE_CHARS = 1000  # a change longer than this is cut, with an ellipsis
_LABEL_LEVEL = 7  # bold pseudo-headings and CAPS: labels sit below every heading level
_MAX_LABEL_WORDS = 6
_CAPS_LABEL = re.compile(r"^[A-Z][A-Z0-9 &/'’()+-]{1,50}:?$")
_COLON_LABEL = re.compile(r"^[^\s:][^:]{0,50}:$")
_NOT_A_CHANGE = re.compile(
    r"^\W*(?:released (?:on|at)\b|release date\b|full changelog\b|copyright\b|©)", re.I
)
_BULLET = "- "
_NAME_WORDS = 3
_DATE_WORDS = 6  # a paragraph this short that holds a date is the release date, not a change


@dataclass(slots=True)
class _Node:
    text: str
    depth: int
    section: str | None
    label: bool = False  # a bold item: its title is the section of its nested items
    children: list[_Node] = field(default_factory=list)


@dataclass
class _State:
    """What the walk knows: the open headings, the list items, the paragraphs."""

    headings: list[tuple[int, str]] = field(default_factory=list)
    roots: list[_Node] = field(default_factory=list)
    open: list[_Node] = field(default_factory=list)  # the current item at each depth
    paragraphs: list[Change] = field(default_factory=list)
    listed: set[str | None] = field(default_factory=set)  # sections that have a list
    seen: dict[str | None, int] = field(default_factory=lambda: {None: 0})

    @property
    def section(self) -> str | None:
        return SECTION_JOIN.join(t for _, t in self.headings if t) or None

    def push_heading(self, level: int, title: str) -> None:
        """Open a section; a release-like title (a patch release inside a minor one) closes
        the deeper sections without naming one."""
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, "" if analyse(title).release_like else title))
        self.open.clear()
        self.seen.setdefault(self.section, len(self.seen))


def _heading_level(kind: str) -> int | None:
    if kind[0] == "h" and kind[1:].isdigit():
        return int(kind[1:])
    return _LABEL_LEVEL if kind in ("bold", "line", "forced") else None


def _cut(text: str) -> str:
    if len(text) <= MAX_CHANGE_CHARS:
        return text.strip()
    return " ".join(text[: MAX_CHANGE_CHARS * 2].split())[: MAX_CHANGE_CHARS - 1] + "…"


def _is_label(text: str) -> bool:
    """A short line that names what follows: ``BUG FIXES:``, ``Breaking changes:``."""
    if len(text.split()) > _MAX_LABEL_WORDS:
        return False
    return bool(_CAPS_LABEL.match(text) and any(c.isalpha() for c in text)) or bool(
        _COLON_LABEL.match(text)
    )


def _add_item(state: _State, depth: int, text: str, label: bool) -> None:
    del state.open[depth:]
    parent = state.open[-1] if state.open else None
    node = _Node(text, depth, state.section, label)
    (parent.children if parent else state.roots).append(node)
    while len(state.open) < depth:  # a list that skips levels: attach at the nearest
        state.open.append(parent or node)
    state.open.append(node)
    state.listed.add(state.section)


def _continue_item(state: _State, depth: int, text: str) -> bool:
    owners = [node for node in state.open if node.depth < depth]
    if not owners:
        return False
    owner = owners[-1]
    owner.text = f"{owner.text} {text}" if len(owner.text) <= MAX_CHANGE_CHARS else owner.text
    return True


def _paragraph(state: _State, text: str) -> None:
    if _is_label(text):
        state.push_heading(_LABEL_LEVEL, text.rstrip(":").strip())
        return
    state.open.clear()
    words = len(text.split())
    if words < 2 or _NOT_A_CHANGE.match(text) or (words <= _DATE_WORDS and find_date(text)):
        return
    state.paragraphs.append(Change(_cut(text), state.section))


def _text_block(state: _State, lines: list[str]) -> None:
    paragraph: list[str] = []
    for line in lines:
        stripped = line.lstrip(" ")
        depth = (len(line) - len(stripped)) // 2
        if stripped.startswith(_BULLET):
            _add_item(state, depth, stripped[len(_BULLET) :], False)
        elif depth == 0 or not _continue_item(state, depth, stripped):
            paragraph.append(stripped)
    if paragraph:
        _paragraph(state, " ".join(paragraph))


def _labelled_item(state: _State, block: Block) -> None:
    """A bold list item (``- **Bug fixes**``) or a heading inside a list item."""
    line = block.lines[0] if block.lines else ""
    stripped = line.lstrip(" ")
    depth = (len(line) - len(stripped)) // 2
    text = stripped[len(_BULLET) :] if stripped.startswith(_BULLET) else stripped
    if not stripped.startswith(_BULLET) and _continue_item(state, depth, text):
        return
    _add_item(state, depth, text, True)


def _read(state: _State, block: Block) -> None:
    if block.verbatim or not block.lines:
        return
    level = _heading_level(block.kind)
    if level is not None:
        state.push_heading(level, block.title or " ".join(block.lines))
    elif block.kind in ("bullet", "nested"):
        _labelled_item(state, block)
    else:
        _text_block(state, block.lines)


def _section_for(node: _Node, inherited: str | None) -> str | None:
    if not node.label or analyse(node.text.rstrip(":")).release_like:
        return inherited
    title = node.text.rstrip(":").strip()
    return f"{inherited}{SECTION_JOIN}{title}" if inherited else title


def _is_enumeration(node: _Node) -> bool:
    """An item whose nested items are only short names ("New map themes" > "Hiking",
    "Cycling"): one change, not a grouping item."""
    return not node.label and all(
        not child.children and len(child.text.split()) <= _NAME_WORDS for child in node.children
    )


def _leaves(nodes: Iterable[_Node], section: str | None = None) -> Iterable[Change]:
    """Depth first; a grouping item gives way to its nested items."""
    stack = [(node, node.section if section is None else section) for node in nodes][::-1]
    while stack:
        node, inherited = stack.pop()
        if node.children and _is_enumeration(node):
            names = ", ".join(child.text.strip() for child in node.children)
            yield Change(_cut(f"{node.text.rstrip(' :')}: {names}"), inherited)
        elif node.children:
            inner = _section_for(node, inherited)
            stack.extend((child, inner) for child in reversed(node.children))
        elif node.text.strip():
            yield Change(_cut(node.text), inherited)


def extract_changes(blocks: Iterable[Block]) -> list[Change]:
    """The changes of one entry, in reading order (see the module docstring)."""
    state = _State()
    for block in blocks:
        _read(state, block)
    items = [c for c in _leaves(state.roots) if not _NOT_A_CHANGE.match(c.text)]
    prose = [p for p in state.paragraphs if p.section not in state.listed]
    if items and prose:
        prose = [p for p in prose if p.section is not None]  # an intro beside the lists
        # items and section paragraphs, grouped by section in reading order
        merged = sorted(items + prose, key=lambda c: _rank(state.seen, c.section))
        return merged[:MAX_CHANGES]
    return (items or prose)[:MAX_CHANGES]


def _rank(seen: dict[str | None, int], section: str | None) -> int:
    """Reading position of a section; a list label's section ranks as its heading's."""
    while section not in seen and section and SECTION_JOIN in section:
        section = section.rsplit(SECTION_JOIN, 1)[0]
    return seen.get(section, len(seen))
