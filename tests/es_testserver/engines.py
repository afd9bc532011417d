"""Real Elasticsearch and OpenSearch nodes for tests, benches and `make engines`.

Artifacts come from Maven Central through `mvn` (cached in ~/.m2): Elasticsearch's integ-test-zip
plus our analysis plugin (engines/es-analysis: the `english` analyzer and `length` filter the zip
lacks), OpenSearch's integ-test-zip plus the analysis-common and lang-painless modules (jars) and
the k-NN plugin (zip, Lucene engine only). Each distribution is unpacked once under ENGINES_DIR,
owned by a non-root user (both engines refuse root), and every node gets its own config, data and
log folders, free loopback ports and a fixed heap.

    python -m tests.es_testserver.engines up     # start both, write build/engines.env
    python -m tests.es_testserver.engines down   # stop what `up` started
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from tests.es_testserver import free_port

ROOT = Path(__file__).resolve().parents[2]
ENV_FILE = ROOT / "build" / "engines.env"
ENGINES_DIR = Path(os.environ.get("RADAR_ENGINES_DIR", "/tmp/radar-engines"))
USER = os.environ.get("RADAR_ENGINES_USER", "radar-engine")
HEAP = os.environ.get("RADAR_ENGINES_HEAP", "512m")
M2 = Path.home() / ".m2" / "repository"
JAVA17 = "/usr/lib/jvm/java-17-openjdk-amd64"

ES_VERSION = "8.19.21"
OS_VERSION = "2.19.1"  # the newest 2.19 the k-NN plugin (2.19.1.0) is published for
KNN_VERSION = "2.19.1.0"


class EngineError(RuntimeError):
    pass


@dataclass(frozen=True)
class Engine:
    name: str  # elasticsearch | opensearch
    version: str
    home: Path  # unpacked distribution

    @property
    def launcher(self) -> Path:
        return self.home / "bin" / self.name

    @property
    def config_name(self) -> str:
        return f"{self.name}.yml"


@dataclass
class Node:
    engine: Engine
    folder: Path
    http_port: int
    transport_port: int
    pid: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"


# -- artifacts -----------------------------------------------------------------------------------
def _m2_path(coords: str) -> Path:
    group, artifact, version, packaging = coords.split(":")
    return M2 / group.replace(".", "/") / artifact / version / f"{artifact}-{version}.{packaging}"


def resolve(coords: str) -> Path:
    """The artifact `group:artifact:version:packaging` from ~/.m2, fetched with mvn if missing."""
    path = _m2_path(coords)
    if not path.is_file():
        cmd = ["mvn", "-q", "-B", "dependency:get", f"-Dartifact={coords}", "-Dtransitive=false"]
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=tempfile.gettempdir())
        if done.returncode or not path.is_file():
            raise EngineError(f"mvn could not resolve {coords}: {done.stdout[-400:]}")
    return path


def _unzip(archive: Path, into: Path) -> Path:
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(into)
        top = zf.namelist()[0].split("/")[0]
    for path in (into / top).rglob("*"):  # zipfile drops the executable bits
        if path.parent.name == "bin" or path.suffix == ".so":
            path.chmod(0o755)
    return into / top


def _descriptor(folder: Path, **props: str) -> None:
    lines = [f"{key.replace('_', '.')}={value}" for key, value in props.items()]
    (folder / "plugin-descriptor.properties").write_text("\n".join(lines) + "\n")


def _build_es_plugin() -> Path:
    project = ROOT / "engines" / "es-analysis"
    jar = project / "target" / "radar-es-analysis-1.0.jar"
    sources = list((project / "src").rglob("*.java")) + [project / "pom.xml"]
    if not jar.is_file() or max(p.stat().st_mtime for p in sources) > jar.stat().st_mtime:
        done = subprocess.run(["mvn", "-q", "-B", "package"], cwd=project, capture_output=True)
        if done.returncode:
            raise EngineError(f"building engines/es-analysis failed: {done.stdout[-600:]!r}")
    return jar


def _install_es(home: Path) -> None:
    folder = home / "plugins" / "radar-analysis"
    folder.mkdir(parents=True)
    shutil.copy(_build_es_plugin(), folder)
    _descriptor(folder, description="english analyzer and length filter", version="1.0",
                name="radar-analysis", classname="radar.analysis.RadarAnalysisPlugin",
                java_version="17", elasticsearch_version=ES_VERSION)  # fmt: skip


PAINLESS_JARS = (
    f"org.opensearch.plugin:lang-painless:{OS_VERSION}:jar",
    f"org.opensearch.plugin:opensearch-scripting-painless-spi:{OS_VERSION}:jar",
    "org.antlr:antlr4-runtime:4.13.1:jar",
    *(f"org.ow2.asm:{a}:9.7:jar" for a in ("asm", "asm-util", "asm-tree", "asm-commons", "asm-analysis")),
)  # fmt: skip
PAINLESS_POLICY = """grant {
  permission java.lang.RuntimePermission "createClassLoader";
  permission java.lang.RuntimePermission "getClassLoader";
};
"""


def _module(home: Path, name: str, classname: str, jars: tuple[str, ...]) -> Path:
    folder = home / "modules" / name
    folder.mkdir(parents=True)
    for coords in jars:
        shutil.copy(resolve(coords), folder)
    _descriptor(folder, description=name, version=OS_VERSION, name=name, classname=classname,
                java_version="11", opensearch_version=OS_VERSION)  # fmt: skip
    return folder


def _install_os(home: Path) -> None:
    _module(home, "analysis-common", "org.opensearch.analysis.common.CommonAnalysisPlugin",
            (f"org.opensearch.plugin:analysis-common:{OS_VERSION}:jar",))  # fmt: skip
    painless = _module(home, "lang-painless", "org.opensearch.painless.PainlessPlugin",
                       PAINLESS_JARS)  # fmt: skip
    (painless / "plugin-security.policy").write_text(PAINLESS_POLICY)
    knn = resolve(f"org.opensearch.plugin:opensearch-knn:{KNN_VERSION}:zip")
    with zipfile.ZipFile(knn) as zf:
        zf.extractall(home / "plugins" / "opensearch-knn")


def ensure_user() -> None:
    """The unprivileged user nodes run as (created when missing; needs root)."""
    if os.geteuid() != 0:
        return
    if subprocess.run(["id", "-u", USER], capture_output=True).returncode:
        subprocess.run(["useradd", "--system", "--no-create-home", USER], check=True)


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", f"{USER}:{USER}", str(path)], check=True)


def prepare(name: str) -> Engine:
    """The unpacked, plugin-equipped distribution of `name` (built once under ENGINES_DIR)."""
    version = ES_VERSION if name == "elasticsearch" else OS_VERSION
    home = ENGINES_DIR / f"{name}-{version}"
    if not (home / ".ready").is_file():
        shutil.rmtree(home, ignore_errors=True)
        coords = f"org.{name}.distribution.integ-test-zip:{name}:{version}:zip"
        with tempfile.TemporaryDirectory(dir=ENGINES_DIR.parent) as tmp:
            unpacked = _unzip(resolve(coords), Path(tmp))
            (_install_es if name == "elasticsearch" else _install_os)(unpacked)
            ENGINES_DIR.mkdir(parents=True, exist_ok=True)
            unpacked.rename(home)
        (home / ".ready").touch()
    ensure_user()
    _chown(ENGINES_DIR)
    return Engine(name, version, home)


# -- nodes ---------------------------------------------------------------------------------------
def _config(node: Node, cluster: str, peers: list[Node]) -> str:
    lines = {
        "cluster.name": cluster,
        "node.name": node.folder.name,
        "network.host": "127.0.0.1",
        "http.port": node.http_port,
        "transport.port": node.transport_port,
        "path.data": str(node.folder / "data"),
        "path.logs": str(node.folder / "logs"),
        "cluster.routing.allocation.disk.threshold_enabled": "false",
    }
    if node.engine.name == "elasticsearch":
        lines["xpack.security.enabled"] = "false"
    if len(peers) == 1:
        lines["discovery.type"] = "single-node"
    else:
        lines["discovery.seed_hosts"] = json.dumps([f"127.0.0.1:{p.transport_port}" for p in peers])
        lines["cluster.initial_cluster_manager_nodes" if node.engine.name == "opensearch"
              else "cluster.initial_master_nodes"] = json.dumps([p.folder.name for p in peers])  # fmt: skip
    return "".join(f"{key}: {value}\n" for key, value in lines.items())


def _node_env(engine: Engine) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ES_", "OPENSEARCH_"))}
    prefix = "ES" if engine.name == "elasticsearch" else "OPENSEARCH"
    env[f"{prefix}_JAVA_OPTS"] = f"-Xms{HEAP} -Xmx{HEAP}"
    env[f"{prefix}_PATH_CONF"] = ""  # set per node below
    env["JAVA_HOME"] = env[f"{prefix}_JAVA_HOME"] = os.environ.get("RADAR_ENGINES_JAVA", JAVA17)
    return env


def plan(engine: Engine, count: int = 1, cluster: str = "") -> list[Node]:
    """`count` nodes of one cluster, each with its own folder and free ports (not started)."""
    base = Path(tempfile.mkdtemp(prefix=f"{engine.name}-", dir=ENGINES_DIR))
    cluster = cluster or base.name
    nodes = [Node(engine, base / f"node{i}", free_port(), free_port()) for i in range(count)]
    for node in nodes:
        shutil.copytree(engine.home / "config", node.folder / "config")
        (node.folder / "config" / engine.config_name).write_text(_config(node, cluster, nodes))
    _chown(base)
    return nodes


def launch(node: Node) -> None:
    """Start `node` daemonised as USER; its pid is read back from the pid file."""
    env = _node_env(node.engine)
    prefix = "ES" if node.engine.name == "elasticsearch" else "OPENSEARCH"
    env[f"{prefix}_PATH_CONF"] = str(node.folder / "config")
    pidfile = node.folder / "pid"
    cmd = [str(node.engine.launcher), "-d", "-p", str(pidfile)]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", USER, "--", *cmd]  # keeps the environment (no --login)
    out = node.folder / "launcher.out"  # a file, not a pipe: the daemon may keep it open
    with out.open("wb") as sink:
        done = subprocess.run(cmd, env=env, stdout=sink, stderr=sink, cwd=node.folder)
    if done.returncode:
        tail = out.read_text(errors="replace")[-800:]
        raise EngineError(f"{node.engine.name} did not start: {tail}")
    node.pid = _read_pid(pidfile)


def _read_pid(pidfile: Path, wait_s: float = 60.0) -> int:
    """The daemon's pid: the launcher may return before the daemon has written its pid file."""
    deadline = time.monotonic() + wait_s
    while True:
        text = pidfile.read_text().strip() if pidfile.exists() else ""
        if text.isdigit():
            return int(text)
        if time.monotonic() > deadline:
            raise EngineError(f"no pid in {pidfile} after {wait_s:.0f} s")
        time.sleep(0.2)


def health(url: str, status: str = "yellow", timeout_s: float = 1.0) -> dict[str, object]:
    query = f"{url}/_cluster/health?wait_for_status={status}&timeout={int(timeout_s)}s"
    with urllib.request.urlopen(query, timeout=timeout_s + 5) as resp:
        return dict(json.loads(resp.read()))


def wait_healthy(node: Node, deadline_s: float = 180.0, status: str = "yellow") -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            if not health(node.url, status).get("timed_out"):
                return
        except OSError:
            time.sleep(0.5)  # not listening yet; bounded by the deadline
    log = next(iter((node.folder / "logs").glob("*.log")), None)
    tail = log.read_text(errors="replace")[-1500:] if log else "(no log)"
    raise EngineError(f"{node.engine.name} at {node.url} not {status} in {deadline_s}s: {tail}")


def version_of(url: str) -> str:
    """The engine's name and version from its own API (node info: GET / needs rest-root)."""
    with urllib.request.urlopen(
        f"{url}/_nodes/_local?filter_path=nodes.*.version", timeout=10
    ) as resp:
        nodes = json.loads(resp.read())["nodes"]
    with urllib.request.urlopen(f"{url}/_nodes/_local/plugins", timeout=10) as resp:
        info = next(iter(json.loads(resp.read())["nodes"].values()))
    names = {m["name"] for m in info.get("modules", []) + info.get("plugins", [])}
    engine = "opensearch" if any(n.startswith("opensearch") for n in names) else "elasticsearch"
    return f"{engine} {next(iter(nodes.values()))['version']}"


def stop(node: Node, sig: int = signal.SIGTERM) -> None:
    try:
        os.kill(node.pid, sig)
    except (ProcessLookupError, PermissionError):
        return
    for _ in range(300):
        if not Path(f"/proc/{node.pid}").exists():
            return
        time.sleep(0.1)  # waiting for a clean shutdown, at most 30 s
    os.kill(node.pid, signal.SIGKILL)


def start_cluster(name: str, count: int = 1) -> list[Node]:
    """`count` nodes of one new cluster, launched together (a node of several waits for its peers
    before it reports started), once the cluster is yellow with all of them in it."""
    nodes = plan(prepare(name), count)
    with ThreadPoolExecutor(count) as pool:
        list(pool.map(launch, nodes))
    for node in nodes:
        wait_healthy(node)
    wait_nodes(nodes[0], count)
    return nodes


def wait_nodes(node: Node, count: int, deadline_s: float = 120.0) -> None:
    """Poll until the cluster `node` belongs to has `count` nodes."""
    deadline = time.monotonic() + deadline_s
    while int(str(health(node.url).get("number_of_nodes", 0))) < count:
        if time.monotonic() > deadline:
            raise EngineError(f"{node.url}: fewer than {count} nodes joined in {deadline_s:.0f} s")
        time.sleep(0.5)


# -- `make engines` / .ci/run --------------------------------------------------------------------
ENV_KEYS = {"elasticsearch": "RADAR_ES_URL", "opensearch": "RADAR_OPENSEARCH_URL"}


def up() -> None:
    """Start one node of each engine; write their URLs and pids to build/engines.env."""
    lines = []
    for name in ENV_KEYS:  # one at a time: mvn, unpacking and useradd do not run side by side
        prepare(name)
    with ThreadPoolExecutor(len(ENV_KEYS)) as pool:  # both start at once: half the wait
        started = list(pool.map(start_cluster, ENV_KEYS))
    for key, (node, *_) in zip(ENV_KEYS.values(), started, strict=True):
        lines += [f"{key}={node.url}", f"{key}_PID={node.pid}"]
        print(f"{version_of(node.url)} at {node.url} (pid {node.pid}, heap {HEAP})", flush=True)
    ENV_FILE.parent.mkdir(parents=True, exist_ok=True)
    ENV_FILE.write_text("".join(f"{line}\n" for line in lines))


def down() -> None:
    """Stop the nodes build/engines.env names, and forget them."""
    if not ENV_FILE.is_file():
        return
    found = dict(line.split("=", 1) for line in ENV_FILE.read_text().splitlines() if "=" in line)
    for key in ENV_KEYS.values():
        if found.get(f"{key}_PID"):
            stop(Node(prepare_stub(key), Path("."), 0, 0, pid=int(found[f"{key}_PID"])))
    ENV_FILE.unlink()


def prepare_stub(key: str) -> Engine:
    name = next(n for n, k in ENV_KEYS.items() if k == key)
    return Engine(name, "", ENGINES_DIR)


if __name__ == "__main__":
    import sys

    {"up": up, "down": down}[sys.argv[1] if len(sys.argv) > 1 else "up"]()
