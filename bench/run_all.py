"""Every throughput benchmark in one go (`make bench`), sized to finish within 15 minutes here.

    .venv/bin/python bench/run_all.py [--full]

Sizes are scaled down from each script's default so the whole run fits in 15 minutes on a
shared 2-core machine; `--full` runs the defaults (about an hour). Each command is printed
before it runs, and the total time at the end. Exits non-zero if any script failed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from _common import header

BENCH = Path(__file__).resolve().parent
QUICK: list[list[str]] = [
    ["e2e.py", "--n", "300", "--peer-n", "100"],
    ["scaling.py", "--n", "100"],
    ["watcher.py", "--n", "20000"],
    ["db_store.py", "--n", "400", "--rounds", "2"],
    ["memory.py", "--n", "2000"],
]
FULL: list[list[str]] = [["e2e.py"], ["scaling.py"], ["watcher.py"], ["db_store.py"], ["memory.py"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="each script's default sizes")
    args = parser.parse_args()
    plan = FULL if args.full else QUICK
    header(f"bench/run_all: {len(plan)} benchmarks ({'full' if args.full else 'quick'} sizes)")
    started, failed = time.perf_counter(), []
    for script, *flags in plan:
        command = [sys.executable, str(BENCH / script), *flags]
        print(f"\n$ {' '.join(['.venv/bin/python', f'bench/{script}', *flags])}", flush=True)
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(script)
    minutes = (time.perf_counter() - started) / 60
    header(f"bench/run_all done in {minutes:.1f} min (budget 15); failed: {failed or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    sys.exit(main())
