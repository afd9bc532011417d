"""Crawled text made inert for each output format: plain text, Markdown, Slack, HTML.

Crawled titles, names and errors are cleaned first (`clean`): bidirectional overrides and control
characters removed, whitespace collapsed to one line, cut to a length. Then each format escapes
what it would read as markup. Links go out only to http(s) addresses (`http_url`), with the
characters that end or break a link target percent-encoded.

Alerts keep one line per match in *our* Markdown (`markdown`): every character of crawled text
that Markdown reads as markup is backslash-escaped, so the only live markup is what we wrote
(`**`). `convert` turns such lines into the Slack or plain-text form at delivery.
"""

from __future__ import annotations

import html
import re
from urllib.parse import quote, urlsplit

TITLE_LIMIT = 300
TEXT_LIMIT = 1000
# LRM/RLM, the embeddings and overrides (LRE..RLO) and the isolates (LRI..PDI)
_BIDI = dict.fromkeys([0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)])
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>!|~])")
_MENTION = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
_URL_UNSAFE = "<>\"'`()[]{}|\\^ *"
_TOKEN = re.compile(r"\\(?P<esc>.)|(?P<bold>\*\*)|(?P<raw>[^\\*]+|\*)", re.DOTALL)
_RAW_MARKUP = re.compile(r"([<>\[\]])")
_SLACK_PLAIN = set("`*_{}|~")  # escapes that apprise's Slack conversion would show as "\x"


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def clean(text: str | None, limit: int = TITLE_LIMIT) -> str:
    """One line: no bidi overrides, no control characters, single spaces, at most `limit`."""
    text = (text or "")[: limit * 4 + 64]  # bound the work on a huge title before the regexes
    text = _CONTROL.sub(" ", text.translate(_BIDI))
    return cut(" ".join(text.split()), limit)


def http_url(url: str | None) -> str | None:
    """`url` when it is http(s) with a host, made safe inside a link; else None."""
    url = clean(url, 2048)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return "".join(quote(c, safe="") if c in _URL_UNSAFE else c for c in url)


def markdown(text: str | None, limit: int = TITLE_LIMIT) -> str:
    """Crawled text as literal Markdown (CommonMark, Discord): markup escaped, no mass mention."""
    escaped = _MD_SPECIAL.sub(r"\\\1", clean(text, limit))
    return _MENTION.sub("@\u200b\\1", escaped)


def html_text(text: str | None, limit: int = TITLE_LIMIT) -> str:
    """Crawled text as literal HTML."""
    return html.escape(clean(text, limit))


def convert(lines: str, fmt: str) -> str:
    """Lines of our Markdown as `fmt`: 'markdown' (as is), 'slack' (for apprise's Slack
    conversion), 'html' or 'text'. Unescaped `<`, `>`, `[`, `]` are never ours: kept literal."""
    if fmt == "html":
        return "<br>\n".join(_html_line(line) for line in lines.split("\n"))
    return "".join(_convert_token(m, fmt) for m in _TOKEN.finditer(lines))


def _html_line(line: str) -> str:
    out, bold = [], False
    for match in _TOKEN.finditer(line):
        esc, mark, raw = match.group("esc", "bold", "raw")
        if mark:
            out.append("</b>" if bold else "<b>")
            bold = not bold
        else:
            out.append(html.escape(esc if esc is not None else raw))
    return "".join(out) + ("</b>" if bold else "")


def _convert_token(match: re.Match[str], fmt: str) -> str:
    esc, bold, raw = match.group("esc", "bold", "raw")
    if fmt == "text":
        return esc if esc is not None else (raw or "")
    if bold:
        return bold
    if esc is not None:
        return esc if fmt == "slack" and esc in _SLACK_PLAIN else "\\" + esc
    return _RAW_MARKUP.sub(r"\\\1", raw)
