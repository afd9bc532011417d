"""Which parts of a feed the lxml fast path may read, by feedparser 6.0's element names.

:class:`Scanner` decodes a document as feedparser would, names its elements as feedparser's
handlers are named ("title", "dc_creator", ...), and raises :class:`Fallback` wherever an
element, attribute or namespace could make feedparser's result differ from what the fast path
(crawlers/feeds_fast.py) builds: other formats, DOCTYPEs, xml:base, extension elements that
feedparser maps onto the fields read, and so on.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from crawlers.feeds_rules import (
    HANDLERS,
    NAMESPACES,
    RE_XML_DECLARATION,
    RE_XML_PI_ENCODING,
    parse_content_type,
    urljoin,
)

__all__ = ["ATOM_NS", "XML_NS", "Fallback", "Scanner"]

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_MATCH_NS = {k.lower(): v for k, v in NAMESPACES.items()}
_CANONICAL = frozenset(_MATCH_NS.values()) - {""}
# Declaring these changes feedparser's idea of the feed version.
_VERSION_NS = frozenset({"http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/"})
# Keys an element without a handler could overwrite in the dicts that are read.
_RESERVED = frozenset(
    {
        "title", "title_detail", "link", "links", "id", "guidislink", "summary",
        "summary_detail", "content", "author", "author_detail", "authors", "published",
        "updated", "published_parsed", "updated_parsed", "image", "textinput", "href",
    }
)  # fmt: skip
# Single-byte or UTF-8 charsets that Python decodes the same way feedparser does.
_SAFE_CODECS = frozenset(
    {"utf-8", "ascii", "latin-1", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1257"}
    | {f"iso8859-{n}" for n in (1, 2, 3, 4, 5, 7, 9, 10, 13, 14, 15, 16)}
    | {"koi8-r", "koi8-u"}
)
_APPLICATION_XML = (
    "application/xml",
    "application/xml-dtd",
    "application/xml-external-parsed-entity",
)
_DECL = re.compile(rb"xmlns(?::([^\s=/>]+))?\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
# channel/feed and item/entry children with feedparser handlers that cannot touch the fields
# read here (their values land in other keys of the same dict)
_FEED_HARMLESS = frozenset(
    {
        "description", "subtitle", "tagline", "language", "copyright", "rights", "pubdate",
        "published", "lastbuilddate", "updated", "modified", "category", "generator", "cloud",
        "webmaster", "managingeditor", "contributor", "dc_language", "dc_rights", "dc_date",
        "dc_subject", "dc_publisher", "expirationdate", "itunes_author", "itunes_subtitle",
        "itunes_image", "feedburner_browserfriendly",
    }
)  # fmt: skip
_ENTRY_HARMLESS = frozenset({"category", "enclosure", "rights", "contributor", "dc_subject"})
# media_group does nothing itself; the others keep to media_* keys, tags and "url"
_MEDIA_HARMLESS = frozenset(
    {
        "media_group", "media_content", "media_thumbnail", "media_credit", "media_category",
        "media_rating", "media_license", "media_restriction",
    }
)  # fmt: skip
_PERSON = frozenset({"name", "email", "uri"})
_IMAGE_CHILDREN = frozenset({"title", "link", "url", "width", "height", "description"})
_TEXTINPUT_CHILDREN = frozenset({"title", "link", "description", "name"})


class Fallback(Exception):
    """The document is outside what the fast path reproduces exactly."""


def _decode(body: bytes, headers: dict[str, str]) -> bytes:
    """The UTF-8 bytes feedparser hands to expat, when its first charset guess decodes."""
    if body[:4] in (b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00") or body[:2] in (
        b"\xfe\xff",
        b"\xff\xfe",
    ):
        raise Fallback("UTF-16/32")
    data = body[3:] if body.startswith(codecs.BOM_UTF8) else body
    match = RE_XML_PI_ENCODING.match(data)
    xml_encoding = match.group(1).decode("utf-8").lower() if match else ""
    ctype, http_encoding = parse_content_type(headers.get("content-type") or "")
    if ctype in _APPLICATION_XML or (ctype.startswith("application/") and ctype.endswith("+xml")):
        encoding = http_encoding or xml_encoding or "utf-8"
    elif ctype.startswith("text/"):
        encoding = http_encoding or "us-ascii"
    elif "content-type" not in headers:
        raise Fallback("no content type")
    else:
        encoding = xml_encoding or "utf-8"
    if codecs.lookup(encoding).name not in _SAFE_CODECS or "gb2312" in encoding.lower():
        raise Fallback(f"charset {encoding}")
    text = data.decode(encoding)  # UnicodeError: feedparser would override; fall back
    new_declaration = "<?xml version='1.0' encoding='utf-8'?>"
    if RE_XML_DECLARATION.search(text):
        text = RE_XML_DECLARATION.sub(new_declaration, text)
    else:
        text = new_declaration + "\n" + text
    return text.encode("utf-8")


class Scanner:
    """Element names and harmlessness checks; the fast path's walker builds on it."""

    def __init__(self, body: bytes, url: str, headers: dict[str, str]) -> None:
        self.data = _decode(body, headers)
        first = re.search(rb"<\w", self.data)
        head = self.data[: first.start() if first else len(self.data)]
        if b"<!" in head.replace(b"<!--", b""):
            raise Fallback("DOCTYPE or entity declarations")
        if not url.startswith(("http://", "https://")) or urljoin(url, url) != url:
            raise Fallback("base URI is not a stable http(s) URL")
        self.base = url
        self.prefixes: dict[str, set[str | None]] = {}
        for m in _DECL.finditer(self.data):
            prefix = m.group(1).decode("utf-8", "replace") if m.group(1) else None
            uri = (m.group(2) if m.group(2) is not None else m.group(3)).decode("utf-8", "replace")
            if uri.lower() in _VERSION_NS or uri.startswith("&"):
                raise Fallback("namespace that changes the feed version")
            self.prefixes.setdefault(uri, set()).add(prefix)
        bound: dict[str, str] = {}
        for uri, prefixes in self.prefixes.items():
            known = self._known(uri)
            for prefix in prefixes - {None}:
                assert prefix is not None
                if bound.setdefault(prefix, uri) != uri:
                    raise Fallback("prefix bound to two namespaces")
                if known is not None and prefix != known and prefix in _CANONICAL:
                    raise Fallback("prefix shadows a known namespace prefix")
        self.names: dict[str, tuple[str, ...]] = {}
        self.atom = False

    @staticmethod
    def _known(uri: str) -> str | None:
        low = uri.lower()
        if "backend.userland.com/rss" in low:
            return ""
        return _MATCH_NS.get(low)

    def name(self, el: Any) -> str:
        """feedparser's handler name for an element ("title", "dc_creator", ...)."""
        tag = el.tag
        if not isinstance(tag, str):
            return ""  # comment or processing instruction: ignored by feedparser too
        names = self.names.get(tag)
        if names is None:
            names = self._names(tag)
            self.names[tag] = names
        if len(names) != 1:
            # unknown namespace: every prefix it could get must be harmless
            for candidate in names:
                if candidate in HANDLERS or candidate in _RESERVED:
                    raise Fallback(f"ambiguous extension element {candidate}")
            return "?"
        return names[0]

    def _names(self, tag: str) -> tuple[str, ...]:
        if tag[0] != "{":
            return (tag.lower(),)
        uri, local = tag[1:].split("}", 1)
        local = local.lower()
        known = self._known(uri)
        if known is not None:
            return (f"{known}_{local}" if known else local,)
        prefixes = self.prefixes.get(uri)
        if not prefixes:
            raise Fallback("namespace not found among declarations")
        out = {f"{p.lower()}_{local}" if p else local for p in prefixes}
        return tuple(sorted(out)) if len(out) != 1 else (*out, "?")

    # ----------------------------------------------------------------------- checks

    def attrs(self, el: Any) -> dict[str, str]:
        """feedparser's attribute dict for a handled element (lower-case keys)."""
        out: dict[str, str] = {}
        for key, value in el.items():
            if key[0] == "{":
                if key == f"{{{XML_NS}}}lang":
                    continue
                raise Fallback("namespaced attribute on a handled element")
            low = key.lower()
            if low in out or low == "base":
                raise Fallback("duplicate or base attribute")
            out[low] = value.lower() if low in ("rel", "type") else value
        return out

    def check_base(self, el: Any) -> None:
        for key in el.attrib:
            if key.rsplit("}", 1)[-1].lower() == "base":
                raise Fallback("xml:base")

    def leaf_text(self, el: Any) -> str:
        if len(el):
            raise Fallback("child nodes inside a text element")
        self.check_base(el)
        return el.text or ""

    def ignorable(self, el: Any, name: str) -> None:
        """An element feedparser has no handler for: harmless, and so must its subtree be."""
        if name != "?" and (name in HANDLERS or name in _RESERVED):
            raise Fallback(f"element {name} is handled by feedparser")
        self.check_base(el)
        for child in el:
            child_name = self.name(child)
            if child_name:
                self.ignorable(child, child_name)

    def feed_extra(self, el: Any, name: str) -> None:
        """A channel/feed child that is not read: it must leave the fields read alone."""
        if name == "image" and not self.atom:
            self.children(el, _IMAGE_CHILDREN)
        elif name == "textinput" and not self.atom:
            self.children(el, _TEXTINPUT_CHILDREN)
        elif name in _FEED_HARMLESS:
            self.harmless(el, name)
        elif name in _MEDIA_HARMLESS:
            self.media(el)
        else:
            self.ignorable(el, name)

    def entry_extra(self, el: Any, name: str) -> None:
        """An item/entry child that is not read: it must leave the fields read alone."""
        if name in _ENTRY_HARMLESS or (name in ("comments", "source") and not self.atom):
            self.harmless(el, name)
        elif name in _MEDIA_HARMLESS:
            self.media(el)
        else:
            self.ignorable(el, name)

    def children(self, el: Any, allowed: frozenset[str]) -> None:
        """image / textInput: plain children only, so feedparser's context flags hold."""
        if el.attrib:
            raise Fallback("attributes on image/textInput")
        for child in el:
            name = self.name(child)
            if name and (name not in allowed or child.attrib):
                raise Fallback(f"{name} inside image/textInput")
            if name:
                self.leaf_text(child)

    def harmless(self, el: Any, name: str) -> None:
        self.check_base(el)
        if name == "contributor" or name in ("managingeditor", "webmaster"):
            if len(el):
                self.person_children(el)
            return
        if name in ("cloud", "category", "generator", "dc_subject"):
            for child in el:
                if self.name(child):
                    raise Fallback(f"children inside {name}")
            return
        self.leaf_text(el)

    def media(self, el: Any) -> None:
        """Media RSS elements whose handlers store only media_* / tag / url keys."""
        self.check_base(el)
        for child in el:
            name = self.name(child)
            if name in _MEDIA_HARMLESS:
                self.media(child)
            elif name:
                self.ignorable(child, name)

    def person_children(self, el: Any) -> dict[str, str]:
        found: dict[str, str] = {}
        for child in el:
            name = self.name(child)
            if not name:
                continue
            if name not in _PERSON or name in found or child.attrib:
                raise Fallback(f"{name} inside a person construct")
            found[name] = self.leaf_text(child).strip()
        if (el.text or "").strip() or any((c.tail or "").strip() for c in el):
            raise Fallback("text beside person children")
        return found
