"""Render the digest as Markdown or email-safe HTML (inline styles, no scripts), and send it."""

from __future__ import annotations

import base64
import io
import smtplib
import ssl
from datetime import date, timedelta
from email.message import EmailMessage
from html import escape
from typing import Any

from radar import textsafe
from radar.core.errors import DeliveryError
from radar.digest import MOVE_TITLES, Digest, Move, ordered_types
from radar.digest_lines import Highlight, highlights

NAME_LIMIT = 100  # competitor, source, theme label and keyword
FONT = "font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;"
TEXT_LIMIT = 240  # a highlight's text
MAX_BROKEN = 20  # broken sources listed in the HTML (all of them in the Markdown)
MOVE_LABELS = {
    "deprecation": "Breaking", "security": "Security", "pricing": "Pricing", "launch": "New",
    "integration": "Integration", "company": "Company", "performance": "Performance",
    "improvement": "Improved", "fix": "Fixed", "other": "Other",
}  # fmt: skip


def chart_png(digest: Digest) -> bytes | None:
    """Weekly counts of the rising themes (or the biggest ones), as a small PNG."""
    themes = [r.theme for r in digest.rising] or _biggest(digest.weekly)
    weeks = _all_weeks(sorted(digest.weekly), digest.start)
    if not themes or len(weeks) < 2:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 2.6), dpi=100)
    for theme in themes[:5]:
        ax.plot(
            [w[5:] for w in weeks],
            [digest.weekly.get(w, {}).get(theme, 0) for w in weeks],
            marker="o",
            linewidth=1.5,
            label=digest.theme_labels.get(theme, theme)[:32],
        )
    ax.set_ylabel("items per week")
    ax.tick_params(axis="x", labelsize=7, rotation=45)
    ax.legend(fontsize=7, frameon=False, loc="upper left")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    plt.close(fig)
    return out.getvalue()


def _all_weeks(weeks: list[str], last: date) -> list[str]:
    """Every week from the first with data to the digest's own, so empty weeks show as zero."""
    if not weeks:
        return []
    day, out = date.fromisoformat(weeks[0][:10]), []
    while day <= last:
        out.append(day.isoformat())
        day += timedelta(days=7)
    return out


def _biggest(weekly: dict[str, dict[str, int]]) -> list[str]:
    totals: dict[str, int] = {}
    for counts in weekly.values():
        for theme, n in counts.items():
            totals[theme] = totals.get(theme, 0) + n
    return sorted(totals, key=lambda t: -totals[t])[:4]


# -- Markdown ---------------------------------------------------------------------------------------
def _md(text: str, limit: int = NAME_LIMIT) -> str:
    return textsafe.markdown(text, limit)


def _md_link(text: str, url: str, limit: int = NAME_LIMIT) -> str:
    """A Markdown link to an http(s) address; the text alone for any other."""
    safe = textsafe.http_url(url)
    return f"[{_md(text, limit)}]({safe})" if safe else _md(text, limit)


def render_markdown(d: Digest) -> str:
    """The archived digest: highlights per competitor, then the complete list of the week."""
    out = [f"# Competitor moves, week {d.week} ({d.start:%b %d} – {d.end:%b %d, %Y})", ""]
    out += [f"_{note}_" for note in d.notes] + [""] * bool(d.notes)  # our own words
    if d.empty:
        out += [_empty_line(d), ""]
    for name in sorted(d.highlights):
        lines = [_md_highlight(h) for h in d.highlights[name]]
        lines += [f"- {_md(d.rest[name], textsafe.TEXT_LIMIT)}"] if name in d.rest else []
        out += [f"## {_md(name)}", *lines, ""] if lines else []
    if d.quiet:
        out += [f"Quiet this week: {_md(', '.join(d.quiet), textsafe.TEXT_LIMIT)}.", ""]
    if d.industry:
        out += ["## Industry news mentioning competitors"]
        out += [_md_news(m) for m in d.industry[:30]] + [""]
    out += _md_themes(d)
    if d.broken:
        out += ["## Sources that failed or look broken"]
        out += [
            f"- `{_md(s['id'])}`: {_md(s['last_error'] or s['suspect'] or '', textsafe.TEXT_LIMIT)}"
            for s in d.broken
        ] + [""]
    return "\n".join(out + _md_complete(d))


def _empty_line(d: Digest) -> str:
    """An empty week, told apart from an empty store."""
    stored = f" ({d.stored:,} items are stored, none dated in this week)" if d.stored else ""
    return (
        f"No items were recorded in week {d.week}: nothing was crawled, or nothing was"
        f" published{stored}."
    )


def _md_themes(d: Digest) -> list[str]:
    out: list[str] = []
    if d.rising:
        out += ["## Rising themes"]
        out += [
            f"- **{_md(d.theme_labels.get(r.theme, r.theme))}**: {r.count} items (about {r.expected:.1f} expected)"
            for r in d.rising
        ] + [""]
    if d.new_themes:
        out += ["## Newly discovered themes"]
        out += [
            f"- **{_md(t['label'])}** ({_md(', '.join(t['keywords'][:5]))})" for t in d.new_themes
        ] + [""]
    return out


def _md_complete(d: Digest) -> list[str]:
    """Every move of the week, by move type (the most important types first), then competitor."""
    by_type: dict[str, list[tuple[str, Move]]] = {}
    for name in sorted(d.competitors):
        for move_type, moves in d.competitors[name].items():
            by_type.setdefault(move_type, []).extend((name, m) for m in moves)
    if not by_type:
        return []
    out = ["## All moves this week"]
    for move_type in ordered_types({t: [] for t in by_type}):
        out.append(f"### {MOVE_TITLES.get(move_type, move_type)}")
        out += [_md_move(m, name) for name, m in by_type[move_type]]
    return [*out, ""]


def _md_highlight(h: Highlight) -> str:
    label = MOVE_LABELS.get(h.move_type, h.move_type)
    day = f", {_md(h.day)}" if h.day else ""
    return f"- **{label}** · {_md(h.text, TEXT_LIMIT)} · {_md_link(_release(h), h.url)}{day}"


def _release(h: Highlight) -> str:
    """The link text of a highlight: its release, or 'read' when the release's title is the line."""
    return "read" if h.release.strip() == h.text else h.release


def _md_news(m: Move) -> str:
    summary = f" — {_md(m.summary, textsafe.TEXT_LIMIT)}" if m.summary else ""
    return f"{_md_move(m)}{summary}"


def _md_move(m: Move, owner: str | None = None) -> str:
    also = f" — also reported by {len(m.sources) - 1} more" if len(m.sources) > 1 else ""
    links = " ".join(_md_link(src, url) for src, url in m.sources[:5])
    title = _md_link(m.title, m.url, textsafe.TITLE_LIMIT)
    who = f"{_md(owner)} · " if owner else ""
    return f"- {who}{_md(m.day or 'undated')} · {title}{also} · {links}"


# -- HTML (email-safe) ------------------------------------------------------------------------------
def _a(url: str, text: str, limit: int = NAME_LIMIT) -> str:
    safe = textsafe.http_url(url) or "#"
    return f'<a href="{escape(safe)}" style="color:#1a56db;text-decoration:none;">{_h(text, limit)}</a>'


def _h(text: str, limit: int = NAME_LIMIT) -> str:
    return textsafe.html_text(text, limit)


_H2 = '<h2 style="font-size:18px;margin:24px 0 8px 0;border-bottom:1px solid #e5e7eb;">'
_UL = '<ul style="margin:0;padding-left:18px;">'
_MUTED = "color:#6b7280;"


def render_html(d: Digest, chart: str = "inline") -> str:
    """The emailed digest, short enough that Gmail never clips it (the complete list is in the
    archived Markdown and the web UI). chart='inline' embeds the PNG as a data URI (a standalone
    file); 'cid' refers to an attachment."""
    parts = [
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Competitor moves {escape(d.week)}</title></head>'
        f'<body style="margin:0;padding:24px;background:#f6f7f9;{FONT}color:#1f2937;">'
        f'<table role="presentation" width="100%" style="max-width:760px;margin:0 auto;background:#ffffff;'
        f'border-collapse:collapse;"><tr><td style="padding:24px;">',
        f'<h1 style="font-size:22px;margin:0 0 4px 0;">Competitor moves · {escape(d.week)}</h1>',
        f'<p style="margin:0 0 16px 0;{_MUTED}">{d.start:%b %d} – {d.end:%b %d, %Y} · {d.total:,} items</p>',
    ]
    parts += [f'<p style="{_MUTED}">{_h(note, textsafe.TEXT_LIMIT)}</p>' for note in d.notes]
    if d.empty:
        parts.append(f'<p style="padding:12px;background:#f3f4f6;">{escape(_empty_line(d))}</p>')
    for name in sorted(d.competitors):
        parts += [f"{_H2}{_h(name)}</h2>", _UL, *_html_lines(d, name), "</ul>"]
    if d.quiet:
        parts.append(
            f'<p style="margin:16px 0 0 0;{_MUTED}">Quiet this week: {_h(", ".join(d.quiet), textsafe.TEXT_LIMIT)}.</p>'
        )
    parts += _html_themes(d, chart)
    if d.industry:
        parts += [f"{_H2}Industry news mentioning competitors</h2>", _UL]
        parts += [_li_news(m) for m in d.industry[:20]] + ["</ul>"]
    parts += _html_broken(d)
    parts.append(
        '<p style="margin-top:24px;color:#9ca3af;font-size:12px;">Market Radar weekly digest · the complete'
        " list of the week is in the archived Markdown and in <code>radar serve</code>.</p></td></tr></table></body></html>"
    )
    return "".join(parts)


def _html_lines(d: Digest, name: str) -> list[str]:
    """A competitor's highlight lines and the line counting the rest."""
    shown = d.highlights.get(name)
    if shown is None:  # a digest built by hand: highlights of its moves
        shown = highlights([m for ms in d.competitors[name].values() for m in ms])
    lines = [_li_highlight(h) for h in shown]
    if name in d.rest:
        lines.append(
            f'<li style="margin:4px 0;{_MUTED}">{_h(d.rest[name], textsafe.TEXT_LIMIT)}</li>'
        )
    return lines


def _li_highlight(h: Highlight) -> str:
    label = MOVE_LABELS.get(h.move_type, h.move_type)
    color = "#b91c1c" if h.move_type in ("deprecation", "security") else "#374151"
    day = f" · {_h(h.day)}" if h.day else ""
    return (
        f'<li style="margin:4px 0;"><b style="color:{color};">{escape(label)}</b> · {_h(h.text, TEXT_LIMIT)}'
        f' <span style="{_MUTED}font-size:12px;">{_a(h.url, _release(h))}{day}</span></li>'
    )


def _li_news(m: Move) -> str:
    summary = f'<br><span style="{_MUTED}">{_h(m.summary, 400)}</span>' if m.summary else ""
    also = (
        f' <span style="{_MUTED}">({len(m.sources)} sources)</span>' if len(m.sources) > 1 else ""
    )
    day = f' <span style="{_MUTED}font-size:12px;">{_h(m.day or "undated")}</span>'
    return f'<li style="margin:6px 0;">{_a(m.url, m.title, textsafe.TITLE_LIMIT)}{also}{day}{summary}</li>'


def _html_broken(d: Digest) -> list[str]:
    if not d.broken:
        return []
    rows = [
        f"<li><code>{_h(s['id'])}</code>: {_h(s['last_error'] or s['suspect'] or '', 300)}</li>"
        for s in d.broken[:MAX_BROKEN]
    ]
    more = len(d.broken) - MAX_BROKEN
    rows += [f'<li style="{_MUTED}">… and {more} more</li>'] if more > 0 else []
    return [f"{_H2}Sources that failed or look broken</h2>", _UL, *rows, "</ul>"]


def _html_themes(d: Digest, chart: str) -> list[str]:
    parts: list[str] = []
    png = chart_png(d)
    if d.rising or png:
        parts.append('<h2 style="font-size:18px;margin:24px 0 8px 0;">Rising themes</h2>')
    if png and chart == "inline":
        parts.append(
            f'<img alt="Weekly items per theme" width="640" style="max-width:100%;" '
            f'src="data:image/png;base64,{base64.b64encode(png).decode()}">'
        )
    elif png:
        parts.append(
            '<img alt="Weekly items per theme" width="640" style="max-width:100%;" src="cid:theme-chart">'
        )
    if d.rising:
        parts.append(
            '<ul style="padding-left:18px;">'
            + "".join(
                f"<li><b>{_h(d.theme_labels.get(r.theme, r.theme))}</b>: {r.count} items, about {r.expected:.1f} expected</li>"
                for r in d.rising
            )
            + "</ul>"
        )
    if d.new_themes:
        parts.append(
            '<h2 style="font-size:18px;margin:24px 0 8px 0;">Newly discovered themes</h2><ul style="padding-left:18px;">'
        )
        parts += [
            f"<li><b>{_h(t['label'])}</b> ({_h(', '.join(t['keywords'][:5]))})</li>"
            for t in d.new_themes
        ]
        parts.append("</ul>")
    return parts


# -- sending ----------------------------------------------------------------------------------------
def send_digest(d: Digest, settings: Any, recipients: list[str]) -> None:
    if not recipients:
        raise DeliveryError("no recipients: set digest_to (a comma-separated list of addresses)")
    message = EmailMessage()
    message["Subject"] = f"Competitor moves, week {d.week}"
    message["From"] = settings["smtp_from"]
    message["To"] = ", ".join(recipients)
    message.set_content(render_markdown(d))
    message.add_alternative(render_html(d, chart="cid"), subtype="html")
    png = chart_png(d)
    if png:
        html_part: Any = message.get_payload()[1]  # type: ignore[index]
        html_part.add_related(png, maintype="image", subtype="png", cid="<theme-chart>")
    host, port, mode = settings["smtp_host"], int(settings["smtp_port"]), settings["smtp_tls"]
    try:
        smtp_class = smtplib.SMTP_SSL if mode == "ssl" else smtplib.SMTP
        with smtp_class(host, port, timeout=30) as smtp:
            if mode == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings["smtp_user"]:
                smtp.login(settings["smtp_user"], settings["smtp_password"])
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DeliveryError(f"could not send the digest through {host}:{port}: {reason}") from None
