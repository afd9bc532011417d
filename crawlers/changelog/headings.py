"""What a heading says: its version, its date, and whether it opens a release at all."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from crawlers.dates import find_date

__all__ = ["HeadingInfo", "analyse", "clean_title", "find_version", "github_slug", "Slugger"]

_VERSION = re.compile(
    r"(?<![\w.@/-])v?(?P<version>\d+(?:\.(?:\d+|x))+"
    r"(?:-[0-9A-Za-z]+(?:[.-][0-9A-Za-z]+)*|(?:a|b|rc|alpha|beta|dev|post|pre)\.?\d*)?"
    r"(?:\+[0-9A-Za-z.]+)?)(?![\w])",
    re.I,
)
_BARE_VERSION = re.compile(
    r"(?:\bversion\s+|\brelease\s+|(?<![\w.])v)(?P<version>\d+)(?![\w.])", re.I
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_UNRELEASED = re.compile(
    r"\bunreleased\b|^\W*(?:upcoming|next|master|main|head|in progress|wip|not yet released|tbd)"
    r"(?:\s+(?:changes|release|version))?\W*$",
    re.I,
)
_DOC_TITLE = re.compile(
    r"\b(?:release notes|changelog|change log|changes|history|what'?s new|news|releases)\b", re.I
)
_DECORATION = re.compile(r"^\s*(?:[=\-_*#~+^]{3,}|\([\w.:-]+\)=)\s*$")
_BRACKETED_START = re.compile(r"^\[([^\[\]]+)\](?!\()")
_TITLE_NOISE = re.compile(r"\s*(?:[¶#§🔗\u200b]|permalink)\s*$", re.I)
_DATE_HINT = re.compile(
    r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4}|\b[A-Za-z]{3,9}\.? \d{1,2}(?:st|nd|rd|th)?,? \d{4}"
    r"|\b\d{1,2} [A-Za-z]{3,9},? \d{4}"
)

MAX_WORDS_BEFORE = 3
MAX_TITLE_CHARS = 160


@dataclass(frozen=True)
class HeadingInfo:
    version: str | None
    date: str | None
    unreleased: bool
    release_like: bool


@lru_cache(maxsize=4096)
def clean_title(text: str) -> str:
    """Collapse whitespace, drop rule lines, labels, permalink marks ("¶", "#") and the brackets
    of an unresolved ``[1.2.0]`` link from a heading."""
    lines = [line for line in text.split("\n") if not _DECORATION.match(line)]
    text = " ".join(" ".join(lines).replace("\u200b", " ").split())
    text = _BRACKETED_START.sub(r"\1", text)
    previous = None
    while previous != text:
        previous = text
        text = _TITLE_NOISE.sub("", text).strip()
    return text


def _version_match(text: str) -> re.Match[str] | None:
    return _VERSION.search(text) or _BARE_VERSION.search(text)


def find_version(text: str) -> str | None:
    """First version number in ``text`` without a leading "v" ("v19.3.0" -> "19.3.0")."""
    match = _version_match(text)
    return match["version"].rstrip(".-") if match else None


def _words_before(text: str, position: int) -> int:
    return len(_WORD.findall(text[:position]))


def _starts_early(text: str) -> bool:
    positions = []
    match = _version_match(text)
    if match:
        positions.append(match.start())
    date_match = _DATE_HINT.search(text)
    if date_match:
        positions.append(date_match.start())
    return bool(positions) and _words_before(text, min(positions)) <= MAX_WORDS_BEFORE


@lru_cache(maxsize=4096)
def analyse(title: str) -> HeadingInfo:
    """Read a candidate heading: does it open a release, and which version and date?

    Cached: a crawl reads the same category headings ("Added", "Fixed") on every page."""
    version = find_version(title)
    date = find_date(title)
    unreleased = bool(_UNRELEASED.search(title))
    is_doc_title = bool(_DOC_TITLE.search(title)) and not date and (version or "").count(".") < 2
    release_like = (
        not unreleased
        and not is_doc_title
        and bool(version or date)
        and len(title) <= MAX_TITLE_CHARS
        and (_starts_early(title) or bool(version and date))
    )
    return HeadingInfo(version, date, unreleased, release_like)


def github_slug(text: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


class Slugger:
    """Give repeated anchors the "-1", "-2" suffixes GitHub uses."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def unique(self, anchor: str) -> str:
        count = self._seen.get(anchor)
        if count is None:
            self._seen[anchor] = 0
            return anchor
        while True:
            count += 1
            candidate = f"{anchor}-{count}"
            if candidate not in self._seen:
                self._seen[anchor] = count
                self._seen[candidate] = 0
                return candidate
