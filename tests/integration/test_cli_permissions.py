"""Folders without permission, for real. The suite runs as root, and root ignores file modes;
so each command runs as root with the two capabilities that let it do so dropped (`setpriv`),
against a data dir or an inbox owned by another user with mode 700. Every command that needs
the folder must say so in one line and exit with the folder code (workers/faults.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.test_cli_faults import (  # noqa: F401  (fixtures)
    COMMANDS,
    SAMPLE,
    SECRET,
    healthy,
    pg_url,
    redis_url,
)
from workers import faults

SETPRIV = shutil.which("setpriv")
NO_OVERRIDE = [
    "--inh-caps=-dac_override,-dac_read_search",
    "--bounding-set=-dac_override,-dac_read_search",
]
DROPWIRE = str(Path(sys.executable).with_name("dropwire"))
NOBODY = 65534


@pytest.fixture(scope="module")
def unprivileged() -> list[str]:
    """The command prefix that takes root's power over file modes away."""
    if os.geteuid() != 0 or SETPRIV is None:
        pytest.skip("needs root and setpriv (util-linux): file modes only bind a non-root user")
    probe = subprocess.run([SETPRIV, *NO_OVERRIDE, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"setpriv cannot drop capabilities here: {probe.stderr.decode()[:200]}")
    return [SETPRIV, *NO_OVERRIDE, DROPWIRE, "--log-level", "WARNING"]


def _locked(tmp_path: Path) -> Path:
    locked = tmp_path / "locked"
    locked.mkdir()
    os.chown(locked, NOBODY, NOBODY)
    locked.chmod(0o700)
    return locked


def _cases() -> list[tuple[str, str]]:
    out = []
    for name, cmd in COMMANDS.items():
        if cmd.needs & {"db", "redis"}:
            out.append((name, "data dir"))  # the embedded Redis and SQLite live there
        if "inbox" in cmd.needs:
            out.append((name, "inbox"))
    return out


@pytest.mark.parametrize(("cmd_name", "folder"), _cases())
def test_a_folder_without_permission_is_one_line_and_the_folder_code(
    cmd_name: str,
    folder: str,
    unprivileged: list[str],
    healthy: dict[str, str | None],  # noqa: F811
    tmp_path: Path,
) -> None:
    locked = _locked(tmp_path)
    env = {k: v for k, v in {**os.environ, **healthy}.items() if v is not None}
    if folder == "data dir":  # no service URLs: SQLite and the embedded Redis under it
        env["DROPWIRE_DATA_DIR"] = str(locked / "var")
        env.pop("DROPWIRE_DATABASE_URL", None)
        env.pop("DROPWIRE_REDIS_URL", None)
    else:
        env["DROPWIRE_INBOX"] = str(locked / "inbox")
    sample = str(next(SAMPLE.glob("*.txt")))
    args = [a.format(sample=sample) for a in COMMANDS[cmd_name].args]
    done = subprocess.run(
        [*unprivileged, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == faults.EXIT_FOLDER, (done.returncode, done.stderr[-2000:])
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), done.stderr[-2000:]
    assert "permission" in lines[0] and "Traceback" not in done.stdout + done.stderr
    assert SECRET not in done.stdout + done.stderr
