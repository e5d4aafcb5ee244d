"""The drop folder on disk: which files count, safe paths, hashing, moving after commit."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workers.settings import Settings

IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".swp")
_HASH_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Folders:
    """The inbox and where finished files go, resolved once."""

    inbox: Path
    done: Path
    failed: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> Folders:
        return cls(
            settings.inbox.resolve(),
            settings.resolved_done_dir.resolve(),
            settings.resolved_failed_dir.resolve(),
        )

    @property
    def skip(self) -> set[Path]:
        """Folders a walk of the inbox never enters."""
        return {self.done, self.failed}

    def walk(self) -> Iterator[Path]:
        """Every candidate file in the inbox."""
        return iter_inbox(self.inbox, self.skip)


class UnsafePath(Exception):
    """A path that leaves the inbox or goes through a symlink: never read."""


def is_candidate_name(name: str) -> bool:
    """Dot-files and in-progress names (`*.part`, `*.tmp`) are not ours yet."""
    return not name.startswith(".") and not name.lower().endswith(IGNORED_SUFFIXES)


def iter_inbox(inbox: Path, skip_dirs: set[Path]) -> Iterator[Path]:
    """Every candidate file under `inbox` (resolved), skipping `skip_dirs` and symlinks."""
    stack = [inbox]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # vanished or unreadable: the next scan looks again
        for entry in entries:
            if not is_candidate_name(entry.name) or entry.is_symlink():
                continue
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                if path not in skip_dirs:
                    stack.append(path)
            elif entry.is_file(follow_symlinks=False):
                yield path


def relative_key(inbox: Path, path: Path) -> str:
    """The ledger's `source_path`: the path inside the inbox, POSIX separators, always valid
    text. Bytes of a name that are not UTF-8 show as `\\xNN` (as `ls -b` shows them): a
    database cannot store the lone surrogates Python decodes them to."""
    rel = PurePosixPath(path.relative_to(inbox).as_posix()).as_posix()
    return os.fsencode(rel).decode("utf-8", "backslashreplace")


def resolve_in_inbox(inbox: Path, source_path: str) -> Path:
    """The real file for a ledger path, refusing `..`, absolute paths and symlinks."""
    rel = PurePosixPath(source_path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise UnsafePath(f"{source_path!r} is not a plain path inside the inbox")
    root = inbox.resolve()
    path = root.joinpath(*rel.parts)
    # Every component must be a real directory or file, not a link out of the inbox.
    probe = root
    for part in rel.parts:
        probe = probe / part
        if probe.is_symlink():
            raise UnsafePath(f"{source_path!r} goes through a symbolic link")
    if not path.resolve().is_relative_to(root):
        raise UnsafePath(f"{source_path!r} resolves outside the inbox")
    return path


def sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def destination(folder: Path, source_path: str, ledger_id: int) -> Path:
    """Where a finished file goes; an existing name gets the ledger id so nothing is overwritten."""
    target = folder.joinpath(*PurePosixPath(source_path).parts)
    if target.exists():
        target = target.with_name(f"{target.stem}.{ledger_id}{target.suffix}")
    return target


def move_file(source: Path, target: Path) -> bool:
    """Move after the commit that records it; a file already gone is not an error."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(source, target)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            shutil.move(source, target)  # done/ on another filesystem: copy, then unlink
    except FileNotFoundError:
        return False
    return True
