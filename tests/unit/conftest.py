"""Helpers shared by the unit tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

# How the running time may grow when the input grows FACTOR times. Linear work grows 8x,
# quadratic 64x; the bound leaves room for a noisy, shared machine on the linear side.
FACTOR = 8
MAX_GROWTH = 24
ATTEMPTS = 3  # a superlinear function fails every attempt; a load spike rarely hits all
_MIN_SECONDS = 0.002  # a base time this long is well above timer resolution
_BUDGET = 0.05  # quick runs are repeated until they took this long in all (at most 100)


def _time(run: Callable[[Any], object], data: Any) -> float:
    start = time.perf_counter()
    run(data)
    return time.perf_counter() - start


def _best(run: Callable[[Any], object], data: Any, repeats: int) -> float:
    """The fastest of at least `repeats` runs: the one least disturbed by other load."""
    times: list[float] = []
    while len(times) < repeats or (sum(times) < _BUDGET and len(times) < 100):
        times.append(_time(run, data))
    return min(times)


def _ratio(run: Callable[[Any], object], small: Any, large: Any, repeats: int) -> float:
    """Best large time over best small time, the two timed in turns so load hits both."""
    best_small, best_large = _best(run, small, 1), _time(run, large)
    for _ in range(repeats - 1):
        best_small = min(best_small, _best(run, small, 1))
        best_large = min(best_large, _time(run, large))
    return best_large / max(best_small, 1e-9)


def growth(
    build: Callable[[int], Any],
    run: Callable[[Any], object],
    n: int,
    *,
    repeats: int = 3,
    max_n: int = 1 << 18,
) -> tuple[float, int]:
    """(t(FACTOR * n) / t(n), n): both timed in this run, each the best of several runs.

    Inputs are built before timing. `n` doubles until t(n) is long enough to measure, so
    the ratio compares real work, not timer noise; `max_n` keeps FACTOR * n small enough
    that a jump out of the CPU caches is not mistaken for superlinear growth. The lowest
    ratio of up to ATTEMPTS measurements is returned (stopping at the first under the bound).
    """
    small = build(n)
    while _best(run, small, repeats) < _MIN_SECONDS and n * 2 * FACTOR <= max_n:
        n *= 2
        small = build(n)
    large = build(n * FACTOR)
    ratio = float("inf")
    for _ in range(ATTEMPTS):
        ratio = min(ratio, _ratio(run, small, large, repeats))
        if ratio < MAX_GROWTH:
            break
    return ratio, n


@pytest.fixture
def assert_linear() -> Callable[..., None]:
    """assert_linear(build, run, n): fails when the time grows faster than ~linearly."""

    def check(build: Callable[[int], Any], run: Callable[[Any], object], n: int, **kw: Any) -> None:
        ratio, used = growth(build, run, n, **kw)
        assert ratio < MAX_GROWTH, (
            f"input x{FACTOR} (n={used}) took x{ratio:.1f} the time: not linear "
            f"(linear ~x{FACTOR}, quadratic ~x{FACTOR * FACTOR})"
        )

    return check
