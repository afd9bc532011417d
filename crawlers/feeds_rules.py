"""feedparser 6.0's rules that the lxml fast path mirrors, restated on the standard library.

feedparser keeps these in private names (``_FeedParserMixin.namespaces``, ``_parse_date``,
``_sanitize_html``...), which a release may rename; the fast path must not break with them.
The copies here are data and small functions; tests/test_feeds_rules.py checks them against
the installed feedparser, so a release that changes its behaviour fails a test, not the crawl.
"""

from __future__ import annotations

import datetime
import html.entities
import re
import time
import urllib.parse

__all__ = [
    "ACCEPTABLE_ELEMENTS",
    "CAN_BE_RELATIVE_URI",
    "CAN_CONTAIN_DANGEROUS_MARKUP",
    "CP1252",
    "HANDLERS",
    "HTML_TYPES",
    "NAMESPACES",
    "RE_XML_DECLARATION",
    "RE_XML_PI_ENCODING",
    "looks_like_html",
    "map_content_type",
    "parse_content_type",
    "parse_date",
    "text_safe_html",
    "urljoin",
]

# namespace URI -> the prefix feedparser names its elements by ("" = the feed's own elements)
_PREFIXES = {
    "": (
        "", "http://backend.userland.com/rss", "http://blogs.law.harvard.edu/tech/rss",
        "http://purl.org/rss/1.0/", "http://my.netscape.com/rdf/simple/0.9/",
        "http://example.com/newformat#", "http://example.com/necho", "http://purl.org/echo/",
        "uri/of/echo/namespace#", "http://purl.org/pie/", "http://purl.org/atom/ns#",
        "http://www.w3.org/2005/Atom", "http://purl.org/rss/1.0/modules/rss091#",
    ),
    "admin": ("http://webns.net/mvcb/",),
    "ag": ("http://purl.org/rss/1.0/modules/aggregation/",),
    "annotate": ("http://purl.org/rss/1.0/modules/annotate/",),
    "audio": ("http://media.tangent.org/rss/1.0/",),
    "blogChannel": ("http://backend.userland.com/blogChannelModule",),
    "cc": ("http://creativecommons.org/ns#license", "http://web.resource.org/cc/"),
    "creativeCommons": (
        "http://cyber.law.harvard.edu/rss/creativeCommonsRssModule.html",
        "http://backend.userland.com/creativeCommonsRssModule",
    ),
    "co": ("http://purl.org/rss/1.0/modules/company",),
    "content": ("http://purl.org/rss/1.0/modules/content/",),
    "cp": ("http://my.theinfo.org/changed/1.0/rss/",),
    "dc": ("http://purl.org/dc/elements/1.1/",),
    "dcterms": ("http://purl.org/dc/terms/",),
    "email": ("http://purl.org/rss/1.0/modules/email/",),
    "ev": ("http://purl.org/rss/1.0/modules/event/",),
    "feedburner": ("http://rssnamespace.org/feedburner/ext/1.0",),
    "fm": ("http://freshmeat.net/rss/fm/",),
    "foaf": ("http://xmlns.com/foaf/0.1/",),
    "geo": ("http://www.w3.org/2003/01/geo/wgs84_pos#",),
    "georss": ("http://www.georss.org/georss",),
    "gml": ("http://www.opengis.net/gml",),
    "icbm": ("http://postneo.com/icbm/",),
    "image": ("http://purl.org/rss/1.0/modules/image/",),
    "itunes": (
        "http://www.itunes.com/DTDs/PodCast-1.0.dtd", "http://example.com/DTDs/PodCast-1.0.dtd",
    ),
    "l": ("http://purl.org/rss/1.0/modules/link/",),
    "media": ("http://search.yahoo.com/mrss", "http://search.yahoo.com/mrss/"),
    "pingback": ("http://madskills.com/public/xml/rss/module/pingback/",),
    "prism": ("http://prismstandard.org/namespaces/1.2/basic/",),
    "rdf": ("http://www.w3.org/1999/02/22-rdf-syntax-ns#",),
    "rdfs": ("http://www.w3.org/2000/01/rdf-schema#",),
    "ref": ("http://purl.org/rss/1.0/modules/reference/",),
    "reqv": ("http://purl.org/rss/1.0/modules/richequiv/",),
    "search": ("http://purl.org/rss/1.0/modules/search/",),
    "slash": ("http://purl.org/rss/1.0/modules/slash/",),
    "soap": ("http://schemas.xmlsoap.org/soap/envelope/",),
    "ss": ("http://purl.org/rss/1.0/modules/servicestatus/",),
    "str": ("http://hacks.benhammersley.com/rss/streaming/",),
    "sub": ("http://purl.org/rss/1.0/modules/subscription/",),
    "sy": ("http://purl.org/rss/1.0/modules/syndication/",),
    "szf": ("http://schemas.pocketsoap.com/rss/myDescModule/",),
    "taxo": ("http://purl.org/rss/1.0/modules/taxonomy/",),
    "thr": ("http://purl.org/rss/1.0/modules/threading/",),
    "ti": ("http://purl.org/rss/1.0/modules/textinput/",),
    "trackback": ("http://madskills.com/public/xml/rss/module/trackback/",),
    "wfw": ("http://wellformedweb.org/commentAPI/",),
    "wiki": ("http://purl.org/rss/1.0/modules/wiki/",),
    "xhtml": ("http://www.w3.org/1999/xhtml",),
    "xlink": ("http://www.w3.org/1999/xlink",),
    "xml": ("http://www.w3.org/XML/1998/namespace",),
    "psc": ("http://podlove.org/simple-chapters",),
}  # fmt: skip
NAMESPACES = {uri: prefix for prefix, uris in _PREFIXES.items() for uri in uris}

# Elements feedparser has a start or end handler for (its _start_* / _end_* methods).
HANDLERS = frozenset(
    """
    abstract author body category cc_license channel cloud content content_encoded contributor
    copyright created creativeCommons_license creativecommons_license dc_author dc_contributor
    dc_creator dc_date dc_description dc_language dc_publisher dc_rights dc_subject dc_title
    dcterms_created dcterms_issued dcterms_modified dcterms_valid description email enclosure
    entry expirationdate feed feedburner_browserfriendly fullitem generator geom georss_box
    georss_line georss_point georss_polygon georss_where georssgeom gml_exterior gml_linearring
    gml_linestring gml_point gml_polygon gml_pos gml_poslist guid height homepage id image info
    issued item itunes_author itunes_block itunes_category itunes_email itunes_explicit
    itunes_image itunes_keywords itunes_link itunes_name itunes_owner itunes_subtitle
    itunes_summary keywords language lastbuilddate link managingeditor media_category
    media_content media_credit media_description media_group media_keywords media_license
    media_player media_rating media_restriction media_thumbnail media_title modified name
    newlocation psc_chapter psc_chapters pubdate published rights rss source subtitle summary
    tagline tags textInput textinput title updated uri url webmaster where width xhtml_body
    """.split()
)
CAN_BE_RELATIVE_URI = frozenset(
    {"comments", "docs", "href", "icon", "id", "link", "logo", "url", "wfw_comment"}
    | {"wfw_commentrss"}
)
CAN_CONTAIN_DANGEROUS_MARKUP = frozenset(
    {"content", "copyright", "description", "info", "rights", "subtitle", "summary"}
    | {"tagline", "title"}
)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Elements feedparser's HTML sanitizer keeps (the others lose their tags).
ACCEPTABLE_ELEMENTS = frozenset(
    """
    a abbr acronym address area article aside audio b big blockquote br button canvas caption
    center cite code col colgroup command datagrid datalist dd del details dfn dialog dir div dl
    dt em event-source fieldset figcaption figure font footer form h1 h2 h3 h4 h5 h6 header hr i
    img input ins kbd keygen label legend li m map menu meter multicol nav nextid noscript ol
    optgroup option output p pre progress q s samp section select small sound source spacer span
    strike strong sub sup table tbody td textarea tfoot th thead time tr tt u ul var video
    """.split()
)


def _cp1252_char(code: int) -> str | None:
    try:
        return bytes([code]).decode("cp1252")
    except UnicodeDecodeError:
        return None


# C1 control code -> the Windows-1252 character feedparser puts in its place
CP1252 = {c: ch for c in range(0x80, 0xA0) if (ch := _cp1252_char(c)) is not None}

RE_XML_DECLARATION = re.compile(r"^<\?xml[^>]*?>")
RE_XML_PI_ENCODING = re.compile(rb"^<\?.*encoding=['\"](.*?)['\"].*\?>")
_URIFIXER = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")
_CLOSE_TAG = re.compile(r"</(\w+)>")
_ENTITY = re.compile(r"&#?\w+;")
_TAG_NAME = re.compile(r"</?(\w+)")
_NAMED_ENTITY = re.compile(r"&(\w+);")


def parse_content_type(line: str) -> tuple[str, str]:
    """(MIME type, charset) of a Content-Type header, as feedparser reads it (case kept)."""
    chunks = line.split(";")
    charset = ""
    for chunk in chunks[1:]:
        key, _, value = chunk.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'")
    return chunks[0].strip(), charset


def urljoin(base: str, uri: str) -> str:
    """feedparser's URL join: extra slashes after ``scheme://`` dropped, bad URLs give ""."""
    uri = _URIFIXER.sub(r"\1\3", uri)
    try:
        return urllib.parse.urljoin(base, uri)
    except ValueError:
        return ""


def map_content_type(content_type: str) -> str:
    """Atom's short type names ("text", "html", "xhtml") as MIME types; lower case."""
    low = content_type.lower()
    short = {"text": "text/plain", "plain": "text/plain", "html": "text/html"}
    return short.get(low, "application/xhtml+xml" if low == "xhtml" else low)


def looks_like_html(text: str) -> bool:
    """feedparser's guess that a text/plain RSS value is really HTML."""
    if not (_CLOSE_TAG.search(text) or _ENTITY.search(text)):
        return False
    if any(t.lower() not in ACCEPTABLE_ELEMENTS for t in _TAG_NAME.findall(text)):
        return False
    return all(e in html.entities.entitydefs for e in _NAMED_ENTITY.findall(text))


# --------------------------------------------------------------------------- dates

_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_ZONES = {"ut": 0, "utc": 0, "gmt": 0, "z": 0, "edt": -4, "est": -5, "cdt": -5, "cst": -6}
_ZONES |= {"mdt": -6, "mst": -7, "pdt": -7, "pst": -8}
_RFC822 = re.compile(
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+)?(\d{1,2})\s+([a-z]{3})[a-z]*\s+(\d{4})"
    r"\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+([a-z]+|[+-]\d{4})",
    re.ASCII,
)
_W3DTF = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:t(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(z|[+-]\d{2}:\d{2})?)?",
    re.ASCII,
)
_DIGIT = re.compile(r"\d")


class UnknownDate(ValueError):
    """A date outside the forms mirrored here, which feedparser may still read."""


def parse_date(value: str) -> time.struct_time | None:
    """feedparser's reading of an RSS / Atom date, for its two usual forms; None when no date.

    Raises UnknownDate for other forms that contain a digit: feedparser tries a dozen more
    formats on those, so the caller should let feedparser read the document.
    """
    low = value.strip().lower()
    if match := _W3DTF.fullmatch(low):
        *parts, zone = match.groups(default="")
        return _utc_tuple([int(p or 0) for p in parts], zone or "z")
    if match := _RFC822.fullmatch(low):
        day, month, year, hour, minute, second, zone = match.groups(default="0")
        if month in _MONTHS and (zone in _ZONES or zone[0] in "+-"):
            return _utc_tuple(
                [int(p) for p in (year, _MONTHS[month], day, hour, minute, second)], zone
            )
    if _DIGIT.search(low):
        raise UnknownDate(value)
    return None  # no digit: none of feedparser's date formats can match


def _utc_tuple(parts: list[int], zone: str) -> time.struct_time:
    if zone[0] in "+-":
        sign = -1 if zone[0] == "-" else 1
        hours, minutes = sign * int(zone[1:3]), sign * int(zone[-2:])
    else:
        hours, minutes = _ZONES[zone], 0
    try:
        stamp = datetime.datetime(*parts)  # type: ignore[arg-type]
        return (stamp - datetime.timedelta(hours=hours, minutes=minutes)).utctimetuple()
    except (ValueError, OverflowError):
        raise UnknownDate(f"{parts} {zone}") from None  # another feedparser format may read it


# --------------------------------------------------------------------------- HTML

# Markup that feedparser's URI resolver and sanitizer pass through with the same elements, text
# and entities (only attributes change), so its text is the same sanitized or not: elements the
# sanitizer keeps, the usual void ones, quoted or plain attribute values, entities it re-emits;
# script and style elements with plain text inside (dropped whole, skipped by html_to_text),
# empty iframes, comments, and </img> (dropped by both).
_VOID = frozenset({"br", "hr", "img"})
_NO_END_TAG = frozenset(
    {"area", "base", "basefont", "br", "col", "command", "embed", "frame", "hr", "img", "input"}
    | {"isindex", "keygen", "link", "meta", "param", "source", "track", "wbr"}
)
_VALUE = (
    r"""(?:"(?:[^"<>&]|&(?!#3[49];))*"|'(?:[^'<>&]|&(?!#3[49];))*'|[-a-zA-Z0-9._:#%?+,;!$~@]+)"""
)
_ATTRS = rf"(?:\s+[a-zA-Z_][-:.a-zA-Z_0-9]*(?:\s*=\s*{_VALUE})?)*"
_TOKEN = re.compile(
    r"[^<&]+"
    r"|&(?P<entity>[a-zA-Z][a-zA-Z0-9]*);"
    r"|&#(?:(?P<dec>[0-9]{1,7})|[xX](?P<hex>[0-9a-fA-F]{1,6}));"
    r"|(?P<comment><!--(?:[^-<]|-(?!-))*-->)"
    rf"|<(?P<iframe>(?i:iframe)){_ATTRS}\s*></(?i:iframe)\s*>"
    rf"|<(?P<skip>(?i:script|style)){_ATTRS}\s*>[^<&]*</(?P<skipend>(?i:script|style))\s*>"
    rf"|<(?P<start>[a-zA-Z][a-zA-Z0-9]*){_ATTRS}\s*(?P<close>/?)>"
    r"|</(?P<end>[a-zA-Z][a-zA-Z0-9]*)\s*>",
    re.ASCII,
)
_ENTITIES = frozenset(html.entities.name2codepoint) | {"apos"}


def text_safe_html(markup: str) -> bool:
    """Whether feedparser's HTML clean-up of ``markup`` provably leaves its text unchanged."""
    pos = 0
    while pos < len(markup):
        match = _TOKEN.match(markup, pos)
        if match is None or not _safe_token(match):
            return False
        pos = match.end()
    return True


def _safe_token(match: re.Match[str]) -> bool:
    if match.lastgroup is None:  # text
        return True
    if not match[0].isascii():  # what the sanitizer drops could change its mojibake repair
        return False
    if skip := match["skip"]:  # dropped whole by the sanitizer, skipped by html_to_text
        return skip.lower() == match["skipend"].lower()
    if start := match["start"]:
        tag = start.lower()
        void = tag in _NO_END_TAG
        return tag in ACCEPTABLE_ELEMENTS and (tag in _VOID if void else not match["close"])
    if end := match["end"]:
        tag = end.lower()
        return tag in ACCEPTABLE_ELEMENTS and (tag not in _NO_END_TAG or tag == "img")
    if entity := match["entity"]:
        return entity in _ENTITIES
    if match["dec"] or match["hex"]:
        code = int(match["dec"]) if match["dec"] else int(match["hex"], 16)
        return not 0x80 <= code <= 0x9F  # feedparser rewrites these as Windows-1252
    return True
