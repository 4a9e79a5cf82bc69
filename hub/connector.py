"""The data a connector plugin exchanges with the core, as plain typed values.

Plugins build these; the core stores and shows them. Nothing here touches
the database or the network.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

from marshmallow import Schema

Record = dict[str, Any]
Cursor = dict[str, Any]


@dataclass(frozen=True)
class ConnectorInfo:
    """What a connector is: shown on the integrations page and by ``hub plugins``.

    ``settings_schema`` is a marshmallow schema; fields whose metadata has
    ``secret=True`` are encrypted at rest and never shown again. Field
    metadata ``label`` and ``help`` are used to draw the settings form.
    ``max_concurrency`` (per remote endpoint) and ``hourly_call_limit`` (per
    remote account) declare the remote system's limits; the core enforces
    them across every worker.
    """

    name: str
    label: str
    settings_schema: type[Schema]
    kind: str = "psa"
    can_be_primary: bool = True
    description: str = ""
    guidance: str = ""
    max_concurrency: int | None = None
    hourly_call_limit: int | None = None


def secret_fields(schema: type[Schema] | Schema) -> list[str]:
    """Return the names of the fields marked ``secret`` in a settings schema."""
    instance = schema() if isinstance(schema, type) else schema
    return [name for name, f in instance.fields.items() if f.metadata.get("secret")]


@dataclass(frozen=True)
class StreamSpec:
    """One kind of remote record a connector can pull, declared as data.

    ``change_field`` names the remote field that moves when a record changes
    (``None``: the stream is always pulled in full). ``hub_model`` names the
    hub record it feeds (``"company"``, ``"asset"``, ...), or ``None``.
    """

    name: str
    primary_key: str = "id"
    change_field: str | None = None
    hub_model: str | None = None
    webhooks: bool = False
    label: str = ""


@dataclass(frozen=True)
class EntityAccess:
    """Whether the remote user may read one stream, and what to change if not."""

    stream: str
    readable: bool
    message: str = ""


@dataclass(frozen=True)
class ConnectionReport:
    """The outcome of a connection test: overall, then per stream."""

    ok: bool
    message: str
    entities: list[EntityAccess] = field(default_factory=list)


@dataclass(frozen=True)
class PullPlan:
    """How to pull a stream: the expected record count and independent cursors.

    Each cursor is a JSON-serialisable dict and starts a partition that the
    core pulls page by page; partitions may run in parallel.
    """

    total: int | None
    cursors: list[Cursor]


@dataclass(frozen=True)
class Page:
    """One page of records and the cursor of the next page (``None``: done).

    ``remaining`` is the connector's estimate of the records its partition
    still holds after this page (``None``: it cannot tell, e.g. an open-ended
    range): the core lets the partition with the most left share it out.
    """

    records: list[Record]
    next_cursor: Cursor | None
    remaining: int | None = None


@dataclass(frozen=True)
class PicklistValue:
    """One value of a picklist field, as the remote system labels it."""

    value: str
    label: str
    is_active: bool = True
    parent_value: str | None = None


@dataclass(frozen=True)
class FieldInfo:
    """One standard or custom field of a stream, from the remote metadata."""

    name: str
    label: str
    data_type: str
    is_custom: bool = False
    is_required: bool = False
    is_read_only: bool = False
    is_protected: bool = False
    reference: str | None = None
    picklist: tuple[PicklistValue, ...] = ()


@dataclass(frozen=True)
class WriteResult:
    """The outcome of writing one value back to the remote system."""

    status: Literal["written", "skipped", "failed"]
    message: str = ""
    remote_value: Any = None


@dataclass(frozen=True)
class WebhookRegistration:
    """A webhook the connector created remotely, and the secret that signs its calls."""

    stream: str
    remote_id: str
    secret: str


@dataclass(frozen=True)
class WebhookEvent:
    """A verified webhook delivery: which record changed, and how."""

    stream: str
    remote_id: str
    action: Literal["create", "update", "delete", "deactivated"]
    sequence: int | None = None
    event_time: datetime | None = None
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WarrantyFound:
    """A warranty expiration date a plugin found for an asset, and who supplied it.

    ``provider`` is a short name (``"dell"``, ``"lenovo"``); the hub records
    the asset's warranty source as ``lookup:<provider>``.
    """

    expires_on: date
    provider: str


class CallGate(Protocol):
    """What the core lends a connector for every remote call it makes.

    ``call(endpoint)`` blocks until the endpoint has a free concurrency slot
    and the hub's API budget allows another call, then holds the slot for the
    duration of the ``with`` block and counts one call. ``report_usage`` tells
    the core what the remote system says about the shared quota. ``calls``
    counts the calls made through this gate.
    """

    calls: int

    def call(self, endpoint: str) -> contextlib.AbstractContextManager[None]:
        """Hold a slot on ``endpoint`` for one remote call."""
        ...

    def report_usage(self, used: int, limit: int) -> None:
        """Record the remote system's own count of calls against its limit."""
        ...


class FreeGate:
    """A gate with no limits that only counts calls: for tests and one-off commands."""

    def __init__(self) -> None:
        self.calls = 0
        self.usage: tuple[int, int] | None = None

    @contextlib.contextmanager
    def call(self, endpoint: str) -> Iterator[None]:
        """Count one call and hold nothing."""
        self.calls += 1
        yield

    def report_usage(self, used: int, limit: int) -> None:
        """Remember the remote usage figures."""
        self.usage = (used, limit)


@dataclass(frozen=True)
class DemoIntegration:
    """An integration ``hub demo`` configures for its demo tenant, with working settings.

    ``environment`` holds operator variables the demo's processes need to
    reach a simulated remote system (e.g. where to look zones up).
    """

    connector: str
    settings: Mapping[str, Any]
    primary: bool = False
    environment: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldSource:
    """Where a hub attribute's value comes from: a remote field, or a custom field (UDF)."""

    field: str
    custom: bool = False

    def label(self) -> str:
        """Return the source as an admin reads it."""
        return f"{self.field} (custom)" if self.custom else self.field


@dataclass(frozen=True)
class ModelMapping:
    """How a stream's records become hub records of ``model``, by default.

    ``fields`` maps a hub attribute to its sources in fallback order (the
    first non-empty one wins). ``references`` maps a hub foreign key (e.g.
    ``company_id``) to ``(stream, remote field)``: the hub record made from
    that stream's record whose id is the remote field's value. ``select``
    holds the default selection: remote field -> accepted values (all must
    match); ``requires`` lists references that must resolve for a record to
    be applied (e.g. an asset needs an imported company).
    """

    stream: str
    model: str
    fields: Mapping[str, tuple[FieldSource, ...]]
    references: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    select: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    requires: tuple[str, ...] = ()

    @functools.cached_property
    def custom(self) -> bool:
        """Whether some field is read from a custom (user-defined) field."""
        return any(source.custom for sources in self.fields.values() for source in sources)


@dataclass(frozen=True)
class ContractSource:
    """How a connector's contracts, their services and covered assets are read from the mirror.

    The contract and contract-service fields themselves come from the
    connector's ``contract`` and ``contract_service`` :class:`ModelMapping`
    (so admins' field overrides apply); this says the rest. ``labels`` maps a
    hub contract attribute (``status``, ``contract_type``, ``billing_cycle``)
    to remote value -> label; ``active_statuses`` lists the remote values of
    the ``status`` source that mean active (others: deactivated).
    ``catalogue_stream`` (with ``catalogue_field`` on a contract service and
    ``catalogue_name``) names services; ``units_stream`` gives billed units
    per contract service (the latest period by ``units_period_field`` wins);
    ``asset_stream`` and ``asset_contract_field`` /
    ``asset_service_field`` link assets to contracts and contract services.
    """

    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    active_statuses: tuple[str, ...] = ()
    catalogue_stream: str | None = None
    catalogue_field: str | None = None
    catalogue_name: str = "name"
    units_stream: str | None = None
    units_service_field: str | None = None
    units_field: str | None = None
    units_period_field: str | None = None
    asset_stream: str | None = None
    asset_contract_field: str | None = None
    asset_service_field: str | None = None
