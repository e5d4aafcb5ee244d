"""What the two tasks do, free of Celery: claim a ledger row, do the stage, record it.

Each stage commits its claim first (so deliveries are counted even if the process dies),
then does its work, then records the outcome in one transaction, and only after that commit
moves the file. Every step is safe to repeat. The ledger's states change only through
`db.ledger`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from db import ledger, storage
from db.models import LedgerEntry, State
from db.session import transaction
from pipelines.extract import read_articles
from pipelines.fingerprint import THRESHOLD, fingerprint
from pipelines.records import ArticleDraft, RejectedInput
from pipelines.sanitize import safe_text
from workers import safefs
from workers.clock import utcnow
from workers.files import InboxName, move_out, planned_path, read_file

if TYPE_CHECKING:
    from workers.runtime import Runtime

log = logging.getLogger(__name__)
# Refusals that concern the path, not the file: there is nothing safe to move.
_UNMOVABLE = frozenset({"unsafe_path"})


@dataclass
class IngestOutcome:
    to_nlp: list[int] = field(default_factory=list)  # ledger ids to send to the nlp queue
    state: str | None = None


def draft_to_json(draft: ArticleDraft) -> str:
    return json.dumps(asdict(draft), ensure_ascii=False)


def draft_from_json(data: str) -> ArticleDraft:
    # Drafts queued by an older version may hold what cleaning now removes (NUL, ESC, lone
    # surrogates): clean them again on the way out.
    fields: dict[str, Any] = {
        k: safe_text(v) if isinstance(v, str) else v for k, v in json.loads(data).items()
    }
    fields["removed"] = tuple(fields.get("removed", ()))
    fields["authors"] = tuple(safe_text(a) for a in fields.get("authors", ()) if isinstance(a, str))
    known = ArticleDraft.__dataclass_fields__
    return ArticleDraft(**{k: v for k, v in fields.items() if k in known})


def _give_up_reason(row: LedgerEntry, limit: int) -> str | None:
    if row.tries > limit:
        return (
            f"gave up after {limit} deliveries: the worker died or timed out on every one "
            "(a file that crashes or hangs its process)"
        )
    return None


def ingest(rt: Runtime, ledger_id: int, node: str | None = None) -> IngestOutcome:
    """Read, decode and clean one file; link exact copies at once, send new text to NLP."""
    settings = rt.settings
    with transaction(rt.sessions) as s:
        row = ledger.claim(s, ledger_id, "ingest", utcnow(), node)
        if row is None:
            return IngestOutcome()
        name, sha = InboxName.of_row(row), row.sha256
        give_up = _give_up_reason(row, settings.max_attempts)
    if give_up:
        fail(rt, ledger_id, "gave_up", give_up)
        return IngestOutcome(state=State.FAILED)
    data = _read(rt, ledger_id, name)
    if data is None:
        return IngestOutcome(state=State.FAILED)
    if _sha256(data) != sha:
        # The watcher records the new content as a row of its own; this one is stale.
        fail(rt, ledger_id, "changed", "the file changed after it was seen", move=False)
        return IngestOutcome(state=State.FAILED)
    try:
        drafts = read_articles(name.text, data, settings.limits)
    except RejectedInput as exc:
        fail(rt, ledger_id, exc.code, exc.reason)
        return IngestOutcome(state=State.FAILED)
    if len(drafts) == 1 and drafts[0].item == 0:
        return _ingest_single(rt, ledger_id, drafts[0])
    return _ingest_items(rt, ledger_id, drafts)


def _read(rt: Runtime, ledger_id: int, name: InboxName) -> bytes | None:
    """The file's bytes, or None after recording why it cannot be read."""
    try:
        return read_file(rt.folders.inbox, name, rt.settings.max_file_bytes)
    except safefs.Refused as exc:
        fail(rt, ledger_id, exc.code, exc.reason, move=exc.code not in _UNMOVABLE)
    except FileNotFoundError:
        reason = "the file was removed from the inbox before it was read"
        fail(rt, ledger_id, "missing", reason, move=False)
    except OSError as exc:  # permissions, I/O errors: the file stays where it is
        fail(rt, ledger_id, "unreadable", f"cannot read the file: {exc.strerror}", move=False)
    return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _ingest_single(rt: Runtime, ledger_id: int, draft: ArticleDraft) -> IngestOutcome:
    fp = fingerprint(draft.body)
    with transaction(rt.sessions) as s:
        row = s.get(LedgerEntry, ledger_id)
        assert row is not None
        if storage.find_exact(s, fp.exact) is None:
            ledger.to_nlp(row, draft_to_json(draft), utcnow())
            return IngestOutcome(to_nlp=[ledger_id], state=State.NLP)
    # An exact copy of stored text: link it and spend no NLP.
    store(rt, ledger_id, draft, analysis_needed=False)
    return IngestOutcome(state=State.DONE)


def _ingest_items(rt: Runtime, ledger_id: int, drafts: list[ArticleDraft]) -> IngestOutcome:
    with transaction(rt.sessions) as s:
        row = s.get(LedgerEntry, ledger_id)
        assert row is not None
        items = ledger.split(s, row, [(d.item, draft_to_json(d)) for d in drafts], utcnow())
        ids = [i.id for i in items if i.state == State.NLP]
    return IngestOutcome(to_nlp=ids, state=State.SPLIT)


def analyse(rt: Runtime, ledger_id: int, node: str | None = None) -> str | None:
    """Run NLP on a claimed draft and store it; returns the final state (None: nothing to do)."""
    with transaction(rt.sessions) as s:
        row = ledger.claim(s, ledger_id, "nlp", utcnow(), node)
        if row is None or row.draft is None:
            return None
        draft = draft_from_json(row.draft)
        give_up = _give_up_reason(row, rt.settings.max_attempts)
    if give_up:
        fail(rt, ledger_id, "gave_up", give_up)
        return State.FAILED
    return store(rt, ledger_id, draft, analysis_needed=True)


@dataclass
class _Move:
    """A file to move once the transaction that records it has committed."""

    ledger_id: int  # the row whose stored_path names it (the parent of an item)
    name: InboxName
    folder: Path
    planned: str


def store(rt: Runtime, ledger_id: int, draft: ArticleDraft, *, analysis_needed: bool) -> str:
    fp = fingerprint(draft.body)
    started = time.perf_counter()
    analysis = rt.analyzer.analyze([draft])[0] if analysis_needed else None
    nlp_seconds = time.perf_counter() - started if analysis_needed else None
    with transaction(rt.sessions) as s:
        # Lock first: a redelivered twin of this task may be storing the same row right now.
        storage.lock_dedup(s)
        row = s.get(LedgerEntry, ledger_id, populate_existing=True)
        assert row is not None
        if row.state in State.TERMINAL:
            return row.state
        move = _plan_move(rt, s, row, rt.folders.done)
        storage.store_article(s, row, draft, fp, analysis, threshold=THRESHOLD, now=utcnow())
        ledger.store(row, utcnow(), nlp_seconds=nlp_seconds)
    _apply_move(rt, move)
    return State.DONE


def fail(rt: Runtime, ledger_id: int, code: str, reason: str, *, move: bool = True) -> None:
    """Record a permanent failure, then move the file to failed/ (never lose it)."""
    with transaction(rt.sessions) as s:
        row = s.get(LedgerEntry, ledger_id)
        if row is None or row.state in State.TERMINAL:
            return
        planned = _plan_move(rt, s, row, rt.folders.failed) if move else None
        ledger.fail(row, code, reason, utcnow())
    log.warning("ledger %s failed (%s): %s", ledger_id, code, reason[:500])
    _apply_move(rt, planned)


def _plan_move(rt: Runtime, s: Session, row: LedgerEntry, folder: Path) -> _Move | None:
    """Decide where the file goes once this transaction commits, and record it.

    An article of a multi-article file moves the file only when it is the last one left.
    """
    anchor = row
    if row.parent_id is not None:
        if ledger.siblings_unfinished(s, row.parent_id) > 1:
            return None
        parent = s.get(LedgerEntry, row.parent_id)
        assert parent is not None
        anchor = parent
    name = InboxName.of_row(anchor)
    planned = planned_path(rt.folders, name, folder, anchor.id)
    ledger.set_stored_path(anchor, planned)
    return _Move(anchor.id, name, folder, planned)


def _apply_move(rt: Runtime, move: _Move | None) -> None:
    if move is None:
        return
    try:
        actual = move_out(rt.folders, move.name, move.folder, move.ledger_id)
    except (OSError, safefs.Refused) as exc:
        log.error("ledger %s: could not move the file (%s); it stays in the inbox", move, exc)
        actual = None
    if actual != move.planned:
        # Gone already, or the planned name was taken meanwhile: say where it really is.
        with transaction(rt.sessions) as s:
            row = s.get(LedgerEntry, move.ledger_id)
            if row is not None:
                ledger.set_stored_path(row, actual)
