"""The CLI as a user meets it: extract, status, settings, and the README documenting all of it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from radar.cli import main
from radar.core.settings import SETTINGS
from tests.conftest import ROOT, crawl, run_radar, source_lines, write_config
from tests.mockserver import MockServer

DATA = ROOT / "tests" / "data"


def test_extract_changelog_json_has_exactly_the_documented_keys() -> None:
    path = next((DATA / "changelog").glob("*.md"))
    result = run_radar("extract", "changelog", str(path), "--json")
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)
    keys = ["title", "version", "date", "body", "url", "changes"]
    assert entries and all(list(e) == keys for e in entries)
    change_keys = ["text", "section", "move_type", "importance"]
    assert all(list(c) == change_keys for e in entries for c in e["changes"])
    assert any(e["changes"] for e in entries)


def test_extract_feed_from_a_url_goes_through_scrapy(server: MockServer) -> None:
    result = run_radar(
        "extract",
        "feed",
        f"{server.url}/ok/feed.xml",
        "--json",
        env={"RADAR_ALLOW_PRIVATE_NETWORKS": "true"},
    )
    assert result.returncode == 0, result.stderr
    feed = json.loads(result.stdout)
    assert len(feed["entries"]) == 3
    assert all(list(e) == ["id", "title", "url", "published", "summary"] for e in feed["entries"])
    refused = run_radar(
        "extract",
        "feed",
        f"{server.url}/ok/feed.xml",
        env={"RADAR_ALLOW_PRIVATE_NETWORKS": "false"},
    )
    assert refused.returncode == 1 and "non-public address" in refused.stderr


def test_extract_reports_a_missing_file_in_one_line() -> None:
    result = run_radar("extract", "article", "/no/such/page.html")
    assert result.returncode == 1
    assert (
        result.stderr.strip()
        == "error: /no/such/page.html: no such file (give a path or an http(s) URL)"
    )


def test_status_shows_failures_and_last_error(server: MockServer, tmp_path: Path) -> None:
    cfg = write_config(
        tmp_path / "s.yaml",
        source_lines(server.url, {"ok": ("feed", "/ok/feed.xml"), "bad": ("feed", "/status/404")}),
    )
    crawl(cfg, tmp_path / "data")
    result = run_radar("status", "--data-dir", str(tmp_path / "data"), "--json")
    health = {s["id"]: s for s in json.loads(result.stdout)["sources"]}
    assert (
        health["bad"]["last_error"] == "HTTP 404 Not Found"
        and health["bad"]["consecutive_failures"] == 1
    )
    assert health["ok"]["items_last"] == 3 and health["ok"]["consecutive_failures"] == 0
    table = run_radar("status", "--data-dir", str(tmp_path / "data"), env={"COLUMNS": "200"})
    assert "HTTP 404 Not Found" in table.stdout
    missing = run_radar("status", "--data-dir", str(tmp_path / "nothing"))
    assert missing.returncode == 1 and "run `radar crawl` first" in missing.stderr


def _commands(group: click.Group, prefix: str = "") -> list[str]:
    names = []
    for name, command in group.commands.items():
        names.append(f"{prefix}{name}")
        if isinstance(command, click.Group):
            names += _commands(command, f"{prefix}{name} ")
    return names


def test_every_command_has_help_with_an_example() -> None:
    for name in _commands(main):
        command: click.Command = main
        for part in name.split():
            command = command.commands[part]  # type: ignore[attr-defined]
        assert command.help, name
        if not isinstance(command, click.Group):
            assert "Example: radar " in command.help, f"`radar {name}` has no example in its help"


def test_readme_documents_every_setting_command_and_export_field() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert re.search(rf"`{setting.name}`", readme), (
            f"setting {setting.name} is not in the README"
        )
    for name in _commands(main):
        assert f"radar {name}" in readme, f"`radar {name}` is not in the README"
    from radar.core.records import EXPORT_FIELDS

    for field in EXPORT_FIELDS:
        assert f"`{field}`" in readme, f"export field {field} is not in the README"


def test_the_readme_settings_table_is_the_generated_one() -> None:
    from radar.core.settings import markdown_table

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = (
        readme.split("<!-- settings:start", 1)[1]
        .split("-->", 1)[1]
        .split("<!-- settings:end -->", 1)[0]
    )
    assert block.strip() == markdown_table()


def test_lazy_command_table_matches_every_modules_commands() -> None:
    """The name -> module table that defers imports lists exactly what each module defines."""
    import importlib
    import pkgutil

    import radar.cli
    from radar.cli import COMMAND_MODULES

    found: dict[str, str] = {}
    for info in pkgutil.iter_modules(radar.cli.__path__, "radar.cli."):
        for command in getattr(importlib.import_module(info.name), "COMMANDS", ()):
            found[command.name] = info.name
    assert found == dict(COMMAND_MODULES)
    assert all(main.get_command(click.Context(main), name) is not None for name in found)


def test_a_command_loads_only_its_own_module() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from radar.cli import main\n"
        "try: main(['add', '--help'])\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('radar.cli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    loaded = out.stdout.strip().splitlines()[-1]
    assert "radar.cli.add" in loaded and "radar.cli.web" not in loaded, loaded
