from __future__ import annotations

from pathlib import Path

import pytest

from workers.files import UnsafePath, destination, is_candidate_name, resolve_in_inbox


@pytest.mark.parametrize(
    ("name", "taken"),
    [("a.txt", True), (".hidden.txt", False), ("a.txt.part", False), ("a.TMP", False)],
)
def test_in_progress_names_are_not_taken(name: str, taken: bool) -> None:
    assert is_candidate_name(name) is taken


def test_paths_that_leave_the_inbox_are_refused(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (tmp_path / "secret.txt").write_text("x")
    (inbox / "link.txt").symlink_to(tmp_path / "secret.txt")
    (inbox / "ok.txt").write_text("x")
    assert resolve_in_inbox(inbox, "ok.txt") == (inbox / "ok.txt").resolve()
    for bad in ("../secret.txt", "/etc/passwd", "link.txt", "a/../../secret.txt", ""):
        with pytest.raises(UnsafePath):
            resolve_in_inbox(inbox, bad)


def test_a_finished_file_never_overwrites_another(tmp_path: Path) -> None:
    first = destination(tmp_path, "sub/a.txt", 7)
    assert first == tmp_path / "sub" / "a.txt"
    first.parent.mkdir()
    first.write_text("x")
    assert destination(tmp_path, "sub/a.txt", 7) == tmp_path / "sub" / "a.7.txt"
