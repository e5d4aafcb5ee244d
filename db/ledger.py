"""The ledger: one row per accepted file (and per article of a multi-article file).

Every function takes a session and never commits: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import (
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from db.models import LedgerEntry, State
from db.sqlutil import chunks, insert_ignore, insert_or_skip, pair_in


@dataclass(frozen=True, slots=True)
class SeenFile:
    source_path: str
    sha256: str
    size: int


class Registered(NamedTuple):
    id: int
    source_path: str
    sha256: str
    state: str


def register_files(session: Session, files: Sequence[SeenFile], now: datetime) -> list[Registered]:
    """Record each file once per (path, content); return their ledger rows, old or new.

    Plain tuples, not ORM rows: the watcher registers thousands a second in a burst.
    """
    rows: list[dict[str, object]] = [
        {
            "source_path": f.source_path,
            "sha256": f.sha256,
            "size": f.size,
            "item": 0,
            "state": State.PENDING,
            "attempts": 0,
            "tries": 0,
            "seen_at": now,
            "updated_at": now,
        }
        for f in files
    ]
    if not rows:
        return []
    columns = (LedgerEntry.id, LedgerEntry.source_path, LedgerEntry.sha256, LedgerEntry.state)
    inserted = insert_or_skip(session, LedgerEntry).returning(*columns)
    # RETURNING names the new rows; only files seen before need a second query.
    found = [Registered(*r) for r in session.execute(inserted, rows)]
    keys = {(f.source_path, f.sha256) for f in files} - {(r[1], r[2]) for r in found}
    for chunk in chunks(sorted(keys), 400):
        query = select(*columns).where(
            LedgerEntry.item == 0, *pair_in(LedgerEntry.source_path, LedgerEntry.sha256, chunk)
        )
        found.extend(Registered(*r) for r in session.execute(query) if (r[1], r[2]) in keys)
    return found


def pending_ids(session: Session, limit: int) -> list[int]:
    """Rows recorded but not yet on a queue (the watcher's outbox), oldest first."""
    query = (
        select(LedgerEntry.id)
        .where(LedgerEntry.state == State.PENDING)
        .order_by(LedgerEntry.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def mark_queued(session: Session, ids: Iterable[int], now: datetime) -> None:
    id_list = list(ids)
    if not id_list:
        return
    session.execute(
        update(LedgerEntry)
        .where(LedgerEntry.id.in_(id_list), LedgerEntry.state == State.PENDING)
        .values(state=State.QUEUED, queued_at=now, updated_at=now)
    )


def claim(session: Session, ledger_id: int, stage: str, now: datetime) -> LedgerEntry | None:
    """Take a row for `stage` ("ingest" or "nlp"), counting the delivery.

    Returns None when there is nothing to do: the row is finished, or belongs to the other
    stage (a stale redelivery). Committed by the caller before any parsing, so a file that
    kills its worker is still counted (celery#6103 ignores the redelivered flag).
    """
    row = session.get(LedgerEntry, ledger_id, with_for_update=True)
    if row is None or row.state in State.TERMINAL:
        return None
    expected = {State.NLP} if stage == "nlp" else {State.PENDING, State.QUEUED, State.PROCESSING}
    if row.state not in expected:
        return None
    row.attempts += 1
    row.tries += 1
    row.started_at = now
    row.updated_at = now
    if stage == "ingest":
        row.state = State.PROCESSING
    return row


def to_nlp(session: Session, row: LedgerEntry, draft_json: str, now: datetime) -> None:
    row.state = State.NLP
    row.tries = 0
    row.draft = draft_json
    row.queued_at = now
    row.updated_at = now


def add_items(
    session: Session, parent: LedgerEntry, drafts_json: Sequence[tuple[int, str]], now: datetime
) -> list[LedgerEntry]:
    """Give each article of a multi-article file its own ledger row (idempotent)."""
    rows: list[dict[str, object]] = [
        {
            "source_path": parent.source_path,
            "sha256": parent.sha256,
            "size": parent.size,
            "item": item,
            "parent_id": parent.id,
            "state": State.NLP,
            "attempts": 0,
            "tries": 0,
            "draft": draft,
            "seen_at": parent.seen_at,
            "queued_at": now,
            "updated_at": now,
        }
        for item, draft in drafts_json
    ]
    insert_ignore(session, LedgerEntry, rows)
    parent.state = State.SPLIT
    parent.finished_at = now
    parent.updated_at = now
    return list(
        session.scalars(
            select(LedgerEntry).where(LedgerEntry.parent_id == parent.id).order_by(LedgerEntry.item)
        )
    )


def mark_failed(
    session: Session,
    row: LedgerEntry,
    code: str,
    reason: str,
    now: datetime,
    stored_path: str | None = None,
) -> None:
    row.state = State.FAILED
    row.reason_code = code
    row.reason = reason
    row.finished_at = now
    row.updated_at = now
    if stored_path is not None:
        row.stored_path = stored_path


def siblings_unfinished(session: Session, parent_id: int) -> int:
    query = select(func.count()).where(
        LedgerEntry.parent_id == parent_id, LedgerEntry.state.not_in(State.TERMINAL)
    )
    return int(session.scalar(query) or 0)


def stuck_entries(session: Session, older_than: datetime, limit: int) -> list[LedgerEntry]:
    """In-flight rows untouched since `older_than`: their message was probably lost; and
    `pending` rows as old, which no outbox managed to publish."""
    states = [*State.IN_FLIGHT, State.PENDING]
    query = (
        select(LedgerEntry)
        .where(LedgerEntry.state.in_(states), LedgerEntry.updated_at < older_than)
        .order_by(LedgerEntry.updated_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def touch(session: Session, ids: Iterable[int], now: datetime) -> None:
    id_list = list(ids)
    if id_list:
        session.execute(
            update(LedgerEntry).where(LedgerEntry.id.in_(id_list)).values(updated_at=now)
        )


def failed_entries(session: Session) -> list[LedgerEntry]:
    query = select(LedgerEntry).where(LedgerEntry.state == State.FAILED).order_by(LedgerEntry.id)
    return list(session.scalars(query))


def reset_for_retry(
    session: Session, ids: Sequence[int] | None, now: datetime
) -> list[LedgerEntry]:
    """Put failed rows (all of them when `ids` is None) back to pending for another round."""
    query = select(LedgerEntry).where(LedgerEntry.state == State.FAILED)
    if ids is not None:
        query = query.where(LedgerEntry.id.in_(list(ids)))
    rows = list(session.scalars(query))
    for row in rows:
        # An article of a multi-article file goes straight back to NLP with its stored draft.
        row.state = State.NLP if row.draft is not None and row.parent_id else State.PENDING
        row.tries = 0
        row.reason_code = None
        row.reason = None
        row.finished_at = None
        row.updated_at = now
    return rows


def entries_for_paths(session: Session, paths: Sequence[str]) -> list[LedgerEntry]:
    """Every ledger row (items of multi-article files included) of these source paths."""
    found: list[LedgerEntry] = []
    for chunk in chunks(list(paths), 400):
        found.extend(session.scalars(select(LedgerEntry).where(LedgerEntry.source_path.in_(chunk))))
    return found
