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
from collections.abc import Callable, Iterable
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


def dropped(
    kind: str, name: bytes, data: bytes, expect: str = "done", codes: Iterable[str] = ()
) -> Hostile:
    """A file with this name and content, renamed into the inbox."""
    return Hostile(kind, name, write(name, data), expect, frozenset(codes))


def refused(kind: str, name: bytes, plant: Plant, code: str, later: Plant | None = None) -> Hostile:
    """An entry the watcher must refuse on sight with `code`."""
    return Hostile(kind, name, plant, "failed", frozenset({code}), later)


def _names() -> list[Hostile]:
    long_name = b"n" * 251 + b".txt"
    named = [
        ("name not UTF-8", b"x\xff\xfe.txt"),
        ("Latin-1 name", b"caf\xe9.txt"),
        ("ESC in name", b"ctl\x1b[31mred.txt"),
        ("newline in name", b"new\nline.txt"),
        ("Rich markup name", b"a[/b] c.txt"),
        ("markup tag name", b"[red]x[/red].txt"),
        ("HTML name", b"<img src=x onerror=alert(1)>.txt"),
        ("255-byte name", long_name),
        ("leading dash", b"-rf --no-preserve-root.txt"),
        ("shell syntax", b"$(touch PWNED); `id`.txt"),
        ("literal backslash-x", b"lit\\xff.txt"),
        ("folder named like a file", b"dir.txt/inner.txt"),
        ("deep folders", b"a/" * 40 + b"deep.txt"),
    ]
    out = [dropped(kind, name, _article(801 + i)) for i, (kind, name) in enumerate(named)]
    rtl = "rtl\u202etxt.exe".encode()
    out.append(dropped("right-to-left override", rtl, _article(830), "either", {"unsupported"}))
    return out


def _special_files() -> list[Hostile]:
    sock = socket.socket(socket.AF_UNIX)
    bound = Hostile(
        "socket", b"sock.txt", lambda inbox, _o: sock.bind(str(inbox / "sock.txt")), "failed",
        frozenset({"special_file"}), keeps_open=[sock],
    )  # fmt: skip
    return [
        refused("FIFO", b"pipe.txt", _fifo(b"pipe.txt"), "special_file"),
        bound,
        refused("symlink out of the tree", b"passwd.txt",
                _symlink(b"passwd.txt", lambda _i, _o: Path("/etc/passwd")), "symlink"),
        refused("symlink to a secret", b"secret-link.txt",
                _symlink(b"secret-link.txt", lambda _i, o: o / "secret.txt"), "symlink"),
        refused("dangling symlink", b"dangling.txt",
                _symlink(b"dangling.txt", lambda _i, o: o / "nowhere"), "symlink"),
        refused("symlinked folder", b"etc-link",
                _symlink(b"etc-link", lambda _i, _o: Path("/etc")), "symlink"),
        refused("hard link to a secret", b"hard.txt", _hard_link(b"hard.txt"), "hard_link"),
        refused("swapped for a symlink", b"swap-link.txt",
                _in_place(b"swap-link.txt", _article(815)), "symlink",
                later=_swap_to_symlink(b"swap-link.txt")),
        refused("swapped for a FIFO", b"swap-fifo.txt",
                _in_place(b"swap-fifo.txt", _article(816)), "special_file",
                later=_swap_to_fifo(b"swap-fifo.txt")),
        refused("sparse 5 GiB", b"sparse.txt", _sparse(b"sparse.txt", 5 << 30), "too_large"),
    ]  # fmt: skip


def _contents() -> list[Hostile]:
    utf16 = ("Harbour vote\n\n" + article_text(901).decode()).encode("utf-16-le")
    items = b"\n".join(_json({"title": f"t{i}", "body": "x"}) for i in range(20_000))
    either = {"no_text", "unparseable", "unsupported", "binary", "undecodable", "too_complex"}
    body = article_text(820).replace(b"\n", b" ")
    return [
        dropped("empty", b"empty.txt", b"", "failed", {"empty"}),
        dropped("whitespace", b"blank.txt", b" \n\t\n" * 100, "failed", {"empty"}),
        dropped("binary", b"noise.txt", os.urandom(4096), "failed", {"binary", "undecodable"}),
        dropped("UTF-16 without BOM", b"utf16.txt", utf16),
        dropped("UTF-16 with BOM", b"utf16bom.txt", b"\xff\xfe" + utf16),
        dropped("invalid UTF-8 inside", b"mixed.txt",
                _article(817) + b"\xc3\x28 \xff\xfe tail words here.\n"),
        dropped("over the size limit", b"big.txt", b"word " * 2_200_000, "failed", {"too_large"}),
        dropped("one 5 MB line", b"line.txt", b"longword " * 600_000, "either", either),
        dropped("header backtracking", b"header.txt",
                b"Title: a" + b" " * 30_000 + b"b\n\n" + _article(818), "either",
                {"title_too_long"}),
        dropped("200 KB quote line", b"quotes.txt", b'He said "' + b"yes, " * 40_000 + b"\n",
                "either", either),
        dropped("deeply nested JSON", b"nested.json", b"[" * 100_000, "failed",
                {"unparseable", "no_text"}),
        dropped("deeply nested HTML", b"nested.html",
                b"<html><body>" + b"<div>" * 100_000 + b"text", "either", either),
        dropped("entity expansion", b"lol.html", _lol(), "either", either),
        dropped("huge title", b"title.json", _json({"title": "T" * 2_000_000, "body": "Text."}),
                "failed", {"title_too_long"}),
        dropped("markup and ESC in a title", b"rich-title.json",
                _json({"title": "[/b][red]\x1b[2Jboom", "body": article_text(819).decode()})),
        dropped("many items", b"items.jsonl", items, "failed", {"too_many_items"}),
        dropped("NUL and ESC escapes", b"escapes.json",
                b'{"title": "a\\u0000b\\u001b[31m", "body": "' + body + b'\\u0000 end"}'),
        dropped("lone surrogate", b"surrogate.json",
                b'{"title": "x\\ud800y", "body": "' + body + b' \\udfff"}'),
        dropped("JSON number", b"number.json", b"42", "failed", {"unparseable", "no_text"}),
        dropped("10,000 keys", b"keys.json", _json({f"k{i}": i for i in range(10_000)}),
                "failed", {"no_text"}),
        dropped("unknown format", b"blob.bin", os.urandom(2048), "failed",
                {"unsupported", "binary", "undecodable"}),
    ]  # fmt: skip


def catalogue() -> list[Hostile]:
    """Every hostile kind (a socket entry keeps its socket open in `keeps_open`)."""
    return [*_names(), *_special_files(), *_contents()]


def _lol() -> bytes:
    """A billion-laughs document: entity expansion must not run."""
    lines = ['<?xml version="1.0"?>', "<!DOCTYPE lolz [", ' <!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = f"&lol{i - 1};" if i > 1 else "&lol;"
        lines.append(f' <!ENTITY lol{i} "{prev * 10}">')
    lines += ["]>", "<html><body><p>&lol9;</p></body></html>"]
    return "\n".join(lines).encode()
