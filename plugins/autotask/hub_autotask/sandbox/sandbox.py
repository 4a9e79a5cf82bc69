"""The :class:`Sandbox`: a faithful Autotask REST API served over real HTTP."""

from __future__ import annotations

import random
import threading
from types import TracebackType
from typing import Any

from hub_autotask.sandbox import api, catalog
from hub_autotask.sandbox.control import handle_control
from hub_autotask.sandbox.faults import FaultInjector
from hub_autotask.sandbox.limits import HourlyCounter, ThreadLimiter
from hub_autotask.sandbox.pipeline import Pipeline
from hub_autotask.sandbox.seed import build_store
from hub_autotask.sandbox.server import Answer, SandboxHTTPServer, serve_in_background
from hub_autotask.sandbox.stats import RequestStats
from hub_autotask.sandbox.tenant import LOOKUP_PREFIX, Credentials, ZoneState
from hub_autotask.sandbox.webhooks import WebhookDispatcher
from hub_autotask.sandbox.writes import Writer, now_text


class Sandbox:
    """A simulated Autotask tenant served over HTTP, with test controls.

    ``Sandbox(scale="small", seed=1, latency_ms=0, fault_rate=0.0, thread_limit=3,
    hourly_limit=10000, host="127.0.0.1", port=0, *, fault_kinds=None,
    throttle_scale=1.0, webhook_retry_seconds=30.0)`` builds the data;
    :meth:`start` serves it (``port=0`` picks a free port) and returns ``self``;
    it is also a context manager. Control methods (mirrored under
    ``control_url``): :meth:`records`, :meth:`record`, :meth:`create`,
    :meth:`update`, :meth:`delete`, :meth:`touch`, :meth:`set_faults`,
    :meth:`deny`, :meth:`allow`, :meth:`set_latency`, :meth:`set_limits`,
    :meth:`move_zone`, :meth:`set_usage`, :meth:`usage`, :meth:`stats`,
    :meth:`reset_stats`, :meth:`received_writes`, :meth:`webhook_deliveries`,
    :meth:`set_webhook_retry`, :meth:`info`.
    """

    def __init__(
        self,
        scale: str = "small",
        seed: int = 1,
        latency_ms: float = 0,
        fault_rate: float = 0.0,
        thread_limit: int = 3,
        hourly_limit: int = 10000,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        fault_kinds: list[str] | None = None,
        throttle_scale: float = 1.0,
        webhook_retry_seconds: float = 30.0,
    ) -> None:
        """Generate the tenant's data; nothing is served until :meth:`start`."""
        self.scale = scale
        self.seed = seed
        self.host = host
        self._requested_port = port
        self.credentials_obj = Credentials.for_seed(seed)
        self.store, seed_context = build_store(scale, seed, self.credentials_obj.username)
        self.api_resource_id = seed_context.api_resource_id
        self._human_resource_id = seed_context.resource_ids[0]
        self._writes: list[dict[str, Any]] = []
        self._writes_lock = threading.Lock()
        self._control_rng = random.Random(f"{seed}:control")
        self._touch_counter = 0
        self.webhooks = WebhookDispatcher(self.store, retry_interval=webhook_retry_seconds)
        self.writer = Writer(self.store, self.webhooks.on_change, seed)
        self.zone = ZoneState(ci=random.Random(f"{seed}:zone").randrange(10000, 99999))
        self.counter = HourlyCounter(hourly_limit, throttle_scale)
        self.limiter = ThreadLimiter(thread_limit)
        self.faults = FaultInjector(seed)
        self.faults.set(rate=fault_rate, kinds=fault_kinds)
        self._stats = RequestStats()
        self.api_context = api.ApiContext(
            self.store, self.writer, self.counter, "", self.faults.denied
        )
        self.pipeline = Pipeline(
            store=self.store,
            api_context=self.api_context,
            credentials=self.credentials_obj,
            zone=self.zone,
            counter=self.counter,
            limiter=self.limiter,
            faults=self.faults,
            stats=self._stats,
            api_resource_id=self.api_resource_id,
            base_url=lambda: self.base_url,
            control=self._control,
            record_write=self._record_write,
        )
        self.pipeline.latency_seconds = latency_ms / 1000.0
        self._server: SandboxHTTPServer | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> Sandbox:
        """Serve over HTTP in background threads and return ``self``."""
        if self._server is None:
            self._server = SandboxHTTPServer(self.host, self._requested_port, self.pipeline)
            self.api_context.zone_url = self.zone_url
            serve_in_background(self._server)
            self.webhooks.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and stop webhook delivery."""
        if self._server is not None:
            self._server.shutdown()
            self._server.close_connections()
            self._server.server_close()
            self._server = None
        self.webhooks.stop()

    def __enter__(self) -> Sandbox:
        """Start and return the sandbox."""
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        """Stop the sandbox."""
        self.stop()

    # -- addresses ---------------------------------------------------------------------------
    @property
    def port(self) -> int:
        """Return the bound port (after :meth:`start`)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """Return ``http://host:port/``."""
        return f"http://{self.host}:{self.port}/"

    @property
    def zone_lookup_url(self) -> str:
        """Return the zone lookup base, e.g. ``http://127.0.0.1:PORT/atservicesrest/``."""
        return self.base_url + LOOKUP_PREFIX.lstrip("/")

    @property
    def zone_url(self) -> str:
        """Return the current zone's REST base (trailing slash); the API is under ``V1.0/``."""
        return self.base_url + self.zone.prefix.lstrip("/")

    @property
    def control_url(self) -> str:
        """Return the base URL of the control surface (``.../_sandbox/``)."""
        return self.base_url + "_sandbox/"

    @property
    def credentials(self) -> dict[str, str]:
        """Return ``{"username", "secret", "integration_code"}``."""
        return self.credentials_obj.as_dict()

    def info(self) -> dict[str, Any]:
        """Return settings, credentials, URLs and record counts."""
        return {
            "scale": self.scale,
            "seed": self.seed,
            "credentials": self.credentials,
            "zone_lookup_url": self.zone_lookup_url,
            "zone_url": self.zone_url,
            "control_url": self.control_url,
            "counts": self.store.counts(),
            "latency_ms": self.pipeline.latency_seconds * 1000,
            "fault_rate": self.faults.plan.rate,
            "fault_kinds": sorted(self.faults.plan.kinds),
            "denied": sorted(self.faults.denied),
            "thread_limit": self.limiter.limit,
            "hourly_limit": self.counter.limit,
            "usage": self.counter.count(),
        }

    # -- data control ------------------------------------------------------------------------
    def records(self, entity: str) -> list[dict[str, Any]]:
        """Return every record of ``entity`` exactly as the API serves it, by id."""
        table = self.store.table(entity)
        return [table.to_record(row) for row in table.iter_from(-(2**62))]

    def record(self, entity: str, record_id: int) -> dict[str, Any] | None:
        """Return one record as the API serves it, or None."""
        table = self.store.table(entity)
        row = table.get(record_id)
        return table.to_record(row) if row is not None else None

    def create(self, entity: str, record: dict[str, Any]) -> int:
        """Create a record as a user in the Autotask UI would (no API rules); return its id."""
        return self.writer.create(
            catalog.spec(entity).name, record, self._human_resource_id, trusted=True
        )

    def update(self, entity: str, record_id: int, changes: dict[str, Any]) -> dict[str, Any]:
        """Change fields of a record (bumping its change field) and return it."""
        name = catalog.spec(entity).name
        self.writer.update(
            name, {**changes, "id": record_id}, self._human_resource_id, trusted=True
        )
        found = self.record(name, record_id)
        assert found is not None
        return found

    def delete(
        self, entity: str, count: int | None = None, *, ids: list[int] | None = None
    ) -> list[int]:
        """Delete ``ids`` or ``count`` random records; deleting tickets logs them.

        Returns the deleted ids (sorted).
        """
        table = self.store.table(entity)
        if ids is None:
            pool = list(table.ids)
            ids = self._control_rng.sample(pool, min(int(count or 0), len(pool)))
        deleted = []
        for record_id in sorted(int(i) for i in ids):
            row = self.writer.delete(table.name, record_id, self._human_resource_id)
            deleted.append(record_id)
            if table.name == "Tickets":
                self._log_deleted_ticket(table, row)
        return deleted

    def _log_deleted_ticket(self, tickets: Any, row: list[Any]) -> None:
        self.writer.create(
            "DeletedTicketLogs",
            {
                "ticketID": row[0],
                "ticketNumber": row[tickets.column["ticketNumber"]],
                "ticketTitle": row[tickets.column["title"]],
                "deletedByResourceID": self._human_resource_id,
                "deletedDateTime": now_text(),
            },
            self._human_resource_id,
            trusted=True,
        )

    def touch(self, entity: str, fraction: float) -> list[int]:
        """Edit a share of ``entity``'s records (bumping change fields); return their ids."""
        table = self.store.table(entity)
        field = table.spec.touch_field
        if field is None:
            raise ValueError(f"{table.name} has no field the sandbox edits when touching")
        pool = list(table.ids)
        chosen = self._control_rng.sample(pool, min(len(pool), max(1, round(fraction * len(pool)))))
        kind = table.types[field][0]
        for record_id in sorted(chosen):
            self._touch_counter += 1
            n = self._touch_counter
            value: Any = (
                (n % 100)
                if kind == "integer"
                else f"+1 555 {n:07d}"
                if field == "phone"
                else f"Edited #{n} \u2013 ünïcødé"
            )
            self.writer.update(
                table.name, {"id": record_id, field: value}, self._human_resource_id, trusted=True
            )
        return sorted(chosen)

    # -- behaviour control -------------------------------------------------------------------
    def set_faults(
        self,
        rate: float | None = None,
        kinds: list[str] | None = None,
        slow_ms: float | None = None,
    ) -> None:
        """Set the fault rate (0..1), enabled kinds ("429", "500", "slow", "drop"), slow delay."""
        self.faults.set(rate=rate, kinds=kinds, slow_ms=slow_ms)

    def deny(self, entity: str) -> None:
        """Make the API user lack permission on ``entity`` (HTTP 500, Autotask wording)."""
        self.faults.denied.add(catalog.spec(entity).name.lower())

    def allow(self, entity: str) -> None:
        """Undo :meth:`deny`."""
        self.faults.denied.discard(catalog.spec(entity).name.lower())

    def denied(self) -> set[str]:
        """Return the denied entity names (lower case)."""
        return set(self.faults.denied)

    def set_latency(self, ms: float) -> None:
        """Set the latency added to every API call, in milliseconds."""
        self.pipeline.latency_seconds = ms / 1000.0

    def set_limits(
        self,
        thread_limit: int | None = None,
        hourly_limit: int | None = None,
        throttle_scale: float | None = None,
    ) -> None:
        """Change the thread limit, hourly limit or the throttle-delay scale."""
        if thread_limit is not None:
            self.limiter.limit = int(thread_limit)
        if hourly_limit is not None:
            self.counter.limit = int(hourly_limit)
        if throttle_scale is not None:
            self.counter.throttle_scale = float(throttle_scale)

    def move_zone(self) -> str:
        """Move the tenant to another zone (the old prefix answers 401); return the new URL."""
        self.zone.move()
        if self._server is not None:
            self.api_context.zone_url = self.zone_url
            return self.zone_url
        return self.zone.prefix

    def set_usage(self, count: int) -> None:
        """Pre-fill the rolling-hour counter, as if another integration spent ``count`` calls."""
        self.counter.set_usage(count)

    def usage(self) -> int:
        """Return the requests counted in the rolling hour."""
        return self.counter.count()

    def set_webhook_retry(self, seconds: float) -> None:
        """Set the webhook retry interval (30 s in Autotask)."""
        self.webhooks.retry_interval = seconds

    # -- observation -------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Return calls per endpoint and status, totals and peak concurrency per endpoint."""
        return self._stats.snapshot(self.limiter.peaks)

    def reset_stats(self) -> None:
        """Forget request statistics and peak concurrency."""
        self._stats.reset()
        self.limiter.reset_peaks()

    def received_writes(self) -> list[dict[str, Any]]:
        """Return every POST/PATCH/PUT write received: method, path template, body, time."""
        with self._writes_lock:
            return list(self._writes)

    def webhook_deliveries(self) -> list[dict[str, Any]]:
        """Return every webhook delivery: payload, body, signature, attempts, state."""
        return self.webhooks.deliveries()

    def _record_write(self, method: str, template: str, body: Any) -> None:
        with self._writes_lock:
            self._writes.append(
                {"method": method, "path": template, "body": body, "at": now_text()}
            )

    def _control(self, method: str, path: str, params: dict[str, str], body: Any) -> Answer:
        return handle_control(self, method, path, params, body)
