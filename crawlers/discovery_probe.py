"""Try a candidate with the real extractors, and choose the sources a person would keep.

A changelog must yield dated entries (:func:`crawlers.changelog.segment`), a feed must parse
with entries (:func:`crawlers.feeds.parse_feed`), a pricing page must show prices. A page that
yields nothing but is a JavaScript shell is reported as needing rendering, not as empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from crawlers.changelog import segment
from crawlers.discovery import BLOG, CHANGELOG, PRICING, RELEASES, Candidate
from crawlers.feeds import parse_feed
from crawlers.pagewatch import visible_text
from crawlers.render import empty_shell
from radar.core.errors import ExtractionError

MIN_DATED = 2  # dated entries a changelog needs (one dated heading is any article)
MAX_REPOS = 3
_PRICE = re.compile(
    r"(?:[$€£¥]\s?\d[\d,.]*(?:\s?[kK])?|\b\d[\d,.]*\s?(?:USD|EUR|GBP|€)\b)"
    r"(?:\s*(?:/|per)\s*(?:mo(?:nth)?|yr|year|user|seat|member)\b)?"
)
_CHANGELOG_FEED = re.compile(r"change-?log|release|what.?s.?new|updates", re.I)


@dataclass
class Finding:
    """What one candidate turned out to be: a source to propose, or why not."""

    type: str  # changelog | feed | github_releases | page
    url: str
    role: str
    how: str
    found: str
    ok: bool
    confidence: str = "high"  # high | medium | low
    repo: str | None = None
    render: bool = False
    count: int = 0
    newest: str | None = None
    order: int = 0  # when its candidate was found (page order breaks ties)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        keys = ("type", "url", "repo", "role", "found", "confidence", "render", "ok", "how")
        return {k: getattr(self, k) for k in keys}


def _confidence(candidate: Candidate, strong_evidence: bool) -> str:
    return "high" if candidate.strong and strong_evidence else "medium"


def probe_changelog(
    candidate: Candidate, body: bytes, url: str, content_type: str | None, rendered: bool = False
) -> Finding:
    entries = segment(body, url, content_type)
    dated = sorted((e.date for e in entries if e.date), reverse=True)
    base = Finding("changelog", url, CHANGELOG, candidate.how, "", False, render=rendered)
    if len(dated) >= MIN_DATED:
        found = f"{len(dated)} entries, newest {dated[0][:10]}"
        confidence = _confidence(candidate, len(dated) >= 3)
        return replace(base, found=found, ok=True, confidence=confidence, count=len(dated),
                       newest=dated[0][:10])  # fmt: skip
    shell = None if rendered or "html" not in (content_type or "html") else empty_shell(body)
    if shell:
        return replace(base, found="empty shell: needs rendering", render=True,
                       confidence="low", extra={"shell": shell})  # fmt: skip
    return replace(base, found=_too_few(len(entries), len(dated)))


def _too_few(entries: int, dated: int) -> str:
    if not entries:
        return "no release entries"
    noun = "entry" if entries == 1 else "entries"
    return f"{entries} {noun}, {dated} dated (a changelog needs {MIN_DATED} dated entries)"


def probe_feed(candidate: Candidate, body: bytes, url: str, headers: Mapping[str, str]) -> Finding:
    kind = "github_releases" if candidate.kind == "github_releases" else "feed"
    base = Finding(kind, url, candidate.role, candidate.how, "", False, repo=candidate.repo)
    try:
        feed = parse_feed(body, url, headers)
    except ExtractionError as exc:
        return replace(base, found=str(exc)[:120])
    dates = sorted((e.published for e in feed.entries if e.published), reverse=True)
    if not feed.entries:
        return replace(base, found="the feed has no entries")
    found = f"{len(feed.entries)} entries" + (f", newest {dates[0][:10]}" if dates else "")
    role = candidate.role
    if kind == "feed" and (_CHANGELOG_FEED.search(url) or _CHANGELOG_FEED.search(feed.title or "")):
        role = CHANGELOG
    return replace(base, role=role, found=found, ok=True, count=len(feed.entries),
                   newest=dates[0][:10] if dates else None,
                   confidence=_confidence(candidate, True), extra={"title": feed.title})  # fmt: skip


def probe_pricing(candidate: Candidate, body: bytes, url: str) -> Finding:
    text = visible_text(body)
    prices = list(dict.fromkeys(m.group(0).strip() for m in _PRICE.finditer(text)))
    base = Finding("page", url, PRICING, candidate.how, "", False)
    if not prices:
        shell = empty_shell(body)
        if shell:
            return replace(base, found="empty shell: needs rendering", render=True,
                           confidence="low", extra={"shell": shell})  # fmt: skip
        return replace(base, found="no prices on the page")
    shown = ", ".join(prices[:3]) + (", ..." if len(prices) > 3 else "")
    found = f"{len(prices)} price{'s' if len(prices) > 1 else ''} ({shown})"
    return replace(base, found=found, ok=True, count=len(prices),
                   confidence=_confidence(candidate, len(prices) >= 2))  # fmt: skip


# -- choosing ----------------------------------------------------------------------------------

_RANK = {"high": 2, "medium": 1, "low": 0}


def choose(findings: list[Finding]) -> list[Finding]:
    """One changelog, one blog feed, one pricing page and a few repositories: the best of each.

    A changelog page beats a changelog feed (its entries carry the release text); within a kind
    the stronger evidence wins, then more entries, then the order found. Unconfirmed shells
    (needing rendering, not rendered) are kept only where nothing confirmed fills their role.
    """
    usable = [f for f in _unique(findings) if f.ok or f.render]
    out: list[Finding] = []
    for role in (CHANGELOG, BLOG, PRICING):
        ranked = sorted((f for f in usable if f.role == role), key=_score, reverse=True)
        out.extend(ranked[:1])
    repos = [f for f in usable if f.role == RELEASES and f.ok]
    out.extend(repos[:MAX_REPOS])
    return out


def _score(f: Finding) -> tuple[int, int, int, int, int]:
    page_first = int(f.type != "feed" or f.role != CHANGELOG)
    return (int(f.ok), page_first, _RANK[f.confidence], f.count, -f.order)


def _unique(findings: list[Finding]) -> list[Finding]:
    """One finding per URL (or repository): the first confirmed one, else the first."""
    best: dict[str, Finding] = {}
    for f in findings:
        key = f.repo or f.url.rstrip("/")
        if key not in best or (f.ok and not best[key].ok):
            best[key] = f
    return list(best.values())


__all__ = ["BLOG", "Finding", "choose", "probe_changelog", "probe_feed", "probe_pricing"]
