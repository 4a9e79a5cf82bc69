"""Write-back runs: queue one (or the rollback of one) and carry it out as an RQ job.

Rules every write follows: only non-PSA warranty dates are written (the
preview decides which); the connector re-reads the record and skips it,
saying why, when the PSA value moved since the hub last read it; only the
warranty field is sent; every call passes the integration's Redis gate, so
the hourly API budget holds. Each attempt is one audit entry, committed as
it happens, so a retried job carries on where it stopped. A rollback writes
the old values back under the same rules (the value the hub wrote is the
one expected).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from hub.connector import WriteResult
from hub.connectors import get_connector
from hub.errors import AuthenticationFailed, ConfigurationError, HubError, RateLimited, scrub
from hub.extensions import db
from hub.integrations import settings_of
from hub.models import Integration, WritebackEntry, WritebackRun
from hub.models.base import utcnow
from hub.warranty.sources import check_tenant_assets
from hub.writeback.preview import plan

log = logging.getLogger(__name__)
ACTIVE = ("queued", "running")


@dataclass(frozen=True)
class Attempt:
    """One value to write: to which record, what the hub expects there, what to write."""

    asset_id: int | None
    asset_name: str
    stream: str
    remote_id: str
    field: str
    expected: Any
    old_value: str | None
    new_value: str | None
    source: str


def job_id(run_id: int) -> str:
    """Return the RQ job id of a write-back run (it is never queued twice)."""
    return f"hub-writeback-{run_id}"


def active_writeback(integration: Integration) -> WritebackRun | None:
    """Return the integration's queued or running write-back run, if any."""
    return db.session.scalar(
        select(WritebackRun).where(
            WritebackRun.integration_id == integration.id, WritebackRun.status.in_(ACTIVE)
        )
    )


def _queue(run: WritebackRun, integration: Integration, *, enqueue: bool) -> WritebackRun:
    existing = active_writeback(integration)
    if existing is not None:
        raise ConfigurationError(f"write-back run #{existing.id} is still {existing.status}")
    db.session.add(run)
    db.session.flush()
    run.job_id = job_id(run.id)
    db.session.commit()
    if enqueue:
        from hub.jobs import get_queue

        get_queue().enqueue_call(
            "hub.tasks.writeback_job",
            args=(run.id,),
            job_id=run.job_id,
            timeout=6 * 3600,
            result_ttl=86400,
            failure_ttl=7 * 86400,
            description=f"{run.kind} warranty dates of integration {integration.id}",
        )
    return run


def _check_enabled(integration: Integration) -> None:
    if not integration.enabled:
        raise ConfigurationError(f"the {integration.connector} integration is not enabled")
    if not integration.writeback_enabled:
        raise ConfigurationError(
            f"write-back is off for the {integration.connector} integration: turn it on first"
        )


def request_writeback(
    integration: Integration,
    *,
    actor: str,
    asset_ids: list[int] | None = None,
    enqueue: bool = True,
) -> WritebackRun:
    """Queue a write of the previewed warranty dates (all, or only ``asset_ids``).

    Ids that are not the tenant's assets are refused (nothing is queued).
    """
    _check_enabled(integration)
    if asset_ids:
        check_tenant_assets(integration.tenant_id, asset_ids)
    run = WritebackRun(
        tenant_id=integration.tenant_id,
        integration_id=integration.id,
        kind="write",
        requested_by=actor,
        asset_ids=sorted(set(asset_ids)) if asset_ids is not None else None,
    )
    return _queue(run, integration, enqueue=enqueue)


def request_rollback(original: WritebackRun, *, actor: str, enqueue: bool = True) -> WritebackRun:
    """Queue the rollback of a finished write run: its written values go back."""
    integration = db.session.get(Integration, original.integration_id)
    assert integration is not None
    _check_enabled(integration)
    if original.kind != "write":
        raise ConfigurationError(f"run #{original.id} is a rollback; only write runs roll back")
    if not original.finished:
        raise ConfigurationError(f"run #{original.id} has not finished yet")
    if not original.written:
        raise ConfigurationError(f"run #{original.id} wrote nothing: there is nothing to roll back")
    run = WritebackRun(
        tenant_id=original.tenant_id,
        integration_id=original.integration_id,
        kind="rollback",
        rollback_of_id=original.id,
        requested_by=actor,
    )
    return _queue(run, integration, enqueue=enqueue)


def _attempts(run: WritebackRun, integration: Integration) -> list[Attempt]:
    if run.kind == "rollback":
        entries = db.session.scalars(
            select(WritebackEntry)
            .where(WritebackEntry.run_id == run.rollback_of_id, WritebackEntry.result == "written")
            .order_by(WritebackEntry.id)
        )
        return [
            Attempt(e.asset_id, e.asset_name, e.stream, e.remote_id, e.field, e.new_value,
                    e.new_value, e.old_value, f"rollback of run #{run.rollback_of_id}")
            for e in entries
        ]  # fmt: skip
    return [
        Attempt(p.asset_id, p.asset_name, p.stream, p.remote_id, p.field, p.psa_raw,
                p.psa_value, p.new_value, p.source)
        for p in plan(integration, run.asset_ids)
    ]  # fmt: skip


def _record(run: WritebackRun, attempt: Attempt, result: WriteResult) -> None:
    db.session.add(
        WritebackEntry(
            tenant_id=run.tenant_id,
            run_id=run.id,
            asset_id=attempt.asset_id,
            asset_name=attempt.asset_name[:255],
            stream=attempt.stream,
            remote_id=attempt.remote_id,
            field=attempt.field,
            old_value=attempt.old_value,
            new_value=attempt.new_value,
            source=attempt.source[:50],
            result=result.status,
            message=result.message,
            actor=run.requested_by,
        )
    )
    setattr(run, result.status, getattr(run, result.status) + 1)
    db.session.commit()


def execute(run_id: int) -> str:
    """Carry out (or resume) write-back run ``run_id``; return its final status."""
    from hub.sync.runner import make_gate

    run = db.session.get(WritebackRun, run_id)
    if run is None or run.finished:
        return run.status if run is not None else "missing"
    integration = db.session.get(Integration, run.integration_id)
    assert integration is not None
    connector = get_connector(integration.connector)
    settings = settings_of(integration)
    secrets = [str(settings.get(n) or "") for n in connector.secret_fields]
    gate = make_gate(integration)
    run.status, run.started_at = "running", run.started_at or utcnow()
    db.session.commit()
    done = set(
        db.session.scalars(select(WritebackEntry.remote_id).where(WritebackEntry.run_id == run.id))
    )
    stopped = ""
    written: dict[str, list[str]] = {}
    try:
        attempts = _attempts(run, integration)
    except HubError as exc:
        attempts, stopped = [], scrub(str(exc), secrets)
    for attempt in attempts:
        if attempt.remote_id in done:
            continue  # a retried job: this one was already tried
        try:
            result = connector.write_back(
                settings,
                attempt.stream,
                attempt.remote_id,
                {attempt.field: attempt.new_value},
                {attempt.field: attempt.expected},
                gate,
            )
        except (AuthenticationFailed, RateLimited) as exc:
            stopped = "stopped: " + scrub(str(exc), secrets)
            break
        except HubError as exc:
            result = WriteResult("failed", scrub(str(exc), secrets))
        if result is None:
            stopped = f"{connector.info.label} does not support write-back"
            break
        _record(run, attempt, result)
        if result.status == "written":
            written.setdefault(attempt.stream, []).append(attempt.remote_id)
    _refresh_mirror(integration, connector, settings, gate, written)
    _finish(run, stopped)
    return run.status


def _refresh_mirror(integration: Integration, connector: Any, settings: Any, gate: Any,
                    written: dict[str, list[str]]) -> None:  # fmt: skip
    """Read the written records back into the mirror, so the preview shows what the PSA holds."""
    from hub.webhooks.intake import refresh_records

    for stream, remote_ids in written.items():
        try:
            refresh_records(integration, connector, settings, gate, stream, remote_ids)
        except HubError as exc:  # the next sync reads them anyway
            log.warning("could not re-read written %s records: %s", stream, exc.message)


def _finish(run: WritebackRun, stopped: str) -> None:
    if stopped or run.failed:
        run.status = "partial" if run.written else "failed"
    else:
        run.status = "succeeded"
    run.message = stopped
    run.finished_at = utcnow()
    db.session.commit()
