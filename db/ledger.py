"""The ledger's state machine: the only code that moves a row between states.

One row per accepted file, and one per article of a multi-article file. Each transition is a
named entry of `TRANSITIONS` (from-state → to-state) and one function here; a function
refuses a row that is not in one of its from-states (`IllegalMove`), or, for `claim`, returns
None, because a stale redelivery finding its row finished is normal. Bulk transitions put
their from-states in the WHERE clause. Every function takes a session and never commits: the
caller owns the transaction.

    pending ──queue──▶ queued ──claim_ingest──▶ processing ──to_nlp──▶ nlp ──store──▶ done
       │                  ▲                        │  ├──split──▶ split (items: nlp)
       │                  └────────release─────────┘  └──store (exact copy)──▶ done
       └── (any of pending, queued, processing, nlp) ──fail──▶ failed ──retry──▶ pending | nlp
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db.models import LedgerEntry, State
from db.sqlutil import aware, chunks, insert_ignore, insert_or_skip, pair_in

_OPEN = (State.PENDING, State.QUEUED, State.PROCESSING, State.NLP)

# name → {from-state: to-state}. The whole table: a test walks it and tries every other move.
TRANSITIONS: Mapping[str, Mapping[str, str]] = {
    "queue": {State.PENDING: State.QUEUED},
    "claim_ingest": {s: State.PROCESSING for s in (State.PENDING, State.QUEUED, State.PROCESSING)},
    "claim_nlp": {State.NLP: State.NLP},
    "to_nlp": {State.PROCESSING: State.NLP},
    "split": {State.PROCESSING: State.SPLIT},
    "store": {State.PROCESSING: State.DONE, State.NLP: State.DONE},
    "fail": {s: State.FAILED for s in _OPEN},
    # A claim whose worker node stopped heart-beating: the row waits for a new delivery.
    "release": {State.PROCESSING: State.QUEUED, State.NLP: State.NLP},
    "retry": {State.FAILED: State.PENDING},
    "retry_analysis": {State.FAILED: State.NLP},  # an item of a multi-article file
    "adopt_content": {State.FAILED: State.FAILED},
}


class IllegalMove(RuntimeError):
    """A transition asked of a row in a state it does not start from: a bug, not bad input."""


def _move(row: LedgerEntry, transition: str, now: datetime) -> None:
    moves = TRANSITIONS[transition]
    if row.state not in moves:
        raise IllegalMove(f"ledger {row.id}: cannot {transition} from {row.state}")
    row.state = moves[row.state]
    row.updated_at = now


def _sources(transition: str) -> list[str]:
    return list(TRANSITIONS[transition])


# --------------------------------------------------------------------------- registering


@dataclass(frozen=True, slots=True)
class SeenFile:
    source_path: str
    sha256: str
    size: int
    source_raw: bytes | None = None  # the name's bytes, when they are not UTF-8


class Registered(NamedTuple):
    id: int
    source_path: str
    sha256: str
    state: str


def _new_row(f: SeenFile, state: str, now: datetime) -> dict[str, object]:
    return {
        "source_path": f.source_path,
        "source_raw": f.source_raw,
        "sha256": f.sha256,
        "size": f.size,
        "item": 0,
        "state": state,
        "attempts": 0,
        "tries": 0,
        "seen_at": now,
        "updated_at": now,
    }


def register_files(session: Session, files: Sequence[SeenFile], now: datetime) -> list[Registered]:
    """Record each file once per (path, content) as `pending`; return their rows, old or new.

    Plain tuples, not ORM rows: the watcher registers thousands a second in a burst.
    """
    if not files:
        return []
    rows = [_new_row(f, State.PENDING, now) for f in files]
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


def register_refused(
    session: Session, seen: SeenFile, code: str, reason: str, now: datetime
) -> LedgerEntry:
    """Record an entry refused on sight (a FIFO, a symlink, a file over the size limit) as
    `failed` with its reason, so operators see it; idempotent per (path, identity)."""
    row = {**_new_row(seen, State.FAILED, now), "reason_code": code, "reason": reason}
    row["finished_at"] = now
    insert_ignore(session, LedgerEntry, [row])
    found = session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.source_path == seen.source_path,
            LedgerEntry.sha256 == seen.sha256,
            LedgerEntry.item == 0,
        )
    )
    assert found is not None
    return found


# --------------------------------------------------------------------------- sending


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
    """pending → queued, once their message is on the queue."""
    id_list = list(ids)
    for chunk in chunks(id_list, 1000):
        session.execute(
            update(LedgerEntry)
            .where(LedgerEntry.id.in_(chunk), LedgerEntry.state.in_(_sources("queue")))
            .values(state=State.QUEUED, queued_at=now, updated_at=now)
        )


def touch(session: Session, ids: Iterable[int], now: datetime) -> None:
    """A row's message was sent again: its clock for "stuck" starts over (no state change)."""
    for chunk in chunks(list(ids), 1000):
        session.execute(
            update(LedgerEntry)
            .where(LedgerEntry.id.in_(chunk), LedgerEntry.state.in_(_OPEN))
            .values(updated_at=now)
        )


# --------------------------------------------------------------------------- working


def claim(
    session: Session, ledger_id: int, stage: str, now: datetime, node: str | None = None
) -> LedgerEntry | None:
    """Take a row for `stage` ("ingest" or "nlp") on behalf of worker `node`, counting the
    delivery.

    Returns None when there is nothing to do: the row is finished, or belongs to the other
    stage (a stale redelivery). Committed by the caller before any parsing, so a file that
    kills its worker is still counted (celery#6103 ignores the redelivered flag).
    """
    row = session.get(LedgerEntry, ledger_id, with_for_update=True, populate_existing=True)
    transition = "claim_nlp" if stage == "nlp" else "claim_ingest"
    if row is None or row.state not in TRANSITIONS[transition]:
        return None
    _move(row, transition, now)
    row.attempts += 1
    row.tries += 1
    row.started_at = now
    row.claimed_by = node
    return row


def to_nlp(row: LedgerEntry, draft_json: str, now: datetime) -> None:
    """Read and new: the draft waits in the row for the NLP stage."""
    _move(row, "to_nlp", now)
    row.tries = 0
    row.draft = draft_json
    row.queued_at = now
    row.claimed_by = None


def split(
    session: Session, parent: LedgerEntry, drafts_json: Sequence[tuple[int, str]], now: datetime
) -> list[LedgerEntry]:
    """A multi-article file: each article gets its own row in `nlp` (idempotent)."""
    _move(parent, "split", now)
    parent.finished_at = now
    parent.claimed_by = None
    rows: list[dict[str, object]] = [
        {
            "source_path": parent.source_path,
            "source_raw": parent.source_raw,
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
    for chunk in chunks(rows, 500):
        insert_ignore(session, LedgerEntry, list(chunk))
    query = select(LedgerEntry).where(LedgerEntry.parent_id == parent.id)
    return list(session.scalars(query.order_by(LedgerEntry.item)))


def store(row: LedgerEntry, now: datetime, *, nlp_seconds: float | None = None) -> None:
    """The article is stored (in the same transaction)."""
    _move(row, "store", now)
    row.finished_at = now
    row.draft = None
    row.claimed_by = None
    row.nlp_seconds = nlp_seconds


def fail(row: LedgerEntry, code: str, reason: str, now: datetime) -> None:
    """A permanent failure, with a short code operators group by and a sentence."""
    _move(row, "fail", now)
    row.reason_code = code[:32]
    row.reason = reason
    row.finished_at = now
    row.claimed_by = None


def set_stored_path(row: LedgerEntry, stored_path: str | None) -> None:
    """Where the file now is (done/ or failed/), recorded with the commit that moves it."""
    row.stored_path = stored_path


def release(session: Session, ids: Sequence[int], now: datetime) -> list[int]:
    """Claims whose node stopped heart-beating: the rows wait for a new delivery.

    Returns the ids released (a row that moved on meanwhile is left alone)."""
    released: list[int] = []
    for chunk in chunks(list(ids), 500):
        query = select(LedgerEntry).where(
            LedgerEntry.id.in_(chunk), LedgerEntry.state.in_(_sources("release"))
        )
        for row in session.scalars(query.with_for_update()):
            if row.state == State.NLP and row.claimed_by is None:
                continue  # waiting for NLP, not held by anyone
            _move(row, "release", now)
            row.claimed_by = None
            released.append(row.id)
    return released


# --------------------------------------------------------------------------- retrying


def reset_for_retry(
    session: Session, ids: Sequence[int] | None, now: datetime
) -> list[LedgerEntry]:
    """Put failed rows (all of them when `ids` is None) back for another round."""
    query = select(LedgerEntry).where(LedgerEntry.state == State.FAILED)
    if ids is not None:
        query = query.where(LedgerEntry.id.in_(list(ids)))
    rows = list(session.scalars(query))
    for row in rows:
        # An article of a multi-article file goes straight back to NLP with its stored draft.
        analysis_only = row.draft is not None and row.parent_id is not None
        _move(row, "retry_analysis" if analysis_only else "retry", now)
        row.tries = 0
        row.reason_code = None
        row.reason = None
        row.finished_at = None
    return rows


def adopt_content(row: LedgerEntry, sha256: str, size: int, now: datetime) -> None:
    """An operator fixed a failed file before retrying: the row takes the new content."""
    _move(row, "adopt_content", now)
    row.sha256 = sha256
    row.size = size


# --------------------------------------------------------------------------- reading


def siblings_unfinished(session: Session, parent_id: int) -> int:
    query = select(func.count()).where(
        LedgerEntry.parent_id == parent_id, LedgerEntry.state.not_in(State.TERMINAL)
    )
    return int(session.scalar(query) or 0)


def stuck_entries(session: Session, older_than: datetime, limit: int) -> list[LedgerEntry]:
    """In-flight rows untouched since `older_than`: their message was probably lost; and
    `pending` rows as old, which no outbox managed to publish."""
    query = (
        select(LedgerEntry)
        .where(LedgerEntry.state.in_(_OPEN), LedgerEntry.updated_at < older_than)
        .order_by(LedgerEntry.updated_at)
        .limit(limit)
    )
    return list(session.scalars(query))


class OpenRow(NamedTuple):
    id: int
    state: str
    claimed_by: str | None
    updated_at: datetime
    started_at: datetime | None  # when the current claim was made


def open_rows(session: Session) -> list[OpenRow]:
    """Every row in flight (queued, processing, nlp): what recovery compares with Redis."""
    columns = (
        LedgerEntry.id,
        LedgerEntry.state,
        LedgerEntry.claimed_by,
        LedgerEntry.updated_at,
        LedgerEntry.started_at,
    )
    query = select(*columns).where(
        LedgerEntry.state.in_((State.QUEUED, State.PROCESSING, State.NLP))
    )
    return [
        OpenRow(i, st, by, aware(at), None if started is None else aware(started))
        for i, st, by, at, started in session.execute(query)
    ]


def claimed_by_others(session: Session, live_nodes: Iterable[str]) -> list[int]:
    """Rows claimed by a node that is not in `live_nodes`."""
    query = select(LedgerEntry.id).where(
        LedgerEntry.state.in_(_sources("release")),
        LedgerEntry.claimed_by.is_not(None),
        LedgerEntry.claimed_by.not_in(list(live_nodes)),
    )
    return list(session.scalars(query))


def failed_entries(session: Session) -> list[LedgerEntry]:
    query = select(LedgerEntry).where(LedgerEntry.state == State.FAILED).order_by(LedgerEntry.id)
    return list(session.scalars(query))


def entries_for_paths(session: Session, paths: Sequence[str]) -> list[LedgerEntry]:
    """Every ledger row (items of multi-article files included) of these source paths."""
    found: list[LedgerEntry] = []
    for chunk in chunks(list(paths), 400):
        found.extend(session.scalars(select(LedgerEntry).where(LedgerEntry.source_path.in_(chunk))))
    return found


def raw_name(row: LedgerEntry) -> bytes:
    """The file's relative path as bytes: what it is opened and moved by."""
    return row.source_raw if row.source_raw is not None else row.source_path.encode()
