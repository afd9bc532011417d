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

__all__ = [
    "clean_text",
    "is_noise",
    "marker_type",
    "section_is_noise",
    "section_type",
    "words_marker",
    "words_noise",
]

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
_HASH = r"`[0-9a-f]{7,40}`|\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}\b(?![-./]\w)"
_BARE = rf"(?<![\w&])#\d+\b|{_HASH}"  # a PR / issue number or a commit id: removed anywhere
_HANDLE = r"@[\w-]+(?![\w/-])"  # an author; "@types/node" is a package, not a handle
_REF = rf"(?:{_BARE}|{_HANDLE}|https?://[^\s)]+)"
_PREP = r"(?i:in|by|via|see|from|and|closes|closed|fixes|fixed|resolves|refs?|thanks(?: to)?)"
_REFS = re.compile(
    rf"\(\s*(?:{_PREP}\s+)?{_REF}(?:(?:[,\s]+|\s+and\s+)(?:{_PREP}\s+)?{_REF})*\s*\)"
    rf"|(?:[\s,]+{_PREP}\s+{_REF}|(?:^|[\s,]+)(?:{_BARE}))+"
)  # commit ids in lower case only: "ABCDEF12" is a word
# "(#123) (Ana Cruz)" at the end: a PR number, then its author (eslint's release notes)
_AUTHOR_AFTER_PR = re.compile(r"\(#\d+\)\s*\((?:[^()]|\([^()]*\))*\)\s*$")
# changesets: "[#12](…) [`a1b2c3d`](…) Thanks [@ana](…)! - The change"
_THANKS = re.compile(
    rf"^.{{0,120}}?\bthanks\s+{_HANDLE}(?:(?:,\s*|\s+and\s+|,\s+and\s+){_HANDLE})*\s*!\s*[-–—:]\s*",
    re.I,
)
_EMPTY_PARENS = re.compile(r"\s\(\s*\)")
_SPACES = re.compile(r"\s+")
_EDGE = " -–—,.;:"
_SHORT_PART_WORDS = 3


def clean_text(text: str) -> str:
    """A change's words without links, PR / commit references, author handles and credits;
    a closing parenthesis of the sentence stays."""
    text = _LINK.sub(r"\1", text)
    text = _THANKS.sub("", _AUTHOR_AFTER_PR.sub("", text))
    text = _EMPTY_PARENS.sub("", _REFS.sub(" ", text))
    return _trim(_SPACES.sub(" ", text))


def _trim(text: str) -> str:
    """Without edge punctuation and unbalanced parentheses at either end."""
    text = text.strip(_EDGE)
    while text.endswith("(") or (text.endswith(")") and text.count(")") > text.count("(")):
        text = text[:-1].rstrip(_EDGE)
    while text.startswith(")") or (text.startswith("(") and text.count("(") > text.count(")")):
        text = text[1:].lstrip(_EDGE)
    return text


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
    prefix (``"noise"`` for ``chore:``, ``docs:``...) after any leading commit link; None when
    there is none."""
    return words_marker(clean_text(text))


def words_marker(words: str) -> str | None:
    """:func:`marker_type` of a text already through :func:`clean_text`."""
    if _BREAKING.search(words):
        return "deprecation"
    match = _CC.match(words)
    if match and match.group("bang"):
        return "deprecation"
    if _SECURITY_ID.search(words):
        return "security"
    if not match:
        return None
    kind, scope = match.group("type").lower(), (match.group("scope") or "").lower()
    if "security" in scope:
        return "security"
    return NOISE if kind in _CC_NOISE else _CC_TYPES.get(kind)


def is_noise(text: str) -> bool:
    """A dependency bump, chore, docs / CI / test change, refactor or revert, by its words."""
    return words_noise(text, clean_text(text))


def words_noise(text: str, words: str) -> bool:
    """:func:`is_noise` given both the raw text (a bot's name) and its :func:`clean_text`."""
    if words_marker(words) == NOISE:
        return True
    return bool(_NOISE_TEXT.search(words) or _NOISE_TEXT.search(text))
