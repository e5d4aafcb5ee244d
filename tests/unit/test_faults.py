"""`faults.translate` and `require_folder` on faults this machine cannot stage for real (the
tests run as root, for whom no permission bit says no)."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest
import redis
from sqlalchemy.exc import OperationalError

from workers import faults


@pytest.mark.parametrize(
    ("exc", "code", "words"),
    [
        (PermissionError(errno.EACCES, "Permission denied", "/srv/inbox/x"), 4, "/srv/inbox/x"),
        (OSError(errno.EROFS, "Read-only file system", "/srv/inbox"), 4, "no permission"),
        (OSError(errno.ENOSPC, "No space left on device", "/srv/var"), 4, "no space"),
        (redis.AuthenticationError("invalid username-password pair"), 7, "refused the password"),
        (redis.ConnectionError("Error 111 connecting to h:6379"), 7, "does not answer"),
        (
            OperationalError("SELECT 1", {}, sqlite3.OperationalError("no such table: nodes")),
            6,
            "dropwire migrate",
        ),
    ],
)
def test_translate(exc: BaseException, code: int, words: str) -> None:
    fault = faults.translate(exc)
    assert fault is not None and fault.exit_code == code
    assert words in fault.message and "\n" not in fault.message


def test_a_folder_without_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    faults.require_folder(tmp_path, "DROPWIRE_INBOX", create=False)
    monkeypatch.setattr(os, "access", lambda *_args, **_kw: False)
    with pytest.raises(faults.Fault) as raised:
        faults.require_folder(tmp_path, "DROPWIRE_INBOX", create=False)
    assert raised.value.exit_code == faults.EXIT_FOLDER
    assert "no permission" in raised.value.message and "DROPWIRE_INBOX" in raised.value.message


def test_a_password_in_a_driver_message_is_masked() -> None:
    exc = redis.ConnectionError("cannot reach redis://:hunter2@10.0.0.5:6379/0")
    fault = faults.translate(exc)
    assert fault is not None and "hunter2" not in fault.message and ":***@" in fault.message
