"""A throw-away PostgreSQL cluster for tests, benches and `make postgres`.

Debian's server binaries (`apt-get install -y postgresql`) run as a non-root user: under root the
cluster belongs to RADAR_PG_USER. It listens on 127.0.0.1 only, on a free port, with its unix
socket in its own folder under /tmp, trusts local connections (it holds test data only) and is
started without fsync. Its URL goes to build/postgres.env, which the store contract tests read.

    python -m tests.pg_testserver up     # start it (or find it running), write build/postgres.env
    python -m tests.pg_testserver down   # stop it and delete its folder
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.es_testserver import free_port

ROOT = Path(__file__).resolve().parents[1]
ENV_FILE = ROOT / "build" / "postgres.env"
ENV_KEY = "RADAR_TEST_PG_URL"
BASE = Path(os.environ.get("RADAR_PG_DIR", "/tmp/radar-pg"))
USER = os.environ.get("RADAR_PG_USER", "radar-pg")
ROLE = "radar"  # the cluster's superuser, named in the URL


class PostgresError(RuntimeError):
    pass


def bindir() -> Path:
    """Where initdb and pg_ctl live: RADAR_PG_BIN, else Debian's newest /usr/lib/postgresql/N/bin."""
    if os.environ.get("RADAR_PG_BIN"):
        return Path(os.environ["RADAR_PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_major)
    if not found:
        raise PostgresError("no PostgreSQL server binaries: apt-get install -y postgresql")
    return Path(found[-1]).parent


def _major(path: str) -> int:
    part = Path(path).parents[1].name
    return int(part) if part.isdigit() else 0


def _as_user(cmd: list[str]) -> list[str]:
    """The command run as USER when we are root (PostgreSQL refuses to run as root)."""
    if os.geteuid() != 0:
        return cmd
    if subprocess.run(["id", "-u", USER], capture_output=True).returncode:
        subprocess.run(["useradd", "--system", "--no-create-home", USER], check=True)
    return ["runuser", "-u", USER, "--", *cmd]


def _run(cmd: list[str]) -> str:
    done = subprocess.run(_as_user(cmd), capture_output=True, text=True)
    if done.returncode:
        raise PostgresError(f"{Path(cmd[0]).name} failed: {(done.stderr or done.stdout).strip()}")
    return done.stdout


def running() -> bool:
    data = BASE / "data"
    if not (data / "postmaster.pid").is_file():
        return False
    cmd = [str(bindir() / "pg_ctl"), "status", "-D", str(data)]
    return subprocess.run(_as_user(cmd), capture_output=True).returncode == 0


def url_from_env() -> str:
    """RADAR_TEST_PG_URL, else the line `make postgres` wrote to build/postgres.env ('' if none)."""
    if os.environ.get(ENV_KEY):
        return os.environ[ENV_KEY]
    lines = ENV_FILE.read_text().splitlines() if ENV_FILE.is_file() else []
    found = dict(line.split("=", 1) for line in lines if "=" in line)
    return found.get(ENV_KEY, "")


def up() -> str:
    """Start the cluster (or keep the one running); write and return its URL."""
    url = url_from_env() if running() else ""
    if not url:
        down()
        url = _start()
    ENV_FILE.parent.mkdir(parents=True, exist_ok=True)
    ENV_FILE.write_text(f"{ENV_KEY}={url}\n")
    return url


def _start() -> str:
    BASE.mkdir(parents=True)
    if os.geteuid() == 0:
        _as_user(["true"])  # creates USER
        shutil.chown(BASE, USER, USER)
    data, port, bin_ = BASE / "data", free_port(), bindir()
    _run([str(bin_ / "initdb"), "-D", str(data), "-U", ROLE, "--auth=trust", "-E", "UTF8",
          "--no-locale"])  # fmt: skip
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={BASE}"
        " -c fsync=off -c max_connections=200"
    )
    log = BASE / "postgres.log"
    _run([str(bin_ / "pg_ctl"), "start", "-D", str(data), "-o", options, "-l", str(log), "-w"])
    return f"postgresql://{ROLE}@127.0.0.1:{port}/postgres"


def down() -> None:
    """Stop the cluster `up` started and delete its folder (nothing to do when there is none)."""
    if running():
        _run([str(bindir() / "pg_ctl"), "stop", "-D", str(BASE / "data"), "-m", "fast", "-w"])
    shutil.rmtree(BASE, ignore_errors=True)
    ENV_FILE.unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    if argv[1:] == ["up"]:
        print(f"{ENV_KEY}={up()}")
        return 0
    if argv[1:] == ["down"]:
        down()
        return 0
    print("usage: python -m tests.pg_testserver up|down", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
