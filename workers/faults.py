"""Infrastructure faults as one line for an operator: what is wrong, what to do, an exit code.

The `dropwire` group (workers/cli.py) sends every exception a command raises through
`translate`; the CLI's helpers call the `require_*` checks before a command touches the
database, Redis or a folder, so the message can name the setting to fix. Passwords in URLs are
masked everywhere a message may carry one (driver errors quote the URL they were given).
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import click

# Exit codes (README, "Commands"): 1 is click's for a refused request, 2 its usage error.
EXIT_CONFIG = 3  # a setting is invalid: bad URL, bad number, timeouts in the wrong order
EXIT_FOLDER = 4  # data dir, inbox, done/ or failed/ missing, not a folder or not writable
EXIT_DATABASE = 5  # database unreachable, missing, or refusing the login
EXIT_SCHEMA = 6  # database reachable but not at the latest migration
EXIT_REDIS = 7  # Redis unreachable, refusing the password, or no embedded Redis running
EXIT_DOCTOR = 8  # `dropwire doctor` found a failing check

EXIT_CODES = {
    EXIT_CONFIG: "invalid setting",
    EXIT_FOLDER: "folder missing or not usable",
    EXIT_DATABASE: "database unreachable or missing",
    EXIT_SCHEMA: "database schema not at the latest migration",
    EXIT_REDIS: "Redis unreachable or refusing the password",
    EXIT_DOCTOR: "doctor: a check failed",
}

# scheme://user:password@ → scheme://user:***@ (also scheme://:password@).
_USERINFO = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s/]+@")


class Fault(click.ClickException):
    """One line naming what is wrong and what to do, and the exit code for it."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(" ".join(message.split()))
        self.exit_code = exit_code  # type: ignore[misc]  # click reads it per instance


def mask(text: str) -> str:
    """`text` with the password of every URL in it replaced by ***."""
    return _USERINFO.sub(r"\g<head>***@", text)


def one_line(text: str) -> str:
    """`text` masked, on one line."""
    return " ".join(mask(text).split())


def _first_line(exc: BaseException) -> str:
    """A driver's own message without SQLAlchemy's statement and background link."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).split("\n(Background", 1)[0].split("\n[SQL:", 1)[0]
    return one_line(text) or type(inner).__name__


# --------------------------------------------------------------------------- translation


def translate(exc: BaseException) -> Fault | None:
    """The fault an exception stands for, or None for one that is not about infrastructure
    (a bug: its traceback is the useful report)."""
    for check in (_settings_fault, _database_fault, _redis_fault, _folder_fault):
        fault = check(exc)
        if fault is not None:
            return fault
    return None


def _settings_fault(exc: BaseException) -> Fault | None:
    from pydantic import ValidationError
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError

    if isinstance(exc, (ArgumentError, NoSuchModuleError)):
        return Fault(
            f"DROPWIRE_DATABASE_URL is not a usable database URL ({_first_line(exc)}): "
            "set it like postgresql+psycopg://<user>:<password>@<host>:5432/<database>",
            EXIT_CONFIG,
        )
    if isinstance(exc, ValidationError):
        return Fault(f"bad settings: {_first_line(exc)}: fix the DROPWIRE_* variable", EXIT_CONFIG)
    return None


def _database_fault(exc: BaseException) -> Fault | None:
    from sqlalchemy.exc import DBAPIError

    if not isinstance(exc, DBAPIError):
        return None
    detail = _first_line(exc)
    lowered = detail.lower()
    if re.search(r'database "[^"]*" does not exist', detail):
        return Fault(
            f"the database named in DROPWIRE_DATABASE_URL does not exist ({detail}): "
            "create it (createdb NAME) and run `dropwire migrate`",
            EXIT_DATABASE,
        )
    if any(s in lowered for s in ("no such table", "undefinedtable", "does not exist")) and (
        "relation" in lowered or "table" in lowered or "column" in lowered
    ):
        return Fault(
            f"the database schema is out of date ({detail}): run `dropwire migrate`", EXIT_SCHEMA
        )
    if "unable to open database file" in lowered:
        return Fault(
            f"cannot open the SQLite database ({detail}): check that DROPWIRE_DATA_DIR exists "
            "and is writable, or start the service with `dropwire up`",
            EXIT_FOLDER,
        )
    if exc.connection_invalidated or "connect" in lowered:
        return Fault(
            f"the database does not answer ({detail}): check DROPWIRE_DATABASE_URL "
            "and that the server runs",
            EXIT_DATABASE,
        )
    return Fault(f"database error ({detail}): check DROPWIRE_DATABASE_URL", EXIT_DATABASE)


def _redis_fault(exc: BaseException) -> Fault | None:
    import redis
    from kombu.exceptions import OperationalError as KombuOperationalError

    if (
        isinstance(exc, redis.AuthenticationError)
        or "WRONGPASS" in str(exc)
        or ("NOAUTH" in str(exc))
    ):
        return Fault(
            f"Redis refused the password ({_first_line(exc)}): "
            "fix the password in DROPWIRE_REDIS_URL (redis://:<password>@host:6379/0)",
            EXIT_REDIS,
        )
    if isinstance(exc, (redis.RedisError, KombuOperationalError)):
        return Fault(
            f"Redis does not answer ({_first_line(exc)}): check DROPWIRE_REDIS_URL "
            "and that redis-server runs",
            EXIT_REDIS,
        )
    return None


def _folder_fault(exc: BaseException) -> Fault | None:
    if not isinstance(exc, OSError) or exc.errno is None:
        return None
    where = exc.filename or "a folder"
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        what = "no permission to write"
    elif exc.errno == errno.ENOENT:
        what = "no such file or folder"
    elif exc.errno == errno.ENOTDIR:
        what = "not a folder"
    elif exc.errno == errno.ENOSPC:
        what = "no space left"
    else:
        return None
    return Fault(
        f"{what}: {where}: check DROPWIRE_DATA_DIR, DROPWIRE_INBOX, DROPWIRE_DONE_DIR and "
        "DROPWIRE_FAILED_DIR (the folder must exist or be creatable, and be writable)",
        EXIT_FOLDER,
    )


# --------------------------------------------------------------------------- preflight


def require_folder(path: Path, setting: str, *, create: bool) -> None:
    """`path` is (or, with `create`, can be made) a folder this process can write in."""
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            pass  # a file in the way: reported as "not a folder" below
        except OSError as exc:
            reason = (exc.strerror or "error").lower()
            raise Fault(
                f"cannot create {path} ({setting}): {reason}: create it as a user who may, "
                f"or set {setting} to a folder this user can write in",
                EXIT_FOLDER,
            ) from exc
    if not path.exists():
        raise Fault(
            f"{path} does not exist ({setting}): create it, set {setting} to the service's "
            "folder, or start the service with `dropwire up`",
            EXIT_FOLDER,
        )
    if not path.is_dir():
        raise Fault(f"{path} is not a folder ({setting}): point {setting} at one", EXIT_FOLDER)
    if not os.access(path, os.W_OK | os.X_OK):
        raise Fault(
            f"no permission to write in {path} ({setting}): run as its owner or fix its mode",
            EXIT_FOLDER,
        )


def require_database(url: str) -> None:
    """The database answers and is at the latest migration (raises the Fault otherwise)."""
    from db.migrate import current_revision, head_revision
    from db.session import make_engine

    try:
        engine = make_engine(url, readonly=True)
        try:
            current = current_revision(engine)
        finally:
            engine.dispose()
    except Exception as exc:
        raise translate(exc) or exc from exc
    head = head_revision()
    if current != head:
        at = f"at migration {current}" if current else "has no Dropwire schema"
        raise Fault(
            f"the database {mask(url)} {at}, this code needs {head}: run `dropwire migrate`",
            EXIT_SCHEMA,
        )


def require_redis_url(url: str) -> None:
    """A URL redis-py can use, answering PING (raises the Fault otherwise)."""
    import redis

    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise Fault(
            f"DROPWIRE_REDIS_URL {mask(url)!r} is not a Redis URL: set it like "
            "redis://:<password>@host:6379/0",
            EXIT_CONFIG,
        )
    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise translate(exc) or exc from exc
    finally:
        client.close()
