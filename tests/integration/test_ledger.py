"""The ledger's state machine on real SQLite and PostgreSQL: every legal move lands where the
table says, every other move is refused and changes nothing, and the schema the migrations
build is the schema the models describe."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from db import ledger, nodes
from db.fts import include_name
from db.models import Base, LedgerEntry, State
from db.session import transaction

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ALL_STATES = (
    State.PENDING,
    State.QUEUED,
    State.PROCESSING,
    State.NLP,
    State.SPLIT,
    State.DONE,
    State.FAILED,
)


def _claim_nlp(s: Session, row: LedgerEntry) -> object:
    return ledger.claim(s, row.id, "nlp", NOW, "node-a")


def _claim_ingest(s: Session, row: LedgerEntry) -> object:
    return ledger.claim(s, row.id, "ingest", NOW, "node-a")


# One call per transition of ledger.TRANSITIONS, acting on a row in some state.
MOVES: dict[str, Callable[[Session, LedgerEntry], object]] = {
    "queue": lambda s, r: ledger.mark_queued(s, [r.id], NOW),
    "claim_ingest": _claim_ingest,
    "claim_nlp": _claim_nlp,
    "to_nlp": lambda s, r: ledger.to_nlp(r, "{}", NOW),
    "split": lambda s, r: ledger.split(s, r, [(1, '{"body": "x"}')], NOW),
    "store": lambda s, r: ledger.store(r, NOW),
    "fail": lambda s, r: ledger.fail(r, "empty", "the file is empty", NOW),
    "release": lambda s, r: ledger.release(s, [r.id], NOW),
    "retry": lambda s, r: ledger.reset_for_retry(s, [r.id], NOW),
    "retry_analysis": lambda s, r: ledger.reset_for_retry(s, [r.id], NOW),
    "adopt_content": lambda s, r: ledger.adopt_content(r, "f" * 64, 3, NOW),
}
# Bulk moves filter by state in SQL and claim returns None: for them "refused" is "no change".
QUIET = {"queue", "claim_ingest", "claim_nlp", "release", "retry", "retry_analysis"}


def test_every_transition_has_a_move() -> None:
    assert set(MOVES) == set(ledger.TRANSITIONS)


def _row_in(s: Session, state: str, transition: str, n: int) -> LedgerEntry:
    seen = ledger.SeenFile(f"{transition}-{state}-{n}.txt", f"{n:064x}", 10)
    (registered,) = ledger.register_files(s, [seen], NOW)
    row = s.get(LedgerEntry, registered.id)
    assert row is not None
    row.state = state  # test set-up only: put the row where the move starts
    row.claimed_by = "node-gone" if state in (State.PROCESSING, State.NLP) else None
    if transition == "retry_analysis":
        parent = ledger.register_files(s, [ledger.SeenFile(f"p{n}", f"{n:064x}", 1)], NOW)[0]
        row.parent_id, row.draft = parent.id, '{"body": "x"}'
    s.flush()
    return row


@pytest.mark.parametrize("transition", sorted(ledger.TRANSITIONS))
def test_each_move_goes_where_the_table_says_and_nowhere_else(
    sessions: sessionmaker[Session], transition: str
) -> None:
    moves = ledger.TRANSITIONS[transition]
    for n, state in enumerate(ALL_STATES):
        with transaction(sessions) as s:
            row = _row_in(s, state, transition, n)
            if state in moves:
                MOVES[transition](s, row)
                s.flush()
                s.refresh(row)
                assert row.state == moves[state], (transition, state)
            elif transition in QUIET:
                MOVES[transition](s, row)
                s.flush()
                s.refresh(row)
                assert row.state == state, f"{transition} moved a {state} row"
            else:
                with pytest.raises(ledger.IllegalMove):
                    MOVES[transition](s, row)
                assert row.state == state


def test_a_claim_counts_the_delivery_and_names_the_node(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        row = _row_in(s, State.QUEUED, "claim", 1)
        claimed = ledger.claim(s, row.id, "ingest", NOW, "ingest-1@host")
        assert claimed is not None
        assert (claimed.attempts, claimed.tries, claimed.claimed_by) == (1, 1, "ingest-1@host")
        ledger.to_nlp(claimed, "{}", NOW)
        assert claimed.claimed_by is None and claimed.tries == 0


def test_only_claims_of_nodes_not_alive_are_released(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        held = _row_in(s, State.PROCESSING, "held", 1)
        held.claimed_by = "alive@h"
        orphan = _row_in(s, State.NLP, "orphan", 2)
        orphan.claimed_by = "gone@h"
        waiting = _row_in(s, State.NLP, "waiting", 3)
        waiting.claimed_by = None
        s.flush()
        found = ledger.claimed_by_others(s, {"alive@h"})
        assert found == [orphan.id]
        assert ledger.release(s, [orphan.id, waiting.id], NOW) == [orphan.id]
        assert orphan.state == State.NLP and orphan.claimed_by is None


def test_heartbeats_say_who_is_alive(sessions: sessionmaker[Session]) -> None:
    with transaction(sessions) as s:
        nodes.beat(s, "a@h", "h", 1, ["ingest"], NOW - timedelta(seconds=60))
        nodes.beat(s, "a@h", "h", 1, ["ingest"], NOW)  # the second beat updates
        nodes.beat(s, "b@h", "h", 2, ["nlp"], NOW)
        nodes.stop(s, "b@h", NOW)
        beats = {n.name: n for n in nodes.all_nodes(s)}
    assert beats["a@h"].beat_at == NOW and not beats["a@h"].stopped
    assert beats["b@h"].stopped


def test_the_migrations_build_the_schema_the_models_describe(database_url: str) -> None:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"include_name": include_name}), Base.metadata
        )
    engine.dispose()
    assert diff == []
