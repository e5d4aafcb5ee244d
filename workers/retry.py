"""Replay failed files: reset the ledger, bring the file back from failed/, send it again."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db import ledger
from db.models import LedgerEntry, State
from db.session import transaction
from workers.clock import utcnow
from workers.files import Folders, InboxName, hash_stored, move_back
from workers.queues import INGEST_QUEUE, NLP_QUEUE
from workers.settings import Settings

log = logging.getLogger(__name__)


def retry_failed(
    settings: Settings,
    sessions: sessionmaker[Session],
    send: Callable[[str, int], None],
    ids: Sequence[int] | None,
) -> int:
    """Returns how many rows were sent again. The ledger is reset before the file moves back,
    so the watcher never sees the returning file against a `failed` row."""
    folders = Folders.from_settings(settings)
    with transaction(sessions) as s:
        _adopt_fixed_content(s, folders, settings.max_file_bytes, ids)
        rows = ledger.reset_for_retry(s, ids, utcnow())
        plan = [(r.id, r.state, InboxName.of_row(r), r.stored_path) for r in rows]
        for r in rows:
            ledger.set_stored_path(r, None)
    sent: list[int] = []
    for ledger_id, state, name, stored_path in plan:
        if stored_path and state == State.PENDING and not move_back(folders, stored_path, name):
            log.warning("ledger %s: could not bring %s back", ledger_id, stored_path)
        send(NLP_QUEUE if state == State.NLP else INGEST_QUEUE, ledger_id)
        sent.append(ledger_id)
    with transaction(sessions) as s:
        ledger.mark_queued(s, sent, utcnow())
    return len(sent)


def _adopt_fixed_content(
    s: Session, folders: Folders, max_bytes: int, ids: Sequence[int] | None
) -> None:
    """An operator may have fixed the file in failed/ before retrying: the row takes the new
    content's hash, so the ingest stage reads it instead of refusing it as "changed"."""
    query = select(LedgerEntry).where(
        LedgerEntry.state == State.FAILED,
        LedgerEntry.parent_id.is_(None),
        LedgerEntry.stored_path.is_not(None),
    )
    if ids is not None:
        query = query.where(LedgerEntry.id.in_(list(ids)))
    for row in s.scalars(query):
        assert row.stored_path is not None
        found = hash_stored(folders, row.stored_path, max_bytes)
        if found is not None and found[0] != row.sha256:
            ledger.adopt_content(row, found[0], found[1], utcnow())
