"""Every throughput benchmark in one go (`make bench`), at the sizes issue 7 names, in 15 minutes.

    .venv/bin/python bench/run_all.py [--quick]

The e2e batch (500 articles), the watcher burst (100,000 files) and the memory run (10,000
articles through one NLP worker) run at full size; the naive peer, scaling and db_store runs
are sized to keep the total within 15 minutes on a 2-core machine; pipeline_costs (size guard
and fingerprint, per file) takes seconds. `--quick` shrinks everything for a first look (about
6 minutes). Each command is printed before it runs, the total time at the end. Exits non-zero
if any script failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from _common import goal_mark, header

BENCH = Path(__file__).resolve().parent
DEFAULT: list[list[str]] = [
    ["e2e.py", "--n", "500", "--peer-n", "60"],
    ["scaling.py", "--n", "100", "--rounds", "2"],
    ["watcher.py", "--n", "100000"],
    ["db_store.py", "--n", "300", "--rounds", "2"],
    ["memory.py", "--n", "10000"],
    ["pipeline_costs.py"],
]
QUICK: list[list[str]] = [
    ["e2e.py", "--n", "200", "--peer-n", "40"],
    ["scaling.py", "--n", "60"],
    ["watcher.py", "--n", "20000"],
    ["db_store.py", "--n", "200", "--rounds", "1"],
    ["memory.py", "--n", "2000"],
    ["pipeline_costs.py", "--rounds", "3"],
]
BUDGET_MIN = 15


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a first look")
    args = parser.parse_args()
    plan = QUICK if args.quick else DEFAULT
    header(f"bench/run_all: {len(plan)} benchmarks ({'quick' if args.quick else 'issue'} sizes)")
    started, failed = time.perf_counter(), []
    for script, *flags in plan:
        command = [sys.executable, str(BENCH / script), *flags]
        print(f"\n$ {' '.join(['.venv/bin/python', f'bench/{script}', *flags])}", flush=True)
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(script)
    minutes = (time.perf_counter() - started) / 60
    within = goal_mark(minutes <= BUDGET_MIN)
    header(
        f"bench/run_all done in {minutes:.1f} min (goal <= {BUDGET_MIN}: {within}); "
        f"failed: {failed or 'none'}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    sys.exit(main())
