"""What every `dropwire` command shares: its settings, the checks before it touches the
database, Redis or a folder (each raises the one-line `Fault`), and the group that turns any
other infrastructure exception into one (workers/faults.py)."""

from __future__ import annotations

import logging
import sys
import traceback
from typing import Any

import click

from workers.faults import (
    EXIT_CONFIG,
    EXIT_REDIS,
    Fault,
    require_database,
    require_folder,
    require_redis_url,
    translate,
)
from workers.runtime import Runtime
from workers.settings import Settings, load_settings


def settings_from(**overrides: Any) -> Settings:
    try:
        return load_settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValueError as exc:  # pydantic's ValidationError is one
        raise Fault(f"bad settings: {exc}", EXIT_CONFIG) from exc


def require_data_dir(settings: Settings) -> None:
    require_folder(settings.data_dir, "DROPWIRE_DATA_DIR", create=False)


def require_database_of(settings: Settings) -> None:
    if settings.database_url is None:  # the SQLite file lives in the data dir
        require_data_dir(settings)
    require_database(settings.effective_database_url)


def sessions_for(settings: Settings, *, readonly: bool = False) -> Any:
    """Sessions on a database that answers and is at the latest migration."""
    require_database_of(settings)
    runtime = Runtime.from_settings(settings)
    return runtime.read_sessions if readonly else runtime.sessions


def require_inbox(settings: Settings) -> None:
    require_folder(settings.inbox, "DROPWIRE_INBOX", create=True)


def broker_for(settings: Settings) -> Any:
    """A broker on a Redis that answers."""
    if settings.redis_url is None:  # the embedded server publishes its URL in the data dir
        require_data_dir(settings)
    try:
        url = settings.effective_redis_url
    except RuntimeError as exc:  # no Redis URL and no embedded server to find
        raise Fault(str(exc), EXIT_REDIS) from exc
    require_redis_url(url)
    return Runtime.from_settings(settings).new_broker()


def setup_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


class DropwireGroup(click.Group):
    """The one place where an exception from any command becomes an operator's message: a
    known infrastructure fault prints one line and exits with its code (workers/faults.py);
    `--debug` shows the traceback instead."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            if ctx.meta.get(DEBUG_KEY):
                if isinstance(exc, Fault):  # click would print only its message
                    traceback.print_exception(exc, file=sys.stderr)
                raise
            if isinstance(exc, click.ClickException):
                raise
            fault = translate(exc)
            if fault is None:
                raise
            raise fault from exc


DEBUG_KEY = "dropwire.debug"
