"""Date recognition for changelogs: turn the many ways releases are dated into ISO ``YYYY-MM-DD``.

Two pure functions:

* :func:`find_date` finds the first plausible calendar date inside a longer line
  ("Released on 2025-01-02.", "- August 21, 2026", "Wed 02 Oct 2024 20:17:04 IDT",
  ``{{< release-date date="2025-10-09" >}}``).
* :func:`parse_date` reads a string that *is* a date (possibly with a weekday, time and zone).

Version numbers (``1.2.3``, ``2024.1``, ``2024.01.15``) are never read as dates, and only years
between 1990 and 2100 count.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator

from dateutil import parser as dateutil_parser

__all__ = ["find_date", "parse_date"]

MIN_YEAR = 1990
MAX_YEAR = 2100

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"

# Each pattern names its groups year/month/day; "month" may be a name or a number.
_PATTERNS: list[re.Pattern[str]] = [
    # 2024-01-02, 2024/01/02, 2024-01-02T10:00:00Z (not part of a longer number or version)
    re.compile(
        r"(?<![\d.])" + _YEAR + r"(?P<sep>[-/])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?![\d])"
    ),
    # August 21, 2026 / Aug. 21st 2026 / Oct 02 2024
    re.compile(r"\b" + _MONTH + r"\s+" + _DAY + r"(?:,\s*|\s+)" + _YEAR + r"(?!\d)", re.I),
    # 8 December, 2023 / 02 Oct 2024 / 1st of May 2024
    re.compile(
        r"(?<![\d.])" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r",?\s+" + _YEAR + r"(?!\d)", re.I
    ),
    # 21-Aug-2026
    re.compile(r"(?<![\d.])" + _DAY + r"-" + _MONTH + r"-" + _YEAR + r"(?!\d)", re.I),
]
# 5/29/2016 (US month/day, or day/month when the first number cannot be a month)
_NUMERIC_DMY = re.compile(
    r"(?<![\d./-])(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{4})(?![\d.]\d)"
)


def _valid(year: int, month: int, day: int) -> str | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _month_number(token: str) -> int:
    if token.isdigit():
        return int(token)
    return _MONTHS[token[:3].lower()]


def _named_matches(text: str) -> Iterator[tuple[int, str]]:
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            iso = _valid(int(match["year"]), _month_number(match["month"]), int(match["day"]))
            if iso:
                yield match.start(), iso


def _numeric_matches(text: str) -> Iterator[tuple[int, str]]:
    for match in _NUMERIC_DMY.finditer(text):
        a, b, year = int(match["a"]), int(match["b"]), int(match["year"])
        # Slashes are read month/day (US) unless that is impossible; dots are day.month.year.
        month_first = match["sep"] == "/" and a <= 12
        iso = _valid(year, a, b) if month_first else _valid(year, b, a)
        if iso:
            yield match.start(), iso


_FINDERS: tuple[Callable[[str], Iterator[tuple[int, str]]], ...] = (
    _named_matches,
    _numeric_matches,
)


def find_date(text: str) -> str | None:
    """Return the first plausible date found in ``text`` as ``YYYY-MM-DD``, else None.

    >>> find_date("## [1.2.0] - 2024-01-02")
    '2024-01-02'
    >>> find_date("Redis 7.2.6    Released Wed 02 Oct 2024 20:17:04 IDT")
    '2024-10-02'
    >>> find_date("v2024.1.3") is None
    True
    """
    if not text:
        return None
    found = [hit for finder in _FINDERS for hit in finder(text)]
    if not found:
        return None
    return min(found)[1]


_HAS_YEAR = re.compile(r"(?<![\d.])(19[9]\d|20\d\d|2100)(?![\d.])")
_VERSION_LIKE = re.compile(r"\d+\.\d+(?:\.\d+)?")


def _dateutil_parse(text: str) -> str | None:
    """Fallback for odd but complete dates; refuses dates missing a day, month or year."""
    if not _HAS_YEAR.search(text) or _VERSION_LIKE.fullmatch(text):
        return None
    results = set()
    for default in (dt.datetime(1901, 1, 1), dt.datetime(1902, 2, 2)):
        try:
            results.add(dateutil_parser.parse(text, default=default).date())
        except (ValueError, OverflowError):
            return None
    if len(results) != 1:  # some component came from the default
        return None
    day = results.pop()
    return _valid(day.year, day.month, day.day)


def parse_date(text: str) -> str | None:
    """Parse a string that holds a date (with optional weekday, time and zone) to ``YYYY-MM-DD``.

    >>> parse_date("8 December, 2023")
    '2023-12-08'
    >>> parse_date("1.2.3") is None
    True
    """
    text = (text or "").strip()
    if not text:
        return None
    return find_date(text) or _dateutil_parse(text)
