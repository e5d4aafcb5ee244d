"""Ledger and article rows holding what a drop folder can bring: Rich markup, terminal
escapes, names that are not UTF-8, bidi overrides, multi-megabyte titles and reasons.

Inserted through `db.ledger` (as the watcher records files) and the ORM (as the store writes
articles), so every face reads them from a real database.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from db import ledger
from db.models import Article, LedgerEntry, State
from db.session import transaction
from tests.support.services import redis_db_url
from workers.clock import utcnow
from workers.files import relative_key
from workers.settings import Settings, load_settings

BIG = 3 * 1024 * 1024  # characters in the longest title and reason
ESC = "\x1b"

# Source paths as the ledger holds them (`relative_key`): "a[/b] c.txt" is the file
# "b] c.txt" in the inbox's folder "a[".
MARKUP_PATH = "a[/b] c.txt"
NON_UTF8_NAME = b"caf\xe9 \xff.txt"
# Newest last: `status` shows the five newest failures, the markup one among them.
FAILED_PATHS = [
    "deep/" * 900 + "long.txt",
    "bidi\u202etxt.exe",
    f"clear{ESC}[2J{ESC}]0;pwned\x07.txt",
    "line\nbreak\r.txt",
    "c1\x9b31m.txt",
    os.fsencode(NON_UTF8_NAME).decode("utf-8", "backslashreplace"),
    MARKUP_PATH,
]
TITLES = [
    "Markets close [/b] higher",
    f"[red]ALERT[/red] {ESC}[31mred{ESC}[0m",
    "T" * BIG,
]
LONG_REASON = f"[bold]boom[/] {ESC}[2J " + "r" * BIG


def local_settings(root: Path, database_url: str, **extra: object) -> Settings:
    """Settings over `database_url`, a Redis database of its own and an inbox under `root`."""
    (root / "inbox").mkdir()
    return load_settings(
        database_url=database_url,
        redis_url=redis_db_url(),
        inbox=root / "inbox",
        data_dir=root / "var",
        **extra,
    )


@dataclass(frozen=True)
class Inserted:
    failed_ids: list[int]
    article_ids: list[int]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def insert_hostile_rows(sessions: sessionmaker[Session]) -> Inserted:
    """Failed rows for FAILED_PATHS (MARKUP_PATH's with LONG_REASON) and one stored article
    per title in TITLES."""
    now = utcnow()
    stored_paths = [f"stored [/i] {i}.txt" for i in range(len(TITLES))]
    files = [ledger.SeenFile(p, _sha(p), 10) for p in FAILED_PATHS + stored_paths]
    with transaction(sessions) as s:
        rows = {r.source_path: r.id for r in ledger.register_files(s, files, now)}
        failed = [rows[p] for p in FAILED_PATHS]
        for n, ledger_id in enumerate(failed):
            entry = s.get(LedgerEntry, ledger_id)
            assert entry is not None
            path = FAILED_PATHS[n]
            reason = LONG_REASON if path == MARKUP_PATH else f"rejected [/] {ESC}[1m{path}"
            # Set directly, as a test fixture: no worker ran, so no transition applies.
            entry.state, entry.reason_code, entry.reason = State.FAILED, "hostile", reason
            entry.finished_at = entry.updated_at = now
        articles = [_article(s, rows[p], p, t) for p, t in zip(stored_paths, TITLES, strict=True)]
    return Inserted(failed, articles)


def _article(s: Session, ledger_id: int, path: str, title: str) -> int:
    entry = s.get(LedgerEntry, ledger_id)
    assert entry is not None
    entry.state, entry.finished_at = State.DONE, utcnow()
    article = Article(
        ledger_id=ledger_id,
        source_path=path,
        sha256=entry.sha256,
        content_hash=_sha(path + "body"),
        title=title,
        body="Body text.",
        word_count=2,
        signature=b"",
        created_at=utcnow(),
    )
    s.add(article)
    s.flush()
    article.cluster_id = article.id
    return int(article.id)


def make_hostile_inbox(inbox: Path) -> list[str]:
    """Files waiting in the inbox that the ledger never saw, hostile names included; returns
    their ledger keys."""
    (inbox / "a[").mkdir(parents=True, exist_ok=True)
    names = [b"a[/b] waiting.txt", NON_UTF8_NAME, f"esc{ESC}[2J.txt".encode()]
    for name in names:
        fd = os.open(os.path.join(os.fsencode(inbox), name), os.O_WRONLY | os.O_CREAT, 0o644)
        os.close(fd)
    return [
        relative_key(inbox, Path(os.fsdecode(os.path.join(os.fsencode(inbox), n)))) for n in names
    ]
