"""Benchmark the Autotask sandbox: start time, peak memory and page latency.

Each scale runs in a child process (so peak RSS is its own) that builds and
starts the sandbox, then times 500-record pages at zero latency: the first
page of ConfigurationItems, a page deep in the keyset (after the id gap), a
filtered incremental page and the first Tickets page. Prints a table, or
JSON with ``--json``.

    python benchmarks/sandbox_bench.py                    # large scale
    python benchmarks/sandbox_bench.py --scale small --scale large --json
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

PAGE = 500
REPEATS = 7
EVERYTHING = [{"op": "gte", "field": "id", "value": 0}]


def _timed_page(client: Any, entity: str, filters: list[dict[str, Any]]) -> float:
    body = {"MaxRecords": PAGE, "filter": filters}
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        answer = client.post(f"V1.0/{entity}/query", json=body)
        samples.append(time.perf_counter() - started)
        assert answer.status_code == 200, answer.text
        assert len(answer.json()["items"]) == PAGE, "page not full"
    return statistics.median(samples) * 1000


def measure(scale: str) -> dict[str, Any]:
    """Build, start and time one sandbox in this process; return the figures."""
    import httpx
    from hub_autotask.sandbox import Sandbox

    started = time.perf_counter()
    sandbox = Sandbox(scale=scale, seed=1, hourly_limit=10**9, thread_limit=100).start()
    start_seconds = time.perf_counter() - started
    creds = sandbox.credentials
    headers = {
        "ApiIntegrationCode": creds["integration_code"],
        "UserName": creds["username"],
        "Secret": creds["secret"],
    }
    try:
        with httpx.Client(base_url=sandbox.zone_url, headers=headers, timeout=60) as client:
            ids = sandbox.store.table("ConfigurationItems").ids
            deep = ids[max(0, min(int(len(ids) * 0.7), len(ids) - PAGE - 1))]
            since = sorted(
                r[sandbox.store.table("ConfigurationItems").column["lastModifiedTime"]]
                for r in sandbox.store.table("ConfigurationItems").rows.values()
            )
            watermark = since[max(0, len(since) - PAGE * 2)]
            figures = {
                "first_page_ms": _timed_page(client, "ConfigurationItems", EVERYTHING),
                "deep_page_ms": _timed_page(
                    client, "ConfigurationItems", [{"op": "gt", "field": "id", "value": deep}]
                ),
                "incremental_page_ms": _timed_page(
                    client,
                    "ConfigurationItems",
                    [{"op": "gte", "field": "lastModifiedTime", "value": watermark}],
                ),
                "tickets_page_ms": _timed_page(client, "Tickets", EVERYTHING),
            }
    finally:
        sandbox.stop()
    return {
        "scale": scale,
        "start_seconds": round(start_seconds, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "records": sum(sandbox.store.counts().values()),
        **{k: round(v, 1) for k, v in figures.items()},
    }


def run_child(scale: str) -> dict[str, Any]:
    """Measure ``scale`` in a fresh interpreter and return its figures."""
    output = subprocess.run(
        [sys.executable, __file__, "--child", scale], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def print_table(rows: list[dict[str, Any]]) -> None:
    """Print the figures as an aligned table."""
    columns = [
        "scale",
        "records",
        "start_seconds",
        "peak_rss_mb",
        "first_page_ms",
        "deep_page_ms",
        "incremental_page_ms",
        "tickets_page_ms",
    ]
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(str(row[c]).ljust(widths[c]) for c in columns))
    print(
        f"(pages: median of {REPEATS} POST queries of {PAGE} records at zero latency, "
        "over HTTP with keep-alive)"
    )


def main() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        action="append",
        choices=["small", "medium", "large"],
        help="scale to measure (repeatable; default large)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child)))
        return
    rows = [run_child(scale) for scale in args.scale or ["large"]]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print_table(rows)


if __name__ == "__main__":
    main()
