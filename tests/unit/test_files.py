"""The untrusted drop folder on disk: opening, hashing and moving never follow links, never
block on special files, never overwrite, and always leave a name the database can store."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from workers import safefs
from workers.files import (
    Folders,
    InboxName,
    hash_file,
    is_candidate_name,
    move_back,
    move_out,
    planned_path,
    read_file,
)

LIMIT = 1 << 20


@pytest.fixture
def folders(tmp_path: Path) -> Folders:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    return Folders(inbox, inbox / "done", inbox / "failed")


def name_of(folders: Folders, rel: bytes) -> InboxName:
    return InboxName.of(folders.inbox, Path(os.fsdecode(folders.inbox)) / os.fsdecode(rel))


@pytest.mark.parametrize(
    ("name", "taken"),
    [("a.txt", True), (".hidden.txt", False), ("a.txt.part", False), ("a.TMP", False)],
)
def test_in_progress_names_are_not_taken(name: str, taken: bool) -> None:
    assert is_candidate_name(name) is taken


def test_a_name_that_is_not_utf8_gets_a_text_key_and_keeps_its_bytes(folders: Folders) -> None:
    raw = b"x\xff\xfe.txt"
    (folders.inbox / os.fsdecode(raw)).write_bytes(b"hello")
    name = name_of(folders, raw)
    assert name.text == "x\\xff\\xfe.txt"
    name.text.encode("utf-8")  # storable: no lone surrogates
    assert name.raw == raw and name.raw_if_needed == raw
    assert read_file(folders.inbox, name, LIMIT) == b"hello"
    assert name_of(folders, b"plain.txt").raw_if_needed is None


def test_paths_that_leave_the_inbox_are_refused(folders: Folders, tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("secret")
    (folders.inbox / "link.txt").symlink_to(tmp_path / "secret.txt")
    (folders.inbox / "dirlink").symlink_to(tmp_path)
    for bad, code in [
        (b"../secret.txt", "unsafe_path"),
        (b"/etc/passwd", "unsafe_path"),
        (b"a/../../secret.txt", "unsafe_path"),
        (b"", "unsafe_path"),
        (b"link.txt", "symlink"),
        (b"dirlink/secret.txt", "unsafe_path"),
    ]:
        with pytest.raises(safefs.Refused) as refused:
            read_file(folders.inbox, InboxName(bad, bad.decode()), LIMIT)
        assert refused.value.code == code, bad


def test_special_files_are_refused_without_blocking(folders: Folders) -> None:
    os.mkfifo(folders.inbox / "pipe.txt")  # opening it for reading would block without O_NONBLOCK
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folders.inbox / "sock.txt"))
        for rel in (b"pipe.txt", b"sock.txt"):
            with pytest.raises(safefs.Refused) as refused:
                hash_file(folders.inbox, name_of(folders, rel), LIMIT)
            assert refused.value.code == "special_file"


def test_hard_links_and_oversized_files_are_refused_before_reading(
    folders: Folders, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not the producer's to give")
    os.link(outside, folders.inbox / "linked.txt")
    with pytest.raises(safefs.Refused) as refused:
        read_file(folders.inbox, name_of(folders, b"linked.txt"), LIMIT)
    assert refused.value.code == "hard_link"
    sparse = folders.inbox / "sparse.txt"
    with sparse.open("wb") as fh:
        fh.truncate(8 << 30)  # 8 GiB that occupy no disk: refused from fstat, never read
    with pytest.raises(safefs.Refused) as refused:
        read_file(folders.inbox, name_of(folders, b"sparse.txt"), LIMIT)
    assert refused.value.code == "too_large"


def test_a_finished_file_never_overwrites_another(folders: Folders) -> None:
    (folders.inbox / "sub").mkdir()
    for content in (b"first", b"second"):
        (folders.inbox / "sub" / "a.txt").write_bytes(content)
        name = name_of(folders, b"sub/a.txt")
        planned = planned_path(folders, name, folders.done, 7)
        assert move_out(folders, name, folders.done, 7) == planned
    assert (folders.done / "sub" / "a.txt").read_bytes() == b"first"
    assert (folders.done / "sub" / "a.7.txt").read_bytes() == b"second"


def test_a_255_byte_name_whose_twin_is_done_still_moves(folders: Folders) -> None:
    long = "n" * 251 + ".txt"
    assert len(long.encode()) == 255
    (folders.done).mkdir()
    (folders.done / long).write_text("older")
    (folders.inbox / long).write_text("newer")
    stored = move_out(folders, name_of(folders, long.encode()), folders.done, 12345)
    assert stored is not None
    assert len(Path(stored).name.encode()) <= 255 and Path(stored).read_text() == "newer"
    assert (folders.done / long).read_text() == "older"


def test_a_done_folder_swapped_for_a_link_is_never_followed(
    folders: Folders, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folders.inbox / "done").symlink_to(elsewhere)
    (folders.inbox / "a.txt").write_text("x")
    stored = move_out(folders, name_of(folders, b"a.txt"), folders.done, 1)
    assert stored == str(folders.done / "a.txt")
    assert list(elsewhere.iterdir()) == []  # nothing written outside the inbox
    assert (folders.inbox / "done").is_dir() and not (folders.inbox / "done").is_symlink()
    assert [p.name for p in folders.inbox.iterdir() if p.is_symlink()] != []  # set aside


def test_a_refused_symlink_is_moved_itself_not_its_target(folders: Folders, tmp_path: Path) -> None:
    target = tmp_path / "target.txt"
    target.write_text("keep me")
    (folders.inbox / "link.txt").symlink_to(target)
    stored = move_out(folders, name_of(folders, b"link.txt"), folders.failed, 3)
    assert stored is not None and Path(stored).is_symlink()
    assert target.read_text() == "keep me"


def test_a_file_comes_back_from_failed_only_to_a_free_name(folders: Folders) -> None:
    (folders.inbox / "a.txt").write_text("x")
    name = name_of(folders, b"a.txt")
    stored = move_out(folders, name, folders.failed, 1)
    assert stored is not None
    (folders.inbox / "a.txt").write_text("a newer file took the name")
    assert not move_back(folders, stored, name)
    (folders.inbox / "a.txt").unlink()
    assert move_back(folders, stored, name)
    assert (folders.inbox / "a.txt").read_text() == "x"


def test_the_fit_name_cut_keeps_utf8_whole() -> None:
    name = ("é" * 200 + ".txt").encode()
    cut = safefs.fit_name(name, "99")
    assert len(cut) <= 255 and cut.endswith(b".99.txt")
    cut.decode("utf-8")
