"""The monitor against the real service: `dropwire up` with its embedded Redis and SQLite.

Files are dropped into the inbox; `/api/status` and `/metrics` are read while the queues hold
work and again after they drain; actions without the token are refused; Ctrl-C stops
everything, the embedded redis-server included.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.support.service import Service, running_service, stop, wait_for
from workers.status import InboxBacklog, quiet_view

pytestmark = pytest.mark.e2e

TOKEN = "monitor-test-token"
FILES = 30

_NAMES = ["Maria Lopez", "John Carter", "Aiko Tanaka", "Peter Novak", "Fatima Khan", "Liam Byrne"]
_PLACES = ["Lisbon", "Denver", "Osaka", "Prague", "Lahore", "Dublin", "Nairobi", "Quito"]
_TOPICS = ["bridge", "budget", "harbour", "school", "railway", "hospital", "election", "festival"]
_WORDS = [
    "council",
    "residents",
    "plan",
    "vote",
    "money",
    "river",
    "north",
    "south",
    "week",
    "report",
    "local",
    "officials",
    "street",
    "market",
    "winter",
    "summer",
    "project",
    "delay",
    "cost",
    "public",
    "meeting",
    "office",
    "police",
    "weather",
    "road",
]


def article(i: int) -> bytes:
    """A distinct small news story: its own people, place, topic and filler words."""
    rng = random.Random(i)
    name, place, topic = rng.choice(_NAMES), rng.choice(_PLACES), rng.choice(_TOPICS)
    filler = " ".join(rng.choice(_WORDS) for _ in range(60))
    text = (
        f"{place} {topic} plan number {i} draws crowds\n\n"
        f"{place.upper()} (Wire) — {name}, a spokesperson for the city of {place}, said on "
        f'Tuesday that the {topic} would cost {1000 + i * 37} million. "We will finish it '
        f'by spring," {name} told reporters.\n\n{filler.capitalize()}.\n'
    )
    return text.encode()


def get(service: Service, path: str) -> bytes:
    port = service.env["DROPWIRE_MONITOR_PORT"]
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
        return bytes(resp.read())


def status(service: Service) -> dict[str, Any]:
    return dict(json.loads(get(service, "/api/status")))


def post(service: Service, path: str, body: Any, token: str | None = None) -> tuple[int, Any]:
    port = service.env["DROPWIRE_MONITOR_PORT"]
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", json.dumps(body).encode(), headers, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def metric(text: str, name: str, **labels: str) -> float | None:
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = re.escape(f"{name}{{{want}}}" if want else name) + r" (\S+)"
    found = re.search(rf"^{pattern}$", text, re.M)
    return None if found is None else float(found.group(1))


class Watch:
    """Reads /api/status and /metrics in a loop and keeps the largest queue depths seen."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.busy_snapshot: dict[str, Any] | None = None
        self.metric_depths: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set():
            snap = status(self.service)
            waiting = sum(q["depth"] or 0 for q in snap["queues"].values())
            if waiting and self.busy_snapshot is None:
                self.busy_snapshot = snap
            text = get(self.service, "/metrics").decode()
            self.metric_depths.append(
                sum(metric(text, "dropwire_queue_depth", queue=q) or 0 for q in ("ingest", "nlp"))
            )
            time.sleep(0.05)


def drained(service: Service, expected: int) -> dict[str, Any] | None:
    snap = status(service)
    a = snap["articles"]
    idle = all(q["depth"] == 0 and q["unacked"] == 0 for q in snap["queues"].values())
    return snap if idle and a["done"] + a["failed"] == expected and a["queued"] == 0 else None


def test_status_and_metrics_follow_a_real_backlog(tmp_path: Path) -> None:
    with running_service(tmp_path, DROPWIRE_MONITOR_TOKEN=TOKEN) as service:
        redis_pid = int(json.loads((tmp_path / "var" / "redis.json").read_text())["pid"])
        # The monitor asks the workers every few seconds: it may not list them yet.
        before = wait_for(lambda: _metrics_once_workers_listed(service), 15, "both workers")
        assert metric(before, "dropwire_queue_depth", queue="ingest") == 0

        with Watch(service) as watch:
            for i in range(FILES):
                service.drop(f"story-{i:02d}.txt", article(i))
            service.drop("empty.txt", b"   \n")
            wait_for(lambda: watch.busy_snapshot, 30, "a status read while queues hold work")
            final = wait_for(lambda: drained(service, FILES + 1), 45, "the queues to drain")

        busy = watch.busy_snapshot
        assert busy["broker_up"] and busy["files"]["seen"] >= 1
        assert busy["articles"]["queued"] > 0 or busy["articles"]["done"] < FILES
        assert all(w["consuming"] for w in busy["workers"]), busy["workers"]
        assert {"ingest", "nlp"} <= {q for w in busy["workers"] for q in w["queues"]}

        # After the drain: every file accounted for, in every face.
        assert final["articles"]["done"] == FILES and final["articles"]["failed"] == 1
        assert final["files"] == {
            **final["files"],
            "seen": FILES + 1,
            "pending": 0,
            "in_flight": 0,
            "unsent_in_inbox": 0,
            "inbox_backlog": 0,
        }
        assert final["throughput"]["1m"] > 0 and final["latency_seconds"]["p50"] is not None
        assert final["nlp_seconds"]["avg"] is not None and final["nlp_seconds"]["samples"] > 0
        assert final["gone_quiet"] is False
        assert any(a["entities"] for a in final["recent_articles"])
        (failure,) = final["recent_failures"]
        assert failure["source_path"] == "empty.txt" and failure["code"] == "empty"
        assert failure["reason"] and failure["attempts"] >= 1
        for w in final["workers"]:
            assert w["heartbeat_age_seconds"] < 15 and w["consuming"], w

        # /metrics moved with the queue: up while files waited, back to 0 after.
        assert max(watch.metric_depths) > 0, watch.metric_depths
        after = get(service, "/metrics").decode()
        assert metric(after, "dropwire_queue_depth", queue="ingest") == 0
        assert metric(after, "dropwire_queue_depth", queue="nlp") == 0
        assert metric(after, "dropwire_files", state="done") == FILES
        assert metric(after, "dropwire_files", state="failed") == 1
        assert metric(after, "dropwire_gone_quiet") == 0
        assert (metric(after, "dropwire_throughput_per_minute", window="1m") or 0) > 0

        # The CLI face agrees with the monitor.
        cli = json.loads(service.cli("status", "--json"))
        assert cli["articles"] == status(service)["articles"]

        history = json.loads(get(service, "/api/history"))
        assert history["samples"] and history["samples"][-1]["done"] <= FILES

        # Reading needs nothing; acting needs the token.
        assert post(service, "/api/retry", {"all": True})[0] == 403
        assert post(service, "/api/retry", {"all": True}, token="wrong")[0] == 403
        assert post(service, "/api/retry", {"ids": ["x"]}, token=TOKEN)[0] == 400
        assert status(service)["articles"]["failed"] == 1  # nothing was retried

        code = stop(service)
    assert code == 0, service.log()
    assert not _alive(redis_pid), f"embedded redis-server {redis_pid} still running"


def test_actions_are_refused_without_a_configured_token(tmp_path: Path) -> None:
    with running_service(tmp_path) as service:
        code, body = post(service, "/api/retry", {"all": True}, token="anything")
        assert code == 403 and "no monitor token" in body["error"]
        assert status(service)["monitor"]["actions_enabled"] is False
        assert stop(service) == 0


def _metrics_once_workers_listed(service: Service) -> str | None:
    text = get(service, "/metrics").decode()
    return text if metric(text, "dropwire_workers") == 2 else None


def _no_worker_lost(service: Service) -> dict[str, Any] | None:
    snap = status(service)
    return None if snap["workers_lost"] else snap


def _worker_for(service: Service, queue: str) -> dict[str, Any] | None:
    found = [w for w in status(service)["workers"] if w["queues"] == [queue]]
    return found[0] if found else None


def _alive(pid: int) -> bool:
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def test_a_worker_that_takes_nothing_is_flagged(tmp_path: Path) -> None:
    """SIGSTOP the NLP worker: its process lives (the supervisor sees nothing wrong) but it
    neither answers nor takes work. The monitor must say so, and recover after SIGCONT."""
    with running_service(tmp_path) as service:
        nlp = wait_for(lambda: _worker_for(service, "nlp"), 15, "the monitor to list the worker")
        worker = psutil.Process(nlp["pid"])
        worker.suspend()
        try:
            service.drop("story.txt", article(1))

            def flagged() -> dict[str, Any] | None:
                snap = status(service)
                q = snap["queues"]["nlp"]
                lost = [w["name"] for w in snap["workers_lost"]]
                # Depth may stay 0: the frozen worker's pending pop swallows the message.
                waiting = q["depth"] or q["ledger_in_flight"]
                return snap if waiting and not q["consuming"] and nlp["name"] in lost else None

            wait_for(flagged, 30, "the nlp queue to be flagged as not consumed")
            text = get(service, "/metrics").decode()
            assert metric(text, "dropwire_queue_consuming", queue="nlp") == 0
            assert metric(text, "dropwire_workers_lost") == 1
        finally:
            worker.resume()
        wait_for(lambda: drained(service, 1), 40, "the file to be stored after SIGCONT")
        snap = wait_for(lambda: _no_worker_lost(service), 15, "the worker to answer again")
        assert all(q["consuming"] for q in snap["queues"].values())
        assert stop(service) == 0


NOTHING_UNSENT = InboxBacklog(unsent=0, oldest_mtime=None, truncated=False)


def _ago(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(time.time() - seconds, UTC)


def test_gone_quiet_needs_waiting_work_and_a_long_silence() -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=2)
    # Work waits since two hours, the last store was 10 minutes ago: quiet.
    assert quiet_view(NOTHING_UNSENT, 3, _ago(600), long_ago, 300).gone_quiet is True
    # Same silence but nothing waits: an idle service is not a stuck one.
    assert quiet_view(NOTHING_UNSENT, 0, _ago(600), None, 300).gone_quiet is False
    # A file dropped a minute ago after an idle night: the clock starts at its arrival.
    just_now = datetime.now(UTC) - timedelta(seconds=60)
    assert quiet_view(NOTHING_UNSENT, 1, _ago(36_000), just_now, 300).gone_quiet is False
    # Files sit in the inbox unrecorded (the watcher is down) and nothing was ever stored.
    old_files = InboxBacklog(unsent=4, oldest_mtime=time.time() - 900, truncated=False)
    assert quiet_view(old_files, 0, None, None, 300).gone_quiet is True
