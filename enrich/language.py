"""Language of an item (ISO 639-1), recorded; non-English items are still enriched."""

from __future__ import annotations

import re

_MIN_LETTERS = 20


def detect_language(text: str) -> str | None:
    """Language code, or None when the text is too short to tell."""
    if len(re.findall(r"[^\W\d_]", text)) < _MIN_LETTERS:
        return None
    import py3langid

    code, _score = py3langid.classify(text[:2000])
    return str(code)
