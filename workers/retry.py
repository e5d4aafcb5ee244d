"""Replay failed files: reset the ledger, bring the file back from failed/, send it again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from db import ledger
from db.models import LedgerEntry, State
from db.session import transaction
from workers.clock import utcnow
from workers.files import UnsafePath, move_file, resolve_in_inbox, sha256_file
from workers.queues import INGEST_QUEUE, NLP_QUEUE
from workers.settings import Settings


def retry_failed(
    settings: Settings,
    sessions: sessionmaker[Session],
    send: Callable[[str, int], None],
    ids: Sequence[int] | None,
) -> int:
    """Returns how many rows were sent again. The ledger is reset before the file moves back,
    so the watcher never sees the returning file against a `failed` row."""
    with transaction(sessions) as s:
        rows = ledger.reset_for_retry(s, ids, utcnow())
        plan = [(r.id, r.state, r.source_path, r.stored_path) for r in rows]
        for r in rows:
            _adopt_fixed_content(r)
            r.stored_path = None
    sent: list[int] = []
    for ledger_id, state, source_path, stored_path in plan:
        if stored_path and state == State.PENDING:
            _bring_back(settings, Path(stored_path), source_path)
        send(NLP_QUEUE if state == State.NLP else INGEST_QUEUE, ledger_id)
        sent.append(ledger_id)
    with transaction(sessions) as s:
        ledger.mark_queued(s, sent, utcnow())
    return len(sent)


def _adopt_fixed_content(row: LedgerEntry) -> None:
    """An operator may have fixed the file in failed/ before retrying: the row takes the new
    content's hash, so the ingest stage reads it instead of refusing it as "changed"."""
    if row.parent_id is not None or not row.stored_path:
        return
    stored = Path(row.stored_path)
    if stored.is_file():
        row.sha256, row.size = sha256_file(stored)


def _bring_back(settings: Settings, stored: Path, source_path: str) -> None:
    try:
        target = resolve_in_inbox(settings.inbox, source_path)
    except UnsafePath:
        return
    if stored.exists() and not target.exists():
        move_file(stored, target)
