"""`dropwire doctor`: is this deployment sound? One small function per check, each returning
ok / warn / fail with what to do. Checks never raise: a check that cannot run is a fail that
says why (messages go through `faults.one_line`, so no URL shows its password)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

from workers.faults import Fault, one_line, require_database, require_redis_url, translate
from workers.queues import QUEUES
from workers.settings import Settings

Status = Literal["ok", "warn", "fail"]

# Free space below these: warn, then fail (a full disk stops every move to done/ and failed/,
# and PostgreSQL or Redis' AOF on the same disk with it).
WARN_FREE_BYTES = 1024**3
FAIL_FREE_BYTES = 100 * 1024**2
# Eviction policies that may drop a queue's list or kombu's bindings.
SAFE_POLICY = "noeviction"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""

    def as_json(self) -> dict[str, str]:
        return asdict(self)


def _ok(name: str, detail: str) -> Check:
    return Check(name, "ok", one_line(detail))


def _bad(name: str, status: Status, detail: str, fix: str) -> Check:
    return Check(name, status, one_line(detail), one_line(fix))


def _fault_check(name: str, fault: Exception) -> Check:
    """A preflight Fault is already 'what is wrong: what to do'."""
    what, _, fix = str(fault.message if isinstance(fault, Fault) else fault).rpartition(": ")
    return _bad(name, "fail", what or fix, fix if what else "see the message")


# --------------------------------------------------------------------------- Redis


def check_redis(settings: Settings) -> Check:
    """Reachable, and an eviction policy that never drops queue data."""
    import redis

    try:
        url = settings.effective_redis_url
        require_redis_url(url)
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=5)
        try:
            policy = str(client.config_get("maxmemory-policy").get("maxmemory-policy", ""))
        finally:
            client.close()
    except (Fault, RuntimeError) as exc:
        return _fault_check("redis", exc)
    except redis.RedisError as exc:  # CONFIG renamed or refused (managed Redis)
        return _bad(
            "redis",
            "warn",
            f"Redis answers, its maxmemory-policy cannot be read ({exc})",
            f"make sure the server runs with maxmemory-policy {SAFE_POLICY}",
        )
    return policy_check(policy)


def policy_check(policy: str) -> Check:
    """noeviction is safe; a volatile-* policy evicts only keys with a TTL (queues have none,
    results and locks do): a warn; allkeys-* may drop a queue: a fail."""
    if policy == SAFE_POLICY:
        return _ok("redis", f"Redis answers, maxmemory-policy {policy}")
    status: Status = "warn" if policy.startswith("volatile-") else "fail"
    return _bad(
        "redis",
        status,
        f"Redis evicts keys under memory pressure (maxmemory-policy {policy})",
        f"run redis-server with --maxmemory-policy {SAFE_POLICY}",
    )


# --------------------------------------------------------------------------- database


def check_database(settings: Settings) -> Check:
    """Reachable and at the latest migration."""
    from db.migrate import head_revision

    try:
        require_database(settings.effective_database_url)
    except Fault as exc:
        return _fault_check("database", exc)
    return _ok("database", f"database answers, at migration {head_revision()}")


# --------------------------------------------------------------------------- spaCy


def check_spacy_model(settings: Settings) -> Check:
    from pipelines.nlp import load_model

    name = settings.spacy_model
    try:
        load_model(name)
    except Exception as exc:  # OSError for a missing package, anything for a broken one
        return _bad(
            "spacy_model",
            "fail",
            f"spaCy model {name} does not load ({type(exc).__name__}: {exc})",
            f"install the model package {name} (make setup), or set DROPWIRE_SPACY_MODEL",
        )
    return _ok("spacy_model", f"spaCy model {name} loads")


# --------------------------------------------------------------------------- folders


def _folders(settings: Settings) -> dict[str, Path]:
    return {
        "DROPWIRE_INBOX": settings.inbox,
        "DROPWIRE_DONE_DIR": settings.resolved_done_dir,
        "DROPWIRE_FAILED_DIR": settings.resolved_failed_dir,
    }


def _existing(path: Path) -> Path:
    """`path`, or its nearest ancestor that exists (where it would be created)."""
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _writable(path: Path) -> str | None:
    """None if a file can be created in `path` (really: a read-only mount passes os.access)."""
    if not path.is_dir():
        return f"{path} is not a folder"
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".dropwire-doctor-"):
            return None
    except OSError as exc:
        return f"cannot write in {path} ({exc.strerror})"


def check_folders_writable(settings: Settings) -> Check:
    missing: list[str] = []
    for setting, path in _folders(settings).items():
        problem = _writable(_existing(path))
        if problem:
            return _bad("folders", "fail", f"{problem} ({setting})", f"fix {setting} or its mode")
        if not path.exists():
            missing.append(str(path))
    if missing:
        detail = f"{', '.join(missing)} not there yet (the service creates them)"
        return _ok("folders", detail)
    return _ok("folders", "inbox, done and failed are writable")


def check_one_filesystem(settings: Settings) -> Check:
    """done/ and failed/ on the inbox's filesystem: moving a file there is an atomic rename,
    not a copy that a crash can leave half-made."""
    devices = {setting: _existing(p).stat().st_dev for setting, p in _folders(settings).items()}
    if len(set(devices.values())) > 1:
        return _bad(
            "one_filesystem",
            "fail",
            "inbox, done and failed are on different filesystems (moves would be copies)",
            "put DROPWIRE_DONE_DIR and DROPWIRE_FAILED_DIR on the inbox's filesystem",
        )
    return _ok("one_filesystem", "inbox, done and failed share one filesystem")


def check_disk_space(settings: Settings) -> Check:
    places = {"inbox": settings.inbox, "data dir": settings.data_dir}
    worst = min(
        ((name, shutil.disk_usage(_existing(p)).free) for name, p in places.items()),
        key=lambda item: item[1],
    )
    name, free = worst
    mib = free // 1024**2
    if free < WARN_FREE_BYTES:
        status: Status = "fail" if free < FAIL_FREE_BYTES else "warn"
        return _bad("disk_space", status, f"{mib} MiB free for the {name}", "free disk space")
    return _ok("disk_space", f"{mib} MiB free at least (inbox, data dir)")


# --------------------------------------------------------------------------- timeouts


def check_timeouts(settings: Settings) -> Check:
    """The orders settings.check() enforces (a fail), and the sweeper waiting out Redis'
    own redelivery (a warn: it would send a message Redis still holds a second time)."""
    try:
        settings.check()
    except ValueError as exc:
        return _bad("timeouts", "fail", str(exc), "fix the DROPWIRE_* timeouts")
    if settings.stuck_after <= settings.visibility_timeout:
        return _bad(
            "timeouts",
            "warn",
            f"stuck_after {settings.stuck_after} s <= visibility_timeout "
            f"{settings.visibility_timeout} s: rows Redis will redeliver are sent again",
            "set DROPWIRE_STUCK_AFTER above DROPWIRE_VISIBILITY_TIMEOUT",
        )
    return _ok(
        "timeouts",
        f"soft {settings.task_soft_time_limit} s < hard {settings.task_time_limit} s < "
        f"visibility {settings.visibility_timeout} s < stuck_after {settings.stuck_after:g} s",
    )


# --------------------------------------------------------------------------- workers


def check_workers(settings: Settings) -> Check:
    """Every queue has a worker node whose heartbeat (db `nodes`) is recent."""
    from db import nodes
    from db.session import make_engine, make_session_factory, transaction
    from workers.clock import utcnow

    engine = make_engine(settings.effective_database_url, readonly=True)
    try:
        with transaction(make_session_factory(engine)) as s:
            beats = nodes.all_nodes(s)
    except Exception as exc:
        fault = translate(exc)
        detail = fault.message if fault else f"{type(exc).__name__}: {exc}"
        return _bad("workers", "fail", f"cannot read worker heartbeats: {detail}", "see database")
    finally:
        engine.dispose()
    cutoff = utcnow() - timedelta(seconds=settings.node_timeout)
    live = [n for n in beats if not n.stopped and n.beat_at >= cutoff]
    served = {q for n in live for q in n.queues.split(",")}
    idle = [q for q in QUEUES if q not in served]
    if idle:
        return _bad(
            "workers",
            "fail",
            f"no live worker consumes {', '.join(idle)} ({len(live)} live node(s))",
            "start workers for it: `dropwire up`, or `celery -A workers.app worker -Q QUEUE`",
        )
    return _ok("workers", f"{len(live)} live node(s) consume {', '.join(QUEUES)}")


# --------------------------------------------------------------------------- all of them

CHECKS: dict[str, Callable[[Settings], Check]] = {
    "timeouts": check_timeouts,
    "folders": check_folders_writable,
    "one_filesystem": check_one_filesystem,
    "disk_space": check_disk_space,
    "redis": check_redis,
    "database": check_database,
    "workers": check_workers,
    "spacy_model": check_spacy_model,
}


def run_checks(settings: Settings, skip: frozenset[str] = frozenset()) -> list[Check]:
    results = []
    for name, check in CHECKS.items():
        if name in skip:
            continue
        try:
            results.append(check(settings))
        except Exception as exc:  # a check's own bug must not hide the others' answers
            results.append(_bad(name, "fail", f"{type(exc).__name__}: {exc}", "run with --debug"))
    return results


def worst(checks: list[Check]) -> Status:
    statuses = {c.status for c in checks}
    return "fail" if "fail" in statuses else "warn" if "warn" in statuses else "ok"


def unchecked_settings() -> Settings:
    """The settings as read, without `check()`: the doctor reports a bad order as a check."""
    overrides: dict[str, object] = {}
    return Settings(**overrides)  # type: ignore[arg-type]  # read from the environment
