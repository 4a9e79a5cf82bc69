"""Run ``sync_bench.py`` over a matrix of scales, latencies, workers and databases.

    .venv/bin/python benchmarks/matrix.py --scales small,medium --latency 0,300 \\
        --workers 1,4 --databases sqlite,postgresql --out results.json
    .venv/bin/python benchmarks/matrix.py --compare old.json new.json

Each cell is one ``sync_bench.py --json`` run in its own processes (fresh
sandbox, database and workers), one after another. The table shows the
figures that matter most; the JSON file keeps every figure of every cell,
so two runs (before and after a change) can be compared with
``--compare``, which prints each figure's old and new value and the ratio.

PostgreSQL cells use ``--postgres-url`` (default: the local server's
``hub_bench`` database), emptied before each cell.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
COLUMNS = [
    ("scale", "scale"), ("latency_ms", "ms"), ("workers", "wk"), ("database", "db"),
    ("records", "records"), ("hub_seconds", "sync s"), ("records_per_second", "rec/s"),
    ("autotask_floor_seconds", "floor s"), ("hub_vs_floor", "x floor"),
    ("calls_vs_minimum", "calls/min"), ("peak_worker_mb", "MB/wk"),
    ("no_change_incremental_seconds", "0% s"), ("one_percent_incremental_seconds", "1% s"),
    ("ten_percent_incremental_seconds", "10% s"), ("apply_records_per_second", "apply rec/s"),
    ("webhook_latency_median_ms", "hook ms"),
]  # fmt: skip
# Figures where a larger value is better (for the comparison's verdict).
HIGHER_IS_BETTER = {"records_per_second", "apply_records_per_second"}
KEY = ("scale", "latency_ms", "workers", "database")


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    from hub.config import normalise_database_url

    engine = create_engine(normalise_database_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def run_cell(scale: str, latency: int, workers: int, database: str, args: argparse.Namespace
             ) -> dict[str, Any]:  # fmt: skip
    """Run one benchmark cell and return its figures (or the error it stopped with)."""
    command = [sys.executable, str(HERE / "sync_bench.py"), "--json", "--scale", scale,
               "--latency-ms", str(latency), "--workers", str(workers),
               "--webhook-changes", str(args.webhook_changes)]  # fmt: skip
    if database == "postgresql":
        _reset_postgres(args.postgres_url)
        command += ["--database", args.postgres_url]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True)
    cell = {"scale": scale, "latency_ms": latency, "workers": workers, "database": database}
    if done.returncode != 0:
        return {**cell, "error": (done.stderr or done.stdout).strip()[-500:]}
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return {**cell, **figures, "bench_seconds": round(time.monotonic() - started, 1)}


def table(rows: list[dict[str, Any]]) -> str:
    """Return ``rows`` as a fixed-width text table of :data:`COLUMNS`."""
    lines = [[title for _, title in COLUMNS]]
    for row in rows:
        if "error" in row:
            lines.append([str(row[k]) for k, _ in COLUMNS[:4]] + ["error: " + row["error"][:60]])
            continue
        lines.append(["" if row.get(k) is None else str(row[k]) for k, _ in COLUMNS])
    widths = [max(len(line[i]) for line in lines if i < len(line)) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(cell.rjust(widths[i]) for i, cell in enumerate(line)) for line in lines
    )


def compare(old_path: str, new_path: str) -> str:
    """Return, per cell in both files, each numeric figure's old and new value and ratio."""
    old = {tuple(r[k] for k in KEY): r for r in json.loads(Path(old_path).read_text())["cells"]}
    new = {tuple(r[k] for k in KEY): r for r in json.loads(Path(new_path).read_text())["cells"]}
    out = []
    for key in [k for k in new if k in old]:
        out.append("/".join(str(part) for part in key))
        for name, _ in COLUMNS[4:]:
            a, b = old[key].get(name), new[key].get(name)
            if not isinstance(a, int | float) or not isinstance(b, int | float):
                continue
            ratio = b / a if a else (1.0 if b == a else float("inf"))
            better = ratio > 1 if name in HIGHER_IS_BETTER else ratio < 1
            verdict = "" if abs(ratio - 1) < 0.05 else ("better" if better else "WORSE")
            out.append(f"  {name:36} {a:>10} -> {b:>10}  x{ratio:.2f} {verdict}")
    return "\n".join(out) or "no cell is in both files"


def main() -> None:
    """Run the matrix (or compare two of its JSON files)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", default="small")
    parser.add_argument("--latency", default="0", help="Simulated latencies in ms, e.g. 0,300.")
    parser.add_argument("--workers", default="1")
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/hub_bench")
    parser.add_argument("--webhook-changes", type=int, default=10)
    parser.add_argument("--out", default="benchmark-results.json", help="JSON file to write.")
    parser.add_argument("--compare", nargs=2, metavar=("OLD", "NEW"))
    args = parser.parse_args()
    if args.compare:
        print(compare(*args.compare))
        return
    cells = itertools.product(
        args.scales.split(","),
        [int(v) for v in args.latency.split(",")],
        [int(v) for v in args.workers.split(",")],
        args.databases.split(","),
    )
    rows = []
    for scale, latency, workers, database in cells:
        print(f"running {scale}, {latency} ms, {workers} workers, {database} ...",
              file=sys.stderr, flush=True)  # fmt: skip
        rows.append(run_cell(scale, latency, workers, database, args))
        Path(args.out).write_text(json.dumps({"cells": rows}, indent=1))  # kept if stopped
    print(table(rows))
    print(f"\nfigures of every cell: {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
