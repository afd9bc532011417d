"""lxml fast path for ordinary, well-formed RSS 2.0 and Atom 1.0 feeds.

:func:`fast_parse` mirrors what feedparser 6.0's strict (expat) parser stores in the fields
that :mod:`crawlers.feeds` reads (title, link, links, id, guidislink, dates, summary, content,
author), using feedparser's own helpers for the parts where exactness is subtle (charset
choice, URL joining, HTML sanitising, date parsing). It returns ``None`` -- and the caller
runs feedparser -- for anything outside that narrow, verified subset: other formats, XML
errors, DOCTYPEs, encodings that need guessing, xml:base, XHTML or base64 content, repeated
fields, extension elements that feedparser maps onto those fields, and so on.
tests/test_feeds_fastpath.py checks both paths agree on every feed the fast path takes.
"""

from __future__ import annotations

import codecs
import contextlib
import functools
import re
import time
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.encodings import RE_XML_DECLARATION, RE_XML_PI_ENCODING, parse_content_type
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.sanitizer import _sanitize_html
from feedparser.urls import _urljoin, make_safe_absolute_uri, resolve_relative_uris
from lxml import etree

__all__ = ["fast_parse"]

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"
_MATCH_NS = {k.lower(): v for k, v in _FeedParserMixin.namespaces.items()}
_CANONICAL = frozenset(_MATCH_NS.values()) - {""}
# Declaring these changes feedparser's idea of the feed version.
_VERSION_NS = frozenset({"http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/"})
_HANDLERS = frozenset(
    n.split("_", 2)[2] for n in dir(_FeedParserMixin) if n.startswith(("_start_", "_end_"))
)
# Keys an element without a handler could overwrite in the dicts that are read.
_RESERVED = frozenset(
    {
        "title", "title_detail", "link", "links", "id", "guidislink", "summary",
        "summary_detail", "content", "author", "author_detail", "authors", "published",
        "updated", "published_parsed", "updated_parsed", "image", "textinput", "href",
    }
)  # fmt: skip
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
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
_C1 = re.compile("[\x80-\x9f]")  # the keys of feedparser's _cp1252 table
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
_looks_like_html = _FeedParserMixin.looks_like_html
_map_type = _FeedParserMixin.map_content_type

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


def fast_parse(body: bytes, url: str, headers: dict[str, str]) -> dict[str, Any] | None:
    """feedparser-shaped ``{"version", "bozo", "feed", "entries"}``, or None to fall back."""
    try:
        return _Walker(body, url, headers).run()
    except (Fallback, etree.LxmlError, ValueError, LookupError, UnicodeError):
        return None


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


@functools.lru_cache(maxsize=4096)
def _date(value: str) -> time.struct_time | None:
    return _parse_date(value)  # type: ignore[no-any-return]


class _Walker:
    def __init__(self, body: bytes, url: str, headers: dict[str, str]) -> None:
        self.data = _decode(body, headers)
        first = re.search(rb"<\w", self.data)
        head = self.data[: first.start() if first else len(self.data)]
        if b"<!" in head.replace(b"<!--", b""):
            raise Fallback("DOCTYPE or entity declarations")
        base = make_safe_absolute_uri("", url) or ""
        if (make_safe_absolute_uri(base, base) or base) != base:
            raise Fallback("base URI is not stable")
        self.base = base
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
                if candidate in _HANDLERS or candidate in _RESERVED:
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
        if name != "?" and (name in _HANDLERS or name in _RESERVED):
            raise Fallback(f"element {name} is handled by feedparser")
        self.check_base(el)
        for child in el:
            child_name = self.name(child)
            if child_name:
                self.ignorable(child, child_name)

    def finish(self, element: str, raw: str, ctype: str | None, resolve: bool = True) -> str:
        """What feedparser's ``pop`` makes of an element's text (strict parser, UTF-8)."""
        output = raw.strip()
        if output and resolve and element in _FeedParserMixin.can_be_relative_uri:
            output = _urljoin(self.base, output)
        dangerous = element in _FeedParserMixin.can_contain_dangerous_markup
        if dangerous and _map_type(ctype or "text/html") in _HTML_TYPES:
            output = self.sanitize(output, ctype or "text/html")
        if output.isascii():
            return output  # both steps below are the identity on ASCII
        with contextlib.suppress(UnicodeError):  # feedparser's "UTF-8 read as Latin-1" repair
            output = output.encode("iso-8859-1").decode("utf-8")
        return output.translate(_cp1252) if _C1.search(output) else output

    def sanitize(self, output: str, ctype: str) -> str:
        if "<" not in output and "&" not in output:
            return output.replace("\r\n", "\n")  # both passes are the identity on such text
        output = resolve_relative_uris(output, self.base, "utf-8", ctype)
        return _sanitize_html(output, "utf-8", ctype)  # type: ignore[no-any-return]

    def text_construct(self, el: Any, element: str, default: str) -> tuple[str, str]:
        """A title/summary/content-like element: (value, content type)."""
        attrs = self.attrs(el)
        if attrs.get("mode") or attrs.get("src"):
            raise Fallback("mode/src on a text construct")
        ctype = _map_type(attrs.get("type", default))
        if ctype not in ("text/plain", "text/html"):
            raise Fallback(f"content type {ctype}")
        raw = self.leaf_text(el)
        if not self.atom and ctype == "text/plain" and _looks_like_html(raw.strip()):
            ctype = "text/html"
        return self.finish(element, raw, ctype), ctype

    # ----------------------------------------------------------------------- document

    def run(self) -> dict[str, Any] | None:
        root = etree.fromstring(self.data, _PARSER)
        if root.tag == "rss" and not root.prefix:
            if not (root.get("version") or "").startswith("2.") or len(root.attrib) > 1:
                return None
            channels = [c for c in root if isinstance(c.tag, str)]
            if len(channels) != 1 or channels[0].tag != "channel" or len(channels[0].attrib):
                return None
            feed_el, version = channels[0], "rss20"
        elif root.tag == f"{{{ATOM_NS}}}feed":
            if any(k != f"{{{XML_NS}}}lang" for k in root.attrib):
                return None
            feed_el, version, self.atom = root, "atom10", True
        else:
            return None
        item_name = "entry" if self.atom else "item"
        feed: dict[str, Any] = {}
        entries: list[dict[str, Any]] = []
        seen: set[str] = set()
        for el in feed_el:
            name = self.name(el)
            if not name:
                continue
            if name == item_name:
                if el.attrib:
                    return None
                entries.append(self.entry(el))
            elif name in ("title", "id", "author"):
                if name in seen:
                    return None
                seen.add(name)
                if name == "title":
                    title, ctype = self.text_construct(el, "title", "text/plain")
                    feed["title"], feed["title_detail"] = title, {"type": ctype}
                elif name == "id":
                    self.guid(el, feed)
                else:
                    self.person(el)
            elif name == "link":
                self.link(el, feed, in_entry=False)
            elif name == "image" and not self.atom:
                self.children(el, _IMAGE_CHILDREN)
            elif name == "textinput" and not self.atom:
                self.children(el, _TEXTINPUT_CHILDREN)
            elif name in _FEED_HARMLESS:
                self.harmless(el, name)
            elif name in _MEDIA_HARMLESS:
                self.media(el)
            else:
                self.ignorable(el, name)
        if not entries:
            return None
        return {"version": version, "bozo": False, "feed": feed, "entries": entries}

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
            resolved = _urljoin(self.base, href)
            links.append({"rel": rel, "type": ctype, "href": resolved})
            if rel == "alternate" and _map_type(ctype) in _HTML_TYPES:
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
            if not name:
                continue
            role = _ENTRY_ROLES.get(name)
            if role is None:
                if name in _ENTRY_HARMLESS or (name in ("comments", "source") and not self.atom):
                    self.harmless(el, name)
                elif name in _MEDIA_HARMLESS:
                    self.media(el)
                else:
                    self.ignorable(el, name)
                continue
            if role != "link":
                if role in seen:
                    raise Fallback(f"repeated {role}")
                seen.add(role)
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
                e[role] = value
                e[f"{role}_parsed"] = _date(value)
            elif role == "title":
                e["title"], ctype = self.text_construct(el, "title", "text/plain")
                e["title_detail"] = {"type": ctype}
            elif role == "summary":
                default = "text/html" if name == "description" else "text/plain"
                e["summary"], ctype = self.text_construct(el, name, default)
                e["summary_detail"] = {"type": ctype}
            else:  # content
                default = "text/html" if name == "content_encoded" else "text/plain"
                if name == "content" and not self.atom:
                    raise Fallback("<content> in RSS")
                value, ctype = self.text_construct(el, "content", default)
                e["content"] = [{"type": ctype, "value": value}]
                e.setdefault("summary", value)  # copied (setdefault) as feedparser does
        return e


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
