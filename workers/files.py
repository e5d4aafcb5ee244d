"""The drop folder: which entries count, the ledger's name for a file, reading and moving.

Names and bytes from the folder are untrusted: every file operation goes through
`workers.safefs` (one open, no links followed, no overwrite), addressed by the file's
relative name in bytes (`InboxName.raw`), while the ledger and every face show
`InboxName.text`, which is always valid text.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from workers import safefs

if TYPE_CHECKING:
    from db.models import LedgerEntry
    from workers.settings import Settings

IGNORED_SUFFIXES = (".part", ".tmp", ".crdownload", ".swp")


@dataclass(frozen=True, slots=True)
class InboxName:
    """A file's path inside the inbox: `raw` opens it, `text` names it everywhere else."""

    raw: bytes
    text: str

    @classmethod
    def of(cls, inbox: Path, path: Path) -> InboxName:
        raw = os.fsencode(PurePosixPath(path.relative_to(inbox).as_posix()).as_posix())
        # Bytes that are not UTF-8 show as \xNN (as `ls -b` shows them): a database cannot
        # store the lone surrogates Python decodes them to.
        return cls(raw, raw.decode("utf-8", "backslashreplace"))

    @classmethod
    def of_row(cls, row: LedgerEntry) -> InboxName:
        raw = row.source_raw if row.source_raw is not None else row.source_path.encode()
        return cls(raw, row.source_path)

    @property
    def raw_if_needed(self) -> bytes | None:
        """What the ledger keeps in `source_raw`: only names that are not valid UTF-8."""
        return None if self.raw == self.text.encode() else self.raw


def relative_key(inbox: Path, path: Path) -> str:
    """The ledger's `source_path` for a file: the path inside the inbox as valid text."""
    return InboxName.of(inbox, path).text


@dataclass(frozen=True, slots=True)
class Folders:
    """The inbox and where finished files go, resolved once at start.

    Only the inbox is resolved through links. done/ and failed/ keep their last component as
    configured: inside the inbox (the default) anyone may swap them for a link, so they are
    reached from the inbox part by part (`safefs`), never followed.
    """

    inbox: Path
    done: Path
    failed: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> Folders:
        inbox = settings.inbox.resolve()

        def folder(configured: Path | None, default: str) -> Path:
            if configured is None:
                return inbox / default
            return configured.parent.resolve() / configured.name

        return cls(inbox, folder(settings.done_dir, "done"), folder(settings.failed_dir, "failed"))

    @property
    def skip(self) -> set[Path]:
        """Folders a walk of the inbox never enters."""
        return {self.done, self.failed}

    def walk(self) -> Iterator[Path]:
        """Every candidate entry in the inbox (regular or not; see `iter_inbox`)."""
        return iter_inbox(self.inbox, self.skip)

    def root_of(self, folder: Path) -> tuple[Path, tuple[bytes, ...]]:
        """(trusted root, parts) for done/ or failed/: inside the inbox, the inbox and the
        path below it; elsewhere, the configured folder itself."""
        if folder != self.inbox and folder.is_relative_to(self.inbox):
            parts = folder.relative_to(self.inbox).parts
            return self.inbox, tuple(os.fsencode(p) for p in parts)
        return folder, ()


def is_candidate_name(name: str) -> bool:
    """Dot-files and in-progress names (`*.part`, `*.tmp`) are not ours yet."""
    return not name.startswith(".") and not name.lower().endswith(IGNORED_SUFFIXES)


def iter_inbox(inbox: Path, skip_dirs: set[Path]) -> Iterator[Path]:
    """Every entry under `inbox` that is not a folder: regular files and also symlinks,
    FIFOs, sockets and devices, which the watcher refuses with a reason. Folders are walked
    (never through a link), except `skip_dirs`."""
    stack = [inbox]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # vanished or unreadable: the next scan looks again
        for entry in entries:
            if not is_candidate_name(entry.name):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if not is_dir:
                yield path
            elif path not in skip_dirs:
                stack.append(path)


def read_file(inbox: Path, name: InboxName, max_bytes: int) -> bytes:
    """The file's bytes, opened once without following links (raises `safefs.Refused`)."""
    with safefs.open_file(inbox, name.raw, max_bytes=max_bytes) as opened:
        return safefs.read_all(opened, max_bytes)


def hash_file(inbox: Path, name: InboxName, max_bytes: int) -> tuple[str, int, int]:
    """(sha256, size, mtime_ns) through one descriptor (raises `safefs.Refused`)."""
    with safefs.open_file(inbox, name.raw, max_bytes=max_bytes) as opened:
        sha, size = safefs.sha256_of(opened)
        return sha, size, opened.mtime_ns


def planned_path(folders: Folders, name: InboxName, folder: Path, ledger_id: int) -> str:
    """Where `move_out` will put the file, unless the name is taken by then: recorded with
    the commit, so the common case needs no second write."""
    target = folder / name.text
    fitted = target.with_name(os.fsdecode(safefs.fit_name(target.name.encode())))
    if os.path.lexists(fitted):
        tagged = safefs.fit_name(target.name.encode(), str(ledger_id))
        fitted = target.with_name(os.fsdecode(tagged))
    return str(fitted)


def move_out(folders: Folders, name: InboxName, folder: Path, ledger_id: int) -> str | None:
    """Move a file from the inbox into done/ or failed/ after the commit that records it.

    The name there is the ledger's text name (valid text even when the original was not),
    with `.<ledger id>` added when taken. Returns the new path, None when the file is gone.
    """
    root, parts = folders.root_of(folder)
    moved = safefs.move(
        folders.inbox, name.raw, root, name.text.encode(), tag=str(ledger_id), dst_parts=parts
    )
    return None if moved is None else os.fsdecode(root / os.fsdecode(moved))


def _stored_rel(folders: Folders, stored_path: str) -> tuple[Path, bytes] | None:
    """(trusted root, relative bytes) of a file in failed/, or None if it is not in there."""
    root, parts = folders.root_of(folders.failed)
    base = root.joinpath(*(os.fsdecode(p) for p in parts))
    try:
        rel = Path(stored_path).relative_to(base)
    except ValueError:
        return None
    return root, b"/".join([*parts, os.fsencode(rel.as_posix())])


def hash_stored(folders: Folders, stored_path: str, max_bytes: int) -> tuple[str, int] | None:
    """(sha256, size) of a file in failed/, or None when it is gone or not a plain file."""
    found = _stored_rel(folders, stored_path)
    if found is None:
        return None
    try:
        with safefs.open_file(found[0], found[1], max_bytes=max_bytes) as opened:
            return safefs.sha256_of(opened)
    except (OSError, safefs.Refused):
        return None


def move_back(folders: Folders, stored_path: str, name: InboxName) -> bool:
    """Bring a file from failed/ back to its name in the inbox (for a retry)."""
    found = _stored_rel(folders, stored_path)
    if found is None:
        return False
    try:
        moved = safefs.move(found[0], found[1], folders.inbox, name.raw, tag="", exact=True)
    except FileExistsError:
        return False  # a new file took the name meanwhile: the retry reads that one
    return moved is not None
