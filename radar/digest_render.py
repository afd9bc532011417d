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

NAME_LIMIT = 100  # competitor, source, theme label and keyword
FONT = "font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;"
MAX_PER_TYPE = 15  # moves shown per competitor and move type; the rest are counted


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
    out = [f"# Competitor moves, week {d.week} ({d.start:%b %d} – {d.end:%b %d, %Y})", ""]
    if d.empty:
        out += [
            f"No items were recorded in week {d.week}: nothing was crawled, or nothing was published.",
            "",
        ]
    for name in sorted(d.competitors):
        out += [f"## {_md(name)}", ""]
        for move_type in ordered_types(d.competitors[name]):
            moves = d.competitors[name][move_type]
            out += [f"### {MOVE_TITLES.get(move_type, move_type)}", ""]
            out += [_md_move(m) for m in moves[:MAX_PER_TYPE]]
            if len(moves) > MAX_PER_TYPE:
                out.append(f"- … and {len(moves) - MAX_PER_TYPE} more")
            out.append("")
    if d.rising:
        out += ["## Rising themes", ""]
        out += [
            f"- **{_md(d.theme_labels.get(r.theme, r.theme))}**: {r.count} items (about {r.expected:.1f} expected)"
            for r in d.rising
        ] + [""]
    if d.new_themes:
        out += ["## Newly discovered themes", ""]
        out += [
            f"- **{_md(t['label'])}** ({_md(', '.join(t['keywords'][:5]))})" for t in d.new_themes
        ] + [""]
    if d.industry:
        out += ["## Industry news mentioning competitors", ""]
        out += [_md_move(m) for m in d.industry[:30]] + [""]
    if d.broken:
        out += ["## Sources that failed or look broken", ""]
        out += [
            f"- `{_md(s['id'])}`: {_md(s['last_error'] or s['suspect'] or '', textsafe.TEXT_LIMIT)}"
            for s in d.broken
        ] + [""]
    return "\n".join(out)


def _md_move(m: Move) -> str:
    also = f" — also reported by {len(m.sources) - 1} more" if len(m.sources) > 1 else ""
    links = " ".join(_md_link(src, url) for src, url in m.sources[:5])
    title = _md_link(m.title, m.url, textsafe.TITLE_LIMIT)
    return f"- {_md(m.day or 'undated')} · {title}{also} · {links}"


# -- HTML (email-safe) ------------------------------------------------------------------------------
def _a(url: str, text: str, limit: int = NAME_LIMIT) -> str:
    safe = textsafe.http_url(url) or "#"
    return f'<a href="{escape(safe)}" style="color:#1a56db;text-decoration:none;">{_h(text, limit)}</a>'


def _h(text: str, limit: int = NAME_LIMIT) -> str:
    return textsafe.html_text(text, limit)


def render_html(d: Digest, chart: str = "inline") -> str:
    """chart='inline' embeds the PNG as a data URI (a standalone file); 'cid' refers to an attachment."""
    parts = [
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Competitor moves {escape(d.week)}</title></head>'
        f'<body style="margin:0;padding:24px;background:#f6f7f9;{FONT}color:#1f2937;">'
        f'<table role="presentation" width="100%" style="max-width:760px;margin:0 auto;background:#ffffff;'
        f'border-collapse:collapse;"><tr><td style="padding:24px;">',
        f'<h1 style="font-size:22px;margin:0 0 4px 0;">Competitor moves · {escape(d.week)}</h1>',
        f'<p style="margin:0 0 16px 0;color:#6b7280;">{d.start:%b %d} – {d.end:%b %d, %Y} · {d.total} items</p>',
    ]
    if d.empty:
        parts.append(
            f'<p style="padding:12px;background:#f3f4f6;">No items were recorded in week {escape(d.week)}: '
            "nothing was crawled, or nothing was published.</p>"
        )
    for name in sorted(d.competitors):
        parts.append(
            f'<h2 style="font-size:18px;margin:24px 0 8px 0;border-bottom:1px solid #e5e7eb;">{_h(name)}</h2>'
        )
        for move_type in ordered_types(d.competitors[name]):
            moves = d.competitors[name][move_type]
            parts.append(
                f'<h3 style="font-size:14px;margin:12px 0 4px 0;color:#374151;">{escape(MOVE_TITLES.get(move_type, move_type))}</h3>'
            )
            parts.append(
                '<ul style="margin:0;padding-left:18px;">'
                + "".join(_li(m, d) for m in moves[:MAX_PER_TYPE])
            )
            if len(moves) > MAX_PER_TYPE:
                parts.append(
                    f'<li style="color:#6b7280;">… and {len(moves) - MAX_PER_TYPE} more</li>'
                )
            parts.append("</ul>")
    parts += _html_themes(d, chart)
    if d.industry:
        parts.append(
            '<h2 style="font-size:18px;margin:24px 0 8px 0;">Industry news mentioning competitors</h2><ul style="padding-left:18px;">'
        )
        parts += [_li(m, d) for m in d.industry[:30]] + ["</ul>"]
    if d.broken:
        parts.append(
            '<h2 style="font-size:18px;margin:24px 0 8px 0;">Sources that failed or look broken</h2><ul style="padding-left:18px;">'
        )
        parts += [
            f"<li><code>{_h(s['id'])}</code>: {_h(s['last_error'] or s['suspect'] or '', textsafe.TEXT_LIMIT)}</li>"
            for s in d.broken
        ]
        parts.append("</ul>")
    parts.append(
        '<p style="margin-top:24px;color:#9ca3af;font-size:12px;">Market Radar weekly digest.</p></td></tr></table></body></html>'
    )
    return "".join(parts)


def _li(m: Move, d: Digest) -> str:
    themes = ", ".join(d.theme_labels.get(t, t) for t in m.themes[:3])
    extra = "".join(f" · {_a(url, src)}" for src, url in m.sources[1:5])
    also = (
        f' <span style="color:#6b7280;">({len(m.sources)} sources)</span>'
        if len(m.sources) > 1
        else ""
    )
    meta = f'<span style="color:#6b7280;font-size:12px;"> {_h(m.day or "undated")}{" · " + _h(themes) if themes else ""}</span>'
    return f'<li style="margin:4px 0;">{_a(m.url, m.title, textsafe.TITLE_LIMIT)}{also}{meta}{extra}</li>'


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
