"""What a change's own words and section say about its move type, without a model.

* :func:`section_type`: the vocabularies changelogs type their sections with -- Keep a
  Changelog (Added, Changed, Deprecated, Removed, Fixed, Security), conventional-changelog and
  release-please (Features, Bug Fixes, Performance Improvements, ⚠ BREAKING CHANGES, Chores),
  changesets (Major Changes), GitHub's generated notes (New Features 🎉, Bug fixes 🐛,
  Maintenance, Documentation), Terraform-style ``CAPS:`` labels (NEW FEATURES, ENHANCEMENTS,
  BUG FIXES, NOTES), bold labels and emoji headings (🚀 ✨ 🐛 ⚠️ 🔒). A section path
  ("Bug fixes and enhancements › For Mac") is read innermost first.
* :func:`marker_type`: a conventional-commit prefix (``feat:``, ``fix(api)!:``) or a breaking /
  security marker (``BREAKING CHANGE``, ⚠️, a CVE id).
* :func:`is_noise`: dependency bumps, chores, docs, CI, tests, refactors, reverts.
"""

from __future__ import annotations

import re

__all__ = ["clean_text", "is_noise", "marker_type", "section_is_noise", "section_type"]

SECTION_JOIN = " › "
NOISE = "noise"  # what section_type answers for a chores / docs / dependencies section

# (move type or NOISE, pattern) in order: the first match names the section's type.
_SECTIONS: list[tuple[str, re.Pattern[str]]] = [
    (NOISE, re.compile(
        r"chores?|maintenance|\bdocs?\b|documentation|dependenc|\bdeps\b|\bbuild\b|\bci\b"
        r"|continuous integration|\btests?\b|\btesting\b|refactor|\binternal\b|\breverts?\b"
        r"|\bstyles?\b|contributors|thank you|^\W*(?:version )?upgrades\W*$|\bcleanup\b"
        r"|\bmisc\b|miscellaneous|\bhousekeeping\b|\btooling\b")),
    ("security", re.compile(r"\bsecurity\b|vulnerab|\bcves?\b|🔒|🔐")),
    ("deprecation", re.compile(
        r"breaking|deprecat|\bremoved?\b|\bremovals?\b|incompatib|\bmajor changes\b"
        r"|\bdropped\b|⚠|💥|🗑")),
    ("performance", re.compile(r"\bperformance\b|\bperf\b|\bspeed\b|optimi[sz]|⚡")),
    ("fix", re.compile(r"\bfix|\bbugs?\b|bugfix|hotfix|\bpatches\b|\bcorrections?\b|🐛|🩹")),
    ("pricing", re.compile(r"\bpricing\b|\bbilling\b|\bplans? (?:and|&) pricing\b")),
    ("integration", re.compile(r"\bintegrations?\b|\bconnectors?\b|\bpartners?\b|🔌")),
    ("launch", re.compile(
        r"\bfeatures?\b|\badded\b|\badditions?\b|^\W*new\W*$|\bnew (?!contributors)\w+"
        r"|what'?s new|\bintroduc|\bpreview\b|🚀|✨|🎉|🆕")),
    ("improvement", re.compile(
        r"improvements?|enhancements?|^\W*changed\W*$|\bupdates?\b|\bpolish\b|\btweaks?\b"
        r"|\bux\b|💅|🎨")),
]  # fmt: skip

_CC = re.compile(r"^\W{0,3}(?P<type>[a-z]+)(?:\((?P<scope>[^)]*)\))?(?P<bang>!)?:\s", re.I)
_CC_TYPES = {
    "feat": "launch", "feature": "launch", "fix": "fix", "bugfix": "fix", "hotfix": "fix",
    "perf": "performance", "security": "security", "sec": "security",
}  # fmt: skip
_CC_NOISE = {
    "docs", "doc", "chore", "ci", "test", "tests", "style", "refactor", "build", "revert", "deps",
    "dep", "release", "wip", "lint", "types", "typo",
}  # fmt: skip
_BREAKING = re.compile(r"BREAKING[ -]CHANGES?\b|⚠|💥|^\W*breaking\b", re.I)
_SECURITY_ID = re.compile(r"\bCVE-\d{4}-\d+|\bGHSA(?:-\w{4}){3}", re.I)
_NOISE_TEXT = re.compile(
    r"^\W*(?:bump(?:s|ed)?|upgrade[sd]?|update[sd]?|pin(?:s|ned)?)\b.{0,80}?"
    r"\b(?:from\s+v?\d[\w.-]*\s+to|to\s+v?\d|dependenc|requirement)"
    r"|^\W*(?:deps|dependencies|dev-?deps)\b|\bdependabot\b|\brenovate(?:\[bot\]|bot)\b"
    r"|^\W*(?:revert(?:s|ed)?)\b|^\W*(?:merge (?:pull request|branch))\b"
    r"|^\W*updated dependencies\b|^\W*(?:fix(?:es|ed)? )?typos?\b|^\W*(?:update|updated) (?:the )?"
    r"(?:readme|docs|documentation|changelog|contributing|license|copyright)\b"
    r"|^\W*(?:add|added|improve|update)d? (?:unit )?tests?\b|^\W*refactor",
    re.I,
)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_REFS = re.compile(
    r"\(\s*(?:#\d+|[0-9a-f]{7,40}|@[\w-]+|(?:by|thanks) @[\w-]+)(?:[,\s]+(?:#\d+|[0-9a-f]{7,40}"
    r"|@[\w-]+))*\s*\)|\b[0-9a-f]{7,40}\b(?=\s|$)|(?<!\w)#\d+\b|\bby @[\w-]+|\bin https?://\S+"
)
_SPACES = re.compile(r"\s+")
_SHORT_PART_WORDS = 3


def clean_text(text: str) -> str:
    """A change's words without links, PR / commit references and author handles."""
    text = _LINK.sub(r"\1", text)
    text = _REFS.sub(" ", text)
    return _SPACES.sub(" ", text).strip(" -–—,.;:()")


def _part_type(part: str) -> str | None:
    key = part.strip().lower()
    for move, pattern in _SECTIONS:
        if pattern.search(key):
            return move
    return None


def _part_types(section: str | None) -> list[tuple[str, bool]]:
    """(type, a short category-like part?) for the parts of a section path, innermost first."""
    parts = reversed((section or "").split(SECTION_JOIN))
    return [
        (found, len(part.split()) <= _SHORT_PART_WORDS)
        for part in parts
        if (found := _part_type(part))
    ]


def section_type(section: str | None) -> str | None:
    """The move type a section names, innermost part first, ignoring chores-like parts; an
    inner part that reads as an area ("Integrations") or a feature's own title yields to an
    outer type ("Bug fixes › Integrations"). None: it names none ("For Mac", "Patch Changes")."""
    types = [(t, short) for t, short in _part_types(section) if t != NOISE]
    if len(types) > 1 and (types[0][0] == "integration" or not types[0][1]):
        return types[1][0]
    return types[0][0] if types else None


def section_is_noise(section: str | None) -> bool:
    """The innermost part that says anything says chores, docs, dependencies, CI..."""
    types = _part_types(section)
    return bool(types) and types[0][0] == NOISE


def marker_type(text: str) -> str | None:
    """The type a marker in the text names: breaking, a security id, a conventional-commit
    prefix (``"noise"`` for ``chore:``, ``docs:``...); None when there is none."""
    if _BREAKING.search(text):
        return "deprecation"
    match = _CC.match(text)
    if match and match.group("bang"):
        return "deprecation"
    if _SECURITY_ID.search(text):
        return "security"
    if not match:
        return None
    kind, scope = match.group("type").lower(), (match.group("scope") or "").lower()
    if "security" in scope:
        return "security"
    return NOISE if kind in _CC_NOISE else _CC_TYPES.get(kind)


def is_noise(text: str) -> bool:
    """A dependency bump, chore, docs / CI / test change, refactor or revert, by its words."""
    return bool(_NOISE_TEXT.search(text)) or marker_type(text) == NOISE
