"""The test-control surface: JSON endpoints under ``/_sandbox/``.

They mirror the :class:`~hub_autotask.sandbox.Sandbox` control methods for
tests and benchmarks that run the sandbox in another process:

================================  ===========================================
``GET  /_sandbox/``               settings, credentials, URLs, record counts
``GET  /_sandbox/records/E``      every record of entity E, as the API serves it
``GET  /_sandbox/records/E/ID``   one record (404 if absent)
``POST /_sandbox/records/E``      create (body: record) -> ``{"id"}``
``PATCH /_sandbox/records/E/ID``  update (body: changes) -> record
``POST /_sandbox/delete/E``       ``{"count": n}`` or ``{"ids": [...]}`` -> ``{"deleted"}``
``POST /_sandbox/touch/E``        ``{"fraction": f}`` -> ``{"touched"}``
``POST /_sandbox/faults``         ``{"rate", "kinds", "slow_ms"}``
``POST /_sandbox/deny/E``         deny entity E; ``/_sandbox/allow/E`` undoes it
``POST /_sandbox/latency``        ``{"ms"}``
``POST /_sandbox/limits``         ``{"thread_limit", "hourly_limit", "throttle_scale"}``
``POST /_sandbox/zone/move``      move the tenant -> ``{"zone_url"}``
``GET|POST /_sandbox/usage``      read / pre-fill (``{"count"}``) the hourly counter
``GET  /_sandbox/stats``          calls per endpoint and status, peak concurrency
``POST /_sandbox/stats/reset``    forget statistics
``GET  /_sandbox/writes``         every PATCH/PUT/POST write received
``GET  /_sandbox/webhooks``       webhook deliveries (payload, attempts, state)
``POST /_sandbox/webhooks/retry`` ``{"seconds"}``: the retry interval
================================  ===========================================
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hub_autotask.sandbox.errors import ApiError
from hub_autotask.sandbox.server import Answer

if TYPE_CHECKING:
    from hub_autotask.sandbox.sandbox import Sandbox


def handle_control(
    sandbox: Sandbox, method: str, path: str, params: dict[str, str], body: Any
) -> Answer:
    """Serve one ``/_sandbox/<path>`` request."""
    parts = [p for p in path.split("/") if p]
    data = body if isinstance(body, dict) else {}
    try:
        result = _dispatch(sandbox, method, parts, data)
    except (KeyError, ValueError, TypeError) as exc:
        return Answer(400, {"error": str(exc)})
    except ApiError as exc:
        return Answer(400, {"error": exc.body})
    if result is None:
        return Answer(404, {"error": f"no control endpoint {method} /_sandbox/{path}"})
    return Answer(200, result)


def _dispatch(sb: Sandbox, method: str, parts: list[str], data: dict[str, Any]) -> Any:
    head = parts[0] if parts else ""
    rest = parts[1:]
    if method == "GET":
        if not parts:
            return sb.info()
        if head == "records" and len(rest) == 1:
            return sb.records(rest[0])
        if head == "records" and len(rest) == 2:
            record = sb.record(rest[0], int(rest[1]))
            return record if record is not None else None
        readers = {
            "stats": sb.stats,
            "writes": sb.received_writes,
            "webhooks": sb.webhook_deliveries,
            "usage": lambda: {"count": sb.usage()},
        }
        return readers[head]() if head in readers and not rest else None
    if method == "PATCH" and head == "records" and len(rest) == 2:
        return sb.update(rest[0], int(rest[1]), data)
    if method != "POST":
        return None
    if head == "records" and len(rest) == 1:
        return {"id": sb.create(rest[0], data)}
    if head == "delete" and len(rest) == 1:
        return {"deleted": sb.delete(rest[0], data.get("count"), ids=data.get("ids"))}
    if head == "touch" and len(rest) == 1:
        return {"touched": sb.touch(rest[0], float(data.get("fraction", 0.1)))}
    if head in ("deny", "allow") and len(rest) == 1:
        (sb.deny if head == "deny" else sb.allow)(rest[0])
        return {"denied": sorted(sb.denied())}
    if head == "zone" and rest == ["move"]:
        return {"zone_url": sb.move_zone()}
    if head == "stats" and rest == ["reset"]:
        sb.reset_stats()
        return {"ok": True}
    if head == "webhooks" and rest == ["retry"]:
        sb.set_webhook_retry(float(data["seconds"]))
        return {"ok": True}
    setters = {
        "faults": lambda: sb.set_faults(
            rate=data.get("rate"), kinds=data.get("kinds"), slow_ms=data.get("slow_ms")
        ),
        "latency": lambda: sb.set_latency(float(data["ms"])),
        "limits": lambda: sb.set_limits(
            thread_limit=data.get("thread_limit"),
            hourly_limit=data.get("hourly_limit"),
            throttle_scale=data.get("throttle_scale"),
        ),
        "usage": lambda: sb.set_usage(int(data["count"])),
    }
    if head in setters and not rest:
        setters[head]()
        return sb.info()
    return None
