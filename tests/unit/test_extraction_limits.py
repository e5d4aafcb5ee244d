"""`dropwire extract` on what a drop folder may hold: a FIFO does not block it, a sparse
multi-GB file is refused before a byte is read, and work that runs away is killed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from workers import extraction
from workers.extraction import ExtractFailed, extract_with_limit
from workers.settings import Settings


@pytest.fixture
def settings() -> Settings:
    return Settings(task_soft_time_limit=1, task_time_limit=2, max_file_bytes=1 << 20)


def test_a_fifo_is_refused_without_blocking(tmp_path: Path, settings: Settings) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    with pytest.raises(ExtractFailed) as failed:
        extract_with_limit(tmp_path / "pipe.txt", settings)
    assert failed.value.code == "special_file"


def test_a_sparse_file_is_refused_from_its_size(tmp_path: Path, settings: Settings) -> None:
    with (tmp_path / "sparse.txt").open("wb") as fh:
        fh.truncate(8 << 30)
    with pytest.raises(ExtractFailed) as failed:
        extract_with_limit(tmp_path / "sparse.txt", settings)
    assert failed.value.code == "too_large"


def test_work_that_runs_away_is_killed_at_the_time_limit(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.txt").write_text("A short article about the harbour.\n")
    # Stands in for a pathological input: the forked child inherits it.
    monkeypatch.setattr(extraction, "records_for", lambda *_: time.sleep(3600))
    with pytest.raises(ExtractFailed) as failed:
        extract_with_limit(tmp_path / "a.txt", settings)
    assert failed.value.code == "timeout"
