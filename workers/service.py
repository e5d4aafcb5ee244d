"""What the two tasks do, free of Celery: claim a ledger row, do the stage, record it.

Each stage commits its claim first (so deliveries are counted even if the process dies),
then does its work, then records the outcome in one transaction, and only after that commit
moves the file. Every step is safe to repeat.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from db import ledger, storage
from db.models import LedgerEntry, State
from db.session import transaction
from pipelines.extract import read_articles
from pipelines.fingerprint import THRESHOLD, fingerprint
from pipelines.records import ArticleDraft, RejectedInput
from workers.clock import utcnow
from workers.files import UnsafePath, destination, move_file, resolve_in_inbox

if TYPE_CHECKING:
    from workers.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass
class IngestOutcome:
    to_nlp: list[int] = field(default_factory=list)  # ledger ids to send to the nlp queue
    state: str | None = None


def draft_to_json(draft: ArticleDraft) -> str:
    return json.dumps(asdict(draft), ensure_ascii=False)


def draft_from_json(data: str) -> ArticleDraft:
    fields = json.loads(data)
    fields["removed"] = tuple(fields.get("removed", ()))
    known = ArticleDraft.__dataclass_fields__
    return ArticleDraft(**{k: v for k, v in fields.items() if k in known})


# ---- TEST ONLY: fault injection. Inert unless DROPWIRE_FAULT_INJECTION=1 is in the worker's
# environment (tests/faults sets it; nothing else does, and it is not a documented setting).
# A file whose text starts with `#dropwire-fault:<kind>` then misbehaves in the ingest stage,
# or with `#dropwire-fault:<kind>@nlp` in the NLP stage: `raise` raises an error, `crash`
# SIGKILLs its own process (a segfault or the OOM killer), `hang` sleeps through the soft
# time limit until the hard limit kills the process (an endless loop in C code).
FAULT_MARKER = "#dropwire-fault:"


def _inject_fault(stage: str, text: str) -> None:
    if os.environ.get("DROPWIRE_FAULT_INJECTION") != "1" or not text.startswith(FAULT_MARKER):
        return
    kind, _, where = text[len(FAULT_MARKER) :].split(None, 1)[0].partition("@")
    if (where or "ingest") != stage:
        return
    log.warning("fault injection: %s in the %s stage", kind, stage)
    if kind == "raise":
        raise RuntimeError("injected fault")
    if kind == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    if kind == "hang":
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            # The soft limit's exception is swallowed on purpose: only the hard limit ends it.
            with contextlib.suppress(BaseException):
                time.sleep(1)


def _give_up_reason(row: LedgerEntry, limit: int) -> str | None:
    if row.tries > limit:
        return (
            f"gave up after {limit} deliveries: the worker died or timed out on every one "
            "(a file that crashes or hangs its process)"
        )
    return None


def ingest(ctx: Runtime, ledger_id: int) -> IngestOutcome:
    """Read, decode and clean one file; link exact copies at once, send new text to NLP."""
    settings = ctx.settings
    with transaction(ctx.sessions) as s:
        row = ledger.claim(s, ledger_id, "ingest", utcnow())
        if row is None:
            return IngestOutcome()
        source_path, sha, give_up = (
            row.source_path,
            row.sha256,
            _give_up_reason(row, settings.max_attempts),
        )
    if give_up:
        fail(ctx, ledger_id, "gave_up", give_up)
        return IngestOutcome(state=State.FAILED)
    try:
        path = resolve_in_inbox(settings.inbox, source_path)
        data = path.read_bytes()
    except UnsafePath as exc:
        fail(ctx, ledger_id, "unsafe_path", str(exc), move=False)
        return IngestOutcome(state=State.FAILED)
    except FileNotFoundError:
        fail(
            ctx,
            ledger_id,
            "missing",
            "the file was removed from the inbox before it was read",
            move=False,
        )
        return IngestOutcome(state=State.FAILED)
    _inject_fault("ingest", data[:64].decode("latin-1"))
    if hashlib.sha256(data).hexdigest() != sha:
        # The watcher records the new content as a row of its own; this one is stale.
        fail(ctx, ledger_id, "changed", "the file changed after it was seen", move=False)
        return IngestOutcome(state=State.FAILED)
    try:
        drafts = read_articles(source_path, data, max_bytes=settings.max_file_bytes)
    except RejectedInput as exc:
        fail(ctx, ledger_id, exc.code, exc.reason)
        return IngestOutcome(state=State.FAILED)
    if len(drafts) == 1 and drafts[0].item == 0:
        return _ingest_single(ctx, ledger_id, drafts[0])
    return _ingest_items(ctx, ledger_id, drafts)


def _ingest_single(ctx: Runtime, ledger_id: int, draft: ArticleDraft) -> IngestOutcome:
    fp = fingerprint(draft.body)
    with transaction(ctx.sessions) as s:
        row = s.get(LedgerEntry, ledger_id)
        assert row is not None
        if storage.find_exact(s, fp.exact) is None:
            ledger.to_nlp(s, row, draft_to_json(draft), utcnow())
            return IngestOutcome(to_nlp=[ledger_id], state=State.NLP)
    # An exact copy of stored text: link it and spend no NLP.
    store(ctx, ledger_id, draft, analysis_needed=False)
    return IngestOutcome(state=State.DONE)


def _ingest_items(ctx: Runtime, ledger_id: int, drafts: list[ArticleDraft]) -> IngestOutcome:
    now = utcnow()
    with transaction(ctx.sessions) as s:
        row = s.get(LedgerEntry, ledger_id)
        assert row is not None
        items = ledger.add_items(s, row, [(d.item, draft_to_json(d)) for d in drafts], now)
        ids = [i.id for i in items if i.state == State.NLP]
    return IngestOutcome(to_nlp=ids, state=State.SPLIT)


def analyse(ctx: Runtime, ledger_id: int) -> str | None:
    """Run NLP on a claimed draft and store it; returns the final state (None: nothing to do)."""
    with transaction(ctx.sessions) as s:
        row = ledger.claim(s, ledger_id, "nlp", utcnow())
        if row is None or row.draft is None:
            return None
        draft = draft_from_json(row.draft)
        give_up = _give_up_reason(row, ctx.settings.max_attempts)
    if give_up:
        fail(ctx, ledger_id, "gave_up", give_up)
        return State.FAILED
    _inject_fault("nlp", draft.body[:64])
    return store(ctx, ledger_id, draft, analysis_needed=True)


def store(ctx: Runtime, ledger_id: int, draft: ArticleDraft, *, analysis_needed: bool) -> str:
    fp = fingerprint(draft.body)
    started = time.perf_counter()
    analysis = ctx.analyzer.analyze([draft])[0] if analysis_needed else None
    nlp_seconds = time.perf_counter() - started if analysis_needed else None
    moves: list[tuple[Path, Path]] = []
    with transaction(ctx.sessions) as s:
        # Lock first: a redelivered twin of this task may be storing the same row right now.
        storage.lock_dedup(s)
        row = s.get(LedgerEntry, ledger_id, populate_existing=True)
        assert row is not None
        if row.state in State.TERMINAL:
            return row.state
        stored_path = _plan_move(ctx, s, row, ctx.settings.resolved_done_dir, moves)
        storage.store_article(
            s, row, draft, fp, analysis, threshold=THRESHOLD, now=utcnow(), stored_path=stored_path
        )
        row.nlp_seconds = nlp_seconds
    _apply_moves(moves)
    return State.DONE


def fail(ctx: Runtime, ledger_id: int, code: str, reason: str, *, move: bool = True) -> None:
    """Record a permanent failure, then move the file to failed/ (never lose it)."""
    moves: list[tuple[Path, Path]] = []
    with transaction(ctx.sessions) as s:
        row = s.get(LedgerEntry, ledger_id)
        if row is None or row.state in State.TERMINAL:
            return
        stored = _plan_move(ctx, s, row, ctx.settings.resolved_failed_dir, moves) if move else None
        ledger.mark_failed(s, row, code, reason, utcnow(), stored_path=stored)
    log.warning("ledger %s failed (%s): %s", ledger_id, code, reason)
    _apply_moves(moves)


def _plan_move(
    ctx: Runtime, s: Session, row: LedgerEntry, folder: Path, moves: list[tuple[Path, Path]]
) -> str | None:
    """Decide where the file goes once this transaction commits.

    An article of a multi-article file moves the file only when it is the last one left.
    """
    if row.parent_id is not None:
        if ledger.siblings_unfinished(s, row.parent_id) > 1:
            return None
        parent = s.get(LedgerEntry, row.parent_id)
        assert parent is not None
        anchor = parent
    else:
        anchor = row
    try:
        source = resolve_in_inbox(ctx.settings.inbox, anchor.source_path)
    except UnsafePath:
        return None
    if not source.exists():
        return None
    target = destination(folder, anchor.source_path, anchor.id)
    moves.append((source, target))
    anchor.stored_path = str(target)
    return str(target)


def _apply_moves(moves: list[tuple[Path, Path]]) -> None:
    for source, target in moves:
        move_file(source, target)
