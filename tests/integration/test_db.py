"""The repository on real SQLite and PostgreSQL: idempotent writes, duplicate links, export."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from db import ledger, queries, storage
from db.models import Article, Entity, LedgerEntry, Mention, State
from db.models import Quote as QuoteRow
from db.session import transaction
from pipelines.display import title_and_flag
from pipelines.fingerprint import THRESHOLD, fingerprint
from pipelines.records import Analysis, ArticleDraft, Quote
from pipelines.records import Mention as MentionRecord

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
BODY = (
    "Defense Secretary Robert Gates said on Monday that Iran was arming militias in Iraq. "
    "Officials in Tehran denied the charge and said the accusations were baseless. "
    "The dispute comes as the United States weighs new sanctions against the regime, "
    "and as commanders in Baghdad report a rise in attacks using advanced explosives."
)


def _register(sessions: sessionmaker[Session], path: str, sha: str = "a" * 64) -> int:
    with transaction(sessions) as s:
        rows = ledger.register_files(s, [ledger.SeenFile(path, sha, 10)], NOW)
        return rows[0].id


def _analysis() -> Analysis:
    return Analysis(
        mentions=(
            MentionRecord("Robert Gates", "PERSON", "Robert Gates", 18, 30),
            MentionRecord("Gates", "PERSON", "Robert Gates", 100, 105),
            MentionRecord("Tehran", "GPE", "Tehran", 110, 116),
        ),
        quotes=(
            Quote("baseless", "Officials", 140, 148, scare=True),
            Quote("arming militias", "Robert Gates", 60, 75, False, 0.9, "person"),
        ),
    )


def _store(
    sessions: sessionmaker[Session],
    ledger_id: int,
    body: str = BODY,
    analysis: Analysis | None = None,
    title: str | None = "Gates on Iran",
) -> int:
    draft = ArticleDraft(body=body, title=title)
    with transaction(sessions) as s:
        row = s.get(LedgerEntry, ledger_id)
        assert row is not None
        article = storage.store_article(
            s,
            row,
            draft,
            fingerprint(body),
            analysis or _analysis(),
            threshold=THRESHOLD,
            now=NOW,
        )
        if row.state == State.PROCESSING:  # claimed by the caller: the stage's own transition
            ledger.store(row, NOW)
        return article.id


def test_registering_the_same_file_twice_keeps_one_row(sessions: sessionmaker[Session]) -> None:
    first = _register(sessions, "wire.txt")
    again = _register(sessions, "wire.txt")
    other_name = _register(sessions, "copy.txt")
    assert first == again
    assert other_name != first
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(LedgerEntry)) == 2


def test_storing_twice_stores_nothing_twice(sessions: sessionmaker[Session]) -> None:
    ledger_id = _register(sessions, "wire.txt")
    with transaction(sessions) as s:
        ledger.claim(s, ledger_id, "ingest", NOW)
    first = _store(sessions, ledger_id)
    second = _store(sessions, ledger_id)
    assert first == second
    with transaction(sessions) as s:
        assert s.scalar(select(func.count()).select_from(Article)) == 1
        assert s.scalar(select(func.count()).select_from(Mention)) == 3
        # Two mentions of Gates, one entity row for him.
        assert s.scalar(select(func.count()).select_from(Entity)) == 2
        assert s.get(LedgerEntry, ledger_id).state == State.DONE  # type: ignore[union-attr]


def test_exact_and_near_copies_join_the_first_articles_cluster(
    sessions: sessionmaker[Session],
) -> None:
    original = _store(sessions, _register(sessions, "a.txt", "1" * 64))
    exact = _store(sessions, _register(sessions, "b.txt", "2" * 64), BODY.upper())
    near = _store(
        sessions,
        _register(sessions, "c.txt", "3" * 64),
        "WASHINGTON (AP) - " + BODY.replace("Monday", "Tuesday"),
    )
    unrelated = _store(
        sessions,
        _register(sessions, "d.txt", "4" * 64),
        "The city council approved a new budget for parks, libraries and road repairs on "
        "Thursday after a long debate about property taxes and school funding in the district.",
    )
    with transaction(sessions) as s:
        records = {r["id"]: r for r in queries.export_articles(s)}
    assert records[original]["duplicate_of"] is None
    assert records[original]["cluster_id"] == original
    assert records[exact]["duplicate_of"] == original
    assert records[exact]["duplicate_kind"] == "exact"
    assert records[near]["duplicate_of"] == original
    assert records[near]["duplicate_kind"] == "near"
    assert records[near]["cluster_id"] == original
    assert records[unrelated]["duplicate_of"] is None
    assert records[unrelated]["cluster_id"] == unrelated


def test_export_record_has_the_contract_fields(sessions: sessionmaker[Session]) -> None:
    article_id = _store(sessions, _register(sessions, "wire.txt"))
    with transaction(sessions) as s:
        (record,) = list(queries.export_articles(s))
        mentioning = queries.articles_mentioning(s, "PERSON", "Robert Gates")
    contract = (
        "id source_path sha256 title byline published language body word_count entities "
        "quotes duplicate_of cluster_id status"
    )
    for key in contract.split():
        assert key in record
    gates = next(e for e in record["entities"] if e["canonical"] == "Robert Gates")
    assert gates["count"] == 2 and gates["label"] == "PERSON"
    assert record["quotes"][1]["scare"] is True  # export lists quotes by start
    assert mentioning == [article_id]


def test_a_person_speaker_links_to_their_entity_row(sessions: sessionmaker[Session]) -> None:
    relative = Quote("militias in Iraq", "Elizabeth Morrow", 67, 83, False, 0.8, "person")
    base = _analysis()
    analysis = Analysis(base.mentions, (*base.quotes, relative))
    _store(sessions, _register(sessions, "wire.txt"), analysis=analysis)
    with transaction(sessions) as s:
        entity = dict(s.execute(select(Entity.canonical, Entity.id)).all())
        links = dict(s.execute(select(QuoteRow.speaker, QuoteRow.speaker_entity_id)).all())
        (record,) = list(queries.export_articles(s))
    # Elizabeth Morrow was never a mention (a relative named by first name): her row exists
    # for the link, and the article's entity list stays what it mentions.
    assert links == {
        "Robert Gates": entity["Robert Gates"],
        "Elizabeth Morrow": entity["Elizabeth Morrow"],
        "Officials": None,
    }
    assert [q["confidence"] for q in record["quotes"]] == [0.9, 0.8, 0.0]
    assert "Elizabeth Morrow" not in {e["canonical"] for e in record["entities"]}


def test_claim_counts_deliveries_and_skips_finished_rows(sessions: sessionmaker[Session]) -> None:
    ledger_id = _register(sessions, "wire.txt")
    with transaction(sessions) as s:
        row = ledger.claim(s, ledger_id, "ingest", NOW)
        assert row is not None and row.attempts == 1 and row.state == State.PROCESSING
        # An nlp delivery for a row still in ingest is stale: nothing to do.
        assert ledger.claim(s, ledger_id, "nlp", NOW) is None
    _store(sessions, ledger_id)
    with transaction(sessions) as s:
        assert ledger.claim(s, ledger_id, "ingest", NOW) is None


def test_retry_resets_failed_rows(sessions: sessionmaker[Session]) -> None:
    ledger_id = _register(sessions, "bad.txt")
    with transaction(sessions) as s:
        row = ledger.claim(s, ledger_id, "ingest", NOW)
        assert row is not None
        ledger.fail(row, "empty", "the file is empty", NOW)
    with transaction(sessions) as s:
        assert [r.id for r in ledger.failed_entries(s)] == [ledger_id]
        (reset,) = ledger.reset_for_retry(s, None, NOW)
        assert reset.state == State.PENDING and reset.attempts == 1 and reset.reason is None
    with transaction(sessions) as s:
        assert ledger.failed_entries(s) == []


def test_untitled_article_gets_a_derived_display_title(sessions: sessionmaker[Session]) -> None:
    brief = _register(sessions, "brief.txt")
    untitled = _store(sessions, brief, "BAGHDAD (AP) - " + BODY, title=None)
    titled = _store(
        sessions,
        _register(sessions, "titled.txt", "5" * 64),
        "A different story about budgets, parks and libraries that the council passed.",
    )
    with transaction(sessions) as s:
        records = {r["id"]: r for r in queries.export_articles(s, titler=title_and_flag)}
        rows = {a.id: a for a in queries.recent_articles(s, titler=title_and_flag)}
    expected = "Defense Secretary Robert Gates said on Monday that Iran was arming militias in…"
    assert records[untitled]["title"] is None, "export keeps what the file said"
    assert records[untitled]["display_title"] == expected
    assert records[untitled]["display_title_derived"] is True
    assert records[titled]["display_title"] == records[titled]["title"] == "Gates on Iran"
    assert records[titled]["display_title_derived"] is False
    assert (rows[untitled].title, rows[untitled].display_title) == (None, expected)
    assert rows[untitled].title_derived and not rows[titled].title_derived
