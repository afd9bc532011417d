"""Secrets in alert channel URLs: the README's examples load whatever the secret holds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from radar.alerts_config import load_alerts

README = Path(__file__).resolve().parent.parent / "README.md"


def _readme_channels() -> str:
    block = re.search(r"```yaml\nchannels:.*?```", README.read_text("utf-8"), re.S)
    assert block, "README has an alerts.yaml example"
    return block.group(0)[len("```yaml\n") : -3]


@pytest.mark.parametrize("password", ["s3cret", "a/b#c?d@e", "p%20q&r=s", "colon:and space"])
def test_the_readme_example_loads_with_any_password(tmp_path: Path, password: str) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text(_readme_channels(), encoding="utf-8")
    env = {
        "SMTP_PASSWORD": password,
        "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T1/B2/c3",
    }
    config = load_alerts(path, env=env)
    assert config.channels["pm-mail"].startswith("mailtos://user:")
    assert password not in config.channels["pm-mail"] or password.isalnum()


def test_a_variable_holding_the_whole_url_goes_in_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "alerts.yaml"
    path.write_text(
        'channels:\n  hook: "${HOOK}"\nrules:\n  - id: r\n    move_type: security\n'
        "    channels: [hook]\n",
        encoding="utf-8",
    )
    url = "json://127.0.0.1:8080/path?x=1"
    assert load_alerts(path, env={"HOOK": url}).channels["hook"] == url
