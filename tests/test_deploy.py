"""deploy/: the Kubernetes manifests against the Kubernetes OpenAPI schemas (offline, bundled by
kubernetes-validate), the systemd units through `systemd-analyze verify`, and both using only the
`radar` commands, options and settings that exist."""

from __future__ import annotations

import copy
import functools
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import kubernetes_validate
import pytest
import yaml

from radar.cli import main
from radar.core.config import effective_settings, load_config
from radar.core.settings import SETTINGS
from radar.core.sharding import resolve_shard
from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"
K8S = sorted((DEPLOY / "k8s").glob("*.yaml"))
UNITS = sorted(p for p in (DEPLOY / "systemd").iterdir() if p.suffix in {".service", ".timer"})
# The oldest Kubernetes the examples support (CronJob timeZone and Indexed Jobs are GA there) and
# the newest whose schemas the pinned kubernetes-validate ships.
K8S_VERSIONS = ("1.29", kubernetes_validate.latest_version())
INSTALLED_RADAR = "/opt/market-radar/.venv/bin/radar"


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def all_documents() -> list[dict[str, Any]]:
    """Fresh copies each call (tests change them), parsed once."""
    return copy.deepcopy(_parsed())


@functools.cache
def _parsed() -> list[dict[str, Any]]:
    return [doc for path in K8S for doc in documents(path)]


def validate(doc: dict[str, Any], version: str) -> None:
    """Strict: unknown fields fail too; a kind without a schema is an error, not a warning."""
    kubernetes_validate.validate(doc, version, strict=True)


def doc_params() -> Iterator[Any]:
    for path in K8S:
        for doc in documents(path):
            yield pytest.param(doc, id=f"{path.name}:{doc['kind']}/{doc['metadata']['name']}")


def pod_spec(doc: dict[str, Any]) -> dict[str, Any]:
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return dict(spec["template"]["spec"])


def workloads() -> list[dict[str, Any]]:
    return [d for d in all_documents() if d["kind"] in {"CronJob", "Job", "Deployment"}]


# -- Kubernetes --------------------------------------------------------------------------------
def test_the_examples_hold_what_a_cluster_needs() -> None:
    kinds = sorted({d["kind"] for d in all_documents()})
    assert kinds == ["ConfigMap", "CronJob", "Deployment", "Secret", "Service"]
    assert len(K8S) >= 4


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("doc", list(doc_params()))
def test_every_k8s_document_validates_against_the_openapi_schema(
    doc: dict[str, Any], version: str
) -> None:
    validate(doc, version)


@pytest.mark.parametrize(
    ("path", "value", "error"),
    [
        (
            ["spec", "jobTemplate", "spec", "completionMod"],
            "Indexed",
            "'completionMod' was unexpected",
        ),
        (["spec", "jobTemplate", "spec", "completions"], "3", "'3' is not of type 'integer'"),
        (["spec", "schedule"], 5, "5 is not of type 'string'"),
    ],
)
def test_a_broken_manifest_fails_validation(path: list[str], value: Any, error: str) -> None:
    doc = indexed_crawl()
    validate(doc, K8S_VERSIONS[0])  # as shipped: valid
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(kubernetes_validate.ValidationError, match=re.escape(error)):
        validate(doc, K8S_VERSIONS[0])


def test_a_kind_the_schemas_do_not_know_fails() -> None:
    doc = {**indexed_crawl(), "kind": "CronJobs"}
    with pytest.raises(kubernetes_validate.SchemaNotFoundError):
        validate(doc, K8S_VERSIONS[0])


def indexed_crawl() -> dict[str, Any]:
    (doc,) = [d for d in workloads() if d["kind"] == "CronJob" and "crawl" in d["metadata"]["name"]]
    return doc


def test_the_crawl_is_an_indexed_job_whose_pods_know_their_shard() -> None:
    doc = indexed_crawl()
    job = doc["spec"]["jobTemplate"]["spec"]
    (container,) = pod_spec(doc)["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert job["completionMode"] == "Indexed"
    assert job["completions"] == job["parallelism"] == int(env["JOB_COMPLETIONS"]) >= 2
    assert container["args"][:4] == ["radar", "crawl", "--shard", "auto"]
    shards = [resolve_shard("auto", {**env, "JOB_COMPLETION_INDEX": str(i)}) for i in range(3)]
    assert shards == [f"{i}/{job['completions']}" for i in range(1, job["completions"] + 1)]


def test_the_stages_after_the_crawl_run_in_one_pod_once_the_crawl_is_over() -> None:
    crawl = indexed_crawl()
    (daily,) = [d for d in workloads() if d["metadata"]["name"] == "radar-daily"]
    job = daily["spec"]["jobTemplate"]["spec"]
    assert job["completions"] == job["parallelism"] == 1
    assert daily["spec"]["concurrencyPolicy"] == crawl["spec"]["concurrencyPolicy"] == "Forbid"
    latest_start = (
        minutes(crawl["spec"]["schedule"]) + crawl["spec"]["startingDeadlineSeconds"] / 60
    )
    running = crawl["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"] / 60
    assert minutes(daily["spec"]["schedule"]) >= latest_start + running


def minutes(schedule: str) -> int:
    minute, hour, *_ = schedule.split()
    return int(hour) * 60 + int(minute)


def test_every_referenced_configmap_and_secret_is_defined() -> None:
    defined = {(d["kind"], d["metadata"]["name"]) for d in all_documents()}
    for doc in workloads():
        spec = pod_spec(doc)
        for container in spec["containers"]:
            for source in container.get("envFrom", []):
                kind = "ConfigMap" if "configMapRef" in source else "Secret"
                ref = source.get("configMapRef") or source["secretRef"]
                assert (kind, ref["name"]) in defined, doc["metadata"]["name"]
        for volume in spec.get("volumes", []):
            if "configMap" in volume:
                assert ("ConfigMap", volume["configMap"]["name"]) in defined


def test_the_service_reaches_the_web_pods_on_their_port() -> None:
    (service,) = [d for d in all_documents() if d["kind"] == "Service"]
    (web,) = [d for d in workloads() if d["kind"] == "Deployment"]
    labels = web["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    (container,) = web["spec"]["template"]["spec"]["containers"]
    port_names = {p["name"] for p in container["ports"]}
    assert {p["targetPort"] for p in service["spec"]["ports"]} <= port_names
    args = container["args"]
    assert args[args.index("--port") + 1] == str(container["ports"][0]["containerPort"])


def test_the_web_probes_pass_without_the_token_that_pages_need(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from radar.core.settings import Settings
    from radar.web import create_app

    (web,) = [d for d in workloads() if d["kind"] == "Deployment"]
    (container,) = web["spec"]["template"]["spec"]["containers"]
    probes = {container[p]["httpGet"]["path"] for p in ("readinessProbe", "livenessProbe")}
    app = create_app(Settings({"data_dir": str(tmp_path)}), tmp_path / "radar.db", token="t0ken")
    with TestClient(app) as client:
        assert [client.get(path).status_code for path in sorted(probes)] == [200] * len(probes)
        assert client.get("/").status_code == 401


def test_the_configmap_files_load_as_radar_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from enrich.theme_specs import load_theme_specs
    from radar.services import load_alert_rules

    (files,) = [d for d in all_documents() if d["metadata"]["name"] == "radar-config"]
    for name, text in files["data"].items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setenv("SLACK_WEBHOOK_URL", "json://127.0.0.1:9/hook")
    config = load_config(tmp_path / "sources.yaml")
    settings = effective_settings(config, str(tmp_path / "data"))
    assert len(config.sources) == 4
    assert [t.id for t in load_theme_specs(settings["themes_file"])] == ["ai-ml", "security"]
    assert [r.id for r in load_alert_rules(settings).rules] == ["security-moves"]


# -- what both examples run and set ---------------------------------------------------------------
def radar_command_lines() -> Iterator[tuple[str, list[str]]]:
    """Each `radar ...` invocation in the manifests and the units, as an argument list."""
    for doc in workloads():
        for container in pod_spec(doc)["containers"]:
            words = [*container.get("command", []), *container.get("args", [])]
            line = words[-1] if words[:1] == ["/bin/sh"] else shlex.join(words)
            for part in line.split("&&"):
                yield doc["metadata"]["name"], shlex.split(part)
    for unit in UNITS:
        for line in unit.read_text(encoding="utf-8").splitlines():
            if line.startswith("ExecStart="):
                words = shlex.split(line.removeprefix("ExecStart=").replace("%I", "1/2"))
                yield unit.name, ["radar", *words[1:]] if words[0] == INSTALLED_RADAR else words


def subcommand(command: click.Command, words: list[str]) -> tuple[click.Command, list[str]]:
    """The (sub)command that `words` name, as click finds it (commands load lazily), and the
    words after it."""
    while words and isinstance(command, click.Group):
        found = command.get_command(click.Context(command), words[0])
        if found is None:
            break
        command, words = found, words[1:]
    return command, words


def test_every_radar_invocation_names_a_command_and_options_that_exist() -> None:
    seen = set()
    for where, words in radar_command_lines():
        assert words[0] == "radar", where
        command, rest = subcommand(main, words[1:])
        assert not isinstance(command, click.Group), f"{where}: {words}"
        options = {opt for param in command.params for opt in param.opts}
        unknown = [w for w in rest if w.startswith("-") and w not in options]
        assert not unknown, f"{where}: {words}"
        assert command.make_context("radar", rest)  # values parse too (e.g. --port's range)
        seen.add(command.name)
    assert seen == {"crawl", "enrich", "index", "run", "serve"}


def known_env_names() -> set[str]:
    names = {f"RADAR_{s.name.upper()}" for s in SETTINGS}
    for package in ("radar", "crawlers", "enrich", "search"):
        for path in (ROOT / package).rglob("*.py"):
            names |= set(re.findall(r"[\"'](RADAR_[A-Z_]+)[\"']", path.read_text(encoding="utf-8")))
    return names


def test_every_radar_variable_in_deploy_is_one_radar_reads() -> None:
    used = set()
    for path in DEPLOY.rglob("*"):
        if path.is_file():
            used |= set(re.findall(r"\bRADAR_[A-Z_]+\b", path.read_text(encoding="utf-8")))
    assert {"RADAR_STORE_URL", "RADAR_ES_URL", "RADAR_SERVE_TOKEN", "RADAR_CONFIG"} <= used
    assert used - known_env_names() == set()


def test_the_dockerfile_copies_only_what_exists() -> None:
    lines = (DEPLOY / "Dockerfile").read_text(encoding="utf-8").splitlines()
    copied = [w for line in lines if line.startswith("COPY ") for w in line.split()[1:-1]]
    assert copied and all((ROOT / name).exists() for name in copied)


# -- systemd ---------------------------------------------------------------------------------------
def unit_sections(path: Path) -> dict[str, dict[str, list[str]]]:
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
        else:
            key, _, value = line.partition("=")
            assert current is not None and value, f"{path.name}: {raw!r}"
            current.setdefault(key, []).append(value)
    return sections


def test_the_units_cover_two_machines_with_one_daily_stage() -> None:
    names = {u.name for u in UNITS}
    assert names == {"radar-crawl@.service", "radar-crawl@.timer", "radar-daily.service",
                     "radar-daily.timer", "radar-web.service"}  # fmt: skip
    for unit in UNITS:
        sections = unit_sections(unit)
        assert "Description" in sections["Unit"]
        if unit.suffix == ".timer":
            assert sections["Timer"]["OnCalendar"] and sections["Install"]["WantedBy"]
            assert (DEPLOY / "systemd" / unit.name.replace(".timer", ".service")).exists()
        else:
            assert sections["Service"]["EnvironmentFile"] == ["/etc/radar/radar.env"]


def test_the_env_file_sets_what_the_units_need() -> None:
    lines = (DEPLOY / "systemd" / "radar.env.example").read_text(encoding="utf-8").splitlines()
    keys = {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}
    assert {"RADAR_CONFIG", "RADAR_HOME", "RADAR_STORE_URL", "RADAR_SEARCH_BACKEND"} <= keys
    assert {"RADAR_ES_URL", "RADAR_SERVE_TOKEN"} <= keys


def verify(folder: Path, *units: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["systemd-analyze", "verify", *units],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def installed_copy(tmp_path: Path) -> Path:
    """The units as installed: the radar they start is this checkout's (it must be executable)."""
    radar = str(Path(sys.executable).with_name("radar"))
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8").replace(INSTALLED_RADAR, radar)
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    return tmp_path


INSTANCES = ["radar-crawl@1-2.service", "radar-crawl@2-2.timer", "radar-daily.service",
             "radar-daily.timer", "radar-web.service"]  # fmt: skip
needs_systemd = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here"
)


@needs_systemd
def test_the_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    result = verify(installed_copy(tmp_path), *INSTANCES)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@needs_systemd
def test_systemd_analyze_verify_reports_a_broken_unit(tmp_path: Path) -> None:
    folder = installed_copy(tmp_path)
    unit = folder / "radar-daily.service"
    unit.write_text(unit.read_text(encoding="utf-8").replace("ExecStart=", "ExecStrat=", 1))
    result = verify(folder, "radar-daily.service")
    assert "Unknown key" in result.stderr and "ExecStrat" in result.stderr
