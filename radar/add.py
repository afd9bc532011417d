"""`radar add`: find a competitor's sources from its domain and add them to the sources file.

Discovery runs through the crawl's Scrapy stack (:func:`crawlers.discovery_spider.discover`);
this module turns what it found into a proposal (only sources the file does not hold yet, with
unique ids) and writes the accepted proposal with :mod:`radar.sources_file`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawlers.discovery import site_key
from crawlers.discovery_probe import Finding, choose
from crawlers.discovery_spider import Discovery, discover
from radar.core.config import Config, load_config, slugify
from radar.core.errors import SourceError
from radar.core.settings import Settings
from radar.sources_file import add_sources

logger = logging.getLogger(__name__)

ROLE_SUFFIX = {
    "changelog": "changelog",
    "blog": "blog",
    "pricing": "pricing",
    "releases": "releases",
}


@dataclass
class Proposed:
    """One source to add: its sources.yaml entry and the finding behind it."""

    entry: dict[str, Any]
    finding: Finding


@dataclass
class Proposal:
    competitor_id: str
    name: str
    homepage: str
    existing: bool
    sources: list[Proposed] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    already: list[Finding] = field(default_factory=list)
    requests: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "competitor": {"id": self.competitor_id, "name": self.name, "homepage": self.homepage},
            "existing_competitor": self.existing,
            "sources": [{**p.entry, **_finding_fields(p.finding)} for p in self.sources],
            "already_configured": [f.to_json() for f in self.already],
            "tried": [f.to_json() for f in self.findings],
            "requests": self.requests,
        }


def _finding_fields(f: Finding) -> dict[str, Any]:
    return {"found": f.found, "confidence": f.confidence, "how": f.how}


def discover_site(target: str, settings: Settings) -> Discovery:
    """Discover one site's sources; SourceError in one line when its home page cannot be read."""
    discovery = discover([target], settings)[0]
    if discovery.error:
        raise SourceError(f"cannot read the home page of {target}: {discovery.error}")
    return discovery


def propose(discovery: Discovery, config: Config | None, name: str | None = None) -> Proposal:
    """What to add: the chosen sources that ``config`` does not hold yet, with unique ids."""
    homepage = discovery.home or discovery.target
    competitor = _existing_competitor(config, homepage, name)
    shown = name or (competitor.name if competitor else discovery.name) or homepage
    cid = competitor.id if competitor else _unique_competitor_id(config, slugify(shown))
    proposal = Proposal(cid, shown, homepage, competitor is not None, requests=discovery.requests)
    proposal.findings = discovery.findings
    configured = _configured(config)
    taken = {s.id for s in config.sources} if config else set()
    for finding in choose(discovery.findings):
        if (finding.repo or finding.url.rstrip("/")) in configured:
            proposal.already.append(finding)
            continue
        entry = source_entry(finding, _unique_id(f"{cid}-{ROLE_SUFFIX[finding.role]}", taken))
        proposal.sources.append(Proposed(entry, finding))
    return proposal


def source_entry(finding: Finding, source_id: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": source_id, "type": finding.type}
    if finding.type == "github_releases" and finding.repo:
        entry["repo"] = finding.repo
    else:
        entry["url"] = finding.url
    if finding.render:
        entry["render"] = True
    return entry


def write_proposal(path: Path, proposal: Proposal) -> None:
    """Add the proposal to the sources file (comments and order kept)."""
    competitor = {"id": proposal.competitor_id, "name": proposal.name,
                  "homepage": proposal.homepage}  # fmt: skip
    if slugify(proposal.name) == proposal.competitor_id:
        del competitor["id"]
    existing = proposal.competitor_id if proposal.existing else None
    add_sources(path, competitor, [p.entry for p in proposal.sources], existing)


def load_if_present(path: Path) -> Config | None:
    return load_config(path) if path.exists() else None


def _existing_competitor(config: Config | None, homepage: str, name: str | None) -> Any:
    if config is None:
        return None
    key = site_key(homepage)
    for competitor in config.competitors:
        if competitor.homepage and site_key(competitor.homepage) == key:
            return competitor
        if name and competitor.id == slugify(name):
            return competitor
    return None


def _configured(config: Config | None) -> set[str]:
    if config is None:
        return set()
    return {s.repo or s.url.rstrip("/") for s in config.sources}


def _unique_competitor_id(config: Config | None, wanted: str) -> str:
    return _unique_id(wanted, {c.id for c in config.competitors} if config else set())


def _unique_id(wanted: str, taken: set[str]) -> str:
    candidate, n = wanted, 2
    while candidate in taken:
        candidate, n = f"{wanted}-{n}", n + 1
    taken.add(candidate)
    return candidate
