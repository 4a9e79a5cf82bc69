"""``hub demo``: a working hub on embedded defaults, a demo tenant, a worker and the web app."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys

import click
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select
from werkzeug.serving import run_simple

from hub.connector import DemoIntegration
from hub.errors import HubError
from hub.extensions import db
from hub.integrations import configure_integration, current_primary
from hub.jobs import request_sync
from hub.models import Tenant
from hub.plugins import pm
from hub.redis_conn import stop_embedded_redis, uses_embedded_redis
from hub.tenancy import create_tenant

DEMO_SLUG = "demo"
DEMO_EMAIL = "admin@demo.example"
DEMO_PASSWORD = "demo-password"  # noqa: S105 - shown on the login page on purpose


def demo_integrations() -> list[DemoIntegration]:
    """Collect the integrations plugins offer for the demo (primary first)."""
    found: list[DemoIntegration] = []
    pm.hook.hub_demo_integrations(register=found.append)
    return sorted(found, key=lambda d: not d.primary)


def prepare_demo() -> Tenant:
    """Migrate the database, create the demo tenant and configure the demo integrations.

    The integrations' operator variables are set in this process's
    environment, which the demo's worker process inherits.
    """
    upgrade()
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == DEMO_SLUG))
    if tenant is None:
        tenant = create_tenant(DEMO_SLUG, "Demo MSP", DEMO_EMAIL, DEMO_PASSWORD)
    for demo in demo_integrations():
        os.environ.update(demo.environment)
        primary = demo.primary and current_primary(tenant) is None
        try:
            integration = configure_integration(
                tenant, demo.connector, dict(demo.settings), primary=primary
            )
        except HubError as exc:
            click.echo(f"demo: could not configure {demo.connector}: {exc}", err=True)
            continue
        run, created = request_sync(integration, trigger="demo")
        if created:
            click.echo(f"demo: queued the first sync of {demo.connector} (run {run.id})", err=True)
    return tenant


def run_demo(app: Flask, *, host: str, port: int) -> None:
    """Prepare the demo, start a worker process and serve the admin pages until Ctrl-C."""
    app.config["DEMO_LOGIN"] = (DEMO_EMAIL, DEMO_PASSWORD)
    prepare_demo()
    # The console shows the address and problems, not every API request of the sandbox sync.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    quiet = {**os.environ, "HUB_LOG_LEVEL": os.environ.get("HUB_LOG_LEVEL", "WARNING")}
    worker = subprocess.Popen([sys.executable, "-m", "hub", "worker"], env=quiet)
    click.echo(
        f"\nThe hub runs at http://{host}:{port}/  (log in as {DEMO_EMAIL} / {DEMO_PASSWORD})\n"
        "Press Ctrl-C to stop.\n",
        err=True,
    )
    # Stop on SIGTERM as on Ctrl-C, so the worker is stopped too.
    signal.signal(signal.SIGTERM, _stop)
    try:
        # app.run() refuses to serve from inside a CLI command; run_simple is what it calls.
        run_simple(host, port, app, threaded=True, use_reloader=False)
    except KeyboardInterrupt:
        pass
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        if uses_embedded_redis(app):
            stop_embedded_redis(app.instance_path)  # nothing else of the demo uses it


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
