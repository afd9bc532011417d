"""Competitor mentions: tracked names and aliases found in text, word-bounded and case-aware."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class _Pattern:
    competitor: str
    regex: re.Pattern[str]


class MentionFinder:
    """A name written with capitals ("Acme", "ACME") must match its case; an all-lower-case alias
    matches in any case. Names are word-bounded, so "Acme" never matches "Acmeology"."""

    def __init__(self, competitors: Iterable[tuple[str, Iterable[str]]]):
        self.patterns: list[_Pattern] = []
        for competitor_id, names in competitors:
            for name in sorted(
                {n.strip() for n in names if n and n.strip()}, key=len, reverse=True
            ):
                flags = re.IGNORECASE if name == name.lower() else 0
                regex = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])", flags)
                self.patterns.append(_Pattern(competitor_id, regex))

    @classmethod
    def from_config(cls, config: object) -> MentionFinder:
        competitors = getattr(config, "competitors", [])
        return cls((c.id, (c.name, *c.aliases)) for c in competitors)

    def find(self, text: str, exclude: str | None = None) -> list[str]:
        """Competitor ids mentioned in text, in order of first appearance (``exclude`` left out)."""
        first: dict[str, int] = {}
        for pattern in self.patterns:
            if pattern.competitor == exclude:
                continue
            match = pattern.regex.search(text)
            if match and match.start() < first.get(pattern.competitor, len(text) + 1):
                first[pattern.competitor] = match.start()
        return sorted(first, key=first.__getitem__)
