"""A ring buffer of small samples for the dashboard's charts (`/api/history`)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass

from workers.snapshot import Snapshot

HISTORY_SAMPLES = 1800  # one hour at the default interval


@dataclass(frozen=True, slots=True)
class Sample:
    t: float  # wall clock, seconds
    depth: Mapping[str, int | None]
    unacked: Mapping[str, int | None]
    done: int
    failed: int
    stored_per_min: float | None  # between this sample and the one before
    throughput_1m: float
    workers: int


class History:
    """Depth per queue and stored per minute, one sample per `add`."""

    def __init__(self, size: int = HISTORY_SAMPLES) -> None:
        self._samples: deque[Sample] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, snap: Snapshot, now: float) -> None:
        done = snap.articles.done
        with self._lock:
            prev = self._samples[-1] if self._samples else None
            rate = None
            if prev is not None and now > prev.t:
                # The rate between two samples shows bursts the 1-minute window smooths away.
                rate = round(max(0, done - prev.done) * 60.0 / (now - prev.t), 2)
            self._samples.append(
                Sample(
                    t=round(now, 3),
                    depth={q.name: q.stats.depth for q in snap.queues},
                    unacked={q.name: q.stats.unacked for q in snap.queues},
                    done=done,
                    failed=snap.articles.failed,
                    stored_per_min=rate,
                    throughput_1m=snap.throughput.m1,
                    workers=len(snap.workers),
                )
            )

    def since(self, t: float) -> list[Sample]:
        with self._lock:
            return [s for s in self._samples if s.t > t]
