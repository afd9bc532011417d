"""Terminal output for crawls and status (rich)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from radar.core.records import SourceResult

console = Console()
err_console = Console(stderr=True)


class _Progress:
    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.task: Any = None

    def start(self, total: int) -> None:
        if self.progress is not None:
            self.task = self.progress.add_task("crawling", total=total)

    def advance(self, result: SourceResult) -> None:
        if self.progress is not None and self.task is not None:
            mark = "ok" if result.ok else "failed"
            self.progress.update(self.task, advance=1, description=f"{result.source_id}: {mark}")


@contextmanager
def crawl_progress(enabled: bool) -> Iterator[_Progress]:
    if not enabled:
        yield _Progress(None)
        return
    columns = (
        TextColumn("{task.description:<32}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console, transient=True) as progress:
        yield _Progress(progress)


def print_crawl_summary(summary: Any, log_file: Path) -> None:
    table = Table(title=f"crawl run {summary.run_id}", show_lines=False)
    for col in ("source", "result", "new", "changed", "removed", "entries", "note"):
        table.add_column(col)
    for sid, s in sorted(summary.sources.items()):
        result = (
            "304 not modified" if s.get("not_modified") else ("ok" if s.get("ok") else "FAILED")
        )
        note = (
            s.get("error")
            or s.get("suspect")
            or "; ".join((s.get("warnings") or [])[:1] + (s.get("skipped") or [])[:1])
        )
        table.add_row(
            sid,
            result,
            str(s.get("new", 0)),
            str(s.get("changed", 0)),
            str(s.get("removed", 0)),
            str(s.get("entries", "")),
            note or "",
        )
    console.print(table)
    c = summary.counts
    console.print(
        f"{c['sources']} sources, {c['failed']} failed, {c['not_modified']} not modified; "
        f"items: {c['new']} new, {c['changed']} changed, {c['removed']} removed, {c['skipped']} skipped"
    )
    console.print(f"store: {summary.data_dir / 'radar.db'}   run log: {log_file}")


def print_status(
    health: list[dict[str, Any]], last_run: dict[str, Any] | None, db: Path | str
) -> None:
    table = Table(title=f"sources in {db}")
    for col in (
        "source",
        "type",
        "last success",
        "failures in a row",
        "items last time",
        "problem",
    ):
        table.add_column(col)
    for h in health:
        problem = h["last_error"] if h["consecutive_failures"] else (h["suspect"] or "")
        table.add_row(
            h["id"],
            h["type"],
            h["last_success"] or "never",
            str(h["consecutive_failures"]),
            "" if h["items_last"] is None else str(h["items_last"]),
            problem,
        )
    console.print(table)
    if last_run:
        console.print(
            f"last run {last_run['id']} ({last_run['command']}): {last_run['status']}, "
            f"started {last_run['started']}, finished {last_run['finished'] or '-'}"
        )


@contextmanager
def progress_bar(label: str, enabled: bool) -> Iterator[Any]:
    """A callback (done, total) driving a rich progress bar, or a no-op when not on a terminal."""
    if not enabled:
        yield lambda done, total: None
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield advance


def print_themes(rows: list[dict[str, Any]]) -> None:
    table = Table(title="themes")
    for col in ("id", "kind", "label", "size", "this week", "avg/week before", "examples"):
        table.add_column(col)
    for r in rows:
        trend = f"{r['this_week']}" + (
            " ▲" if r["this_week"] > r["weekly_avg_before"] * 1.5 and r["this_week"] >= 2 else ""
        )
        table.add_row(
            r["id"],
            r["kind"],
            r["label"],
            str(r["size"]),
            trend,
            f"{r['weekly_avg_before']:.1f}",
            " | ".join(t[:40] for t in r["representatives"]),
        )
    console.print(table)
