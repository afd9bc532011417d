"""The test sites: layouts users meet, each with the sources a person would choose.

``expected`` lists ``(type, url or repo, render)`` per site. Sites marked ``corpus`` serve real
changelogs and feeds read from ../shared/corpus at test time (never copied into the repository)
and are left out where that folder is absent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.sites import builders as b
from tests.sites.server import Resp, SitesServer, redirect

HTML, RSS, ATOM = "text/html; charset=utf-8", "application/rss+xml", "application/atom+xml"
GITHUB = "github.localhost"
CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


@dataclass
class Site:
    name: str
    what: str
    routes: dict[str, dict[str, Resp]]  # host -> path -> response
    expected: list[tuple[str, str, bool]]
    github: dict[str, Resp] = field(default_factory=dict)  # path on the fake GitHub
    forbidden: list[str] = field(default_factory=list)  # paths robots.txt disallows
    silent: bool = False
    corpus: bool = False

    @property
    def host(self) -> str:
        return f"{self.name}.localhost"


class Catalog:
    """Builds every site for one server port."""

    def __init__(self, port: int, corpus: Path | None = CORPUS):
        self.port = port
        self.corpus = corpus if corpus and corpus.is_dir() else None

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def sites(self) -> list[Site]:
        makers: list[Callable[[], Site | None]] = [
            self.footer, self.docs, self.spa, self.ssr, self.ghonly, self.blogonly, self.pricing,
            self.robots, self.redirects, self.silent, self.feeds_dup, self.sitemap, self.guess,
            self.full, self.news, self.decoys, self.atomonly, self.jsonfeed, self.ghnorel,
            self.markdown, self.corpus_md, self.corpus_html, self.corpus_gh, self.corpus_blog,
        ]  # fmt: skip
        return [s for s in (make() for make in makers) if s is not None]

    # -- helpers -------------------------------------------------------------------------------
    def home(self, name: str, nav: dict[str, str] | None = None,
             footer: dict[str, str] | None = None, head: str = "") -> Resp:  # fmt: skip
        title = name.title()
        return Resp(b.page(title, b.hero(title), {"Home": "/", **(nav or {})},
                           {"About": "/about", "Careers": "/careers", **(footer or {})}, head))  # fmt: skip

    def in_page(self, name: str, main: str, head: str = "") -> Resp:
        return Resp(b.page(name.title(), main, {"Home": "/"}, head=head))

    @staticmethod
    def feed_link(href: str, ctype: str = RSS, title: str = "Blog") -> str:
        return f'<link rel="alternate" type="{ctype}" title="{title}" href="{href}">'

    # -- the sites -----------------------------------------------------------------------------
    def footer(self) -> Site:
        host = "footer.localhost"
        routes = {"/": self.home("footer", {"Features": "/features", "Customers": "/customers"},
                                 {"What's new": "/company/whats-new"}),
                  "/company/whats-new": self.in_page("footer", b.changelog_html())}  # fmt: skip
        return Site("footer", "marketing site, changelog linked only from the footer",
                    {host: routes}, [("changelog", self.url(host, "/company/whats-new"), False)])  # fmt: skip

    def docs(self) -> Site:
        host, docs = "docsco.localhost", "docs.docsco.localhost"
        main = {"/": self.home("docsco", {"Docs": self.url(docs), "Sign in": "/login"})}
        pages = {"/": self.in_page("docs", "<h1>Documentation</h1>" + b._links(
                     {"Quickstart": "/quickstart/", "Release notes": "/release-notes/"})),
                 "/release-notes/": self.in_page("docs", b.release_index_html("/release-notes/"))}  # fmt: skip
        for version, date, notes in b.RELEASES:
            one = b.changelog_html([(version, date, notes)])
            pages[f"/release-notes/{version}/"] = self.in_page("docs", one)
        return Site("docsco", "docs subdomain with release notes per version",
                    {host: main, docs: pages}, [("changelog", self.url(docs, "/release-notes/"), False)])  # fmt: skip

    def spa(self) -> Site:
        host = "spa.localhost"
        routes = {"/": self.home("spa", {"Changelog": "/changelog"}),
                  "/changelog": Resp(b.spa_shell()),
                  "/static/app.js": Resp(b.SPA_SCRIPT, "application/javascript"),
                  "/api/changelog.json": Resp(b.spa_json(), "application/json")}  # fmt: skip
        return Site("spa", "single-page app rendering its changelog from JSON",
                    {host: routes}, [("changelog", self.url(host, "/changelog"), True)])  # fmt: skip

    def ssr(self) -> Site:
        host = "ssr.localhost"
        routes = {"/": self.home("ssr", {"Changelog": "/changelog"}),
                  "/changelog": self.in_page("ssr", b.changelog_html())}  # fmt: skip
        return Site("ssr", "the SPA's server-rendered twin", {host: routes},
                    [("changelog", self.url(host, "/changelog"), False)])  # fmt: skip

    def ghonly(self) -> Site:
        routes = {"/": self.home("ghonly", {"GitHub": "https://github.com/ghonly/engine"},
                                 {"Follow us": "https://github.com/ghonly"})}  # fmt: skip
        return Site("ghonly", "only changelog is its GitHub releases", {"ghonly.localhost": routes},
                    [("github_releases", "ghonly/engine", False)],
                    github={"/ghonly/engine/releases.atom": Resp(b.releases_atom("ghonly/engine"), ATOM)})  # fmt: skip

    def blogonly(self) -> Site:
        host = "blogonly.localhost"
        blog = self.in_page("blogonly", "<h1>Blog</h1>" + "".join(
            f"<article><h2>{t}</h2><p>{d}</p></article>" for t, d in b.POSTS),
            head=self.feed_link("/blog/rss.xml"))  # fmt: skip
        routes = {"/": self.home("blogonly", {"Blog": "/blog"}), "/blog": blog,
                  "/blog/rss.xml": Resp(b.rss("Blogonly blog", self.url(host, "/blog/p")), RSS)}  # fmt: skip
        return Site(
            "blogonly",
            "blog-only startup",
            {host: routes},
            [("feed", self.url(host, "/blog/rss.xml"), False)],
        )

    def pricing(self) -> Site:
        host = "pricey.localhost"
        routes = {"/": self.home("pricey", {"Pricing": "/pricing", "Features": "/features"}),
                  "/pricing": self.in_page("pricey", b.pricing_html())}  # fmt: skip
        return Site(
            "pricey",
            "pricing page and no feed",
            {host: routes},
            [("page", self.url(host, "/pricing"), False)],
        )

    def robots(self) -> Site:
        host = "robots.localhost"
        routes = {"/": self.home("robots", {"Changelog": "/changelog", "Blog": "/blog"}),
                  "/robots.txt": Resp("User-agent: *\nDisallow: /changelog\n", "text/plain"),
                  "/changelog": self.in_page("robots", b.changelog_html()),
                  "/blog": self.in_page("robots", "<h1>Blog</h1>", self.feed_link("/blog/feed.xml")),
                  "/blog/feed.xml": Resp(b.rss("Robots blog", self.url(host, "/blog/p")), RSS)}  # fmt: skip
        return Site("robots", "robots.txt forbids the changelog", {host: routes},
                    [("feed", self.url(host, "/blog/feed.xml"), False)], forbidden=["/changelog"])  # fmt: skip

    def redirects(self) -> Site:
        bare, www, updates = (
            "redirect.localhost",
            "www.redirect.localhost",
            "updates.redirect.localhost",
        )
        routes = {bare: {"/": redirect(self.url(www))},
                  www: {"/": self.home("redirect", {"Release notes": self.url(updates)})},
                  updates: {"/": redirect("/notes", 302),
                            "/notes": self.in_page("redirect", b.changelog_html())}}  # fmt: skip
        return Site(
            "redirect",
            "redirects across subdomains",
            routes,
            [("changelog", self.url(updates, "/notes"), False)],
        )

    def silent(self) -> Site:
        return Site(
            "silent", "a domain that answers nothing", {"silent.localhost": {}}, [], silent=True
        )

    def feeds_dup(self) -> Site:
        host = "twofeeds.localhost"
        head = (self.feed_link("/feed.xml") + self.feed_link("/atom.xml", ATOM)
                + self.feed_link("/comments/feed/", RSS, "Comments"))  # fmt: skip
        link = self.url(host, "/posts/")
        routes = {"/": self.home("twofeeds", {"Blog": "/posts/"}, head=head),
                  "/feed.xml": Resp(b.rss("Twofeeds", link), RSS),
                  "/atom.xml": Resp(b.atom("Twofeeds", link), ATOM),
                  "/comments/feed/": Resp(b.rss("Comments", link), RSS)}  # fmt: skip
        return Site(
            "twofeeds",
            "RSS and Atom of one blog, and a comments feed",
            {host: routes},
            [("feed", self.url(host, "/feed.xml"), False)],
        )

    def sitemap(self) -> Site:
        host = "mapped.localhost"
        urls = [self.url(host, p) for p in ("/", "/about", "/product/release-notes", "/careers")]
        routes = {"/": self.home("mapped"), "/sitemap.xml": Resp(b.sitemap(urls), "application/xml"),
                  "/product/release-notes": self.in_page("mapped", b.changelog_html())}  # fmt: skip
        return Site(
            "mapped",
            "changelog only in the sitemap",
            {host: routes},
            [("changelog", self.url(host, "/product/release-notes"), False)],
        )

    def guess(self) -> Site:
        host = "guess.localhost"
        routes = {"/": self.home("guess"), "/changelog": self.in_page("guess", b.changelog_html())}
        return Site(
            "guess",
            "changelog at a common path, linked from nowhere",
            {host: routes},
            [("changelog", self.url(host, "/changelog"), False)],
        )

    def full(self) -> Site:
        host = "full.localhost"
        nav = {"Pricing": "/pricing", "Blog": "/blog/", "GitHub": "https://github.com/full/sdk"}
        routes = {"/": self.home("full", nav, {"Changelog": "/changelog"}),
                  "/changelog": self.in_page("full", b.changelog_html(),
                                             self.feed_link("/changelog.rss", RSS, "Changelog")),
                  "/changelog.rss": Resp(b.rss("Full changelog", self.url(host, "/changelog#")), RSS),
                  "/blog/": self.in_page("full", "<h1>Blog</h1>", self.feed_link("/blog/feed.xml")),
                  "/blog/feed.xml": Resp(b.rss("Full blog", self.url(host, "/blog/p")), RSS),
                  "/pricing": self.in_page("full", b.pricing_html())}  # fmt: skip
        expected = [("changelog", self.url(host, "/changelog"), False),
                    ("feed", self.url(host, "/blog/feed.xml"), False),
                    ("page", self.url(host, "/pricing"), False),
                    ("github_releases", "full/sdk", False)]  # fmt: skip
        return Site("full", "changelog, its feed, blog, pricing and GitHub", {host: routes}, expected,
                    github={"/full/sdk/releases.atom": Resp(b.releases_atom("full/sdk"), ATOM)})  # fmt: skip

    def news(self) -> Site:
        host = "newsy.localhost"
        routes = {"/": self.home("newsy", {"Newsroom": "/newsroom", "Product updates": "/product-updates"}),
                  "/newsroom": self.in_page("newsy", "<h1>News</h1>", self.feed_link("/newsroom/feed.atom", ATOM)),
                  "/newsroom/feed.atom": Resp(b.atom("Newsy news", self.url(host, "/newsroom/")), ATOM),
                  "/product-updates": self.in_page("newsy", b.updates_html())}  # fmt: skip
        return Site("newsy", "newsroom feed and dated product updates without versions", {host: routes},
                    [("feed", self.url(host, "/newsroom/feed.atom"), False),
                     ("changelog", self.url(host, "/product-updates"), False)])  # fmt: skip

    def decoys(self) -> Site:
        host = "decoy.localhost"
        routes = {"/": self.home("decoy", {"Release notes": "/resources/release-notes", "Blog": "/blog",
                                           "Pricing": "/pricing", "Get updates": "/newsletter"}),
                  "/resources/release-notes": self.in_page("decoy", "<h1>Release notes</h1><p>Release "
                      "your team's potential with notes that write themselves.</p>"),
                  "/blog": self.in_page("decoy", "<h1>Blog</h1><p>Coming soon.</p>"),
                  "/pricing": self.in_page("decoy", b.pricing_html(prices=False)),
                  "/newsletter": self.in_page("decoy", "<h1>Subscribe</h1>")}  # fmt: skip
        return Site(
            "decoy", "links that say changelog, blog and pricing but hold none", {host: routes}, []
        )

    def atomonly(self) -> Site:
        host = "atomonly.localhost"
        head = self.feed_link("/releases.atom", ATOM, "Release notes")
        routes = {"/": self.home("atomonly", head=head),
                  "/releases.atom": Resp(b.releases_atom("atomonly/app"), ATOM)}  # fmt: skip
        return Site(
            "atomonly",
            "changelog published only as an Atom feed",
            {host: routes},
            [("feed", self.url(host, "/releases.atom"), False)],
        )

    def jsonfeed(self) -> Site:
        host = "jsonblog.localhost"
        head = self.feed_link("/feed.json", "application/feed+json")
        routes = {"/": self.home("jsonblog", {"Blog": "/blog"}, head=head),
                  "/blog": self.in_page("jsonblog", "<h1>Blog</h1>", head),
                  "/feed.json": Resp(b.json_feed("Jsonblog", self.url(host, "/blog/")), "application/feed+json")}  # fmt: skip
        return Site(
            "jsonblog",
            "blog with a JSON Feed",
            {host: routes},
            [("feed", self.url(host, "/feed.json"), False)],
        )

    def ghnorel(self) -> Site:
        host = "norel.localhost"
        routes = {"/": self.home("norel", {"Changelog": "/changelog", "GitHub": "https://github.com/norel/site"}),
                  "/changelog": self.in_page("norel", b.changelog_html())}  # fmt: skip
        return Site("norel", "changelog page, and a GitHub repository without releases", {host: routes},
                    [("changelog", self.url(host, "/changelog"), False)],
                    github={"/norel/site/releases.atom": Resp(b.releases_atom("norel/site", []), ATOM)})  # fmt: skip

    def markdown(self) -> Site:
        host = "mdlog.localhost"
        routes = {"/": self.home("mdlog", {"Changelog": "/CHANGELOG.md"}),
                  "/CHANGELOG.md": Resp(b.changelog_md(), "text/markdown; charset=utf-8")}  # fmt: skip
        return Site(
            "mdlog",
            "a Markdown CHANGELOG.md linked from the nav",
            {host: routes},
            [("changelog", self.url(host, "/CHANGELOG.md"), False)],
        )

    # -- sites serving real files from the corpus -----------------------------------------------
    def _read(self, rel: str) -> bytes | None:
        return (self.corpus / rel).read_bytes() if self.corpus else None

    def corpus_md(self) -> Site | None:
        text = self._read("changelogs/markdown/axios/CHANGELOG.md")
        if text is None:
            return None
        host = "realmd.localhost"
        routes = {"/": self.home("realmd", {"Docs": "/docs", "Changes": "/CHANGELOG.md"}),
                  "/CHANGELOG.md": Resp(text, "text/plain; charset=utf-8")}  # fmt: skip
        return Site("realmd", "a real CHANGELOG.md (corpus)", {host: routes},
                    [("changelog", self.url(host, "/CHANGELOG.md"), False)], corpus=True)  # fmt: skip

    def corpus_html(self) -> Site | None:
        text = self._read("changelogs/html/knex/changelog.html")
        if text is None:
            return None
        host = "realhtml.localhost"
        routes = {"/": self.home("realhtml", {"Guide": "/guide", "Changelog": "/changelog.html"}),
                  "/changelog.html": Resp(text, HTML)}  # fmt: skip
        return Site("realhtml", "a real rendered changelog page (corpus)", {host: routes},
                    [("changelog", self.url(host, "/changelog.html"), False)], corpus=True)  # fmt: skip

    def corpus_gh(self) -> Site | None:
        text = self._read("feeds/github-releases/skyzyx-signer.releases.atom")
        if text is None:
            return None
        routes = {"/": self.home("realgh", {"Source code": "https://github.com/realgh/signer"})}
        return Site("realgh", "real GitHub releases feed (corpus)", {"realgh.localhost": routes},
                    [("github_releases", "realgh/signer", False)], corpus=True,
                    github={"/realgh/signer/releases.atom": Resp(text, ATOM)})  # fmt: skip

    def corpus_blog(self) -> Site | None:
        text = self._read("feeds/miniflux/large_rss.xml")
        if text is None:
            return None
        host = "realblog.localhost"
        routes = {"/": self.home("realblog", {"Blog": "/blog"}),
                  "/blog": self.in_page("realblog", "<h1>Blog</h1>", self.feed_link("/blog/index.xml")),
                  "/blog/index.xml": Resp(text, RSS)}  # fmt: skip
        return Site("realblog", "a real RSS feed behind a blog page (corpus)", {host: routes},
                    [("feed", self.url(host, "/blog/index.xml"), False)], corpus=True)  # fmt: skip


def serve(server: SitesServer, sites: list[Site]) -> None:
    """Install the sites' routes (and the fake GitHub's) on ``server``."""
    github: dict[str, Resp] = {}
    for site in sites:
        server.routes.update(site.routes)
        github.update(site.github)
        if site.silent:
            server.silent.update(site.routes)
    server.routes[GITHUB] = github
