"""`make bench`: every bench in turn, its output shown and kept, then the README's table rewritten.

Each bench records its headline figures (bench/results.py) into one file for the run; the whole
printed output goes to bench/last-run.txt, and readme_table.py writes the README's table from
the figures. A bench that fails stops the run and leaves the README as it was.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import TextIO

from readme_table import main as write_table
from results import ENV

HERE = Path(__file__).resolve().parent
LOG = HERE / "last-run.txt"
FIGURES = HERE / "last-run.jsonl"


def run(bench: Path, log: TextIO, env: dict[str, str]) -> int:
    """Run one bench, its output to the terminal and the log as it comes; its exit status."""
    with subprocess.Popen([sys.executable, str(bench)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, env=env, text=True, bufsize=1) as child:
        assert child.stdout is not None
        for line in child.stdout:
            sys.stdout.write(line)
            log.write(line)
    return child.returncode


def main() -> int:
    FIGURES.unlink(missing_ok=True)
    env = {**os.environ, ENV: str(FIGURES), "PYTHONUNBUFFERED": "1"}
    with LOG.open("w", encoding="utf-8") as log:
        for bench in sorted(HERE.glob("bench_*.py")):
            header = f"== {bench.relative_to(HERE.parent)}\n"
            sys.stdout.write(header)
            log.write(header)
            if status := run(bench, log, env):
                print(f"{bench.name} failed (exit {status}); the README is left as it was",
                      file=sys.stderr)
                return status
    return write_table([str(FIGURES)])


if __name__ == "__main__":
    sys.exit(main())
