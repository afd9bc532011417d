"""Configuration found from any folder: themes.yaml and alerts.yaml beside the sources file, then
the package's default themes; every message about a missing file is one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from enrich.theme_specs import load_theme_specs
from radar.core.config import effective_settings, load_config
from radar.core.configfiles import DEFAULT_THEMES
from radar.core.errors import ConfigError
from radar.core.records import Item, item_id
from radar.core.settings import Settings
from radar.services import (
    NoAlertsFile,
    calibrated_themes_file,
    load_alert_rules,
    themes_file_warning,
)
from radar.store import Store
from tests.conftest import run_radar, source_lines, write_config
from tests.mockserver import MockServer

ROOT = Path(__file__).resolve().parents[1]
SOURCES = "industry:\n  - {id: news, url: https://news.example/rss.xml}\n"
ZEBRA = """themes:
  - id: zebra-ops
    name: Zebra operations
    description: Zebra stripes dashboards for herd operations.
    examples: [Zebra stripes dashboard released]
    keywords: [zebra]
"""


def _folder(tmp_path: Path, settings: str = "", **files: str) -> Path:
    """A folder holding sources.yaml (and any other files named), away from the working one."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "sources.yaml").write_text(settings + SOURCES, encoding="utf-8")
    for name, text in files.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from a folder that holds nothing (not the repo root, not the sources folder)."""
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    for name in ("RADAR_THEMES_FILE", "RADAR_ALERTS_FILE", "RADAR_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return cwd


def test_themes_and_alerts_beside_the_sources_file_are_used_from_any_folder(
    tmp_path: Path, elsewhere: Path
) -> None:
    folder = _folder(tmp_path, themes=ZEBRA, alerts="rules: []\n")
    settings = effective_settings(load_config(folder / "sources.yaml"))
    assert settings["themes_file"] == str(folder / "themes.yaml")
    assert settings["alerts_file"] == str(folder / "alerts.yaml")


def test_without_files_beside_it_the_package_themes_and_no_alerts(
    tmp_path: Path, elsewhere: Path
) -> None:
    settings = effective_settings(load_config(_folder(tmp_path) / "sources.yaml"))
    assert settings["themes_file"] == str(DEFAULT_THEMES)
    assert settings["alerts_file"] == ""
    assert effective_settings(None)["themes_file"] == str(DEFAULT_THEMES)
    with pytest.raises(NoAlertsFile, match="no alerts file: write alerts.yaml beside") as info:
        load_alert_rules(settings)
    assert not info.value.named


def test_the_package_default_themes_are_the_repository_ones() -> None:
    assert DEFAULT_THEMES.read_text(encoding="utf-8") == (
        ROOT / "config" / "themes.yaml"
    ).read_text(encoding="utf-8")


def test_a_relative_path_in_the_sources_file_is_relative_to_that_file(
    tmp_path: Path, elsewhere: Path
) -> None:
    folder = _folder(tmp_path, "settings:\n  themes_file: mine/zebra.yaml\n")
    (folder / "mine").mkdir()
    (folder / "mine" / "zebra.yaml").write_text(ZEBRA, encoding="utf-8")
    settings = effective_settings(load_config(folder / "sources.yaml"))
    assert settings["themes_file"] == str(folder / "mine" / "zebra.yaml")


def test_the_environment_still_names_a_themes_file_over_the_one_beside(
    tmp_path: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path, themes=ZEBRA)
    monkeypatch.setenv("RADAR_THEMES_FILE", str(DEFAULT_THEMES))
    assert effective_settings(load_config(folder / "sources.yaml"))["themes_file"] == str(
        DEFAULT_THEMES
    )


def test_a_themes_file_named_but_missing_is_one_line_naming_the_setting(
    tmp_path: Path, elsewhere: Path
) -> None:
    folder = _folder(tmp_path, "settings:\n  themes_file: gone.yaml\n", themes=ZEBRA)
    with pytest.raises(ConfigError) as info:
        load_config(folder / "sources.yaml")
    assert str(info.value).startswith(f"{folder / 'sources.yaml'} line 2: setting 'themes_file'")
    assert "must name an existing file" in str(info.value) and "\n" not in str(info.value)


def test_an_alerts_file_named_but_missing_is_named(tmp_path: Path, elsewhere: Path) -> None:
    folder = _folder(tmp_path, "settings:\n  alerts_file: gone.yaml\n")
    settings = effective_settings(load_config(folder / "sources.yaml"))
    with pytest.raises(NoAlertsFile) as info:
        load_alert_rules(settings)
    assert str(info.value) == f"{folder / 'gone.yaml'}: alerts file not found (setting alerts_file)"
    assert info.value.named


def test_no_themes_file_at_all_is_a_one_line_warning(tmp_path: Path) -> None:
    assert "items get no configured themes" in (themes_file_warning(Settings({}, env={})) or "")
    path = tmp_path / "themes.yaml"
    path.write_text(ZEBRA, encoding="utf-8")
    settings = Settings({"themes_file": str(path)}, env={})
    assert themes_file_warning(settings) is None
    path.unlink()
    assert themes_file_warning(settings) == (
        f"{path}: themes file not found (setting themes_file): items get no configured themes"
    )


# -- through the CLI, run from the folder that holds the sources file ----------------------------
def _radar_in(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RADAR_")}
    env.update(PYTHONPATH=str(ROOT), RADAR_EMBEDDING_MODEL="hash", RADAR_HOME=str(cwd / "data"))
    return subprocess.run(
        [sys.executable, "-m", "radar", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def _store_items(folder: Path, titles: list[str]) -> None:
    store = Store(folder / "data" / "radar.db")
    for n, title in enumerate(titles):
        store.upsert_item(
            Item(
                id=item_id("news", "https://news.example/", str(n)),
                source_id="news",
                kind="news",
                title=title,
                body=title,
                url=f"https://news.example/{n}",
                published=date.today().isoformat(),
            )  # fmt: skip
        )
    store.close()


def _themes_of(folder: Path) -> tuple[set[str], set[str]]:
    """(configured theme ids the store knows, theme ids items carry)."""
    store = Store(folder / "data" / "radar.db")
    try:
        known = set(store.theme_labels())
        used = {t["id"] for item in store.items() for t in item.themes}
        return known, used
    finally:
        store.close()


TITLES = ["Zebra stripes dashboard released", "Single sign-on with SAML", "Quarterly results"]


@pytest.mark.slow
def test_radar_enrich_in_the_sources_folder_uses_the_themes_beside_it(tmp_path: Path) -> None:
    folder = _folder(tmp_path, themes=ZEBRA)
    _store_items(folder, TITLES)
    result = _radar_in(folder, "enrich", "--config", "sources.yaml", "--json")
    assert result.returncode == 0, result.stderr[-2000:]
    known, used = _themes_of(folder)
    assert "zebra-ops" in known and "zebra-ops" in used
    assert json.loads(result.stdout)["configured_tagged"] >= 1


@pytest.mark.slow
def test_radar_enrich_in_the_sources_folder_falls_back_to_the_default_themes(
    tmp_path: Path,
) -> None:
    folder = _folder(tmp_path)
    _store_items(folder, TITLES)
    result = _radar_in(folder, "enrich", "--config", "sources.yaml")
    assert result.returncode == 0, result.stderr[-2000:]
    known, _ = _themes_of(folder)
    assert {spec.id for spec in load_theme_specs(DEFAULT_THEMES)} <= known
    assert "no themes file" not in result.stdout + result.stderr
    # the first fit names why there are no discovered themes (the window holds 3 items)
    assert "too few items" in result.stdout and "(3 < 50)" in result.stdout


def test_a_missing_themes_file_stops_radar_enrich_with_one_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path, "settings:\n  themes_file: gone.yaml\n")
    _store_items(folder, TITLES)
    result = _radar_in(folder, "enrich", "--config", "sources.yaml")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: sources.yaml line 2: setting 'themes_file' must name an existing file,"
        " got 'gone.yaml'"
    )


@pytest.mark.slow
def test_radar_daily_warns_in_one_line_when_the_named_alerts_file_is_missing(
    server: MockServer, tmp_path: Path
) -> None:
    config = write_config(
        tmp_path / "sources.yaml", source_lines(server.url, {"feed": ("feed", "/ok/feed.xml")})
    )
    gone = tmp_path / "gone.yaml"
    env = {"RADAR_EMBEDDING_MODEL": "hash", "RADAR_HOME": str(tmp_path / "data"),
           "RADAR_ALERTS_FILE": str(gone)}  # fmt: skip
    result = run_radar("daily", "--config", str(config), "--json", env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    warning = f"{gone}: alerts file not found (setting alerts_file)"
    said = [line for line in result.stderr.splitlines() if "alerts file" in line]
    assert said == [f"WARNING radar.daily: alerts: {warning}"]
    stages = {s["name"]: s for s in result.data["stages"]}
    assert stages["alerts"]["counts"] == {"skipped": warning}


def test_calibrating_never_writes_into_the_package(tmp_path: Path, elsewhere: Path) -> None:
    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text('{"title": "SSO", "body": "", "themes": ["security"]}\n', encoding="utf-8")
    folder = _folder(tmp_path)
    result = run_radar(
        "themes", "--config", str(folder / "sources.yaml"), "calibrate", str(labelled)
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: no themes file of your own to calibrate (the default themes are part of the"
        " package): run `radar init` to write themes.yaml beside the sources file"
    )
    assert calibrated_themes_file(effective_settings(None, None).with_overrides(
        themes_file=str(labelled))) == labelled  # fmt: skip
