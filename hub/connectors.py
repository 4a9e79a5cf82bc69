"""A typed facade over the connector hooks, so core code is type-checked.

``get_connector(name)`` returns a :class:`Connector` whose methods call
the plugin hooks with the connector's name filled in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from marshmallow import ValidationError

from hub import plugins
from hub.connector import (
    CallGate,
    ConnectionReport,
    ConnectorInfo,
    Cursor,
    FieldInfo,
    Page,
    PullPlan,
    Record,
    StreamSpec,
    WebhookEvent,
    WebhookRegistration,
    WriteResult,
    secret_fields,
)
from hub.errors import ConfigurationError, ValidationFailed


class Connector:
    """One registered connector and the hooks that serve it."""

    def __init__(self, info: ConnectorInfo) -> None:
        self.info = info
        self.name = info.name
        self._hook = plugins.pm.hook

    def __repr__(self) -> str:
        return f"<Connector {self.name}>"

    @property
    def secret_fields(self) -> list[str]:
        """Names of the settings that are encrypted and never shown."""
        return secret_fields(self.info.settings_schema)

    def validate_settings(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Return validated settings or raise :class:`ValidationFailed` listing every bad field."""
        try:
            loaded: dict[str, Any] = self.info.settings_schema().load(dict(raw))
        except ValidationError as exc:
            messages = exc.normalized_messages()
            errors: dict[str, list[str] | str] = {}
            for key, value in messages.items():
                errors[str(key)] = value if isinstance(value, list | str) else [str(value)]
            raise ValidationFailed(errors) from None
        return loaded

    def streams(self) -> list[StreamSpec]:
        """Return the connector's streams in pull order."""
        return list(self._hook.hub_list_streams(connector=self.name) or [])

    def stream(self, name: str) -> StreamSpec:
        """Return one stream by name or raise :class:`ConfigurationError`."""
        for spec in self.streams():
            if spec.name == name:
                return spec
        known = ", ".join(s.name for s in self.streams())
        raise ConfigurationError(f"connector {self.name!r} has no stream {name!r} (known: {known})")

    def check_connection(self, settings: Mapping[str, Any], gate: CallGate) -> ConnectionReport:
        """Test the connection and per-stream read access."""
        report = self._hook.hub_check_connection(connector=self.name, settings=settings, gate=gate)
        return self._required(report, "hub_check_connection")

    def plan_pull(
        self,
        settings: Mapping[str, Any],
        stream: str,
        since: str | None,
        gate: CallGate,
        *,
        ids_only: bool = False,
    ) -> PullPlan:
        """Plan a pull of ``stream``: its total and starting cursors."""
        plan = self._hook.hub_plan_pull(
            connector=self.name,
            settings=settings,
            stream=stream,
            since=since,
            ids_only=ids_only,
            gate=gate,
        )
        return self._required(plan, "hub_plan_pull")

    def count(
        self, settings: Mapping[str, Any], stream: str, gate: CallGate, since: str | None = None
    ) -> int | None:
        """Return the remote record count of ``stream`` (``None`` when unknown)."""
        total = self._hook.hub_count(
            connector=self.name, settings=settings, stream=stream, since=since, gate=gate
        )
        if total is None:
            total = self.plan_pull(settings, stream, since, gate, ids_only=True).total
        return None if total is None else int(total)

    def deleted_ids(
        self, settings: Mapping[str, Any], stream: str, since: str, gate: CallGate
    ) -> list[str] | None:
        """Return ids the remote system logged as deleted after ``since`` (``None``: no log)."""
        ids = self._hook.hub_deleted_ids(
            connector=self.name, settings=settings, stream=stream, since=since, gate=gate
        )
        return None if ids is None else [str(i) for i in ids]

    def pull_page(
        self, settings: Mapping[str, Any], stream: str, cursor: Cursor, gate: CallGate
    ) -> Page:
        """Pull the page at ``cursor``."""
        page = self._hook.hub_pull_page(
            connector=self.name, settings=settings, stream=stream, cursor=cursor, gate=gate
        )
        return self._required(page, "hub_pull_page")

    def split_cursor(
        self, stream: str, cursor: Cursor, records: list[Record], remaining: int, parts: int
    ) -> list[Cursor] | None:
        """Split the rest of a partition; ``None`` when the connector cannot."""
        result: list[Cursor] | None = self._hook.hub_split_cursor(
            connector=self.name,
            stream=stream,
            cursor=cursor,
            records=records,
            remaining=remaining,
            parts=parts,
        )
        return result

    def field_metadata(
        self, settings: Mapping[str, Any], stream: str, gate: CallGate
    ) -> list[FieldInfo]:
        """Return the stream's fields (standard and custom) with picklists."""
        fields = self._hook.hub_field_metadata(
            connector=self.name, settings=settings, stream=stream, gate=gate
        )
        return list(self._required(fields, "hub_field_metadata"))

    def write_back(
        self,
        settings: Mapping[str, Any],
        stream: str,
        remote_id: str,
        changes: Mapping[str, Any],
        expected: Mapping[str, Any],
        gate: CallGate,
    ) -> WriteResult | None:
        """Write values back to one remote record; ``None`` when unsupported."""
        result: WriteResult | None = self._hook.hub_write_back(
            connector=self.name,
            settings=settings,
            stream=stream,
            remote_id=remote_id,
            changes=changes,
            expected=expected,
            gate=gate,
        )
        return result

    def register_webhooks(
        self,
        settings: Mapping[str, Any],
        callback_url: str,
        streams: list[str],
        gate: CallGate,
        fields: Mapping[str, list[str]] | None = None,
    ) -> list[WebhookRegistration] | None:
        """Create remote webhooks; ``None`` when the connector has none."""
        result: list[WebhookRegistration] | None = self._hook.hub_register_webhooks(
            connector=self.name,
            settings=settings,
            callback_url=callback_url,
            streams=streams,
            gate=gate,
            fields=dict(fields or {}),
        )
        return result

    def fetch_records(
        self, settings: Mapping[str, Any], stream: str, remote_ids: list[str], gate: CallGate
    ) -> list[Record]:
        """Return the current records with these ids (gone ones are left out)."""
        found = self._hook.hub_fetch_records(
            connector=self.name, settings=settings, stream=stream, remote_ids=remote_ids, gate=gate
        )
        return list(self._required(found, "hub_fetch_records"))

    def unregister_webhooks(
        self, settings: Mapping[str, Any], registrations: list[WebhookRegistration], gate: CallGate
    ) -> bool:
        """Remove remote webhooks; ``False`` when the connector has none."""
        done = self._hook.hub_unregister_webhooks(
            connector=self.name, settings=settings, registrations=registrations, gate=gate
        )
        return bool(done)

    def verify_webhook(
        self,
        registrations: list[WebhookRegistration],
        headers: Mapping[str, str],
        body: bytes,
    ) -> WebhookEvent | None:
        """Verify a webhook delivery and return its event."""
        event: WebhookEvent | None = self._hook.hub_verify_webhook(
            connector=self.name, registrations=registrations, headers=headers, body=body
        )
        return event

    def _required(self, value: Any, hook: str) -> Any:
        if value is None:
            raise ConfigurationError(f"connector {self.name!r} does not implement {hook}")
        return value


def get_connector(name: str) -> Connector:
    """Return the connector called ``name`` or raise naming the known ones."""
    known = plugins.connectors()
    if name not in known:
        names = ", ".join(sorted(known)) or "none"
        raise ConfigurationError(f"unknown connector {name!r} (available: {names})")
    return Connector(known[name])


def all_connectors() -> list[Connector]:
    """Return every registered connector, sorted by name."""
    return [Connector(info) for _, info in sorted(plugins.connectors().items())]
