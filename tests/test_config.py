"""Config validation: every error is one line naming the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from radar.core.config import load_config
from radar.core.errors import ConfigError
from radar.core.settings import Settings
from tests.conftest import run_radar

GOOD = """settings:
  download_timeout: 12
competitors:
  - name: Acme Analytics
    aliases: [Acme]
    homepage: https://acme.example/
    sources:
      - {id: acme-changelog, type: changelog, url: "${BASE:-https://acme.example}/changelog", selectors: {heading: h2}}
      - {id: acme-blog, type: feed, url: https://acme.example/rss.xml, full_text: true}
      - {id: acme-cli, type: github_releases, repo: acme/acme-cli}
      - {id: acme-pricing, type: page, url: https://acme.example/pricing, selector: main, schedule: daily}
industry:
  - {id: news, url: https://news.example/rss.xml}
"""


def _load(tmp_path: Path, text: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return load_config(path, env=env or {})


def test_a_valid_config_loads_with_defaults_and_env_expansion(tmp_path: Path) -> None:
    config = _load(tmp_path, GOOD, env={"BASE": "http://127.0.0.1:8000"})
    assert [s.id for s in config.sources] == [
        "acme-changelog",
        "acme-blog",
        "acme-cli",
        "acme-pricing",
        "news",
    ]
    changelog = config.source("acme-changelog")
    assert changelog.url == "http://127.0.0.1:8000/changelog"
    assert changelog.selectors == {"heading": "h2"}
    assert changelog.competitor == "acme-analytics"
    assert config.source("news").type == "feed" and config.source("news").is_industry
    assert config.source("acme-blog").full_text is True
    assert config.source("acme-cli").repo == "acme/acme-cli"
    assert config.competitors[0].aliases == ("Acme",)
    assert Settings(config.settings, env={})["download_timeout"] == 12
    assert _load(tmp_path, GOOD).source("acme-changelog").url == "https://acme.example/changelog"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "competitors:\n  - name: A\n    sources:\n      - {id: a, type: feed}\n",
            "line 4: `url` is missing for source 'a'",
        ),
        (
            "competitors:\n  - name: A\n    sources:\n      - id: a\n        type: rss\n        url: http://x.test/\n",
            "line 5: `type` of source 'a' is 'rss'; expected one of changelog, feed, github_releases, page",
        ),
        (
            "competitors:\n  - name: A\n    sources:\n      - id: a\n        type: feed\n        url: http://x.test/\n        colour: red\n",
            "line 7: unknown key `colour` in a source",
        ),
        (
            "industry:\n  - {id: a, url: http://x.test/1}\n  - {id: a, url: http://x.test/2}\n",
            "line 3: duplicate source id 'a' (first defined on line 2)",
        ),
        ("competitors: [\n  - name: A\n", "invalid YAML"),
        (
            "industry:\n  - {id: a, url: ftp://x.test/}\n",
            "line 2: `url` of source 'a' must be an http(s) URL",
        ),
        (
            'industry:\n  - {id: a, url: "${MISSING}/x"}\n',
            "uses ${MISSING} but that environment variable is not set",
        ),
        (
            "settings:\n  download_timeout: soon\n",
            "line 2: setting 'download_timeout' must be a int",
        ),
        (
            "settings:\n  no_such_setting: 1\n",
            "line 2: unknown key `no_such_setting` in `settings`",
        ),
        ("competitors:\n  - aliases: [x]\n", "line 2: `name` is missing for a competitor"),
        (
            "industry:\n  - {id: a, url: http://x.test/, full_text: maybe}\n",
            "`full_text` of source 'a' must be true or false",
        ),
        ("", "the file is empty"),
    ],
)
def test_invalid_config_fails_with_one_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, text)
    assert message in str(info.value)
    assert str(info.value).startswith(str(tmp_path / "sources.yaml"))
    assert "\n" not in str(info.value)


def test_radar_init_writes_a_config_that_loads(tmp_path: Path) -> None:
    target = tmp_path / "config" / "sources.yaml"
    result = run_radar("init", "--path", str(target))
    assert result.returncode == 0, result.stderr
    config = load_config(target, env={})
    assert {s.type for s in config.sources} == {"changelog", "feed", "github_releases", "page"}
    again = run_radar("init", "--path", str(target))
    assert again.returncode == 1 and "already exists" in again.stderr


def test_radar_init_writes_sources_themes_and_alerts_together(tmp_path: Path) -> None:
    from enrich.theme_specs import load_theme_specs
    from radar.alerts_config import load_alerts
    from radar.core.config import effective_settings
    from radar.core.configfiles import DEFAULT_THEMES

    target = tmp_path / "watch" / "sources.yaml"
    result = run_radar("init", "--path", str(target))
    assert result.returncode == 0, result.stderr
    themes, alerts = target.with_name("themes.yaml"), target.with_name("alerts.yaml")
    assert sorted(p.name for p in target.parent.iterdir()) == [
        "alerts.yaml",
        "sources.yaml",
        "themes.yaml",
    ]
    assert [s.id for s in load_theme_specs(themes)] == [
        s.id for s in load_theme_specs(DEFAULT_THEMES)
    ]
    assert load_alerts(alerts, env={}).rules == []  # commented examples only: nothing is sent
    assert alerts.read_text(encoding="utf-8").count("# ") >= 5
    settings = effective_settings(load_config(target, env={}))
    assert (settings["themes_file"], settings["alerts_file"]) == (str(themes), str(alerts))


def test_radar_init_overwrites_nothing_without_force(tmp_path: Path) -> None:
    target = tmp_path / "sources.yaml"
    mine = tmp_path / "alerts.yaml"
    mine.write_text("rules: []\n", encoding="utf-8")
    refused = run_radar("init", "--path", str(target))
    assert refused.returncode == 1
    assert refused.stderr.strip() == f"error: already exists: {mine} (use --force to overwrite)"
    assert not target.exists() and mine.read_text(encoding="utf-8") == "rules: []\n"
    forced = run_radar("init", "--path", str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    assert target.exists() and "channels:" in mine.read_text(encoding="utf-8")


def test_settings_come_from_env_over_the_file() -> None:
    settings = Settings(
        {"download_timeout": 12}, env={"RADAR_DOWNLOAD_TIMEOUT": "7", "RADAR_HOME": "/srv/radar"}
    )
    assert settings["download_timeout"] == 7
    assert str(settings.data_dir) == "/srv/radar"
    with pytest.raises(ConfigError, match="allow_private_networks"):
        Settings(env={"RADAR_ALLOW_PRIVATE_NETWORKS": "perhaps"})
