"""lxml fast path for ordinary, well-formed RSS 2.0 and Atom 1.0 feeds.

:func:`fast_parse` mirrors what feedparser 6.0's strict (expat) parser stores in the fields
that :mod:`crawlers.feeds` reads (title, link, links, id, guidislink, dates, summary, content,
author), on public APIs only: lxml, the standard library, and feedparser's rules restated in
:mod:`crawlers.feeds_rules` (charset choice, URL joining, dates, which HTML its sanitizer leaves
with the same text). It returns ``None`` -- and the caller runs feedparser -- for anything
outside that narrow, verified subset (see :mod:`crawlers.feeds_scan`). HTML values are not
sanitized: they are passed on only where their text is the same as feedparser's sanitized
value's, and parse_feed keeps only text. tests/test_feeds_fastpath.py checks that both paths
give the same ParsedFeed on every feed the fast path takes.
"""

from __future__ import annotations

import contextlib
import functools
import re
import time
from typing import Any

from lxml import etree

from crawlers.feeds_rules import (
    CAN_BE_RELATIVE_URI,
    CAN_CONTAIN_DANGEROUS_MARKUP,
    CP1252,
    HTML_TYPES,
    UnknownDate,
    looks_like_html,
    map_content_type,
    parse_date,
    text_safe_html,
    urljoin,
)
from crawlers.feeds_scan import ATOM_NS, XML_NS, Fallback, Scanner

__all__ = ["fast_parse"]

_C1 = re.compile("[\x80-\x9f]")  # the keys of feedparser's cp1252 table
_QUERY_ENTITY = re.compile("&([A-Za-z0-9_]+);")
_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_blank_text=False,
    collect_ids=False,
)


def fast_parse(body: bytes, url: str, headers: dict[str, str]) -> dict[str, Any] | None:
    """feedparser-shaped ``{"version", "bozo", "feed", "entries"}``, or None to fall back."""
    try:
        return _Walker(body, url, headers).run()
    except (Fallback, UnknownDate, etree.LxmlError, ValueError, LookupError, UnicodeError):
        return None


@functools.lru_cache(maxsize=4096)
def _date(value: str) -> time.struct_time | None:
    return parse_date(value)  # UnknownDate: feedparser may read it; fall back


class _Walker(Scanner):
    def finish(self, element: str, raw: str, ctype: str | None, resolve: bool = True) -> str:
        """What feedparser's ``pop`` makes of an element's text (strict parser, UTF-8)."""
        output = raw.strip()
        if output and resolve and element in CAN_BE_RELATIVE_URI:
            output = urljoin(self.base, output)
        dangerous = element in CAN_CONTAIN_DANGEROUS_MARKUP
        if dangerous and map_content_type(ctype or "text/html") in HTML_TYPES:
            output = self.sanitize(output, ctype or "text/html")
        if output.isascii():
            return output  # both steps below are the identity on ASCII
        with contextlib.suppress(UnicodeError):  # feedparser's "UTF-8 read as Latin-1" repair
            output = output.encode("iso-8859-1").decode("utf-8")
        return output.translate(CP1252) if _C1.search(output) else output

    def sanitize(self, output: str, ctype: str) -> str:
        """feedparser's sanitized HTML, or markup that gives the same text (not sanitized).

        Only parse_feed's text of the value is the same as feedparser's: never show it as HTML.
        """
        if "<" in output or "&" in output:
            if not text_safe_html(output):
                raise Fallback("markup the sanitizer would change")
            output = output.strip()
        return output.replace("\r\n", "\n")

    def text_construct(self, el: Any, element: str, default: str) -> tuple[str, str]:
        """A title/summary/content-like element: (value, content type)."""
        attrs = self.attrs(el)
        if attrs.get("mode") or attrs.get("src"):
            raise Fallback("mode/src on a text construct")
        ctype = map_content_type(attrs.get("type", default))
        if ctype not in ("text/plain", "text/html"):
            raise Fallback(f"content type {ctype}")
        raw = self.leaf_text(el)
        if not self.atom and ctype == "text/plain" and looks_like_html(raw.strip()):
            ctype = "text/html"
        return self.finish(element, raw, ctype), ctype

    # ----------------------------------------------------------------------- document

    def run(self) -> dict[str, Any]:
        feed_el, version = self.root(etree.fromstring(self.data, _PARSER))
        item_name = "entry" if self.atom else "item"
        feed: dict[str, Any] = {}
        entries: list[dict[str, Any]] = []
        seen: set[str] = set()
        for el in feed_el:
            name = self.name(el)
            if name == item_name:
                if el.attrib:
                    raise Fallback("attributes on an item")
                entries.append(self.entry(el))
            elif name:
                self.feed_child(el, name, feed, seen)
        if not entries:
            raise Fallback("no entries")
        return {"version": version, "bozo": False, "feed": feed, "entries": entries}

    def root(self, root: Any) -> tuple[Any, str]:
        """The element that holds the feed's fields and items, and feedparser's version."""
        if root.tag == "rss" and not root.prefix:
            if not (root.get("version") or "").startswith("2.") or len(root.attrib) > 1:
                raise Fallback("not RSS 2.0")
            channels = [c for c in root if isinstance(c.tag, str)]
            if len(channels) != 1 or channels[0].tag != "channel" or len(channels[0].attrib):
                raise Fallback("not one plain <channel>")
            return channels[0], "rss20"
        if root.tag == f"{{{ATOM_NS}}}feed" and all(k == f"{{{XML_NS}}}lang" for k in root.attrib):
            self.atom = True
            return root, "atom10"
        raise Fallback("neither RSS 2.0 nor Atom 1.0")

    def feed_child(self, el: Any, name: str, feed: dict[str, Any], seen: set[str]) -> None:
        if name in ("title", "id", "author"):
            if name in seen:
                raise Fallback(f"repeated feed {name}")
            seen.add(name)
        if name == "title":
            title, ctype = self.text_construct(el, "title", "text/plain")
            feed["title"], feed["title_detail"] = title, {"type": ctype}
        elif name == "id":
            self.guid(el, feed)
        elif name == "author":
            self.person(el)
        elif name == "link":
            self.link(el, feed, in_entry=False)
        else:
            self.feed_extra(el, name)

    def person(self, el: Any) -> str:
        """What feedparser leaves in ``author`` after an <author> (or dc:creator) element."""
        self.check_base(el)
        if any(k != f"{{{XML_NS}}}lang" for k in el.attrib):
            raise Fallback("attributes on author")
        if not len(el):
            return self.finish("author", el.text or "", None)
        found = self.person_children(el)
        name, email = found.get("name"), found.get("email")
        if name and email:
            return f"{name} ({email})"
        return name or email or ""

    def guid(self, el: Any, ctx: dict[str, Any]) -> None:
        attrs = self.attrs(el)
        guidislink = attrs.get("ispermalink", "true") == "true"
        value = self.finish("id", self.leaf_text(el), None, resolve=guidislink)
        ctx["id"] = value
        ctx.setdefault("guidislink", guidislink and "link" not in ctx)
        if guidislink:
            ctx.setdefault("link", value)

    def link(self, el: Any, ctx: dict[str, Any], in_entry: bool) -> None:
        attrs = self.attrs(el)
        rel = attrs.setdefault("rel", "alternate")
        ctype = attrs.setdefault("type", "application/atom+xml" if rel == "self" else "text/html")
        href = attrs.get("url", attrs.get("uri", attrs.get("href")))
        links = ctx.setdefault("links", [])
        if "url" in attrs or "uri" in attrs:
            raise Fallback("url/uri attribute on link")
        if "href" in attrs:
            if len(el) or (el.text or "").strip() or not href:
                raise Fallback("link with both href and text, or an empty href")
            self.check_base(el)
            resolved = urljoin(self.base, href)
            links.append({"rel": rel, "type": ctype, "href": resolved})
            if rel == "alternate" and map_content_type(ctype) in HTML_TYPES:
                ctx["link"] = resolved
            return
        entry: dict[str, str] = {"rel": rel, "type": ctype}
        links.append(entry)
        output = self.finish("link", self.leaf_text(el), None)
        if in_entry:
            output = output.replace("&amp;", "&")
        output = _QUERY_ENTITY.sub(r"&\g<1>", output)
        ctx["link"] = output
        if output:
            entry["href"] = output

    def entry(self, item: Any) -> dict[str, Any]:
        e: dict[str, Any] = {}
        seen: set[str] = set()
        for el in item:
            name = self.name(el)
            role = _ENTRY_ROLES.get(name)
            if role is None:
                if name:
                    self.entry_extra(el, name)
                continue
            if role != "link":
                if role in seen:
                    raise Fallback(f"repeated {role}")
                seen.add(role)
            self.entry_field(el, name, role, e)
        return e

    def entry_field(self, el: Any, name: str, role: str, e: dict[str, Any]) -> None:
        if role == "link":
            self.link(el, e, in_entry=True)
        elif role == "id":
            self.guid(el, e)
        elif role == "author":
            e["author"] = self.person(el)
        elif role in ("published", "updated"):
            if self.attrs(el):
                raise Fallback("attributes on a date")
            value = self.finish(role, self.leaf_text(el), None)
            e[role], e[f"{role}_parsed"] = value, _date(value)
        elif role == "title":
            e["title"], ctype = self.text_construct(el, "title", "text/plain")
            e["title_detail"] = {"type": ctype}
        elif role == "summary":
            default = "text/html" if name == "description" else "text/plain"
            e["summary"], ctype = self.text_construct(el, name, default)
            e["summary_detail"] = {"type": ctype}
        else:
            self.content(el, name, e)

    def content(self, el: Any, name: str, e: dict[str, Any]) -> None:
        default = "text/html" if name == "content_encoded" else "text/plain"
        if name == "content" and not self.atom:
            raise Fallback("<content> in RSS")
        value, ctype = self.text_construct(el, "content", default)
        e["content"] = [{"type": ctype, "value": value}]
        e.setdefault("summary", value)  # copied (setdefault) as feedparser does


# feedparser handler name -> field, for item/entry children
_ENTRY_ROLES = {
    "title": "title",
    "link": "link",
    "guid": "id",
    "id": "id",
    "description": "summary",
    "summary": "summary",
    "content_encoded": "content",
    "content": "content",
    "author": "author",
    "dc_creator": "author",
    "pubdate": "published",
    "published": "published",
    "updated": "updated",
    "dc_date": "updated",
}
