"""What every part of a sync run needs, loaded once per job."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app

from hub.connector import StreamSpec
from hub.connectors import Connector, get_connector
from hub.extensions import db
from hub.integrations import settings_of
from hub.models import Integration, SyncRun
from hub.sync.gate import RedisGate


@dataclass
class SyncContext:
    """A run's integration, connector, decrypted settings and shared call gate."""

    app: Flask
    run_id: int
    integration_id: int
    tenant_id: int
    connector: Connector
    settings: dict[str, Any]
    gate: RedisGate
    full: bool
    max_delete_share: float
    secrets: list[str]
    specs: list[StreamSpec] = field(default_factory=list)

    @property
    def id(self) -> int:
        """The integration's id (so the context can stand in for it in the mirror)."""
        return self.integration_id

    def spec(self, stream: str) -> StreamSpec:
        """Return the spec of one of the run's streams."""
        for spec in self.specs:
            if spec.name == stream:
                return spec
        raise KeyError(stream)


def load_context(run: SyncRun, gate_factory: Any) -> SyncContext:
    """Build the context of ``run`` (inside an app context)."""
    integration = db.session.get(Integration, run.integration_id)
    assert integration is not None
    connector = get_connector(integration.connector)
    settings = settings_of(integration)
    specs = connector.streams()
    if run.streams_requested:
        specs = [s for s in specs if s.name in run.streams_requested]
    return SyncContext(
        app=current_app._get_current_object(),  # type: ignore[attr-defined]
        run_id=run.id,
        integration_id=integration.id,
        tenant_id=integration.tenant_id,
        connector=connector,
        settings=settings,
        gate=gate_factory(integration, run),
        full=run.full,
        max_delete_share=float(current_app.config.get("MAX_DELETE_SHARE", 0.2)),
        secrets=[str(settings.get(name) or "") for name in connector.secret_fields],
        specs=specs,
    )
