"""File operations on an untrusted tree: open, read, hash and move without following links.

Anyone who can write the drop folder can swap a file for a symlink, a FIFO or a device
between two looks at it. So nothing here checks a path and then uses it: every path is
walked one component at a time from a directory descriptor the service trusts, with
`O_NOFOLLOW`, and the file is opened once (`O_NONBLOCK`, so a FIFO cannot block), checked with
`fstat` on that descriptor, and read or hashed through the same descriptor. Moves never
overwrite (`renameat2(RENAME_NOREPLACE)`, else link + unlink) and never leave the two trusted
roots they are given.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import logging
import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

NAME_MAX = 255  # bytes, Linux
_CHUNK = 1 << 20
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a directory",
    stat.S_IFLNK: "a symbolic link",
}


class Refused(Exception):
    """An entry the service will not read: what it is, in a code and a sentence."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(f"{code}: {reason}")
        self.code = code
        self.reason = reason


def kind_of(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def split_rel(rel: bytes) -> list[bytes]:
    """The components of a relative path; refuses absolute paths, `..` and empty names."""
    parts = rel.split(b"/")
    if rel.startswith(b"/") or not rel or any(p in (b"", b".", b"..") for p in parts):
        raise Refused("unsafe_path", f"{rel!r} is not a plain path inside its folder")
    return parts


@contextmanager
def _fd(fd: int) -> Iterator[int]:
    try:
        yield fd
    finally:
        os.close(fd)


def _open_dir_at(parent: int, name: bytes) -> int:
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=parent)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            raise Refused(
                "unsafe_path", f"{os.fsdecode(name)!r} is a link or not a folder"
            ) from None
        raise


@contextmanager
def open_dir(root: Path, parts: Sequence[bytes] = ()) -> Iterator[int]:
    """A descriptor for `root`/parts, every component opened without following links."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for part in parts:
            nxt = _open_dir_at(fd, part)
            os.close(fd)
            fd = nxt
        yield fd
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class Opened:
    fd: int
    size: int
    mtime_ns: int


@contextmanager
def open_file(root: Path, rel: bytes, *, max_bytes: int) -> Iterator[Opened]:
    """Open a regular file under `root` once, refusing links, special files, hard links and
    files over `max_bytes` (from `fstat`, before a byte is read)."""
    *dirs, name = split_rel(rel)
    with open_dir(root, dirs) as parent:
        try:
            fd = os.open(name, _FILE_FLAGS, dir_fd=parent)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise Refused("symlink", "a symbolic link: links are never followed") from None
            if exc.errno == errno.ENXIO:
                raise Refused("special_file", "a socket, not a regular file") from None
            raise
    with _fd(fd):
        st = os.fstat(fd)
        check_regular(st.st_mode, st.st_nlink, st.st_size, max_bytes)
        yield Opened(fd, st.st_size, st.st_mtime_ns)


def check_regular(mode: int, nlink: int, size: int, max_bytes: int) -> None:
    if not stat.S_ISREG(mode):
        code = "symlink" if stat.S_ISLNK(mode) else "special_file"
        raise Refused(code, f"{kind_of(mode)}, not a regular file")
    if nlink > 1:
        # The same inode may sit outside the inbox: its content is not the producer's to give.
        raise Refused(
            "hard_link", f"a hard link ({nlink} names for one file): copy or move files in"
        )
    if size > max_bytes:
        raise Refused(
            "too_large",
            f"the file is {size} bytes, over the limit of {max_bytes} (DROPWIRE_MAX_FILE_BYTES)",
        )


def read_all(opened: Opened, max_bytes: int) -> bytes:
    """The whole file; a file that grew past `max_bytes` since `fstat` is refused."""
    data = bytearray()
    while chunk := os.read(opened.fd, min(_CHUNK, max_bytes + 1 - len(data))):
        data += chunk
        if len(data) > max_bytes:
            raise Refused("too_large", f"the file grew past the limit of {max_bytes} bytes")
    return bytes(data)


def sha256_of(opened: Opened) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    while chunk := os.read(opened.fd, _CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


# --------------------------------------------------------------------------- moving

_libc = ctypes.CDLL(None, use_errno=True)
_renameat2 = getattr(_libc, "renameat2", None)
if _renameat2 is not None:
    _renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    _renameat2.argtypes += [ctypes.c_uint]
_RENAME_NOREPLACE = 1


def _rename_noreplace(src_dir: int, src: bytes, dst_dir: int, dst: bytes) -> None:
    """Rename without ever replacing `dst` (raises FileExistsError instead)."""
    if _renameat2 is not None:
        if _renameat2(src_dir, src, dst_dir, dst, _RENAME_NOREPLACE) == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS):  # filesystems without the flag: below
            raise OSError(err, os.strerror(err), os.fsdecode(dst))
    os.link(src, dst, src_dir_fd=src_dir, dst_dir_fd=dst_dir, follow_symlinks=False)
    os.unlink(src, dir_fd=src_dir)


def _copy_across(src_dir: int, src: bytes, dst_dir: int, dst: bytes) -> None:
    """done/ on another filesystem: copy a regular file's bytes, then unlink the source."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    with _fd(os.open(src, _FILE_FLAGS, dir_fd=src_dir)) as fin:
        if not stat.S_ISREG(os.fstat(fin).st_mode):
            raise Refused("special_file", "only regular files are copied across filesystems")
        with _fd(os.open(dst, flags, 0o644, dir_fd=dst_dir)) as fout:
            while chunk := os.read(fin, _CHUNK):
                os.write(fout, chunk)
            os.fsync(fout)
    os.unlink(src, dir_fd=src_dir)


def fit_name(name: bytes, tag: str = "") -> bytes:
    """`name` with `.tag` before its suffix, cut to NAME_MAX bytes (the stem gives way)."""
    stem, dot, suffix = name.rpartition(b".")
    if not dot or not stem or len(suffix) > 16:
        stem, suffix = name, b""
    extra = (b"." + tag.encode() if tag else b"") + (b"." + suffix if suffix else b"")
    room = NAME_MAX - len(extra)
    cut = stem[:room].decode("utf-8", "ignore").encode() or b"_"
    return cut + extra


def ensure_dir(parent: int, name: bytes) -> int:
    """Open (creating) folder `name` under `parent`. Something else in its place (a symlink
    swapped in, a file) is renamed aside first: our folders are never followed out."""
    for _ in range(3):
        try:
            return _open_dir_at(parent, name)
        except FileNotFoundError:
            with suppress(FileExistsError):  # made by someone else meanwhile: open it
                os.mkdir(name, 0o755, dir_fd=parent)
        except Refused:
            aside = fit_name(name, f"moved-aside-{os.getpid()}-{os.urandom(3).hex()}")
            log.warning("%r is not a real folder: renamed it to %r", name, aside)
            _rename_noreplace(parent, name, parent, aside)
    raise Refused("unsafe_path", f"cannot make folder {os.fsdecode(name)!r}")


def move(
    src_root: Path,
    src_rel: bytes,
    dst_root: Path,
    dst_rel: bytes,
    *,
    tag: str,
    dst_parts: Sequence[bytes] = (),
    exact: bool = False,
) -> bytes | None:
    """Move `src_root/src_rel` to `dst_root/dst_parts/dst_rel`, never overwriting: an existing
    name gets `.tag` (then `.tag-N`). Returns the new path relative to `dst_root`, or None when
    the source is gone. `dst_root` is trusted; `dst_parts` (our own folder, e.g. `done` inside
    the inbox) and the folders of `dst_rel` are created as real folders, never followed.
    With `exact`, only `dst_rel` itself will do (FileExistsError when taken)."""
    *src_dirs, src_name = split_rel(src_rel)
    *sub_dirs, dst_name = split_rel(dst_rel)
    with open_dir(src_root, src_dirs) as src_dir, open_dir(dst_root) as root:
        opened: list[int] = [root]
        try:
            for part in [*dst_parts, *sub_dirs]:
                opened.append(ensure_dir(opened[-1], part))
            prefix = [*dst_parts, *sub_dirs]
            if exact:
                _rename_noreplace(src_dir, src_name, opened[-1], dst_name)
                return b"/".join([*prefix, dst_name])
            return _place(src_dir, src_name, opened[-1], dst_name, tag, prefix)
        finally:
            for fd in opened[1:]:
                os.close(fd)


def _place(
    src_dir: int, src: bytes, dst_dir: int, name: bytes, tag: str, prefix: list[bytes]
) -> bytes | None:
    candidates = [fit_name(name), fit_name(name, tag)]
    candidates += [fit_name(name, f"{tag}-{n}") for n in range(2, 50)]
    for candidate in candidates:
        try:
            _rename_noreplace(src_dir, src, dst_dir, candidate)
        except FileExistsError:
            continue
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno == errno.EEXIST:
                continue
            if exc.errno != errno.EXDEV:
                raise
            try:
                _copy_across(src_dir, src, dst_dir, candidate)
            except FileExistsError:
                continue
        return b"/".join([*prefix, candidate])
    raise Refused("name_taken", f"no free name for {os.fsdecode(name)!r}")
