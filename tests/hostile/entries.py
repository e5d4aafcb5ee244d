"""The catalogue of hostile drop-folder entries: names, special files, swaps and contents.

Each `Hostile` knows how to plant itself in the inbox (`plant`, and for swaps `later`, run
once the watcher has seen the first version) and what the service may make of it: stored
(`done`), or failed with one of `codes`. A generic failure (`error`, `gave_up`, `timeout`)
is never an acceptable answer: it means the input reached code that did not expect it.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.faults.conftest import article_text

Plant = Callable[[Path, Path], None]  # (inbox, outside)
GENERIC = frozenset({"error", "gave_up", "timeout"})


@dataclass(frozen=True)
class Hostile:
    kind: str
    name: bytes  # relative path in the inbox, as bytes
    plant: Plant
    expect: str  # "done", "failed" or "either"
    codes: frozenset[str] = frozenset()  # acceptable failure codes ("failed"/"either")
    later: Plant | None = None  # a swap made after the first version was seen
    keeps_open: list[socket.socket] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.name.decode("utf-8", "backslashreplace")


def write(name: bytes, data: bytes) -> Plant:
    def plant(inbox: Path, outside: Path) -> None:
        # Written elsewhere on the same filesystem and renamed in, as producers should: the
        # name may leave no room for a `.part` suffix.
        path = Path(os.fsdecode(os.fsencode(inbox) + b"/" + name))
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = outside.parent / f".stage-{os.urandom(6).hex()}"
        partial.write_bytes(data)
        os.replace(partial, path)

    return plant


def _in_place(name: bytes, data: bytes) -> Plant:
    def plant(inbox: Path, _outside: Path) -> None:
        (inbox / os.fsdecode(name)).write_bytes(data)

    return plant


def _symlink(name: bytes, target: Callable[[Path, Path], Path]) -> Plant:
    def plant(inbox: Path, outside: Path) -> None:
        os.symlink(target(inbox, outside), inbox / os.fsdecode(name))

    return plant


def _swap_to_symlink(name: bytes) -> Plant:
    def later(inbox: Path, outside: Path) -> None:
        path = inbox / os.fsdecode(name)
        tmp = path.with_name(".swap-" + path.name)
        os.symlink(outside / "secret.txt", tmp)
        os.replace(tmp, path)

    return later


def _swap_to_fifo(name: bytes) -> Plant:
    def later(inbox: Path, _outside: Path) -> None:
        path = inbox / os.fsdecode(name)
        tmp = path.with_name(".swap-" + path.name)
        os.mkfifo(tmp)
        os.replace(tmp, path)

    return later


def _fifo(name: bytes) -> Plant:
    return lambda inbox, _o: os.mkfifo(inbox / os.fsdecode(name))


def _sparse(name: bytes, size: int) -> Plant:
    def plant(inbox: Path, _outside: Path) -> None:
        with (inbox / os.fsdecode(name)).open("wb") as fh:
            fh.truncate(size)

    return plant


def _hard_link(name: bytes) -> Plant:
    return lambda inbox, outside: os.link(outside / "secret.txt", inbox / os.fsdecode(name))


def _article(n: int, title: str | None = None, words: int = 60) -> bytes:
    body = article_text(n, words)
    return body if title is None else f"Title: {title}\n\n".encode() + body


def _json(obj: object) -> bytes:
    return json.dumps(obj).encode()


def catalogue() -> list[Hostile]:
    """Every hostile kind (a socket entry keeps its socket open in `keeps_open`)."""
    sock = socket.socket(socket.AF_UNIX)
    utf16 = ("Harbour vote\n\n" + article_text(901).decode()).encode("utf-16-le")
    items = b"\n".join(_json({"title": f"t{i}", "body": "x"}) for i in range(20_000))
    long_name = b"n" * 251 + b".txt"
    done_either = frozenset({"no_text", "unparseable", "unsupported", "binary", "undecodable"})
    kinds = [
        # ---- names
        Hostile("name not UTF-8", b"x\xff\xfe.txt", write(b"x\xff\xfe.txt", _article(801)), "done"),
        Hostile("Latin-1 name", b"caf\xe9.txt", write(b"caf\xe9.txt", _article(802)), "done"),
        Hostile(
            "ESC in name",
            b"ctl\x1b[31mred.txt",
            write(b"ctl\x1b[31mred.txt", _article(803)),
            "done",
        ),
        Hostile(
            "newline in name", b"new\nline.txt", write(b"new\nline.txt", _article(804)), "done"
        ),
        Hostile("Rich markup name", b"a[/b] c.txt", write(b"a[/b] c.txt", _article(805)), "done"),
        Hostile(
            "markup tag name",
            b"[red]x[/red].txt",
            write(b"[red]x[/red].txt", _article(806)),
            "done",
        ),
        Hostile(
            "HTML name",
            b"<img src=x onerror=alert(1)>.txt",
            write(b"<img src=x onerror=alert(1)>.txt", _article(807)),
            "done",
        ),
        Hostile("255-byte name", long_name, write(long_name, _article(808)), "done"),
        Hostile(
            "leading dash",
            b"-rf --no-preserve-root.txt",
            write(b"-rf --no-preserve-root.txt", _article(809)),
            "done",
        ),
        Hostile(
            "shell syntax",
            b"$(touch PWNED); `id`.txt",
            write(b"$(touch PWNED); `id`.txt", _article(810)),
            "done",
        ),
        Hostile(
            "literal backslash-x", b"lit\\xff.txt", write(b"lit\\xff.txt", _article(811)), "done"
        ),
        Hostile(
            "right-to-left override",
            "rtl\u202etxt.exe".encode(),
            write("rtl\u202etxt.exe".encode(), _article(812)),
            "either",
            frozenset({"unsupported"}),
        ),
        Hostile(
            "folder named like a file",
            b"dir.txt/inner.txt",
            write(b"dir.txt/inner.txt", _article(813)),
            "done",
        ),
        Hostile(
            "deep folders",
            b"a/" * 40 + b"deep.txt",
            write(b"a/" * 40 + b"deep.txt", _article(814)),
            "done",
        ),
        # ---- special files and links
        Hostile("FIFO", b"pipe.txt", _fifo(b"pipe.txt"), "failed", frozenset({"special_file"})),
        Hostile(
            "socket",
            b"sock.txt",
            lambda inbox, _o: sock.bind(str(inbox / "sock.txt")),
            "failed",
            frozenset({"special_file"}),
            keeps_open=[sock],
        ),
        Hostile(
            "symlink out of the tree",
            b"passwd.txt",
            _symlink(b"passwd.txt", lambda _i, _o: Path("/etc/passwd")),
            "failed",
            frozenset({"symlink"}),
        ),
        Hostile(
            "symlink to a secret",
            b"secret-link.txt",
            _symlink(b"secret-link.txt", lambda _i, o: o / "secret.txt"),
            "failed",
            frozenset({"symlink"}),
        ),
        Hostile(
            "dangling symlink",
            b"dangling.txt",
            _symlink(b"dangling.txt", lambda _i, o: o / "nowhere"),
            "failed",
            frozenset({"symlink"}),
        ),
        Hostile(
            "symlinked folder",
            b"etc-link",
            _symlink(b"etc-link", lambda _i, _o: Path("/etc")),
            "failed",
            frozenset({"symlink"}),
        ),
        Hostile(
            "hard link to a secret",
            b"hard.txt",
            _hard_link(b"hard.txt"),
            "failed",
            frozenset({"hard_link"}),
        ),
        Hostile(
            "swapped for a symlink",
            b"swap-link.txt",
            _in_place(b"swap-link.txt", _article(815)),
            "failed",
            frozenset({"symlink"}),
            later=_swap_to_symlink(b"swap-link.txt"),
        ),
        Hostile(
            "swapped for a FIFO",
            b"swap-fifo.txt",
            _in_place(b"swap-fifo.txt", _article(816)),
            "failed",
            frozenset({"special_file"}),
            later=_swap_to_fifo(b"swap-fifo.txt"),
        ),
        # ---- contents
        Hostile("empty", b"empty.txt", write(b"empty.txt", b""), "failed", frozenset({"empty"})),
        Hostile(
            "whitespace",
            b"blank.txt",
            write(b"blank.txt", b" \n\t\n" * 100),
            "failed",
            frozenset({"empty"}),
        ),
        Hostile(
            "binary",
            b"noise.txt",
            write(b"noise.txt", os.urandom(4096)),
            "failed",
            frozenset({"binary", "undecodable"}),
        ),
        Hostile("UTF-16 without BOM", b"utf16.txt", write(b"utf16.txt", utf16), "done"),
        Hostile(
            "UTF-16 with BOM", b"utf16bom.txt", write(b"utf16bom.txt", b"\xff\xfe" + utf16), "done"
        ),
        Hostile(
            "invalid UTF-8 inside",
            b"mixed.txt",
            write(b"mixed.txt", _article(817) + b"\xc3\x28 \xff\xfe tail words here.\n"),
            "done",
        ),
        Hostile(
            "sparse 5 GiB",
            b"sparse.txt",
            _sparse(b"sparse.txt", 5 << 30),
            "failed",
            frozenset({"too_large"}),
        ),
        Hostile(
            "over the size limit",
            b"big.txt",
            write(b"big.txt", b"word " * 2_200_000),
            "failed",
            frozenset({"too_large"}),
        ),
        Hostile(
            "one 5 MB line",
            b"line.txt",
            write(b"line.txt", b"longword " * 600_000),
            "either",
            done_either,
        ),
        Hostile(
            "header backtracking",
            b"header.txt",
            write(b"header.txt", b"Title: a" + b" " * 30_000 + b"b\n\n" + _article(818)),
            "either",
            frozenset({"title_too_long"}),
        ),
        Hostile(
            "200 KB quote line",
            b"quotes.txt",
            write(b"quotes.txt", b'He said "' + b"yes, " * 40_000 + b"\n"),
            "either",
            done_either,
        ),
        Hostile(
            "deeply nested JSON",
            b"nested.json",
            write(b"nested.json", b"[" * 100_000),
            "failed",
            frozenset({"unparseable", "no_text"}),
        ),
        Hostile(
            "deeply nested HTML",
            b"nested.html",
            write(b"nested.html", b"<html><body>" + b"<div>" * 100_000 + b"text"),
            "either",
            done_either,
        ),
        Hostile("entity expansion", b"lol.html", write(b"lol.html", _lol()), "either", done_either),
        Hostile(
            "huge title",
            b"title.json",
            write(b"title.json", _json({"title": "T" * 2_000_000, "body": "Body text."})),
            "failed",
            frozenset({"title_too_long"}),
        ),
        Hostile(
            "markup and ESC in a title",
            b"rich-title.json",
            write(
                b"rich-title.json",
                _json({"title": "[/b][red]\x1b[2Jboom", "body": article_text(819).decode()}),
            ),
            "done",
        ),
        Hostile(
            "many items",
            b"items.jsonl",
            write(b"items.jsonl", items),
            "failed",
            frozenset({"too_many_items"}),
        ),
        Hostile(
            "NUL and ESC escapes",
            b"escapes.json",
            write(
                b"escapes.json",
                b'{"title": "a\\u0000b\\u001b[31m", "body": "'
                + article_text(820).replace(b"\n", b" ")
                + b'\\u0000 end"}',
            ),
            "done",
        ),
        Hostile(
            "lone surrogate",
            b"surrogate.json",
            write(
                b"surrogate.json",
                b'{"title": "x\\ud800y", "body": "'
                + article_text(821).replace(b"\n", b" ")
                + b' \\udfff"}',
            ),
            "done",
        ),
        Hostile(
            "JSON number",
            b"number.json",
            write(b"number.json", b"42"),
            "failed",
            frozenset({"unparseable", "no_text"}),
        ),
        Hostile(
            "10,000 keys",
            b"keys.json",
            write(b"keys.json", _json({f"k{i}": i for i in range(10_000)})),
            "failed",
            frozenset({"no_text"}),
        ),
        Hostile(
            "unknown format",
            b"blob.bin",
            write(b"blob.bin", os.urandom(2048)),
            "failed",
            frozenset({"unsupported", "binary", "undecodable"}),
        ),
    ]
    return kinds


def _lol() -> bytes:
    """A billion-laughs document: entity expansion must not run."""
    lines = ['<?xml version="1.0"?>', "<!DOCTYPE lolz [", ' <!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = f"&lol{i - 1};" if i > 1 else "&lol;"
        lines.append(f' <!ENTITY lol{i} "{prev * 10}">')
    lines += ["]>", "<html><body><p>&lol9;</p></body></html>"]
    return "\n".join(lines).encode()
