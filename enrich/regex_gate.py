"""Skip regular-expression searches that cannot match: a literal gate before each pattern.

A case-insensitive alternation such as ``\\bfix(?:es|ed)?\\b|\\bbugs?\\b|hotfix`` is tried at every
position of the text, which makes dozens of such rules per short changelog line slow. Every
match of it contains one of a few literals (here "fix" or "bug"), found once from the parsed
pattern; when none of them is in the lower-cased text, the search is skipped. The answer is
the same as the plain search: the gate applies to ASCII texts only (where lower-casing is
exactly what ``re.IGNORECASE`` folds), and a pattern with no literal in every match is always
searched.
"""

from __future__ import annotations

import re
import string
from typing import Any

try:  # CPython's own pattern parser (3.11+); without it every pattern is simply searched
    from re import _constants as sre  # type: ignore[attr-defined]
    from re import _parser as sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - another Python
    sre = sre_parse = None

__all__ = ["GatedPattern", "PatternSet", "anchors", "lowered"]

_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) if sre else ()
_MAX_WORDS = 64  # a literal set larger than this is not multiplied out


def anchors(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Lower-case literals one of which every match of ``pattern`` contains; None when the
    pattern has no such set (or one that ``re.IGNORECASE`` could fold onto ASCII letters)."""
    if sre_parse is None:
        return None
    try:
        found = _sequence(list(sre_parse.parse(pattern, flags)))
    except Exception:  # an internal shape this module does not know: no gate, same answers
        return None
    if not found or any(_folds_to_ascii(ch) for word in found for ch in word):
        return None
    return frozenset(w for w in found if not any(o != w and o in w for o in found))


def _sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The best literal set of a sequence: a run of items that match a few exact strings,
    multiplied out ("c" then "eo|to" gives {"ceo", "cto"}), or a required sub-part's set."""
    options: list[set[str]] = []
    run = {""}
    for op, arg in items:
        exact = _exact(op, arg)
        if exact is not None and len(run) * len(exact) <= _MAX_WORDS:
            run = {a + b for a in run for b in exact}
            continue
        _flush(options, run)
        run = exact if exact is not None else {""}
        if exact is None and (inner := _item(op, arg)) is not None:
            options.append(inner)
    _flush(options, run)
    return max(options, key=_quality, default=None)


def _flush(options: list[set[str]], run: set[str]) -> None:
    if "" not in run:
        options.append({word.lower() for word in run})


def _exact(op: Any, arg: Any) -> set[str] | None:
    """Every string the item can match, when they are few and literal; None otherwise."""
    if op is sre.LITERAL:
        return {chr(arg)}
    if op is sre.AT:  # zero width: the characters around it stay adjacent
        return {""}
    if op is sre.IN and all(kind is sre.LITERAL for kind, _ in arg):
        return {chr(code) for _, code in arg}
    if op is sre.SUBPATTERN and not (arg[1] or arg[2]):
        return _exact_sequence(list(arg[3]))
    if op is sre.BRANCH:
        parts = [_exact_sequence(list(branch)) for branch in arg[1]]
        if any(part is None for part in parts):
            return None
        union: set[str] = set().union(*parts)  # type: ignore[arg-type]
        return union if len(union) <= _MAX_WORDS else None
    if op in _REPEATS and arg[1] == 1 and (inner := _exact_sequence(list(arg[2]))) is not None:
        return inner | ({""} if arg[0] == 0 else set())
    return None


def _exact_sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    strings = {""}
    for op, arg in items:
        exact = _exact(op, arg)
        if exact is None or len(strings) * len(exact) > _MAX_WORDS:
            return None
        strings = {a + b for a in strings for b in exact}
    return strings


def _item(op: Any, arg: Any) -> set[str] | None:
    """The literal set of a required item that is not exact (a group, a branch, a repeat)."""
    if op is sre.SUBPATTERN:  # (group, flags added, flags removed, items)
        return None if arg[1] or arg[2] else _sequence(list(arg[3]))
    if op is sre.BRANCH:
        branches = [_sequence(list(branch)) for branch in arg[1]]
        if any(not found for found in branches):
            return None
        return set().union(*branches)  # type: ignore[arg-type]
    if op in _REPEATS and arg[0] >= 1:
        return _sequence(list(arg[2]))
    return None


def _quality(found: set[str]) -> tuple[int, int]:
    """Longer literals gate better; fewer of them cost fewer substring tests."""
    return min(len(word) for word in found), -len(found)


def _folds_to_ascii(ch: str) -> bool:
    """Whether ``re.IGNORECASE`` lets this non-ASCII character match an ASCII letter
    (the long s, the Kelvin sign, the dotless i)."""
    if ch.isascii():
        return False
    return any(re.fullmatch(re.escape(ch), letter, re.I) for letter in string.ascii_letters)


def lowered(text: str) -> str | None:
    """What :meth:`GatedPattern.search` tests the literals against; None: do not gate."""
    return text.lower() if text.isascii() else None


class GatedPattern:
    """A compiled pattern with its literal gate; ``search`` answers as ``re.search`` does."""

    __slots__ = ("pattern", "words")

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern = re.compile(pattern, flags)
        found = anchors(pattern, flags)
        # without IGNORECASE a lower-cased text no longer holds the pattern's own case
        self.words = found if flags & re.IGNORECASE else None

    def search(self, text: str, low: str | None = None) -> re.Match[str] | None:
        """``low``: :func:`lowered` of ``text``, computed once for many patterns."""
        if low is None or self.words is None or any(word in low for word in self.words):
            return self.pattern.search(text)
        return None


class PatternSet:
    """Many gated patterns over one text: each literal is looked for once, then only the
    patterns whose literals are there (or that have none) are searched."""

    def __init__(self, patterns: list[str], flags: int = 0):
        self.gated = [GatedPattern(pattern, flags) for pattern in patterns]
        self.words = tuple(sorted({w for g in self.gated if g.words for w in g.words}))

    def matching(self, text: str) -> list[int]:
        """The indexes of the patterns that ``text`` matches, in order."""
        low = lowered(text)
        present = None if low is None else {w for w in self.words if w in low}
        return [
            i
            for i, gated in enumerate(self.gated)
            if (present is None or gated.words is None or not gated.words.isdisjoint(present))
            and gated.pattern.search(text)
        ]
