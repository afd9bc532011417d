"""Main text of an article page (feed items that link to the full text, news) via trafilatura.

Pure function: HTML in, :class:`Article` out, no network. A page without usable main text
raises :class:`~radar.core.errors.ExtractionError` with one readable line.
"""

from __future__ import annotations

import codecs
import logging
import re
from dataclasses import dataclass
from typing import Any

from radar.core.errors import ExtractionError

__all__ = ["Article", "decode_html", "extract_article"]

logger = logging.getLogger(__name__)

# Measured on corpus/articles/trafilatura-eval (bench/eval_articles.py, 50 pages): the default
# balance (with 0.961 / without 0.894) ties favor_recall (0.954 / 0.907) and beats
# favor_precision (0.908 / 0.934) on the harmonic mean; tables off loses "with" snippets
# (0.941) and removes no boilerplate.
EXTRACT_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "favor_precision": False,
    "favor_recall": False,
}

# Less than this is a menu or a teaser that trafilatura's fallbacks picked up, not an article.
MIN_TEXT_CHARS = 50
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.I)
# WHATWG: these labels mean windows-1252 in browsers, and pages rely on it.
_AS_CP1252 = frozenset({"iso-8859-1", "iso8859-1", "latin-1", "latin1", "us-ascii", "ascii"})


@dataclass
class Article:
    title: str | None
    text: str
    published: str | None

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "text": self.text, "published": self.published}


def decode_html(data: bytes) -> str:
    """Decode an HTML page: BOM first, then <meta charset>, else UTF-8 (bad bytes replaced)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, "replace")
    match = _META_CHARSET.search(data[:4096])
    if match:
        label = match.group(1).decode("ascii").lower()
        codec = "cp1252" if label in _AS_CP1252 else label
        try:
            return data.decode(codec, "replace")
        except LookupError:
            logger.debug("unknown charset %r in <meta>, decoding as UTF-8", label)
    return data.decode("utf-8", "replace")


def extract_article(html: str | bytes, url: str = "") -> Article:
    """Title, main text and publication date (YYYY-MM-DD) of an article page."""
    page = decode_html(html) if isinstance(html, bytes) else html
    if not page.strip():
        raise ExtractionError(f"empty page, no article text{_at(url)}")
    import trafilatura  # ~1 s of imports, paid on the first article page, not by every command

    try:
        doc = trafilatura.bare_extraction(
            page, url=url or None, with_metadata=True, **EXTRACT_OPTIONS
        )
    except Exception as exc:  # bad web input must not crash a run; keep the reason
        logger.exception("trafilatura failed on %s", url or "a page")
        raise ExtractionError(
            f"article extraction failed{_at(url)} ({type(exc).__name__}: {exc})".replace("\n", " ")
        ) from exc
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        raise ExtractionError(f"no main text found in the page{_at(url)}")
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError(
            f"main text too short ({len(text)} characters), probably not an article{_at(url)}"
        )
    return Article(
        title=(getattr(doc, "title", None) or "").strip() or None,
        text=text,
        published=getattr(doc, "date", None) or None,
    )


def _at(url: str) -> str:
    return f" at {url}" if url else ""
