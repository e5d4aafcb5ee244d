"""Search on real PostgreSQL and SQLite: every filter and the text syntax against a brute-force
scan of the same random store, pages that neither skip nor repeat while articles arrive, and
hostile queries refused with a reason, never a database error."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from db.models import Article, ArticleEntity, Entity, LedgerEntry, Mention, Quote, State
from db.search import Hit, SearchQuery, export_matching, search
from db.session import transaction
from db.textquery import InvalidQuery

# Words no stemmer (Porter in FTS5, Snowball in PostgreSQL) changes and no stop list drops.
VOCAB = ("zork", "quib", "flam", "nard", "plex", "voom", "glim", "trax")
PEOPLE = {"Ana Vidal": ("Vidal", "Ms Vidal"), "Tom Reyes": ("Reyes",), "Li Wen": ("Li",)}
ORGS = ("Acme Corp", "Unity Party")
FOLDERS = ("reuters/", "ap/", "ap/world/", "afp_1/", "afp%/")
T0 = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass
class Stored:
    """What the brute force knows of one article."""

    id: int
    title: list[str]
    body: list[str]
    entities: set[tuple[str, str]]  # (label, canonical), its canonical's when an exact copy
    surfaces: set[str]
    speakers: set[str]
    published: str | None
    language: str
    source_path: str
    cluster_id: int
    duplicate_of: int | None
    created_at: datetime


def _words(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(VOCAB) for _ in range(n)]


class Store:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        self.rows: list[Stored] = []
        self._entity_ids: dict[tuple[str, str], int] = {}

    def add(self, rng: random.Random) -> Stored:
        with transaction(self.sessions) as s:
            n = len(self.rows)
            copy_of = rng.choice(self.rows) if self.rows and rng.random() < 0.15 else None
            if copy_of and copy_of.duplicate_of:  # copies point at the original, as stored
                copy_of = self.rows[copy_of.duplicate_of - 1]
            row = LedgerEntry(
                source_path=f"{rng.choice(FOLDERS)}{n}.txt", sha256=f"{n:064x}", size=1,
                state=State.DONE, seen_at=T0, updated_at=T0,
            )  # fmt: skip
            s.add(row)
            s.flush()
            title = [*_words(rng, rng.randint(1, 3)), "bulletin"]
            body = copy_of.body if copy_of else _words(rng, rng.randint(3, 30))
            published = (
                None
                if rng.random() < 0.2
                else str(date(2026, 10, 1) + timedelta(rng.randint(0, 40)))
            )
            created = T0 + timedelta(minutes=n)
            article = Article(
                ledger_id=row.id, source_path=row.source_path, sha256=row.sha256,
                content_hash=f"{n}", title=" ".join(title), body=" ".join(body),
                word_count=len(body), signature=b"", published=published,
                language=rng.choice(["en", "EN", "es"]), created_at=created,
                duplicate_of=copy_of.id if copy_of else None,
                duplicate_kind="exact" if copy_of else None,
            )  # fmt: skip
            s.add(article)
            s.flush()
            article.cluster_id = copy_of.cluster_id if copy_of else article.id
            stored = Stored(
                article.id, title, body, set(), set(), set(), published, article.language or "",
                row.source_path, article.cluster_id, article.duplicate_of, created,
            )  # fmt: skip
            if copy_of:  # an exact copy borrows its canonical's analysis, as in the service
                stored.entities, stored.surfaces = copy_of.entities, copy_of.surfaces
                stored.speakers = copy_of.speakers
            else:
                self._analyse(s, rng, article.id, stored)
        self.rows.append(stored)
        return stored

    def _analyse(self, s: Session, rng: random.Random, article_id: int, stored: Stored) -> None:
        for person in rng.sample(sorted(PEOPLE), rng.randint(0, 2)):
            surface = rng.choice((person, *PEOPLE[person]))
            self._mention(s, article_id, ("PERSON", person), surface, stored)
            if rng.random() < 0.5:
                s.add(Quote(article_id=article_id, text="x", speaker=surface, start=0, end=1))
                stored.speakers.add(surface)
        for org in rng.sample(ORGS, rng.randint(0, 1)):
            self._mention(s, article_id, ("ORG", org), org, stored)

    def _mention(
        self, s: Session, article_id: int, key: tuple[str, str], surface: str, stored: Stored
    ) -> None:
        if key not in self._entity_ids:
            entity = Entity(label=key[0], canonical=key[1])
            s.add(entity)
            s.flush()
            self._entity_ids[key] = entity.id
        entity_id = self._entity_ids[key]
        s.add(ArticleEntity(article_id=article_id, entity_id=entity_id, count=1))
        s.add(Mention(article_id=article_id, entity_id=entity_id, text=surface, start=0, end=1))
        stored.entities.add(key)
        stored.surfaces.add(surface.lower())


def _built(sessions: sessionmaker[Session], size: int) -> Store:
    built = Store(sessions)
    rng = random.Random(7)
    for _ in range(size):
        built.add(rng)
    return built


@pytest.fixture
def store(sessions: sessionmaker[Session]) -> Store:
    return _built(sessions, 160)


@pytest.fixture
def small_store(sessions: sessionmaker[Session]) -> Store:
    return _built(sessions, 12)


def _all(sessions: sessionmaker[Session], query: SearchQuery) -> Iterator[Hit]:
    """Every page of a query, cursor after cursor."""
    while True:
        with transaction(sessions) as s:
            page = search(s, query)
        yield from page.hits
        if page.next_cursor is None:
            return
        query = replace(query, cursor=page.next_cursor)


# --- the brute force -------------------------------------------------------------------------


def _has(seq: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(seq[i : i + n]) == phrase for i in range(len(seq) - n + 1))


def _text_matches(query: list[list[tuple[bool, tuple[str, ...]]]], a: Stored) -> bool:
    def hit(p: tuple[str, ...]) -> bool:
        return _has(a.title, p) or _has(a.body, p)

    return any(all(hit(p) != excluded for excluded, p in group) for group in query)


def _forms(canonical: str) -> set[str]:
    return {canonical.lower(), *(x.lower() for x in PEOPLE.get(canonical, ()))}


def _names(person_query: str) -> set[str]:
    q = person_query.lower()
    for canonical, surfaces in PEOPLE.items():
        forms = {canonical.lower(), *(x.lower() for x in surfaces)}
        if q in forms:
            return forms
    return {q}


def _expected(store: Store, q: SearchQuery, text_ast: object = None) -> set[int]:
    checks: list[Callable[[Stored], bool]] = []
    if q.entity:  # the entities the name stands for, by canonical name or any surface form
        e = q.entity.lower()
        meant = {k for a in store.rows for k in a.entities if k[1].lower() == e}
        meant |= {
            k for a in store.rows if e in a.surfaces for k in a.entities if _forms(k[1]) & {e}
        }
        checks.append(lambda a: bool(a.entities & meant))
    if q.label:
        checks.append(lambda a: any(label == q.label for label, _ in a.entities))
    if q.speaker:
        names = _names(q.speaker)
        checks.append(lambda a: any(sp.lower() in names for sp in a.speakers))
    if q.published_since:
        since = q.published_since.isoformat()
        checks.append(lambda a: a.published is not None and a.published >= since)
    if q.published_until:
        until = q.published_until.isoformat()
        checks.append(lambda a: a.published is not None and a.published <= until)
    if q.stored_since:
        checks.append(lambda a: a.created_at.date() >= q.stored_since)  # type: ignore[operator]
    if q.stored_until:
        checks.append(lambda a: a.created_at.date() <= q.stored_until)  # type: ignore[operator]
    if q.language:
        checks.append(lambda a: a.language.lower() == q.language.lower())  # type: ignore[union-attr]
    if q.source_prefix:
        checks.append(lambda a: a.source_path.startswith(q.source_prefix))  # type: ignore[arg-type]
    if q.cluster_id is not None:
        checks.append(lambda a: a.cluster_id == q.cluster_id)
    if q.originals_only:
        checks.append(lambda a: a.duplicate_of is None)
    if text_ast is not None:
        checks.append(lambda a: _text_matches(text_ast, a))  # type: ignore[arg-type]
    return {a.id for a in store.rows if all(c(a) for c in checks)}


# --- the tests -------------------------------------------------------------------------------

FILTERS = st.fixed_dictionaries(
    {},
    optional={
        "entity": st.sampled_from(["Ana Vidal", "ms vidal", "Reyes", "Acme Corp", "Nobody"]),
        "label": st.sampled_from(["PERSON", "ORG", "GPE"]),
        "speaker": st.sampled_from(["Ana Vidal", "Vidal", "Li", "Li Wen", "Tom Reyes", "x"]),
        "published_since": st.dates(date(2026, 9, 25), date(2026, 11, 15)),
        "published_until": st.dates(date(2026, 9, 25), date(2026, 11, 15)),
        "stored_since": st.dates(date(2026, 10, 31), date(2026, 11, 2)),  # stored on 11-01 UTC
        "stored_until": st.dates(date(2026, 10, 31), date(2026, 11, 2)),
        "language": st.sampled_from(["en", "ES", "fr"]),
        "source_prefix": st.sampled_from((*FOLDERS, "afp", "a", "nowhere/")),
        "cluster_id": st.integers(1, 40),
        "originals_only": st.booleans(),
    },
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(filters=FILTERS, limit=st.integers(3, 60), order=st.sampled_from(["stored", "published"]))
def test_every_filter_matches_a_brute_force_scan(
    store: Store, filters: dict[str, object], limit: int, order: str
) -> None:
    query = SearchQuery(limit=limit, order=order, **filters)  # type: ignore[arg-type]
    found = [h.id for h in _all(store.sessions, query)]
    assert len(found) == len(set(found)), "a page repeated a row"
    expected = _expected(store, query)
    assert set(found) == expected
    with transaction(store.sessions) as s:  # export streams the same articles, oldest first
        exported = [r["id"] for r in export_matching(s, query)]
    assert exported == sorted(expected)


PHRASE = st.lists(st.sampled_from(VOCAB), min_size=1, max_size=2).map(tuple)
TERM = st.tuples(st.booleans(), PHRASE)
GROUP = st.lists(TERM, min_size=1, max_size=3).filter(lambda g: not all(ex for ex, _ in g))
TEXT = st.lists(GROUP, min_size=1, max_size=2)


def _render(ast: list[list[tuple[bool, tuple[str, ...]]]], upper: bool) -> str:
    def term(excluded: bool, phrase: tuple[str, ...]) -> str:
        words = [w.upper() if upper else w for w in phrase]
        body = words[0] if len(words) == 1 else '"' + " ".join(words) + '"'
        return ("-" if excluded else "") + body

    return " OR ".join(" ".join(term(*t) for t in group) for group in ast)


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ast=TEXT, upper=st.booleans(), order=st.sampled_from(["relevance", "stored", "published"]))
def test_the_text_syntax_matches_a_brute_force_scan(
    store: Store, ast: list[list[tuple[bool, tuple[str, ...]]]], upper: bool, order: str
) -> None:
    query = SearchQuery(text=_render(ast, upper), order=order, limit=25)  # type: ignore[arg-type]
    hits = list(_all(store.sessions, query))
    ids = [h.id for h in hits]
    assert len(ids) == len(set(ids))
    assert set(ids) == _expected(store, query, ast)
    if order == "relevance":
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)  # type: ignore[type-var]


def test_a_title_outranks_a_body_and_snippets_mark_the_match(store: Store) -> None:
    with transaction(store.sessions) as s:
        page = search(s, SearchQuery(text="bulletin", limit=5))
    assert page.hits and page.next_cursor is not None  # every title holds it
    with transaction(store.sessions) as s:
        page = search(s, SearchQuery(text="zork", limit=100))
    assert page.hits
    first = page.hits[0]
    assert "zork" in store.rows[first.id - 1].title or all(
        "zork" not in a.title for a in store.rows if a.id in {h.id for h in page.hits}
    )
    in_body = [h for h in page.hits if "zork" in store.rows[h.id - 1].body]
    assert in_body
    assert all(re.search("\ue000zork\ue001", h.snippet, re.I) for h in in_body[:10])


@pytest.mark.parametrize("order", ["stored", "published", "relevance"])
def test_pages_neither_skip_nor_repeat_while_articles_arrive(store: Store, order: str) -> None:
    if order == "relevance" and store.sessions.kw["bind"].dialect.name == "sqlite":
        pytest.skip("SQLite's bm25 weighs by the whole collection (db/search.py says so)")
    query = SearchQuery(text="zork" if order == "relevance" else None, order=order, limit=7)  # type: ignore[arg-type]
    before = _expected(store, query, [[(False, ("zork",))]] if query.text else None)
    rng = random.Random(99)
    seen: list[int] = []
    while True:
        with transaction(store.sessions) as s:
            page = search(s, query)
        seen.extend(h.id for h in page.hits)
        for _ in range(3):  # others store articles between two requests
            store.add(rng)
        if page.next_cursor is None:
            break
        query = replace(query, cursor=page.next_cursor)
    assert len(seen) == len(set(seen)), "a row came twice"
    assert before <= set(seen), f"rows skipped: {sorted(before - set(seen))}"


HOSTILE = [
    'zork"', '"', "zork*", "NEAR(zork quib)", "zork AND", "AND OR NOT", "^zork", "title:zork",
    "zork'; DROP TABLE articles; --", "%_%", "(zork", "zork)", "-", "--zork", "ζork", "\x00zork",
    "zork\u202equib", "\ue000", "OR OR zork", "zork -", "*", "'", "\\",
]  # fmt: skip


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_are_answered_or_refused_with_a_reason(
    small_store: Store, text: str
) -> None:
    try:
        with transaction(small_store.sessions) as s:
            page = search(s, SearchQuery(text=text, source_prefix="%", language="'"))
    except InvalidQuery as refused:
        assert str(refused)
    else:
        assert page.hits == []  # nothing stored starts with "%" in a folder called that


@pytest.mark.parametrize(
    "query, reason",
    [
        (SearchQuery(text="zork " * 200), "characters"),
        (SearchQuery(text=" ".join(["zork"] * 40)), "words"),
        (SearchQuery(text="-zork"), "not excluded"),
        (SearchQuery(text="!!! ..."), "no words"),
        (SearchQuery(order="relevance"), "needs a text"),
        (SearchQuery(limit=0), "limit"),
        (SearchQuery(entity="a\x00b"), "NUL"),
        (SearchQuery(speaker="x" * 201), "over 200"),
        (SearchQuery(cursor="not-a-cursor"), "cursor"),
        (SearchQuery(cursor="eyJvIjogInN0b3JlZCIsICJrIjogWyIxIl19"), "cursor"),
    ],
)
def test_unanswerable_queries_say_why(small_store: Store, query: SearchQuery, reason: str) -> None:
    with pytest.raises(InvalidQuery, match=reason), transaction(small_store.sessions) as s:
        search(s, query)


def test_a_cursor_belongs_to_its_query(small_store: Store) -> None:
    with transaction(small_store.sessions) as s:
        page = search(s, SearchQuery(language="en", limit=2))
    assert page.next_cursor
    with pytest.raises(InvalidQuery, match="another query"), transaction(small_store.sessions) as s:
        search(s, SearchQuery(language="es", limit=2, cursor=page.next_cursor))
