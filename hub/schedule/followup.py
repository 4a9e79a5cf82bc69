"""What happens when a sync run ends: the contract re-import, then the admins' notices.

Called once per run from the runner (:func:`hub.sync.runner.finish_if_done`
decides who closes a run). Nothing here may fail the run: problems become
run events and log lines.
"""

from __future__ import annotations

import logging

from hub.contracts.refresh import refresh_imported
from hub.contracts.source import contract_setup
from hub.errors import HubError
from hub.extensions import db
from hub.models import Integration, SyncRun
from hub.models.base import utcnow
from hub.notify.notices import notify_run_finished
from hub.schedule.dispatcher import contracts_due
from hub.schedule.settings import schedule_of

log = logging.getLogger(__name__)


def _reimport_contracts(run: SyncRun, integration: Integration) -> None:
    setup = contract_setup(integration)
    if setup is None or run.status == "failed":
        return
    pulled = {row.stream for row in run.streams if row.status == "succeeded"}
    if setup.contract.stream not in pulled:
        return
    schedule = schedule_of(integration)
    if run.trigger != "contracts" and not contracts_due(integration, schedule, utcnow()):
        return
    result = refresh_imported(setup)
    schedule.contracts_synced_at = utcnow()
    from hub.sync.runner import add_event

    add_event(
        run.id,
        f"contracts re-imported: {result.updated} updated, {result.unchanged} unchanged, "
        f"{result.flagged} flagged as deleted or deactivated in the PSA",
    )
    db.session.commit()


def after_run(run: SyncRun) -> None:
    """Re-import imported contracts when due, then notify admins when it matters."""
    integration = db.session.get(Integration, run.integration_id)
    if integration is None:
        return
    for step in (_reimport_contracts, lambda r, _i: notify_run_finished(r)):
        try:
            step(run, integration)
        except (HubError, OSError) as exc:
            db.session.rollback()
            log.warning("after run %s: %s", run.id, exc)
        except Exception:
            db.session.rollback()
            log.exception("after run %s", run.id)
