"""Where a person would look for a competitor's sources: pure functions from a page to candidates.

A :class:`Candidate` is a URL worth one request and what it might be: ``changelog`` (a page to
segment), ``feed``, ``github_releases`` (a repository), ``pricing`` (a page with prices), ``scan``
(a page that only leads elsewhere: a blog index, a docs home) or ``sitemap``. Nothing here
fetches; :mod:`crawlers.discovery_spider` requests the candidates and
:mod:`crawlers.discovery_probe` tries them with the real extractors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree, html

from crawlers.feeds import discover_feeds

# Roles: the one source of each kind a person keeps for a competitor.
CHANGELOG, BLOG, PRICING, RELEASES = "changelog", "blog", "pricing", "releases"

_WORDS = {
    CHANGELOG: re.compile(
        r"\b(change ?log|release ?notes?|releases|what[’'`]?s new|product updates|updates)\b", re.I
    ),
    BLOG: re.compile(r"\b(blog|news|newsroom|engineering blog)\b", re.I),
    PRICING: re.compile(r"\b(pricing|prices|plans)\b", re.I),
}
_PATHS = {
    CHANGELOG: re.compile(
        r"(^|[/_.-])(change-?log|changes|release-?notes|releases|whats-?new|updates)([/_.-]|$)",
        re.I,
    ),
    BLOG: re.compile(r"(^|/)(blog|news|newsroom)(/|$)", re.I),
    PRICING: re.compile(r"(^|/)(pricing|plans)(/|\.html?$|$)", re.I),
}
COMMON_PATHS = {
    CHANGELOG: ("/changelog", "/release-notes", "/releases", "/whats-new", "/updates"),
    BLOG: ("/blog", "/feed.xml", "/rss.xml", "/atom.xml", "/feed"),
    PRICING: ("/pricing",),
}
_GITHUB_HOSTS = frozenset({"github.com", "www.github.com"})
_GITHUB_RESERVED = frozenset(
    "about apps blog collections contact customer-stories enterprise events explore features "
    "login marketplace new notifications orgs pricing pulls search security settings site "
    "sponsors topics trending".split()
)
_REPO_RE = re.compile(r"^/([\w.-]+)/([\w.-]+?)(?:\.git)?(?:/|$)")
_NOT_FEEDS = re.compile(r"/comments/|[?&]withoutcomments|/wp-json/", re.I)


@dataclass(frozen=True)
class Candidate:
    kind: str  # changelog | feed | github_releases | pricing | scan | sitemap
    url: str
    role: str  # changelog | blog | pricing | releases | (scan: the role it may lead to)
    how: str  # how it was found, for the table: "linked as 'What's new'", "common path", ...
    strong: bool = True  # found through the site's own links (not a guessed path)
    repo: str | None = None


def start_url(target: str) -> str:
    """The home page URL for ``acme.com``, ``https://acme.com/x`` or ``acme.com/``."""
    target = target.strip()
    if not re.match(r"^https?://", target, re.I):
        target = "https://" + target.lstrip("/")
    parts = urlsplit(target)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path or '/'}"


def site_key(url: str) -> str:
    """The host a site's pages share, without ``www.``: links to it or its subdomains are its own."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def on_site(url: str, key: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host == key or host.endswith("." + key) or key.endswith("." + host)


def clean(url: str) -> str:
    return urldefrag(url)[0]


def links(body: str | bytes, url: str) -> list[tuple[str, str]]:
    """Every ``<a href>`` of a page as (absolute URL without fragment, link text or title)."""
    root = _parse(body)
    if root is None:
        return []
    base = urljoin(url, (root.xpath("string(//base/@href)") or "").strip())
    out = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("#", "mailto:", "javascript:", "tel:")):
            continue
        text = " ".join((a.text_content() or "").split()) or a.get("title") or a.get("aria-label")
        out.append((clean(urljoin(base, href)), text or ""))
    return out


def role_of(url: str, text: str) -> str | None:
    """The role a link's text or path says (changelog first: "Blog: release notes" is one)."""
    path = urlsplit(url).path
    for role in (CHANGELOG, PRICING, BLOG):
        if _WORDS[role].search(text) or _PATHS[role].search(path):
            return role
    return None


def github_repo(url: str) -> str | None:
    """``owner/name`` of a link to a GitHub repository (not an org, a gist or a GitHub page)."""
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in _GITHUB_HOSTS:
        return None
    match = _REPO_RE.match(parts.path)
    if not match or match.group(1).lower() in _GITHUB_RESERVED:
        return None
    return f"{match.group(1)}/{match.group(2)}"


def is_docs_site(url: str, key: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host.startswith(("docs.", "developers.", "developer.")) and on_site(url, key)


def page_candidates(body: str | bytes, url: str, key: str, where: str) -> list[Candidate]:
    """What one page offers: its feeds, its links to changelogs, blogs, pricing, GitHub, docs."""
    found = [
        Candidate("feed", f, BLOG, f"feed link on {where}")
        for f in discover_feeds(body, url)
        if not _NOT_FEEDS.search(f)
    ]
    for href, text in links(body, url):
        found.extend(_link_candidates(href, text, key, where))
    return _unique(found)


def _link_candidates(href: str, text: str, key: str, where: str) -> list[Candidate]:
    repo = github_repo(href)
    if repo:
        return [Candidate("github_releases", href, RELEASES, f"GitHub link on {where}", repo=repo)]
    if urlsplit(href).scheme not in ("http", "https") or not on_site(href, key):
        return []
    how = f"linked as {text[:40]!r} on {where}" if text else f"linked on {where}"
    role = role_of(href, text)
    if role == BLOG:
        return [Candidate("scan", href, BLOG, how)]
    if role is not None:
        return [Candidate(role, href, role, how)]
    if is_docs_site(href, key) and urlsplit(href).path in ("", "/"):
        return [Candidate("scan", href, CHANGELOG, how)]
    return []


def guessed_candidates(root: str, missing: set[str]) -> list[Candidate]:
    """Common paths for the roles the site's links did not cover, and its sitemap."""
    out = [Candidate("sitemap", urljoin(root, "/sitemap.xml"), "", "sitemap", strong=False)]
    for role in (CHANGELOG, BLOG, PRICING):
        if role not in missing:
            continue
        for path in COMMON_PATHS[role]:
            kind = _guessed_kind(role, path)
            out.append(Candidate(kind, urljoin(root, path), role, "common path", strong=False))
    return out


def _guessed_kind(role: str, path: str) -> str:
    if role == BLOG:
        return "scan" if path == "/blog" else "feed"
    return role


def sitemap_candidates(body: bytes, key: str, limit: int = 3) -> list[Candidate]:
    """The shortest on-site URLs per role that a sitemap lists (its nested sitemaps first)."""
    locs = sitemap_locs(body)
    nested = [u for u in locs if u.lower().endswith(".xml") and "sitemap" in u.lower()]
    out = [Candidate("sitemap", u, "", "nested sitemap", strong=False) for u in nested[:limit]]
    for role in (CHANGELOG, BLOG, PRICING):
        matching = [u for u in locs if on_site(u, key) and _PATHS[role].search(urlsplit(u).path)]
        for url in sorted(matching, key=lambda u: (len(urlsplit(u).path), u))[:1]:
            kind = "scan" if role == BLOG else role
            out.append(Candidate(kind, url, role, "listed in the sitemap", strong=False))
    return out


def sitemap_locs(body: bytes) -> list[str]:
    try:
        root = etree.fromstring(body, etree.XMLParser(recover=True, resolve_entities=False))
    except (etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    return [
        (el.text or "").strip()
        for el in root.iter()
        if isinstance(el.tag, str) and el.tag.endswith("loc")
    ]


def site_name(body: str | bytes, url: str) -> str:
    """A competitor's name: ``og:site_name``, else the domain's main label, capitalised."""
    root = _parse(body)
    if root is not None:
        name = root.xpath("string(//meta[@property='og:site_name']/@content)").strip()
        if name:
            return name
    labels = site_key(url).split(".")
    main = labels[-2] if len(labels) >= 2 and labels[-1] != "localhost" else labels[0]
    return main.replace("-", " ").title() if main else url


def _unique(candidates: list[Candidate]) -> list[Candidate]:
    seen: set[tuple[str, str]] = set()
    out = []
    for c in candidates:
        if (c.kind, c.url) not in seen:
            seen.add((c.kind, c.url))
            out.append(c)
    return out


def _parse(body: str | bytes) -> html.HtmlElement | None:
    if not body or not body.strip():
        return None
    try:
        return html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return None
