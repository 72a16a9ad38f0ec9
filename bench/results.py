"""Each bench's headline figures, kept as JSON lines for the README's table (`make bench`)."""

from __future__ import annotations

import json
import os

# `make bench` sets this to one file for the whole run; a bench run by hand records nothing.
ENV = "TRAINER_BENCH_RESULTS"


def record(bench: str, measure: str, figure: str, baseline: str = "", target: str = "",
           ok: bool | None = None) -> None:
    """Add one row of the README's table: the measure, its figure, its yardstick and target."""
    path = os.environ.get(ENV)
    if not path:
        return
    row = {"bench": bench, "measure": measure, "figure": figure, "baseline": baseline,
           "target": target, "ok": ok}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
