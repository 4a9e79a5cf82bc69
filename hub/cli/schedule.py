"""``hub scheduler``: the dispatcher process that queues due syncs (or one pass with ``--once``)."""

from __future__ import annotations

import json
import signal
import threading
from typing import Any

import click
from flask.cli import with_appcontext

from hub.cli.errors import reports_errors
from hub.extensions import db


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Dispatch what is due now, then exit (for cron).")
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Seconds between passes.",
)
@click.option("--json", "as_json", is_flag=True, help="Print each pass as one JSON line.")
@with_appcontext
@reports_errors
def scheduler_command(once: bool, interval: float, as_json: bool) -> None:
    """Queue due syncs: per integration auto-sync, intervals, nightly windows, contract syncs.

    Safe to run more than once (on several machines): a sync is never queued twice.
    """
    from hub.schedule.dispatcher import dispatch_due

    stop = threading.Event()
    if not once:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    while True:
        queued = dispatch_due()
        db.session.remove()
        _report(queued, as_json)
        if once or stop.wait(interval):
            return


def _report(queued: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({"queued": queued}))
        return
    for item in queued:
        what = "all streams" if len(item["streams"]) > 5 else ", ".join(item["streams"])
        state = "queued" if item["created"] else "already running"
        click.echo(
            f"{item['connector']} (integration {item['integration_id']}): "
            f"sync #{item['run_id']} {state}: {what}"
        )
