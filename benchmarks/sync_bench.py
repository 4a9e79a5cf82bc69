"""Benchmark an initial and incremental Autotask sync against the sandbox.

Starts the sandbox (its own process) at a scale and latency, a fresh hub
database and N ``hub worker`` processes, then measures, beside the hub's
own figures, two references taken in the same run:

- the serial paging loop: one client paging every entity the hub pulls,
  500 records a call, no database (what the hub's overhead is compared to);
- Autotask's floor: for each endpoint, pages / 3 concurrent x latency, the
  slowest endpoint (nothing can sync faster at that latency).

    .venv/bin/python benchmarks/sync_bench.py --scale medium --latency-ms 0 --workers 2
    .venv/bin/python benchmarks/sync_bench.py --scale medium --latency-ms 300 --workers 2 --json
    .venv/bin/python benchmarks/sync_bench.py --database postgresql://postgres@127.0.0.1/hub_bench

Wall time is the sync's own: from the request to the end of apply, as the
run records it (what an admin waits after "Sync now"); ``*_cli_seconds``
adds the ``hub sync --wait`` process's own start and polling.

Figures: wall time, records/s, API calls against the minimum (records/500
plus a count per stream and the zone and usage metadata calls), peak worker
memory, and the time and calls of a no-change incremental sync and of ones
after 1% and 10% of records changed; then (see ``after_sync.py``) a full re-apply after a mapping
change (records/s, zero API calls) and webhook-to-hub-record latency.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from after_sync import apply_after_mapping_change, webhook_latency

from hub.redis_conn import stop_embedded_redis

HUB = str(Path(sys.executable).with_name("hub"))
SETTINGS_LINE = re.compile(
    r"username=(\S+) secret=(\S+) integration_code=(\S+) zone_lookup_url=(\S+)"
)
PAGE = 500


def _start_sandbox(
    args: argparse.Namespace, folder: Path
) -> tuple[subprocess.Popen[str], dict[str, str], str]:
    settings_file = folder / "settings.json"
    proc = subprocess.Popen(
        [HUB, "sandbox", "autotask", "--scale", args.scale, "--latency-ms", str(args.latency_ms),
         "--seed", "1", "--port", "0", "--settings-file", str(settings_file)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "HUB_INSTANCE_PATH": str(folder / "sandbox-instance")},
    )  # fmt: skip
    assert proc.stdout is not None
    lookup = ""
    zone = ""
    control = ""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (lookup and zone and control):
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("the sandbox stopped before it printed its settings")
        if match := SETTINGS_LINE.search(line):
            lookup = match.group(4)
        if line.startswith("zone_url="):
            zone = line.split("=", 1)[1].strip()
        if line.startswith("control_url="):
            control = line.split("=", 1)[1].strip()
    settings = json.loads(settings_file.read_text())
    settings["zone_lookup_url"] = lookup
    settings["zone_url"] = zone
    return proc, settings, control


def _headers(settings: dict[str, str]) -> dict[str, str]:
    return {"ApiIntegrationCode": settings["integration_code"], "UserName": settings["username"],
            "Secret": settings["secret"], "Content-Type": "application/json"}  # fmt: skip


def serial_loop(settings: dict[str, str], entities: list[str]) -> dict[str, Any]:
    """Page through every entity one call at a time; return time, calls and per-entity pages."""
    pages: dict[str, int] = {}
    records = 0
    started = time.perf_counter()
    with httpx.Client(base_url=settings["zone_url"] + "V1.0/", headers=_headers(settings),
                      timeout=60) as client:  # fmt: skip
        for entity in entities:
            last = -1
            pages[entity] = 0
            while True:
                body = {"MaxRecords": PAGE, "filter": [{"op": "gt", "field": "id", "value": last}]}
                answer = client.post(f"{entity}/query", json=body)
                answer.raise_for_status()
                items = answer.json()["items"]
                pages[entity] += 1
                records += len(items)
                if len(items) < PAGE:
                    break
                last = items[-1]["id"]
    return {"seconds": time.perf_counter() - started, "calls": sum(pages.values()),
            "pages": pages, "records": records}  # fmt: skip


class MemoryWatch(threading.Thread):
    """Samples the resident memory of worker processes and their work horses."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids = pids
        self.peak_kb = 0
        self.running = True

    def _tree(self, pid: int) -> list[int]:
        found = [pid]
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return found
        for child in children:
            found.extend(self._tree(int(child)))
        return found

    def run(self) -> None:
        while self.running:
            for pid in self.pids:
                for proc in self._tree(pid):
                    try:
                        status = Path(f"/proc/{proc}/status").read_text()
                    except OSError:
                        continue
                    match = re.search(r"VmRSS:\s+(\d+)", status)
                    if match:
                        self.peak_kb = max(self.peak_kb, int(match.group(1)))
            time.sleep(0.1)


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) of ``pids`` and their reaped children, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return total / ticks


def _hub(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([HUB, *args], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(
            f"hub {' '.join(args)} failed:\n{result.stderr[-3000:]}\n{result.stdout[-3000:]}"
        )
    return result.stdout


def _sync(env: dict[str, str], control: str, *extra: str) -> dict[str, Any]:
    httpx.post(control + "stats/reset")
    started = time.perf_counter()
    summary = json.loads(
        _hub(env, "sync", "bench", "autotask", "--wait", "--json", *extra).strip().splitlines()[-1]
    )
    cli_seconds = time.perf_counter() - started
    # The sync's own time: from the request to the end of apply, as the run records it
    # (what an admin waits after "Sync now"); the CLI adds its Python start and polling.
    seconds = (
        datetime.fromisoformat(summary["finished_at"])
        - datetime.fromisoformat(summary["created_at"])
    ).total_seconds()
    stats = httpx.get(control + "stats").json()
    return {"seconds": seconds, "cli_seconds": cli_seconds, "summary": summary,
            "calls": stats["total"], "stats": stats,
            "peak_concurrency": stats.get("peak_concurrency", {})}  # fmt: skip


def _stop(process: subprocess.Popen[Any]) -> None:
    """Wait for a terminated process; kill it if it is still busy (a worker ends its job first)."""
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> None:
    """Run the benchmark and print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", default="medium", choices=["small", "medium", "large"])
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default="", help="HUB_DATABASE_URL (default: fresh SQLite)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--webhook-changes",
        type=int,
        default=20,
        metavar="N",
        help="Records changed one by one to time webhooks (0: skip).",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the instance folder.")
    parser.add_argument(
        "--calls", action="store_true", help="Also print the API calls per endpoint of each sync."
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    sandbox, settings, control = _start_sandbox(args, folder)
    workers: list[subprocess.Popen[bytes]] = []
    try:
        env = {**os.environ, "HUB_INSTANCE_PATH": str(folder / "instance"),
               "HUB_AUTOTASK_ZONE_LOOKUP_URL": settings["zone_lookup_url"],
               "HUB_LOG_LEVEL": "WARNING"}  # fmt: skip
        if args.database:
            env["HUB_DATABASE_URL"] = args.database
        _hub(env, "db", "upgrade")
        _hub(env, "tenant", "create", "bench", "--name", "Bench", "--admin-email",
             "bench@example.com", "--admin-password", "bench-password")  # fmt: skip
        hub_settings = folder / "hub-settings.json"
        hub_settings.write_text(
            json.dumps({k: settings[k] for k in ("username", "secret", "integration_code")})
        )
        _hub(
            env,
            "integration",
            "configure",
            "bench",
            "autotask",
            "--settings-file",
            str(hub_settings),
        )

        workers = [subprocess.Popen([HUB, "worker"], env=env) for _ in range(args.workers)]
        time.sleep(2)
        watch = MemoryWatch([w.pid for w in workers])
        watch.start()
        worker_pids = [w.pid for w in workers]
        cpu_before = cpu_seconds(worker_pids), cpu_seconds([sandbox.pid])
        first = _sync(env, control)
        time.sleep(0.5)  # the last work horse reaped
        hub_cpu = cpu_seconds(worker_pids) - cpu_before[0]
        sandbox_cpu = cpu_seconds([sandbox.pid]) - cpu_before[1]
        watch.running = False
        pulled = sum(s["pulled"] for s in first["summary"]["streams"].values())
        endpoint_entities = _entities()
        serial_cpu = cpu_seconds([sandbox.pid]), time.process_time()
        serial = serial_loop(settings, endpoint_entities)
        serial_sandbox_cpu = cpu_seconds([sandbox.pid]) - serial_cpu[0]
        serial_client_cpu = time.process_time() - serial_cpu[1]
        latency = args.latency_ms / 1000
        floor = max(math.ceil(p / 3) for p in serial["pages"].values()) * latency
        # A page per 500 records, a count per stream, and the metadata calls a first sync
        # cannot do without: the zone lookup and the usage check (ThresholdInformation).
        minimum = sum(serial["pages"].values()) + len(first["summary"]["streams"]) + 2
        unchanged = _sync(env, control)
        for entity in endpoint_entities:
            httpx.post(control + f"touch/{entity}", json={"fraction": 0.01})
        changed = _sync(env, control)
        for entity in endpoint_entities:
            httpx.post(control + f"touch/{entity}", json={"fraction": 0.10})
        tenth = _sync(env, control)
        after = apply_after_mapping_change(env, control)
        if args.webhook_changes:
            after.update(webhook_latency({**env, "HUB": HUB}, control, args.webhook_changes))
    finally:
        processes: list[subprocess.Popen[Any]] = [*workers, sandbox]
        for process in processes:
            process.terminate()
        for process in processes:
            _stop(process)
        for instance in (folder / "instance", folder / "sandbox-instance"):
            stop_embedded_redis(str(instance))  # the workers' and the CLI's shared server
        if args.keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)

    result = {
        "scale": args.scale, "latency_ms": args.latency_ms, "workers": args.workers,
        "database": "postgresql" if args.database else "sqlite",
        "status": first["summary"]["status"],
        "records": pulled,
        "hub_seconds": round(first["seconds"], 2),
        "hub_cli_seconds": round(first["cli_seconds"], 2),
        "records_per_second": round(pulled / first["seconds"]),
        "serial_loop_seconds": round(serial["seconds"], 2),
        "hub_vs_serial": round(first["seconds"] / serial["seconds"], 2),
        "hub_worker_cpu_seconds": round(hub_cpu, 2),
        "sandbox_cpu_seconds_hub": round(sandbox_cpu, 2),
        "sandbox_cpu_seconds_serial": round(serial_sandbox_cpu, 2),
        "serial_client_cpu_seconds": round(serial_client_cpu, 2),
        "autotask_floor_seconds": round(floor, 2),
        "hub_vs_floor": round(first["seconds"] / floor, 2) if floor else None,
        **_phases(first["summary"], first["seconds"]),
        "api_calls": first["calls"],
        "api_calls_minimum": minimum,
        "calls_vs_minimum": round(first["calls"] / minimum, 3),
        "peak_concurrency": max(first["peak_concurrency"].values() or [0]),
        "peak_worker_mb": round(watch.peak_kb / 1024),
        "no_change_incremental_seconds": round(unchanged["seconds"], 2),
        "no_change_incremental_cli_seconds": round(unchanged["cli_seconds"], 2),
        "no_change_incremental_calls": unchanged["calls"],
        "one_percent_incremental_seconds": round(changed["seconds"], 2),
        "one_percent_incremental_calls": changed["calls"],
        "ten_percent_incremental_seconds": round(tenth["seconds"], 2),
        "ten_percent_incremental_calls": tenth["calls"],
        **after,
    }  # fmt: skip
    if args.calls:
        result["calls_by_endpoint"] = {
            name: run["stats"].get("by_endpoint", run["stats"])
            for name, run in (
                ("first", first),
                ("no_change", unchanged),
                ("one_percent", changed),
                ("ten_percent", tenth),
            )
        }
    if args.json:
        print(json.dumps(result))
        return
    width = max(len(k) for k in result)
    for key, value in result.items():
        print(f"{key.ljust(width)}  {value}")


def _phases(summary: dict[str, Any], seconds: float) -> dict[str, Any]:
    """Split the wall time: until the last stream was pulled, and the rest (apply)."""
    started = datetime.fromisoformat(summary["created_at"])
    ends = {
        name: (datetime.fromisoformat(row["finished_at"]) - started).total_seconds()
        for name, row in summary["streams"].items()
        if row.get("finished_at")
    }
    if not ends:
        return {}
    slowest = max(ends, key=ends.__getitem__)
    return {
        "pull_seconds": round(ends[slowest], 2),
        "slowest_stream": slowest,
        "after_pull_seconds": round(seconds - ends[slowest], 2),
    }


def _entities() -> list[str]:
    """The Autotask entities behind the hub's entity streams (the plugin's own table)."""
    from hub_autotask.streams import ALL

    return sorted({s.entity for s in ALL if s.kind == "entity"})


if __name__ == "__main__":
    main()
