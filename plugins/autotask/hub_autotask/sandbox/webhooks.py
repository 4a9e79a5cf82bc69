"""Webhook callouts: which changes fire, the signed payload, delivery with retries.

A webhook (``CompanyWebhooks`` etc.) fires only when it is active and has at
least one subscribed ``Fields`` child. Create and Delete events fire when the
webhook subscribes to them; an Update fires only when a subscribed field
changed. Payloads are POSTed from a background thread with
``X-Hook-Signature: sha1=<base64(HMAC-SHA1(secretKey, body))>``, a 10 s
timeout and up to 5 attempts ``retry_interval`` seconds apart (30 s in
Autotask; tests shrink it). After 25 consecutive failed attempts the webhook
is deactivated and a signed ``Deactivated`` event goes to its
``deactivationUrl``. Every delivery is recorded for inspection.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import hmac
import itertools
import json
import threading
import time
from typing import Any

import httpx

from hub_autotask.sandbox import catalog
from hub_autotask.sandbox.metadata import webhook_field_ids
from hub_autotask.sandbox.store import Row, Store
from hub_autotask.sandbox.writes import now_text

MAX_ATTEMPTS = 5
DISABLE_AFTER_FAILURES = 25


def signature(secret: str, body: bytes) -> str:
    """Return the ``X-Hook-Signature`` header value for ``body``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha1).digest()
    return "sha1=" + base64.b64encode(digest).decode("ascii")


class WebhookDispatcher:
    """Turns record changes into signed callouts and delivers them."""

    def __init__(self, store: Store, retry_interval: float = 30.0, timeout: float = 10.0) -> None:
        """Create a dispatcher over ``store``; call :meth:`start` to deliver."""
        self.store = store
        self.retry_interval = retry_interval
        self.timeout = timeout
        self._queue: list[tuple[float, int, dict[str, Any]]] = []
        self._order = itertools.count()
        self._cond = threading.Condition()
        self._records: list[dict[str, Any]] = []
        self._sequence: dict[tuple[str, int], int] = {}
        self._failures: dict[tuple[str, int], int] = {}
        self._thread: threading.Thread | None = None
        self._stopping = False

    def start(self) -> None:
        """Start the delivery thread."""
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the delivery thread (pending deliveries are abandoned)."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread:
            self._thread.join(timeout=15)

    def deliveries(self) -> list[dict[str, Any]]:
        """Return a copy of every delivery record (payload, attempts, state)."""
        with self._cond:
            return json.loads(json.dumps(self._records))

    def on_change(
        self,
        entity: str,
        action: str,
        record_id: int,
        before: Row | None,
        after: Row | None,
        person: int,
    ) -> None:
        """Queue callouts for a committed change of ``entity``."""
        hooks_name = catalog.WEBHOOK_ENTITY_OF.get(entity)
        if not hooks_name:
            return
        hooks = self.store.table(hooks_name)
        fields = self.store.table(f"{hooks_name[:-1]}Fields")
        data = self.store.table(entity)
        names = webhook_field_ids(entity)
        for hook in list(hooks.iter_from(0)):
            get = hooks.column
            if not hook[get["isActive"]]:
                continue
            if not hook[get[f"isSubscribedTo{action}Events"]]:
                continue
            subscribed, shown = self._fields_of(fields, hook[0], names)
            if not subscribed:
                continue
            if (
                action == "Update"
                and before is not None
                and after is not None
                and not any(before[data.column[n]] != after[data.column[n]] for n in subscribed)
            ):
                continue
            source = after if after is not None else before
            assert source is not None
            payload_fields = {n: source[data.column[n]] for n in [*subscribed, *shown]}
            self._enqueue(
                hooks_name,
                hook,
                {
                    "Action": action,
                    "Guid": hook[get["webhookGUID"]],
                    "EntityType": catalog.BY_NAME[entity].singular,
                    "Id": record_id,
                    "Fields": payload_fields,
                    "EventTime": now_text(),
                    "SequenceNumber": self._next_sequence(hooks_name, hook[0]),
                    "PersonID": person,
                },
                hook[get["webhookUrl"]],
            )

    def _fields_of(
        self, fields: Any, hook_id: int, names: dict[int, str]
    ) -> tuple[list[str], list[str]]:
        column = fields.column
        subscribed, shown = [], []
        for row in fields.iter_from(0):
            if row[column["webhookID"]] != hook_id or row[column["fieldID"]] not in names:
                continue
            name = names[row[column["fieldID"]]]
            if row[column["isSubscribedField"]]:
                subscribed.append(name)
            elif row[column["isDisplayAlwaysField"]]:
                shown.append(name)
        return subscribed, shown

    def _next_sequence(self, hooks_name: str, hook_id: int) -> int:
        with self._cond:
            key = (hooks_name, hook_id)
            self._sequence[key] = self._sequence.get(key, 0) + 1
            return self._sequence[key]

    def _enqueue(self, hooks_name: str, hook: Row, payload: dict[str, Any], url: str) -> None:
        hooks = self.store.table(hooks_name)
        secret = hook[hooks.column["secretKey"]] or ""
        body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        record = {
            "id": len(self._records) + 1,
            "webhook_entity": hooks_name,
            "webhook_id": hook[0],
            "url": url,
            "action": payload["Action"],
            "entity_id": payload["Id"],
            "payload": payload,
            "body": body.decode("utf-8"),
            "signature": signature(secret, body),
            "attempts": [],
            "state": "pending",
        }
        with self._cond:
            record["id"] = len(self._records) + 1
            self._records.append(record)
            heapq.heappush(self._queue, (time.monotonic(), next(self._order), record))
            self._cond.notify_all()

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout) as client:
            while True:
                with self._cond:
                    while not self._stopping and (
                        not self._queue or self._queue[0][0] > time.monotonic()
                    ):
                        wait = self._queue[0][0] - time.monotonic() if self._queue else None
                        self._cond.wait(timeout=wait)
                    if self._stopping:
                        return
                    _, _, record = heapq.heappop(self._queue)
                self._attempt(client, record)

    def _attempt(self, client: httpx.Client, record: dict[str, Any]) -> None:
        status: int | None = None
        error: str | None = None
        try:
            answer = client.post(
                record["url"],
                content=record["body"].encode("utf-8"),
                headers={
                    "Content-Type": "application/json",
                    "X-Hook-Signature": record["signature"],
                },
            )
            status = answer.status_code
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
        ok = status is not None and 200 <= status < 300
        key = (record["webhook_entity"], record["webhook_id"])
        with self._cond:
            record["attempts"].append({"at": now_text(), "status": status, "error": error})
            if ok:
                record["state"] = "delivered"
                self._failures[key] = 0
                return
            self._failures[key] = self._failures.get(key, 0) + 1
            failures = self._failures[key]
            if len(record["attempts"]) < MAX_ATTEMPTS and record["action"] != "Deactivated":
                heapq.heappush(
                    self._queue, (time.monotonic() + self.retry_interval, next(self._order), record)
                )
            else:
                record["state"] = "dropped"
        if failures >= DISABLE_AFTER_FAILURES and record["action"] != "Deactivated":
            self._deactivate(*key)

    def _deactivate(self, hooks_name: str, hook_id: int) -> None:
        hooks = self.store.table(hooks_name)
        with self.store.lock:
            hook = hooks.get(hook_id)
            if hook is None or not hook[hooks.column["isActive"]]:
                return
            hook = list(hook)
            hook[hooks.column["isActive"]] = False
            hooks.put(hook)
        url = hook[hooks.column["deactivationUrl"]]
        if url:
            self._enqueue(
                hooks_name,
                hook,
                {
                    "Action": "Deactivated",
                    "Guid": hook[hooks.column["webhookGUID"]],
                    "EntityType": hooks.spec.singular,
                    "Id": hook_id,
                    "Fields": {},
                    "EventTime": now_text(),
                    "SequenceNumber": self._next_sequence(hooks_name, hook_id),
                    "PersonID": hook[hooks.column["ownerResourceID"]],
                },
                url,
            )
