"""HTML to :class:`Block` s with lxml: find the main content, drop page chrome, walk in order."""

from __future__ import annotations

import re

import lxml.html
from lxml import etree

from crawlers.changelog.headings import Slugger, clean_title
from crawlers.changelog.model import Block

__all__ = ["html_blocks"]

_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_DROP_TAGS = (
    "script", "style", "noscript", "template", "svg", "nav", "aside", "footer", "form",
    "button", "iframe", "object", "canvas", "select", "dialog",
)  # fmt: skip
_NOISE_CLASS = re.compile(
    r"sidebar|navbar|headerlink|header-anchor|breadcrumb|skip-link|toctree|(?:^|[-_])toc(?:$|[-_])"
    r"|(?:^|[-_])(?:nav|menu|related|pagination|edit-link|page-nav)(?:$|[-_])",
    re.I,
)
_NOISE_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary"}
_CONTAINERS = "//main | //*[@role='main'] | //article"
_BLOCK_TAGS = _HEADINGS | {
    "p", "div", "section", "article", "main", "ul", "ol", "li", "pre", "table", "blockquote",
    "dl", "dt", "dd", "figure", "figcaption", "details", "summary", "header", "hr", "body",
}  # fmt: skip
_TEXT_TAGS = {"p", "dt", "dd", "figcaption", "summary", "caption"}
_BOLD_TAGS = {"strong", "b"}
_KEEP_SHARE = 0.5
_LOUD_TAGS = {"font", "big"}
_NOTE_TAGS = {"small", "i", "em", "span", "font"}
_MAX_LEAD = 160


def _count_headings(element: etree._Element) -> int:
    return int(element.xpath("count(.//h1|.//h2|.//h3|.//h4|.//h5|.//h6)"))


def _containers(root: etree._Element, selector: str | None) -> list[etree._Element]:
    if selector:
        found = root.cssselect(selector)
        if found:
            return found
    candidates = root.xpath(_CONTAINERS)
    best = max(candidates, key=_count_headings, default=None)
    if best is not None and _count_headings(best):
        return [best]
    body = root.find("body")
    return [body if body is not None else root]


def _is_noise(element: etree._Element) -> bool:
    if element.tag in _DROP_TAGS or element.get("role") in _NOISE_ROLES:
        return True
    if element.get("aria-hidden") == "true" and element.tag not in _BLOCK_TAGS:
        return True
    return any(_NOISE_CLASS.search(token) for token in (element.get("class") or "").split())


def _drop_noise(container: etree._Element) -> None:
    total = _count_headings(container)
    doomed = [
        el
        for el in container.iter()
        if isinstance(el.tag, str) and el is not container and _is_noise(el)
    ]
    for element in doomed:
        if element.getparent() is None:
            continue
        if (
            total
            and element.tag not in _DROP_TAGS
            and _count_headings(element) > total * _KEEP_SHARE
        ):
            continue  # a "nav"-ish class on the wrapper of the content itself
        element.drop_tree()


def _text(element: etree._Element) -> str:
    """Text of an element, <br> as line breaks, whitespace collapsed within lines."""
    for br in element.iter("br"):
        br.tail = "\n" + (br.tail or "")
    raw = "".join(element.itertext())
    return "\n".join(" ".join(line.split()) for line in raw.split("\n") if line.strip())


def _anchor(heading: etree._Element) -> str | None:
    if heading.get("id"):
        return heading.get("id")
    for link in heading.iter("a"):
        if link.get("id") or link.get("name"):
            return link.get("id") or link.get("name")
    parent = heading.getparent()
    if parent is not None and parent.get("id") and parent.index(heading) == 0:
        return parent.get("id")
    return None


def _inline_children(element: etree._Element) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and c.tag not in _BLOCK_TAGS]


def _all_bold(element: etree._Element) -> bool:
    """True when the element's own text is nothing but one <strong>/<b>."""
    children = _inline_children(element)
    if len(children) != 1 or children[0].tag not in _BOLD_TAGS:
        return False
    return not (element.text or "").strip() and not (children[0].tail or "").strip(" \t\n:")


def _is_boldish(element: etree._Element) -> bool:
    """<b>/<strong>, or <font>/<big> wrapping nothing else: the release marks of old pages."""
    if element.tag in _BOLD_TAGS:
        return True
    return element.tag in _LOUD_TAGS and bool(_text(element).strip())


def _bold_lead(element: etree._Element) -> bool:
    """True when the element opens with bold (or <font>) text followed only by a <small> or
    italic note such as a date: ``<p><b>Tool 2.4</b> <small>2004-01-20</small></p>``."""
    children = _inline_children(element)
    if len(children) < 2 or (element.text or "").strip() or not _is_boldish(children[0]):
        return False
    notes = children[1:]
    if any(c.tag not in _NOTE_TAGS or (c.tail or "").strip(" \t\n:,-") for c in notes):
        return False
    return not (children[0].tail or "").strip(" \t\n:,-") and len(_text(element)) <= _MAX_LEAD


def _bold_run(parent: etree._Element, start: int) -> list[etree._Element] | None:
    """Loose inline children of ``parent`` from ``start`` up to a <br> or a block, when they
    are a bold or <font> release mark and an optional <small> note (old-style pages)."""
    children = list(parent)
    if not isinstance(children[start].tag, str) or not _is_boldish(children[start]):
        return None
    run = [children[start]]
    for child in children[start + 1 :]:
        if not isinstance(child.tag, str) or child.tag in _BLOCK_TAGS or child.tag == "br":
            break
        run.append(child)
    if any(c.tag not in _NOTE_TAGS for c in run[1:]):
        return None
    if any((c.tail or "").strip(" \t\n:,-") for c in run):
        return None
    text = _text_of_run(run)
    if "\n" in text.strip() or len(text) > _MAX_LEAD or not any(ch.isdigit() for ch in text):
        return None
    return run


def _text_of_run(run: list[etree._Element]) -> str:
    return " ".join(_text(c) + " " + (c.tail or "") for c in run)


class _Walker:
    def __init__(self, forced: set[etree._Element]) -> None:
        self.blocks: list[Block] = []
        self.forced = forced
        self.slugs = Slugger()

    def text(self, lines: list[str], verbatim: bool = False) -> None:
        if lines:
            self.blocks.append(Block("text", lines, verbatim=verbatim))

    def walk(self, element: etree._Element, depth: int = 0) -> None:
        tag = element.tag
        if not isinstance(tag, str):
            return
        if element in self.forced or tag in _HEADINGS:
            self.heading(element, depth)
        elif tag in ("ul", "ol"):
            for item in element:
                if isinstance(item.tag, str):
                    self.item(item, depth)
        elif tag == "pre":
            code = "".join(element.itertext()).rstrip().split("\n")
            self.text(["  " * depth + line for line in code], verbatim=True)
        elif tag == "tr":
            cells = [" ".join(_text(c).split()) for c in element if c.tag in ("td", "th")]
            self.text(["  " * depth + " | ".join(cells)], verbatim=True)
        elif tag in _TEXT_TAGS:
            self.paragraph(element, depth)
        elif tag in _BLOCK_TAGS or tag in ("table", "thead", "tbody", "tfoot"):
            self.container(element, depth)
        else:
            self.text(["  " * depth + line for line in _text(element).split("\n") if line])

    def container(self, element: etree._Element, depth: int) -> None:
        if (element.text or "").strip():
            self.text(["  " * depth + " ".join(element.text.split())])
        skip = 0
        for index, child in enumerate(element):
            if index < skip:
                continue
            run = _bold_run(element, index) if depth == 0 else None
            if run:
                skip = index + len(run)
                self.bold_line(" ".join(_text_of_run(run).split()))
                continue
            self.walk(child, depth)
            if (child.tail or "").strip():
                self.text(["  " * depth + " ".join(child.tail.split())])

    def bold_line(self, text: str) -> None:
        self.blocks.append(Block("bold", [text], clean_title(text)))

    def heading(self, element: etree._Element, depth: int = 0) -> None:
        title = clean_title(" ".join(_text(element).split()))
        anchor = _anchor(element)
        anchor = self.slugs.unique(anchor) if anchor else None
        kind = "forced" if element in self.forced else element.tag
        if kind != "forced" and depth:  # a heading inside a list item
            lines = ["  " * (depth - 1) + "- " + title] if title else []
            self.blocks.append(Block("nested", lines, title, anchor))
            return
        self.blocks.append(Block(kind, [title] if title else [], title, anchor))

    def paragraph(self, element: etree._Element, depth: int) -> None:
        lines = ["  " * depth + line for line in _text(element).split("\n") if line]
        if lines and depth == 0 and (_all_bold(element) or _bold_lead(element)):
            self.blocks.append(Block("bold", lines, clean_title(" ".join(lines))))
        else:
            self.text(lines)

    def item(self, item: etree._Element, depth: int) -> None:
        prefix = "  " * depth + "- "
        first = item
        if not (item.text or "").strip() and not _inline_children(item):
            blocks = [c for c in item if isinstance(c.tag, str)]
            first = blocks[0] if blocks and blocks[0].tag in _TEXT_TAGS else item
        own = _own_text(first) if first is item else _text(first)
        if own:
            line = prefix + own.replace("\n", " ")
            kind = "bullet" if _all_bold(first) else "text"
            self.blocks.append(Block(kind, [line], clean_title(own) if kind == "bullet" else ""))
        for child in item:
            if child is not first and isinstance(child.tag, str) and child.tag in _BLOCK_TAGS:
                self.walk(child, depth + 1)


def _own_text(item: etree._Element) -> str:
    """Text of a list item up to its first nested block (a sub-list, a paragraph)."""
    parts = [item.text or ""]
    for child in item:
        if isinstance(child.tag, str) and child.tag in _BLOCK_TAGS:
            break
        if isinstance(child.tag, str):
            parts.append(_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def html_blocks(
    html: str, selectors: dict[str, str] | None = None
) -> tuple[list[Block], dict[str, str]]:
    """Blocks of the main content of an HTML page, and page metadata (its <title>)."""
    selectors = selectors or {}
    root = lxml.html.document_fromstring(html)
    title = root.findtext(".//title") or ""
    walker = _Walker(set())
    for container in _containers(root, selectors.get("container")):
        if selectors.get("heading"):
            walker.forced |= set(container.cssselect(selectors["heading"]))
        _drop_noise(container)
        walker.walk(container)
    meta = {"page_title": " ".join(title.split())} if title.strip() else {}
    return walker.blocks, meta
