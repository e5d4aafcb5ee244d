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
_MIN_SECONDS = 0.002  # a base time this long is well above timer resolution
_BUDGET = 0.05  # quick runs are repeated until they took this long in all (at most 100)


def _best(run: Callable[[Any], object], data: Any, repeats: int) -> float:
    """The fastest of at least `repeats` runs: the one least disturbed by other load."""
    times: list[float] = []
    while len(times) < repeats or (sum(times) < _BUDGET and len(times) < 100):
        start = time.perf_counter()
        run(data)
        times.append(time.perf_counter() - start)
    return min(times)


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
    that a jump out of the CPU caches is not mistaken for superlinear growth.
    """
    small = build(n)
    base = _best(run, small, repeats)
    while base < _MIN_SECONDS and n * 2 * FACTOR <= max_n:
        n *= 2
        small = build(n)
        base = _best(run, small, repeats)
    large = build(n * FACTOR)
    return _best(run, large, repeats) / max(base, 1e-9), n


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
