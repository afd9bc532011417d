"""Move type, importance and noise of each change of a release; a release's highlights.

Typing, in order (first answer wins): the section when it names a type
(:func:`~enrich.change_rules.section_type`); a marker in the text (``feat:``, ``fix:``,
``feat!:``, ``BREAKING CHANGE``, ⚠️, a CVE id); the trained classifier
(:mod:`enrich.change_model`) for the rest, or the lexical rules of :mod:`enrich.moves` when no
model file is there. A breaking marker or a security id in the text outranks a plain section
("Features", "Bug fixes"). Noise (dependency bumps, chores, docs, CI, tests, refactors,
reverts) is kept and typed like the rest, flagged (unless breaking or security), and never
highlighted.

Importance (0..1): breaking / deprecation, then security, pricing and packaging, a new product,
API or integration, then features over improvements over fixes; specific text ranks above
vague text ("Bug fixes", "Various improvements"). Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from enrich.base import Embedder
from enrich.change_model import ChangeTypeModel, default_model
from enrich.change_rules import (
    NOISE,
    clean_text,
    marker_type,
    section_is_noise,
    section_type,
    words_marker,
    words_noise,
)
from enrich.moves import classify_move
from radar.core.records import Change

__all__ = ["RULES_ONLY", "entry_moves", "highlights", "importance", "type_changes"]

RULES_ONLY = "rules"  # pass as ``model`` to type without any trained model
_OUTRANKS = ("deprecation", "security")  # a text marker of these beats the section's type
_BASE = {
    "deprecation": 0.9, "security": 0.86, "pricing": 0.82, "integration": 0.7, "launch": 0.64,
    "company": 0.6, "improvement": 0.45, "performance": 0.45, "fix": 0.3, "other": 0.12,
}  # fmt: skip
_NEW_SURFACE = re.compile(
    r"\bnew (?:\w+ )?(?:api|endpoint|product|sdk|cli|command|integration|plugin|app|service|"
    r"resource|provider|connector|model|region)s?\b|\bintroduc\w+|\bgenerally available\b|\bGA\b"
    r"|\blaunch\w*|\bsupport for\b",
    re.I,
)
_VAGUE = re.compile(
    r"^\W*(?:(?:various|minor|small|several|general|misc\w*|other|some)\s+)?(?:bug\s*)?"
    r"(?:fix(?:es)?|improvements?|enhancements?|changes|updates|tweaks|cleanups?)\W*$"
    r"|^\W*(?:bug fixes and (?:performance )?improvements|performance improvements"
    r"|stability improvements)\W*$",
    re.I,
)
_SPECIFIC = re.compile(r"`|\b[A-Z][a-z]+[A-Z]\w*|\w+\(\)|--\w|\b\w+[._/]\w+|\d")


def _typed(change: Change, guess: str | None) -> Change:
    words = clean_text(change.text) or change.text
    by_section = section_type(change.section)
    marker = words_marker(words)
    named = marker if marker in _OUTRANKS else by_section or (marker if marker != NOISE else None)
    noisy = section_is_noise(change.section) or words_noise(change.text, words)
    noisy = noisy and named not in _OUTRANKS
    move = named or guess or classify_move(words, "")[0]
    typed = replace(change, move_type=move, noise=noisy)
    return replace(typed, importance=importance(typed))


def _needs_model(change: Change) -> bool:
    marker = marker_type(change.text)
    return not section_type(change.section) and not marker


def type_changes(
    changes: Iterable[Change],
    embedder: Embedder | None = None,
    model: ChangeTypeModel | str | None = None,
) -> list[Change]:
    """New changes with ``move_type``, ``importance`` and ``noise`` filled in.

    ``model``: a :class:`ChangeTypeModel`, :data:`RULES_ONLY`, or None for the trained model
    at the default path (lexical rules when there is none). ``embedder`` is used when the
    model's embedded head was trained with the same embedder.
    """
    changes = list(changes)
    chosen = default_model() if model is None else model
    trained = chosen if isinstance(chosen, ChangeTypeModel) else None
    guesses: dict[int, str] = {}
    if trained is not None:
        todo = [i for i, c in enumerate(changes) if _needs_model(c)]
        found = trained.classify([changes[i].text for i in todo], embedder)
        guesses = {i: move for i, (move, _) in zip(todo, found, strict=True)}
    return [_typed(c, guesses.get(i)) for i, c in enumerate(changes)]


def importance(change: Change) -> float:
    """How much a product manager needs to hear about ``change`` (0..1; see the docstring)."""
    if change.noise:
        return 0.02
    score = _BASE.get(change.move_type or "other", _BASE["other"])
    text = clean_text(change.text)
    if change.move_type in ("launch", "integration", "improvement") and _NEW_SURFACE.search(text):
        score += 0.08
    words = len(text.split())
    if _VAGUE.match(text) or words < 3:
        score -= 0.15
    else:
        score += 0.04 * min(words, 20) / 20 + (0.03 if _SPECIFIC.search(text) else 0.0)
    return round(min(0.99, max(0.01, score)), 3)


def highlights(changes: Iterable[Change], k: int = 5) -> list[Change]:
    """The ``k`` most important changes that are not noise, most important first; the same
    words twice count once."""
    seen: set[str] = set()
    ranked = []
    for position, change in enumerate(changes):
        key = clean_text(change.text).lower()
        if change.noise or not key or key in seen:
            continue
        seen.add(key)
        ranked.append((-change.importance, position, change))
    return [change for _, _, change in sorted(ranked, key=lambda r: (r[0], r[1]))[:k]]


def entry_moves(changes: list[Change]) -> tuple[str | None, list[str]]:
    """An entry's move type (its most important change's) and the set of its changes' types."""
    top = highlights(changes, k=1)
    kinds = sorted({c.move_type for c in changes if c.move_type and not c.noise})
    return (top[0].move_type if top else None), kinds
