"""Pure functions from store rows and search records to the models of `radar.web.models`."""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from radar.digest import MOVE_TITLES, MOVE_WEIGHT
from radar.web import models as m
from search import FILTER_FIELDS, Hit

DIGEST_NAME = re.compile(r"^(\d{4}-W\d{2})\.(html|md)$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
STATE_ORDER = ("failing", "suspect", "never", "ok")  # sources needing attention first
LONG_LINE = 160  # lines longer than this are diffed sentence by sentence


def value_label(field: str, value: str, theme_labels: dict[str, str]) -> str:
    if field == "theme":
        return theme_labels.get(value, value)
    if field == "move_type":
        return MOVE_TITLES.get(value, value)
    return value


def hit(h: Hit, labels: dict[str, str]) -> m.Hit:
    data = dict(h.__dict__)
    data["themes"] = [m.Label(id=t, label=labels.get(t, t)) for t in h.themes]
    return m.Hit(**data)


def facet_values(
    field: str, counts: dict[str, int], selected: list[str], labels: dict[str, str]
) -> list[m.FacetValue]:
    values = [
        m.FacetValue(value=v, label=value_label(field, v, labels), count=n, selected=v in selected)
        for v, n in counts.items()
    ]
    values += [  # a selected value without matches stays visible, so it can be removed
        m.FacetValue(value=v, label=value_label(field, v, labels), count=0, selected=True)
        for v in selected
        if v not in counts
    ]
    return values


def facets(
    found: dict[str, dict[str, int]], p: m.SearchParams, labels: dict[str, str]
) -> dict[str, list[m.FacetValue]]:
    return {
        f: facet_values(f, found.get(f, {}), getattr(p, f), labels)
        for f in FILTER_FIELDS
        if f in found
    }


def rising_theme(t: Any, labels: dict[str, str]) -> m.RisingTheme:
    ratio = None if math.isinf(t.ratio) else round(t.ratio, 2)
    return m.RisingTheme(
        theme=t.theme,
        label=labels.get(t.theme, t.theme),
        count=t.count,
        background=t.background,
        expected=round(t.expected, 2),
        score=round(t.score, 2),
        ratio=ratio,
    )


def item_ref(item: Any) -> m.ItemRef:
    return m.ItemRef(
        id=item.id, title=item.title, url=item.url, source=item.source_id,
        competitor=item.competitor, published=item.published or item.first_seen,
        kind=item.kind, move_type=item.move_type,
    )  # fmt: skip


def hit_ref(h: Hit) -> m.ItemRef:
    return m.ItemRef(
        id=h.id, title=h.title, url=h.url, source=h.source, competitor=h.competitor,
        published=h.published, kind=h.kind, move_type=h.move_type,
    )  # fmt: skip


def week_of(day: str | None) -> str:
    try:
        d = date.fromisoformat((day or "")[:10])
    except ValueError:
        return "undated"
    return (d - timedelta(days=d.weekday())).isoformat()


def move_lines(h: Hit, changes: list[Any]) -> list[tuple[str, m.ItemRef]]:
    """(move type, line) for a hit: one per change that is not noise, or the release itself."""
    ref = hit_ref(h)
    lines = [
        (c.move_type, ref.model_copy(update={"change": c.text, "move_type": c.move_type}))
        for c in sorted(changes, key=lambda c: -c.importance)
        if c.move_type and not c.noise
    ]
    return lines or [(h.move_type or "other", ref)]


def weeks_of_moves(
    hits: list[Hit], changes: dict[str, list[Any]] | None = None
) -> list[m.WeekMoves]:
    """Hits (newest first) grouped by week, then by move type (most important type first); a
    release with typed changes gives one line per change, under the change's own type."""
    weeks: dict[str, dict[str, list[m.ItemRef]]] = {}
    for h in hits:
        by_type = weeks.setdefault(week_of(h.published), {})
        for move_type, ref in move_lines(h, (changes or {}).get(h.id, [])):
            by_type.setdefault(move_type, []).append(ref)
    out = []
    for week, by_type in weeks.items():
        kinds = sorted(by_type, key=lambda t: (-MOVE_WEIGHT.get(t, 0), t))
        groups = [
            m.MoveGroup(move_type=t, label=MOVE_TITLES.get(t, t), items=by_type[t]) for t in kinds
        ]
        out.append(m.WeekMoves(week=week, total=sum(len(g.items) for g in groups), groups=groups))
    return out


def _lines(title: str, body: str) -> list[str]:
    lines = [title, ""]
    for line in body.splitlines():
        lines += _SENTENCE.split(line) if len(line) > LONG_LINE else [line]
    return lines


def diff(old_title: str, old_body: str, new_title: str, new_body: str) -> list[m.DiffLine]:
    """A readable unified diff (difflib) of two versions, long lines split into sentences."""
    out = []
    lines = difflib.unified_diff(
        _lines(old_title, old_body), _lines(new_title, new_body), n=2, lineterm=""
    )
    for line in list(lines)[2:]:  # the ---/+++ file headers say nothing here
        op = "@" if line.startswith("@@") else line[:1]
        out.append(m.DiffLine(op=op, text=line if op == "@" else line[1:]))
    return out


def item_detail(
    item: Any, labels: dict[str, str], others: list[m.ItemRef], revisions: list[dict[str, Any]]
) -> m.ItemDetail:
    versions = [(r["title"], r["body"]) for r in revisions] + [(item.title, item.body)]
    revs = [
        m.Revision(
            replaced_at=r["replaced_at"],
            title=r["title"],
            body=r["body"],
            diff=diff(*versions[i], *versions[i + 1]),
        )  # fmt: skip
        for i, r in enumerate(revisions)
    ]
    themes = [
        m.ThemeRef(id=str(t.get("id")), label=labels.get(str(t.get("id")), str(t.get("id"))),
                   score=t.get("score"))
        if isinstance(t, dict) else m.ThemeRef(id=str(t), label=labels.get(str(t), str(t)))
        for t in item.themes
    ]  # fmt: skip
    return m.ItemDetail(
        id=item.id, source=item.source_id, competitor=item.competitor, kind=item.kind,
        title=item.title, body=item.body, url=item.url, version=item.version,
        published=item.published, first_seen=item.first_seen, last_seen=item.last_seen,
        language=item.language, status=item.status, removed_at=item.removed_at, themes=themes,
        move_type=item.move_type, mentions=item.mentions, event_id=item.event_id,
        other_sources=others, revisions=revs,
        changes=[m.ChangeRef(**asdict(c)) for c in item.changes],
    )  # fmt: skip


def source(row: dict[str, Any]) -> m.Source:
    if row.get("consecutive_failures"):
        state = "failing"
    elif row.get("suspect"):
        state = "suspect"
    elif not row.get("last_success"):
        state = "never"
    else:
        state = "ok"
    fields = set(m.Source.model_fields) - {"state"}
    return m.Source(state=state, **{k: v for k, v in row.items() if k in fields})


def digest_archive(folder: Path) -> list[m.DigestInfo]:
    """Archived digests, newest week first; only files named like 2026-W48.html / .md."""
    weeks: dict[str, m.DigestInfo] = {}
    paths = sorted(folder.iterdir()) if folder.is_dir() else []
    for path in paths:
        match = DIGEST_NAME.match(path.name)
        if not match or not path.is_file():
            continue
        stat = path.stat()
        modified = datetime.fromtimestamp(stat.st_mtime, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        info = weeks.setdefault(
            match[1], m.DigestInfo(week=match[1], formats=[], modified=modified, size=0)
        )
        info.formats.append(match[2])
        info.modified = max(info.modified, modified)
        if match[2] == "html":
            info.size = stat.st_size
    return sorted(weeks.values(), key=lambda d: d.week, reverse=True)
