"""HTML, feeds and pricing pages for the test sites, written by this project (no real content)."""

from __future__ import annotations

import json
from html import escape

RELEASES = [
    ("2.4.0", "2026-11-24", ["Audit log export to S3.", "Faster dashboard loading."]),
    ("2.3.1", "2026-11-02", ["Fixed timezone offsets in weekly reports."]),
    (
        "2.3.0",
        "2026-10-15",
        ["SAML single sign-on for every plan.", "New REST endpoint for teams."],
    ),
    ("2.2.0", "2026-09-20", ["Webhooks for failed syncs."]),
    ("2.1.0", "2026-08-30", ["Dark mode.", "CSV import."]),
]
POSTS = [
    ("How we cut query latency in half", "2026-11-20"),
    ("Our Series B", "2026-10-28"),
    ("Lessons from a year of on-call", "2026-09-12"),
]


def page(
    title: str,
    main: str = "",
    nav: dict[str, str] | None = None,
    footer: dict[str, str] | None = None,
    head: str = "",
    site_name: str | None = None,
) -> str:
    """A marketing-style page: header nav, main content, footer links."""
    og = f'<meta property="og:site_name" content="{escape(site_name)}">' if site_name else ""
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{escape(title)}</title>{og}{head}"
        f"</head><body><header><nav>{_links(nav)}</nav></header><main>{main}</main>"
        f"<footer>{_links(footer)}<p>© 2026 {escape(title)}</p></footer></body></html>"
    )


def _links(links: dict[str, str] | None) -> str:
    return " ".join(f'<a href="{escape(h)}">{escape(t)}</a>' for t, h in (links or {}).items())


def hero(product: str) -> str:
    return (
        f"<h1>{escape(product)}: analytics your whole team can read</h1>"
        "<p>Connect your warehouse, build dashboards in minutes and share them with everyone. "
        "Trusted by more than 2,000 teams who ship data products every week.</p>"
        "<section><h2>Features</h2><p>Dashboards, alerts, a SQL editor and a semantic layer. "
        "Role-based access, audit logs and single sign-on come with every plan.</p></section>"
    )


def changelog_html(releases: list[tuple[str, str, list[str]]] = RELEASES) -> str:
    parts = ["<h1>Changelog</h1>"]
    for version, date, notes in releases:
        items = "".join(f"<li>{escape(n)}</li>" for n in notes)
        parts.append(
            f'<section><h2 id="v{version.replace(".", "-")}">{version}</h2>'
            f'<p><time datetime="{date}">{date}</time></p><ul>{items}</ul></section>'
        )
    return "".join(parts)


def updates_html(releases: list[tuple[str, str, list[str]]] = RELEASES) -> str:
    """Product updates without versions: a dated heading per update."""
    parts = ["<h1>Product updates</h1>"]
    for _, date, notes in releases:
        parts.append(f"<h3>{date}: {escape(notes[0])}</h3><p>{escape(' '.join(notes))}</p>")
    return "".join(parts)


def release_index_html(base: str, releases: list[tuple[str, str, list[str]]] = RELEASES) -> str:
    """A docs index of release notes, one page per version, each listed with its date."""
    parts = ["<h1>Release notes</h1>"]
    for version, date, notes in releases:
        parts.append(
            f'<h2><a href="{base}{version}/">Version {version}</a></h2>'
            f"<p>Released {date}. {escape(notes[0])}</p>"
        )
    return "".join(parts)


def changelog_md(releases: list[tuple[str, str, list[str]]] = RELEASES) -> str:
    parts = ["# Changelog", ""]
    for version, date, notes in releases:
        parts += [f"## [{version}] - {date}", "", *[f"- {n}" for n in notes], ""]
    return "\n".join(parts)


def rss(title: str, link: str, items: list[tuple[str, str]] = POSTS) -> str:
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>{link}{i}</link><guid>{link}{i}</guid>"
        f"<pubDate>{_rfc822(d)}</pubDate><description>{escape(t)}.</description></item>"
        for i, (t, d) in enumerate(items)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>{link}</link><description>{escape(title)}</description>{entries}</channel></rss>"
    )


def atom(title: str, link: str, items: list[tuple[str, str]] = POSTS) -> str:
    entries = "".join(
        f"<entry><title>{escape(t)}</title><id>{link}{i}</id><link href='{link}{i}'/>"
        f"<updated>{d}T10:00:00Z</updated><summary>{escape(t)}.</summary></entry>"
        for i, (t, d) in enumerate(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>{link}</id><updated>2026-11-24T10:00:00Z</updated>"
        f"{entries}</feed>"
    )


def releases_atom(repo: str, releases: list[tuple[str, str, list[str]]] = RELEASES) -> str:
    """GitHub's releases.atom for ``repo`` (owner/name)."""
    items = [(f"v{v}", d) for v, d, _ in releases]
    return atom(
        f"Release notes from {repo.split('/')[1]}",
        f"https://github.com/{repo}/releases/tag/",
        items,
    )


def json_feed(title: str, link: str, items: list[tuple[str, str]] = POSTS) -> str:
    return json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "title": title,
            "home_page_url": link,
            "items": [
                {
                    "id": f"{link}{i}",
                    "url": f"{link}{i}",
                    "title": t,
                    "content_text": t,
                    "date_published": f"{d}T09:00:00Z",
                }  # fmt: skip
                for i, (t, d) in enumerate(items)
            ],
        }
    )


def pricing_html(prices: bool = True) -> str:
    if not prices:
        return ("<h1>Plans for every team</h1><p>Talk to our sales team for a quote that fits "
                "your company.</p><a href='/contact'>Contact sales</a>")  # fmt: skip
    return (
        "<h1>Pricing</h1><div class='plan'><h2>Free</h2><p>$0 per user</p></div>"
        "<div class='plan'><h2>Team</h2><p>$29/month per seat</p></div>"
        "<div class='plan'><h2>Business</h2><p>$99/month per seat</p></div>"
    )


def spa_shell(script: str = "/static/app.js") -> str:
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Changelog</title>"
        f"<script defer src='{script}'></script></head><body><div id='root'></div>"
        "<noscript>Enable JavaScript to read the changelog.</noscript></body></html>"
    )


SPA_SCRIPT = """
fetch('/api/changelog.json').then(r => r.json()).then(releases => {
  const root = document.getElementById('root');
  let html = '<h1>Changelog</h1>';
  for (const r of releases) {
    const id = 'v' + r.version.split('.').join('-');
    html += '<section><h2 id="' + id + '">' + r.version + '</h2><p><time datetime="' + r.date +
      '">' + r.date + '</time></p><ul>' + r.notes.map(n => '<li>' + n + '</li>').join('') +
      '</ul></section>';
  }
  root.innerHTML = html;
});
"""


def spa_json(releases: list[tuple[str, str, list[str]]] = RELEASES) -> str:
    return json.dumps([{"version": v, "date": d, "notes": n} for v, d, n in releases])


def sitemap(urls: list[str]) -> str:
    locs = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'


def _rfc822(date: str) -> str:
    from datetime import datetime
    from email.utils import format_datetime

    return format_datetime(datetime.fromisoformat(date + "T10:00:00+00:00"))
