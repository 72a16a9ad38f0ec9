"""Write the README's bench table from the rows one `make bench` run recorded (bench/results.py).

Run: `python bench/readme_table.py RESULTS [README]`. The table goes between the README's
`<!-- bench-table -->` and `<!-- /bench-table -->` lines; everything else is left as it is.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

START, END = "<!-- bench-table -->", "<!-- /bench-table -->"
MARKS = {True: "✔", False: "✘ missed", None: ""}


def rows(results: Path) -> list[dict[str, object]]:
    """The recorded rows, in the order the benches ran."""
    return [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def cell(value: object) -> str:
    """A table cell: the text, its pipes escaped."""
    return str(value).replace("|", "\\|")


def table(recorded: list[dict[str, object]], when: datetime) -> str:
    """The Markdown block: where and when it ran, then a row per figure."""
    lines = [START,
             f"Printed by one `make bench` run on {when:%Y-%m-%d} ({os.cpu_count()} CPUs, "
             f"Python {platform.python_version()}); each figure is beside its baseline from the "
             "same run.",
             "",
             "| measure | trainer | baseline in the same run | target | met |",
             "|---|---|---|---|---|"]
    for row in recorded:
        lines.append("| " + " | ".join(cell(row[k]) for k in ("measure", "figure", "baseline",
                                                              "target"))
                     + f" | {MARKS[row['ok']]} |")  # type: ignore[index]
    lines.append(END)
    return "\n".join(lines)


def rewrite(readme: Path, block: str) -> None:
    """Put the block between the markers, or fail if the README has none."""
    text = readme.read_text(encoding="utf-8")
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise SystemExit(f"{readme}: no {START} ... {END} block to rewrite")
    readme.write_text(head + block + tail, encoding="utf-8")


def main(argv: list[str]) -> int:
    results = Path(argv[0])
    default = Path(__file__).resolve().parent.parent / "README.md"
    readme = Path(argv[1]) if len(argv) > 1 else default
    recorded = rows(results)
    if not recorded:
        print(f"{results}: no figures recorded; the README is left as it is", file=sys.stderr)
        return 1
    rewrite(readme, table(recorded, datetime.now(UTC)))
    print(f"{readme}: table of {len(recorded)} figures written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
