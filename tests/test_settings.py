"""Every setting and every alert rule field has a type and a range, checked where it is read:
the sources file (with its line), the environment, and the alerts file; one line, exit code 1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from radar.alerts_config import load_alerts
from radar.cli import main
from radar.core.config import load_config
from radar.core.errors import ConfigError
from radar.core.settings import SETTINGS, Settings
from tests.conftest import run_radar

BAD_VALUES = [
    ("concurrent_requests_per_domain", "0", "must be an integer from 1 to 100"),
    ("log_level", "LOUD", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("user_agent", "'{nope}'", "may use only {contact_url}"),
    ("download_timeout", "-5", "must be an integer from 1 to 3600"),
    ("download_delay", "-1", "must be a number from 0 to 3600"),
    ("event_similarity", "5", "must be a number from 0 to 1"),
    ("serve_port", "99999", "must be an integer from 0 to 65535"),
    ("smtp_tls", "bogus", "must be one of none, starttls, ssl"),
    ("themes_file", "no/such/themes.yaml", "must name an existing file"),
    ("obey_robots", "sometimes", "must be a bool"),
    ("es_url", "localhost:9200", "must be a URL starting with http: or https:"),
]
RULE = "channels:\n  hook: json://127.0.0.1:9/\nrules:\n  - id: r\n    channels: [hook]\n"


def test_every_setting_has_a_check_that_keeps_its_default_and_refuses_a_list() -> None:
    for setting in SETTINGS:
        assert callable(setting.check), setting.name
        assert setting.check(setting.default, setting.default) == setting.default, setting.name
        with pytest.raises(ValueError):
            setting.check(["a", "list"], setting.default)


@pytest.mark.parametrize(("name", "value", "message"), BAD_VALUES)
def test_a_bad_value_in_the_sources_file_names_its_line(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text(f"settings:\n  retry_times: 1\n  {name}: {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    text = str(info.value)
    assert text.startswith(f"{path} line 3: setting '{name}'") and message in text
    assert "\n" not in text


@pytest.mark.parametrize(("name", "value", "message"), BAD_VALUES)
def test_a_bad_value_in_the_environment_names_the_variable(
    name: str, value: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=f"RADAR_{name.upper()}") as info:
        Settings(env={f"RADAR_{name.upper()}": value.strip("'")})
    assert message in str(info.value)


def test_good_values_are_normalised() -> None:
    settings = Settings({"log_level": "info", "smtp_tls": "STARTTLS", "download_delay": 1}, env={})
    assert (settings["log_level"], settings["smtp_tls"], settings["download_delay"]) == (
        "INFO",
        "starttls",
        1.0,
    )


def test_a_secret_is_never_shown_in_the_error() -> None:
    with pytest.raises(ConfigError) as info:
        Settings(env={"RADAR_SMTP_PASSWORD": "hunter2\nx"})
    assert "hunter2" not in str(info.value)


def test_radar_crawl_refuses_a_crawl_that_would_hang(tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(
        "settings:\n  concurrent_requests_per_domain: 0\n"
        'industry:\n  - {id: n, url: "http://127.0.0.1:9/feed.xml"}\n',
        encoding="utf-8",
    )
    result = run_radar("crawl", "--config", str(config), "--data-dir", str(tmp_path), timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"error: {config} line 2: setting 'concurrent_requests_per_domain' must be an integer"
        " from 1 to 100, got 0"
    )


def test_radar_settings_checks_and_shows_the_values_in_effect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RADAR_LOG_LEVEL", raising=False)
    runner = CliRunner()
    bad = runner.invoke(main, ["settings", "--config", str(tmp_path / "none.yaml")],
                        env={"RADAR_LOG_LEVEL": "LOUD"})  # fmt: skip
    assert bad.exit_code == 1 and "Traceback" not in bad.output
    assert "setting 'log_level' (env RADAR_LOG_LEVEL) must be one of" in bad.stderr
    good = runner.invoke(main, ["settings", "--config", str(tmp_path / "none.yaml")],
                         env={"RADAR_LOG_LEVEL": "info", "RADAR_SERVE_TOKEN": "s3cret"})  # fmt: skip
    assert good.exit_code == 0
    assert "log_level = 'INFO'  (default 'WARNING')" in good.output
    assert "s3cret" not in good.output and "serve_token = '(hidden)'" in good.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("    move_type: security\n    batch: 0\n", "line 7: `batch` of rule 'r' must be an integer from 1 to 1000, got 0"),
        ("    move_type: security\n    batch: -5\n", "`batch` of rule 'r' must be an integer from 1 to 1000, got -5"),
        ("    move_type: scurity\n", "line 6: `move_type` of rule 'r' must be one of launch, improvement"),
        ("    kind: tweet\n", "`kind` of rule 'r' must be one of changelog_entry"),
        ("    query: pricing\n    min_score: 2\n", "`min_score` of rule 'r' must be a number from 0 to 1"),
        ("    spike: {ratio: 0, min_count: 3}\n", "`spike.ratio` of rule 'r' must be a number from 1 to 1000"),
        ("    spike: {window_days: soon}\n", "`spike.window_days` of rule 'r' must be a int"),
    ],
)  # fmt: skip
def test_every_alert_rule_field_is_checked(tmp_path: Path, extra: str, message: str) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text(RULE + extra, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_alerts(path, env={})
    assert message in str(info.value) and "\n" not in str(info.value)


def test_a_rule_move_type_is_normalised(tmp_path: Path) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text(RULE + "    move_type: [Security, pricing]\n    batch: '5'\n", encoding="utf-8")
    rule = load_alerts(path, env={}).rules[0]
    assert (rule.move_type, rule.batch) == (("security", "pricing"), 5)
