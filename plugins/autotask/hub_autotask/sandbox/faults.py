"""Injected failures: seeded random 429s, 500s, slow answers and dropped connections,
plus per-entity permission denials worded like Autotask's."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from hub_autotask.sandbox.errors import ApiError

FAULT_KINDS = ("429", "500", "slow", "drop")
DENIAL_VERBS = {
    "GET": "query",
    "POST": "create",
    "PATCH": "update",
    "PUT": "update",
    "DELETE": "delete",
}


class DropConnection(Exception):
    """Raised to make the server close the socket without answering."""


@dataclass
class FaultPlan:
    """What to inject: a rate, the enabled kinds and the slow-answer delay."""

    rate: float = 0.0
    kinds: frozenset[str] = frozenset(FAULT_KINDS)
    slow_seconds: float = 2.0


@dataclass
class FaultInjector:
    """Decides, with its own seeded generator, whether a request fails and how."""

    seed: int
    plan: FaultPlan = field(default_factory=FaultPlan)
    denied: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        """Create the seeded generator and its lock."""
        self._rng = random.Random(f"{self.seed}:faults")
        self._lock = threading.Lock()
        self._error_id = 1_000_000 + self.seed

    def set(
        self,
        rate: float | None = None,
        kinds: list[str] | None = None,
        slow_ms: float | None = None,
    ) -> None:
        """Change the fault rate, the enabled kinds and/or the slow delay."""
        if rate is not None:
            if not 0.0 <= rate <= 1.0:
                raise ValueError("rate must be between 0 and 1")
            self.plan.rate = rate
        if kinds is not None:
            unknown = set(kinds) - set(FAULT_KINDS)
            if unknown:
                raise ValueError(f"unknown fault kinds {sorted(unknown)}; use {FAULT_KINDS}")
            self.plan.kinds = frozenset(kinds)
        if slow_ms is not None:
            self.plan.slow_seconds = slow_ms / 1000.0

    def draw(self) -> str | None:
        """Return the fault kind to inject into this request, or None."""
        plan = self.plan
        if plan.rate <= 0 or not plan.kinds:
            return None
        with self._lock:
            if self._rng.random() >= plan.rate:
                return None
            return self._rng.choice(sorted(plan.kinds))

    def error_for(self, kind: str) -> ApiError:
        """Return the answer of an injected 429 or 500."""
        if kind == "429":
            return ApiError(429, "Too many requests. Please retry later.")
        with self._lock:
            self._error_id += 1
            error_id = self._error_id
        return ApiError(
            500,
            "An unexpected error has occurred.",
            body={
                "errors": [
                    "An unexpected error has occurred. Please contact Autotask support "
                    f"and quote error id {error_id}."
                ],
                "errorId": error_id,
            },
        )

    def check_denied(self, entity: str | None, method: str) -> None:
        """Raise Autotask's permission answer when ``entity`` is denied."""
        if entity and entity.lower() in self.denied:
            verb = DENIAL_VERBS.get(method, "query")
            raise ApiError(
                500,
                "The logged in Resource does not have the adequate "
                f"permissions to {verb} this entity type.",
            )
